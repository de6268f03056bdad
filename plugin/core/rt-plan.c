/* rt-plan.c: the delivery plan for one message and one member. */
#include "config.h"
#include <glib/gi18n-lib.h>
#include "rt-plan.h"

void
rt_policy_init_default (RtPolicy *policy)
{
  policy->im_when_away = TRUE;
  policy->mention_delay_us = RT_POLICY_MENTION_DELAY_S * G_USEC_PER_SEC;
}

static RtPlan
plan (RtRoute route, RtPlanReason reason, gint endpoint)
{
  RtPlan p = { route, reason, route == RT_ROUTE_IM || route == RT_ROUTE_MAIL ? endpoint : -1 };
  return p;
}

/* Kept for the digest, or mailed now when the workspace and member ask for
 * it and mail can be sent (a mailbox, an address). */
static RtPlan
pending_or_mail (RtPlanReason reason, const RtMember *member, const RtWorkspace *ws)
{
  gint email = rt_member_find_scheme (member, RT_EMAIL_SCHEME);
  if (email >= 0 && ws != NULL && ws->mailbox != NULL && *ws->mailbox != '\0'
      && rt_member_wants_immediate_mail (member, ws))
    return plan (RT_ROUTE_MAIL, reason, email);
  return plan (RT_ROUTE_PENDING, reason, -1);
}

RtPlan
rt_plan_for_member (const RtMessage *msg, const RtMember *member,
                    const RtReachability *reach, gboolean in_linked_room,
                    const RtPolicy *policy, const RtWorkspace *ws)
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
      return pending_or_mail (RT_REASON_OFF_HOURS, member, ws);
    case RT_REACH_ASYNC_ONLY:
      break;
    }
  return pending_or_mail (RT_REASON_NO_ENDPOINT, member, ws);
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
    case RT_REASON_OFF_HOURS:
      /* TRANSLATORS: delivery plan of a member outside working hours: mailed
       * at once, or kept for the next digest. */
      return p->route == RT_ROUTE_MAIL ? _("mail now (off-hours)") : _("next digest (off-hours)");
    case RT_REASON_NO_ENDPOINT:
      return p->route == RT_ROUTE_MAIL ? _("mail now (no IM endpoint online)")
                                       : _("next digest (no IM endpoint online)");
    case RT_REASON_NONE: break;
    }
  switch (p->route)
    {
    case RT_ROUTE_IM: return _("IM");
    case RT_ROUTE_PENDING: return _("next digest");
    case RT_ROUTE_MAIL: return _("mail now");
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
    case RT_ROUTE_MAIL: return "mail";
    case RT_ROUTE_NONE: break;
    }
  return "none";
}

RtRoute
rt_route_from_string (const char *keyword)
{
  static const RtRoute routes[] = { RT_ROUTE_IM, RT_ROUTE_PENDING, RT_ROUTE_MAIL };
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    if (g_strcmp0 (keyword, rt_route_to_string (routes[i])) == 0)
      return routes[i];
  return RT_ROUTE_NONE;
}
