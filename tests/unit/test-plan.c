/* test-plan.c: every plan reason, policies, and plans from real reachability. */
#include "config.h"
#include <string.h>
#include "rt-plan.h"

static gint64
utc (int y, int mo, int d, int h, int mi)
{
  g_autoptr (GDateTime) dt = g_date_time_new_utc (y, mo, d, h, mi, 0);
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

typedef struct {
  RtMember  *member;
  RtMessage *msg;
  RtPolicy   policy;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  f->member = rt_member_new ("bob");
  f->member->id = 2;
  g_ptr_array_add (f->member->endpoints, rt_endpoint_new ("xmpp", "bob@a.test", NULL));
  g_ptr_array_add (f->member->endpoints, rt_endpoint_new ("irc", "bob", NULL));
  f->msg = rt_message_new ();
  f->msg->author_member = 1;
  rt_policy_init_default (&f->policy);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  rt_member_free (f->member);
  rt_message_free (f->msg);
}

static RtReachability
reach (RtReach r, gint best)
{
  RtReachability out = { r, best, best >= 0 };
  return out;
}

static void
assert_plan (RtPlan p, RtRoute route, RtPlanReason reason, gint endpoint)
{
  g_assert_cmpstr (rt_route_to_string (p.route), ==, rt_route_to_string (route));
  g_assert_cmpint (p.reason, ==, reason);
  g_assert_cmpint (p.endpoint_index, ==, endpoint);
}

static RtPlan
plan (Fixture *f, RtReachability r, gboolean in_room)
{
  return rt_plan_for_member (f->msg, f->member, &r, in_room, &f->policy);
}

static void
test_default_policy (Fixture *f, gconstpointer data)
{
  RtPolicy p = { FALSE };
  rt_policy_init_default (&p);
  g_assert_true (p.im_when_away);
}

static void
test_author (Fixture *f, gconstpointer data)
{
  f->msg->author_member = f->member->id;
  assert_plan (plan (f, reach (RT_REACH_LIVE, 0), FALSE), RT_ROUTE_NONE, RT_REASON_AUTHOR, -1);
  assert_plan (plan (f, reach (RT_REACH_ASYNC_ONLY, -1), FALSE), RT_ROUTE_NONE, RT_REASON_AUTHOR, -1);
  /* Author beats in-room. */
  assert_plan (plan (f, reach (RT_REACH_LIVE, 0), TRUE), RT_ROUTE_NONE, RT_REASON_AUTHOR, -1);
}

/* A guest's line (author 0) is not "authored" by a member whose id is 0. */
static void
test_guest_author (Fixture *f, gconstpointer data)
{
  f->msg->author_member = 0;
  f->member->id = 0;
  assert_plan (plan (f, reach (RT_REACH_LIVE, 1), FALSE), RT_ROUTE_IM, RT_REASON_LIVE, 1);
}

static void
test_in_room (Fixture *f, gconstpointer data)
{
  assert_plan (plan (f, reach (RT_REACH_LIVE, 0), TRUE), RT_ROUTE_NONE, RT_REASON_IN_ROOM, -1);
  assert_plan (plan (f, reach (RT_REACH_ASYNC_ONLY, -1), TRUE), RT_ROUTE_NONE, RT_REASON_IN_ROOM, -1);
}

static void
test_live (Fixture *f, gconstpointer data)
{
  assert_plan (plan (f, reach (RT_REACH_LIVE, 1), FALSE), RT_ROUTE_IM, RT_REASON_LIVE, 1);
  assert_plan (plan (f, reach (RT_REACH_LIVE, 0), FALSE), RT_ROUTE_IM, RT_REASON_LIVE, 0);
}

static void
test_away (Fixture *f, gconstpointer data)
{
  assert_plan (plan (f, reach (RT_REACH_AWAY, 1), FALSE), RT_ROUTE_IM, RT_REASON_AWAY, 1);
  f->policy.im_when_away = FALSE;
  assert_plan (plan (f, reach (RT_REACH_AWAY, 1), FALSE), RT_ROUTE_PENDING, RT_REASON_AWAY, -1);
}

static void
test_off_hours (Fixture *f, gconstpointer data)
{
  assert_plan (plan (f, reach (RT_REACH_OFF_HOURS, 0), FALSE), RT_ROUTE_PENDING, RT_REASON_OFF_HOURS, -1);
  f->member->offhours_im = TRUE;
  assert_plan (plan (f, reach (RT_REACH_OFF_HOURS, 1), FALSE), RT_ROUTE_IM, RT_REASON_OFF_HOURS_IM, 1);
  /* im_when_away does not matter off hours. */
  f->policy.im_when_away = FALSE;
  assert_plan (plan (f, reach (RT_REACH_OFF_HOURS, 0), FALSE), RT_ROUTE_IM, RT_REASON_OFF_HOURS_IM, 0);
}

static void
test_no_endpoint (Fixture *f, gconstpointer data)
{
  assert_plan (plan (f, reach (RT_REACH_ASYNC_ONLY, -1), FALSE), RT_ROUTE_PENDING, RT_REASON_NO_ENDPOINT, -1);
  /* offhours_im needs an online endpoint. */
  f->member->offhours_im = TRUE;
  assert_plan (plan (f, reach (RT_REACH_ASYNC_ONLY, -1), FALSE), RT_ROUTE_PENDING, RT_REASON_NO_ENDPOINT, -1);
  RtReachability offline_off_hours = { RT_REACH_OFF_HOURS, -1, FALSE };
  assert_plan (plan (f, offline_off_hours, FALSE), RT_ROUTE_PENDING, RT_REASON_OFF_HOURS, -1);
}

/* From presence to plan: several endpoints, the member's time zone. */
static void
test_end_to_end (Fixture *f, gconstpointer data)
{
  RtMember *m = f->member;
  g_ptr_array_add (m->endpoints, rt_endpoint_new ("prpl-sipe", "bob@corp.test", NULL));
  g_free (m->tz);
  m->tz = g_strdup ("America/Sao_Paulo");
  gint64 working = utc (2026, 3, 9, 13, 0);   /* Mon 10:00 in São Paulo */
  gint64 evening = utc (2026, 3, 9, 23, 0);   /* Mon 20:00 */

  RtPresence p1[] = { RT_PRESENCE_AWAY, RT_PRESENCE_OFFLINE, RT_PRESENCE_AVAILABLE };
  RtReachability r = rt_reach_compute (m, p1, 3, working);
  assert_plan (rt_plan_for_member (f->msg, m, &r, FALSE, &f->policy), RT_ROUTE_IM, RT_REASON_LIVE, 2);

  RtPresence p2[] = { RT_PRESENCE_OFFLINE, RT_PRESENCE_AWAY, RT_PRESENCE_AWAY };
  r = rt_reach_compute (m, p2, 3, working);
  assert_plan (rt_plan_for_member (f->msg, m, &r, FALSE, &f->policy), RT_ROUTE_IM, RT_REASON_AWAY, 1);

  r = rt_reach_compute (m, p1, 3, evening);
  assert_plan (rt_plan_for_member (f->msg, m, &r, FALSE, &f->policy), RT_ROUTE_PENDING, RT_REASON_OFF_HOURS, -1);
  m->offhours_im = TRUE;
  assert_plan (rt_plan_for_member (f->msg, m, &r, FALSE, &f->policy), RT_ROUTE_IM, RT_REASON_OFF_HOURS_IM, 2);
}

static void
test_strings (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (rt_route_to_string (RT_ROUTE_IM), ==, "im");
  g_assert_cmpstr (rt_route_to_string (RT_ROUTE_PENDING), ==, "pending");
  g_assert_cmpstr (rt_route_to_string (RT_ROUTE_NONE), ==, "none");

  const RtPlan plans[] = {
    { RT_ROUTE_NONE, RT_REASON_AUTHOR, -1 },
    { RT_ROUTE_NONE, RT_REASON_IN_ROOM, -1 },
    { RT_ROUTE_IM, RT_REASON_LIVE, 0 },
    { RT_ROUTE_IM, RT_REASON_AWAY, 0 },
    { RT_ROUTE_PENDING, RT_REASON_AWAY, -1 },
    { RT_ROUTE_IM, RT_REASON_OFF_HOURS_IM, 0 },
    { RT_ROUTE_PENDING, RT_REASON_OFF_HOURS, -1 },
    { RT_ROUTE_PENDING, RT_REASON_NO_ENDPOINT, -1 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (plans); i++)
    {
      const char *s = rt_plan_describe (&plans[i]);
      g_assert_nonnull (s);
      g_assert_cmpuint (strlen (s), >, 0);
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (s, !=, rt_plan_describe (&plans[j]));
    }
  g_assert_cmpstr (rt_plan_describe (&plans[1]), ==, "none (in room)");
  g_assert_cmpstr (rt_plan_describe (&plans[2]), ==, "live IM");
  g_assert_nonnull (strstr (rt_plan_describe (&plans[7]), "next digest"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/plan/default-policy", test_default_policy);
  ADD ("/plan/author", test_author);
  ADD ("/plan/guest-author", test_guest_author);
  ADD ("/plan/in-room", test_in_room);
  ADD ("/plan/live", test_live);
  ADD ("/plan/away", test_away);
  ADD ("/plan/off-hours", test_off_hours);
  ADD ("/plan/no-endpoint", test_no_endpoint);
  ADD ("/plan/end-to-end", test_end_to_end);
  ADD ("/plan/strings", test_strings);
  return g_test_run ();
}
