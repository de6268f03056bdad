/* test-reach.c: every reachability state, endpoint choice, time zones. */
#include "config.h"
#include <string.h>
#include "rt-reach.h"

#define AV RT_PRESENCE_AVAILABLE
#define AW RT_PRESENCE_AWAY
#define OFF RT_PRESENCE_OFFLINE

static gint64
utc (int y, int mo, int d, int h, int mi)
{
  g_autoptr (GDateTime) dt = g_date_time_new_utc (y, mo, d, h, mi, 0);
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

/* Monday 2026-03-09: 10:00 in Brussels (CET, UTC+1) and its night. */
#define WORKING  utc (2026, 3, 9, 9, 0)
#define NIGHT    utc (2026, 3, 9, 22, 0)
#define SATURDAY utc (2026, 3, 14, 10, 0)

/* A member in Brussels, 09:00-17:00 Mon-Fri, with endpoints given as URIs. */
static RtMember *
member (const char *const *uris)
{
  RtMember *m = rt_member_new ("alice");
  g_free (m->tz);
  m->tz = g_strdup ("Europe/Brussels");
  for (guint i = 0; uris && uris[i]; i++)
    {
      RtEndpoint *ep = rt_endpoint_parse (uris[i], NULL);
      g_assert_nonnull (ep);
      g_ptr_array_add (m->endpoints, ep);
    }
  return m;
}

static const char *const three[] = { "xmpp:alice@a.test", "irc:alice", "prpl-sipe:alice@corp.test", NULL };

static void
assert_reach (const RtReachability *r, RtReach reach, gint best, gboolean online)
{
  g_assert_cmpstr (rt_reach_to_string (r->reach), ==, rt_reach_to_string (reach));
  g_assert_cmpint (r->best_endpoint, ==, best);
  g_assert_cmpint (r->online, ==, online);
}

static void
test_live (void)
{
  g_autoptr (RtMember) m = member (three);
  RtPresence p[] = { OFF, AV, OFF };
  RtReachability r = rt_reach_compute (m, p, 3, WORKING);
  assert_reach (&r, RT_REACH_LIVE, 1, TRUE);
}

static void
test_available_before_away (void)
{
  g_autoptr (RtMember) m = member (three);
  RtPresence p1[] = { AW, OFF, AV };
  RtReachability r = rt_reach_compute (m, p1, 3, WORKING);
  assert_reach (&r, RT_REACH_LIVE, 2, TRUE);

  /* First available one in order wins. */
  RtPresence p2[] = { OFF, AV, AV };
  r = rt_reach_compute (m, p2, 3, WORKING);
  assert_reach (&r, RT_REACH_LIVE, 1, TRUE);
  RtPresence p3[] = { AV, AV, AW };
  r = rt_reach_compute (m, p3, 3, WORKING);
  assert_reach (&r, RT_REACH_LIVE, 0, TRUE);
}

static void
test_away (void)
{
  g_autoptr (RtMember) m = member (three);
  RtPresence p1[] = { OFF, AW, AW };
  RtReachability r = rt_reach_compute (m, p1, 3, WORKING);
  assert_reach (&r, RT_REACH_AWAY, 1, TRUE);
  RtPresence p2[] = { AW, OFF, OFF };
  r = rt_reach_compute (m, p2, 3, WORKING);
  assert_reach (&r, RT_REACH_AWAY, 0, TRUE);
}

static void
test_off_hours (void)
{
  g_autoptr (RtMember) m = member (three);
  RtPresence p1[] = { OFF, AV, AW };
  RtReachability r = rt_reach_compute (m, p1, 3, NIGHT);
  assert_reach (&r, RT_REACH_OFF_HOURS, 1, TRUE);
  /* Weekend, whatever the presence. */
  r = rt_reach_compute (m, p1, 3, SATURDAY);
  assert_reach (&r, RT_REACH_OFF_HOURS, 1, TRUE);
  RtPresence p2[] = { OFF, OFF, AW };
  r = rt_reach_compute (m, p2, 3, NIGHT);
  assert_reach (&r, RT_REACH_OFF_HOURS, 2, TRUE);
}

static void
test_async_only (void)
{
  g_autoptr (RtMember) m = member (three);
  RtPresence p[] = { OFF, OFF, OFF };
  RtReachability r = rt_reach_compute (m, p, 3, WORKING);
  assert_reach (&r, RT_REACH_ASYNC_ONLY, -1, FALSE);
  r = rt_reach_compute (m, p, 3, NIGHT);
  assert_reach (&r, RT_REACH_ASYNC_ONLY, -1, FALSE);

  g_autoptr (RtMember) none = member (NULL);
  r = rt_reach_compute (none, NULL, 0, WORKING);
  assert_reach (&r, RT_REACH_ASYNC_ONLY, -1, FALSE);
}

/* Presence of an endpoint that cannot carry an IM does not count. */
static void
test_non_im_endpoint_ignored (void)
{
  const char *const uris[] = { "mailto:alice@a.test", "xmpp:alice@a.test", NULL };
  g_autoptr (RtMember) m = member (uris);
  RtPresence p1[] = { AV, AW };
  RtReachability r = rt_reach_compute (m, p1, 2, WORKING);
  assert_reach (&r, RT_REACH_AWAY, 1, TRUE);
  RtPresence p2[] = { AV, OFF };
  r = rt_reach_compute (m, p2, 2, WORKING);
  assert_reach (&r, RT_REACH_ASYNC_ONLY, -1, FALSE);
}

/* Email carries no presence: a member with only email addresses is
 * async-only at any hour, whatever presence is reported for them. */
static void
test_email_only_is_async (void)
{
  const char *const uris[] = { "mailto:alice@a.test", "mailto:alice@home.test", NULL };
  g_autoptr (RtMember) m = member (uris);
  RtPresence p[] = { AV, AW };
  RtReachability r = rt_reach_compute (m, p, 2, WORKING);
  assert_reach (&r, RT_REACH_ASYNC_ONLY, -1, FALSE);
  r = rt_reach_compute (m, p, 2, NIGHT);
  assert_reach (&r, RT_REACH_ASYNC_ONLY, -1, FALSE);
  g_autoptr (RtMember) none = member ((const char *const[]) { NULL });
  r = rt_reach_compute (none, NULL, 0, WORKING);
  assert_reach (&r, RT_REACH_ASYNC_ONLY, -1, FALSE);
}

/* Hours are read in the member's zone, not in UTC nor the machine's. */
static void
test_time_zone (void)
{
  g_autoptr (RtMember) m = member (three);
  RtPresence p[] = { AV, OFF, OFF };
  g_free (m->tz);
  m->tz = g_strdup ("Asia/Singapore");
  /* 09:00 UTC Monday = 17:00 in Singapore: just finished. */
  RtReachability r = rt_reach_compute (m, p, 3, WORKING);
  assert_reach (&r, RT_REACH_OFF_HOURS, 0, TRUE);
  /* 01:00 UTC Monday = 09:00 in Singapore. */
  r = rt_reach_compute (m, p, 3, utc (2026, 3, 9, 1, 0));
  assert_reach (&r, RT_REACH_LIVE, 0, TRUE);
  /* Night hours and all days. */
  g_assert_true (rt_hours_parse ("22:00-06:00", &m->hours, NULL));
  m->hours.days = RT_DAYS_ALL;
  r = rt_reach_compute (m, p, 3, utc (2026, 3, 14, 17, 0));   /* Sun 01:00 local */
  assert_reach (&r, RT_REACH_LIVE, 0, TRUE);
}

static void
test_strings (void)
{
  g_assert_cmpstr (rt_reach_to_string (RT_REACH_LIVE), ==, "live");
  g_assert_cmpstr (rt_reach_to_string (RT_REACH_AWAY), ==, "away");
  g_assert_cmpstr (rt_reach_to_string (RT_REACH_OFF_HOURS), ==, "off-hours");
  g_assert_cmpstr (rt_reach_to_string (RT_REACH_ASYNC_ONLY), ==, "async-only");
  RtReach all[] = { RT_REACH_LIVE, RT_REACH_AWAY, RT_REACH_OFF_HOURS, RT_REACH_ASYNC_ONLY };
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_assert_nonnull (rt_reach_to_display (all[i]));
      g_assert_cmpuint (strlen (rt_reach_to_display (all[i])), >, 0);
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (rt_reach_to_display (all[i]), !=, rt_reach_to_display (all[j]));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reach/live", test_live);
  g_test_add_func ("/reach/available-before-away", test_available_before_away);
  g_test_add_func ("/reach/away", test_away);
  g_test_add_func ("/reach/off-hours", test_off_hours);
  g_test_add_func ("/reach/async-only", test_async_only);
  g_test_add_func ("/reach/non-im-endpoint-ignored", test_non_im_endpoint_ignored);
  g_test_add_func ("/reach/email-only-is-async", test_email_only_is_async);
  g_test_add_func ("/reach/time-zone", test_time_zone);
  g_test_add_func ("/reach/strings", test_strings);
  return g_test_run ();
}
