/* rt-plan.c: the delivery plan for one message and one member. */
#include "config.h"
#include <glib/gi18n-lib.h>
#include "rt-plan.h"

void
rt_policy_init_default (RtPolicy *policy)
{
  policy->im_when_away = TRUE;
}

static RtPlan
plan (RtRoute route, RtPlanReason reason, gint endpoint)
{
  RtPlan p = { route, reason, route == RT_ROUTE_IM ? endpoint : -1 };
  return p;
}

RtPlan
rt_plan_for_member (const RtMessage *msg, const RtMember *member,
                    const RtReachability *reach, gboolean in_linked_room,
                    const RtPolicy *policy)
{
  if (msg->author_member != 0 && msg->author_member == member->id)
    return plan (RT_ROUTE_NONE, RT_REASON_AUTHOR, -1);
  if (in_linked_room)
    return plan (RT_ROUTE_NONE, RT_REASON_IN_ROOM, -1);

  /* Every IM route needs an online endpoint; without one, the digest. */
  gboolean can_im = reach->online && reach->best_endpoint >= 0;
  switch (reach->reach)
    {
    case RT_REACH_LIVE:
      if (can_im)
        return plan (RT_ROUTE_IM, RT_REASON_LIVE, reach->best_endpoint);
      break;
    case RT_REACH_AWAY:
      if (can_im && policy->im_when_away)
        return plan (RT_ROUTE_IM, RT_REASON_AWAY, reach->best_endpoint);
      if (can_im)
        return plan (RT_ROUTE_PENDING, RT_REASON_AWAY, -1);
      break;
    case RT_REACH_OFF_HOURS:
      if (can_im && member->offhours_im)
        return plan (RT_ROUTE_IM, RT_REASON_OFF_HOURS_IM, reach->best_endpoint);
      return plan (RT_ROUTE_PENDING, RT_REASON_OFF_HOURS, -1);
    case RT_REACH_ASYNC_ONLY:
      break;
    }
  return plan (RT_ROUTE_PENDING, RT_REASON_NO_ENDPOINT, -1);
}

const char *
rt_plan_describe (const RtPlan *p)
{
  switch (p->reason)
    {
    /* TRANSLATORS: delivery plan: nobody sends the author their own line. */
    case RT_REASON_AUTHOR: return _("none (author)");
    /* TRANSLATORS: delivery plan: the member saw it in the linked room. */
    case RT_REASON_IN_ROOM: return _("none (in room)");
    case RT_REASON_LIVE: return _("live IM");
    case RT_REASON_AWAY:
      return p->route == RT_ROUTE_IM ? _("IM (away)") : _("next digest (away)");
    case RT_REASON_OFF_HOURS_IM: return _("IM (off-hours)");
    case RT_REASON_OFF_HOURS: return _("next digest (off-hours)");
    case RT_REASON_NO_ENDPOINT: return _("next digest (no IM endpoint online)");
    case RT_REASON_NONE: break;
    }
  switch (p->route)
    {
    case RT_ROUTE_IM: return _("IM");
    case RT_ROUTE_PENDING: return _("next digest");
    case RT_ROUTE_NONE: break;
    }
  return _("none");
}

const char *
rt_route_to_string (RtRoute route)
{
  switch (route)
    {
    case RT_ROUTE_IM: return "im";
    case RT_ROUTE_PENDING: return "pending";
    case RT_ROUTE_NONE: break;
    }
  return "none";
}
