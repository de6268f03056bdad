/* rt-reach.c: reachability from endpoint presence, local time and hours. */
#include "config.h"
#include <glib/gi18n-lib.h>
#include "rt-reach.h"

RtReachability
rt_reach_compute (const RtMember *member, const RtPresence *presence, guint n,
                  gint64 now_us)
{
  RtReachability r = { RT_REACH_ASYNC_ONLY, -1, FALSE };
  gint first_away = -1;

  g_return_val_if_fail (member->endpoints && n == member->endpoints->len, r);

  for (guint i = 0; i < n; i++)
    {
      /* Only IM endpoints carry presence that can deliver an IM. */
      if (!rt_endpoint_protocol (g_ptr_array_index (member->endpoints, i)))
        continue;
      if (presence[i] == RT_PRESENCE_AVAILABLE)
        {
          r.best_endpoint = i;
          break;
        }
      if (presence[i] == RT_PRESENCE_AWAY && first_away < 0)
        first_away = i;
    }
  if (r.best_endpoint < 0)
    r.best_endpoint = first_away;
  r.online = r.best_endpoint >= 0;

  gboolean working = rt_hours_contains (&member->hours, member->tz, now_us);
  if (!r.online)
    r.reach = RT_REACH_ASYNC_ONLY;
  else if (!working)
    r.reach = RT_REACH_OFF_HOURS;
  else if (presence[r.best_endpoint] == RT_PRESENCE_AVAILABLE)
    r.reach = RT_REACH_LIVE;
  else
    r.reach = RT_REACH_AWAY;
  return r;
}

const char *
rt_reach_to_string (RtReach reach)
{
  switch (reach)
    {
    case RT_REACH_LIVE: return "live";
    case RT_REACH_AWAY: return "away";
    case RT_REACH_OFF_HOURS: return "off-hours";
    case RT_REACH_ASYNC_ONLY: return "async-only";
    }
  return "unknown";
}

const char *
rt_reach_to_display (RtReach reach)
{
  switch (reach)
    {
    case RT_REACH_LIVE: return _("live");
    /* TRANSLATORS: reachability: online but away or busy. */
    case RT_REACH_AWAY: return _("away");
    /* TRANSLATORS: reachability: outside the member's working hours. */
    case RT_REACH_OFF_HOURS: return _("off-hours");
    /* TRANSLATORS: reachability: no IM endpoint online, mail and digest only. */
    case RT_REACH_ASYNC_ONLY: return _("async-only");
    }
  return _("unknown");
}
