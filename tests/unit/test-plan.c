/* test-plan.c: every plan reason, policies, immediate mail, and plans from
 * real reachability. */
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
  RtMember    *member;
  RtMessage   *msg;
  RtPolicy     policy;
  RtWorkspace *ws;     /* no mailbox unless a test links one */
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
  f->ws = g_new0 (RtWorkspace, 1);
  f->ws->id = 7;
  f->ws->name = g_strdup ("RFP");
}

static void
teardown (Fixture *f, gconstpointer data)
{
  rt_member_free (f->member);
  rt_message_free (f->msg);
  rt_workspace_free (f->ws);
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
  return rt_plan_for_member (f->msg, f->member, &r, in_room, &f->policy, f->ws);
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
  assert_plan (rt_plan_for_member (f->msg, m, &r, FALSE, &f->policy, f->ws), RT_ROUTE_IM, RT_REASON_LIVE, 2);

  RtPresence p2[] = { RT_PRESENCE_OFFLINE, RT_PRESENCE_AWAY, RT_PRESENCE_AWAY };
  r = rt_reach_compute (m, p2, 3, working);
  assert_plan (rt_plan_for_member (f->msg, m, &r, FALSE, &f->policy, f->ws), RT_ROUTE_IM, RT_REASON_AWAY, 1);

  r = rt_reach_compute (m, p1, 3, evening);
  assert_plan (rt_plan_for_member (f->msg, m, &r, FALSE, &f->policy, f->ws), RT_ROUTE_PENDING, RT_REASON_OFF_HOURS, -1);
  m->offhours_im = TRUE;
  assert_plan (rt_plan_for_member (f->msg, m, &r, FALSE, &f->policy, f->ws), RT_ROUTE_IM, RT_REASON_OFF_HOURS_IM, 2);
}

/* Immediate mail: the workspace has a mailbox, the member an email
 * endpoint (index 2, after xmpp and irc), and the workspace or the member
 * asks for it. */
static void
with_mail (Fixture *f, gboolean ws_immediate)
{
  g_ptr_array_add (f->member->endpoints, rt_endpoint_new (RT_EMAIL_SCHEME, "bob@b.test", NULL));
  f->ws->mailbox = g_strdup ("hub@a.test");
  f->ws->immediate_mail = ws_immediate;
}

static void
test_mail_async_only (Fixture *f, gconstpointer data)
{
  with_mail (f, TRUE);
  assert_plan (plan (f, reach (RT_REACH_ASYNC_ONLY, -1), FALSE), RT_ROUTE_MAIL, RT_REASON_NO_ENDPOINT, 2);
  /* An IM endpoint not online while "live" or "away" is async too. */
  RtReachability odd = { RT_REACH_LIVE, -1, FALSE };
  assert_plan (plan (f, odd, FALSE), RT_ROUTE_MAIL, RT_REASON_NO_ENDPOINT, 2);
  odd.reach = RT_REACH_AWAY;
  assert_plan (plan (f, odd, FALSE), RT_ROUTE_MAIL, RT_REASON_NO_ENDPOINT, 2);
}

static void
test_mail_off_hours (Fixture *f, gconstpointer data)
{
  with_mail (f, TRUE);
  assert_plan (plan (f, reach (RT_REACH_OFF_HOURS, 0), FALSE), RT_ROUTE_MAIL, RT_REASON_OFF_HOURS, 2);
  RtReachability offline_off_hours = { RT_REACH_OFF_HOURS, -1, FALSE };
  assert_plan (plan (f, offline_off_hours, FALSE), RT_ROUTE_MAIL, RT_REASON_OFF_HOURS, 2);
  /* --offhours-im wins while online; offline it is mail again. */
  f->member->offhours_im = TRUE;
  assert_plan (plan (f, reach (RT_REACH_OFF_HOURS, 1), FALSE), RT_ROUTE_IM, RT_REASON_OFF_HOURS_IM, 1);
  assert_plan (plan (f, offline_off_hours, FALSE), RT_ROUTE_MAIL, RT_REASON_OFF_HOURS, 2);
}

/* Whoever can take an IM, saw it, or wrote it, is never mailed. */
static void
test_mail_not_for_im_room_or_author (Fixture *f, gconstpointer data)
{
  with_mail (f, TRUE);
  assert_plan (plan (f, reach (RT_REACH_LIVE, 0), FALSE), RT_ROUTE_IM, RT_REASON_LIVE, 0);
  assert_plan (plan (f, reach (RT_REACH_AWAY, 1), FALSE), RT_ROUTE_IM, RT_REASON_AWAY, 1);
  /* Away without im_when_away waits for the digest, as before. */
  f->policy.im_when_away = FALSE;
  assert_plan (plan (f, reach (RT_REACH_AWAY, 1), FALSE), RT_ROUTE_PENDING, RT_REASON_AWAY, -1);
  assert_plan (plan (f, reach (RT_REACH_ASYNC_ONLY, -1), TRUE), RT_ROUTE_NONE, RT_REASON_IN_ROOM, -1);
  f->msg->author_member = f->member->id;
  assert_plan (plan (f, reach (RT_REACH_ASYNC_ONLY, -1), FALSE), RT_ROUTE_NONE, RT_REASON_AUTHOR, -1);
}

/* The member's choice beats the workspace's; "follow" takes it. */
static void
test_mail_member_choice (Fixture *f, gconstpointer data)
{
  RtReachability async = reach (RT_REACH_ASYNC_ONLY, -1);
  with_mail (f, FALSE);
  assert_plan (plan (f, async, FALSE), RT_ROUTE_PENDING, RT_REASON_NO_ENDPOINT, -1);
  f->member->immediate_mail = RT_IMMEDIATE_YES;
  assert_plan (plan (f, async, FALSE), RT_ROUTE_MAIL, RT_REASON_NO_ENDPOINT, 2);
  f->ws->immediate_mail = TRUE;
  f->member->immediate_mail = RT_IMMEDIATE_NO;
  assert_plan (plan (f, async, FALSE), RT_ROUTE_PENDING, RT_REASON_NO_ENDPOINT, -1);
  assert_plan (plan (f, reach (RT_REACH_OFF_HOURS, 0), FALSE), RT_ROUTE_PENDING, RT_REASON_OFF_HOURS, -1);
  f->member->immediate_mail = RT_IMMEDIATE_FOLLOW;
  assert_plan (plan (f, async, FALSE), RT_ROUTE_MAIL, RT_REASON_NO_ENDPOINT, 2);

  g_assert_false (rt_member_wants_immediate_mail (f->member, NULL));
  f->member->immediate_mail = RT_IMMEDIATE_YES;
  g_assert_true (rt_member_wants_immediate_mail (f->member, NULL));
}

/* Without a mailbox or an address there is nothing to mail with or to. */
static void
test_mail_needs_mailbox_and_address (Fixture *f, gconstpointer data)
{
  RtReachability async = reach (RT_REACH_ASYNC_ONLY, -1);
  with_mail (f, TRUE);
  f->member->immediate_mail = RT_IMMEDIATE_YES;
  g_clear_pointer (&f->ws->mailbox, g_free);
  assert_plan (plan (f, async, FALSE), RT_ROUTE_PENDING, RT_REASON_NO_ENDPOINT, -1);
  f->ws->mailbox = g_strdup ("");
  assert_plan (plan (f, async, FALSE), RT_ROUTE_PENDING, RT_REASON_NO_ENDPOINT, -1);
  assert_plan (rt_plan_for_member (f->msg, f->member, &async, FALSE, &f->policy, NULL),
               RT_ROUTE_PENDING, RT_REASON_NO_ENDPOINT, -1);
  g_free (f->ws->mailbox);
  f->ws->mailbox = g_strdup ("hub@a.test");
  g_ptr_array_remove_index (f->member->endpoints, 2);
  assert_plan (plan (f, async, FALSE), RT_ROUTE_PENDING, RT_REASON_NO_ENDPOINT, -1);

  /* The first email endpoint is the one, wherever it sits. */
  g_ptr_array_insert (f->member->endpoints, 0, rt_endpoint_new (RT_EMAIL_SCHEME, "first@b.test", NULL));
  g_ptr_array_add (f->member->endpoints, rt_endpoint_new (RT_EMAIL_SCHEME, "second@b.test", NULL));
  assert_plan (plan (f, async, FALSE), RT_ROUTE_MAIL, RT_REASON_NO_ENDPOINT, 0);
  g_assert_cmpint (rt_member_find_scheme (f->member, RT_EMAIL_SCHEME), ==, 0);
  g_assert_cmpint (rt_member_find_scheme (f->member, "irc"), ==, 2);
  g_assert_cmpint (rt_member_find_scheme (f->member, "prpl-sipe"), ==, -1);
}

/* From presence to plan: an email endpoint has no presence, so a member
 * whose IM endpoints are offline is async-only and mailed. */
static void
test_mail_end_to_end (Fixture *f, gconstpointer data)
{
  with_mail (f, TRUE);
  RtMember *m = f->member;
  m->hours.start_min = 0;
  m->hours.end_min = 24 * 60;
  m->hours.days = 0x7f;
  gint64 now = utc (2026, 3, 9, 13, 0);
  RtPresence offline[] = { RT_PRESENCE_OFFLINE, RT_PRESENCE_OFFLINE, RT_PRESENCE_AVAILABLE };
  RtReachability r = rt_reach_compute (m, offline, 3, now);
  g_assert_cmpint (r.reach, ==, RT_REACH_ASYNC_ONLY);
  assert_plan (rt_plan_for_member (f->msg, m, &r, FALSE, &f->policy, f->ws), RT_ROUTE_MAIL, RT_REASON_NO_ENDPOINT, 2);
  RtPresence online[] = { RT_PRESENCE_AVAILABLE, RT_PRESENCE_OFFLINE, RT_PRESENCE_OFFLINE };
  r = rt_reach_compute (m, online, 3, now);
  assert_plan (rt_plan_for_member (f->msg, m, &r, FALSE, &f->policy, f->ws), RT_ROUTE_IM, RT_REASON_LIVE, 0);
}

static void
test_strings (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (rt_route_to_string (RT_ROUTE_IM), ==, "im");
  g_assert_cmpstr (rt_route_to_string (RT_ROUTE_PENDING), ==, "pending");
  g_assert_cmpstr (rt_route_to_string (RT_ROUTE_NONE), ==, "none");
  g_assert_cmpstr (rt_route_to_string (RT_ROUTE_MAIL), ==, "mail");
  const RtRoute routes[] = { RT_ROUTE_IM, RT_ROUTE_PENDING, RT_ROUTE_MAIL };
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    g_assert_cmpint (rt_route_from_string (rt_route_to_string (routes[i])), ==, routes[i]);
  g_assert_cmpint (rt_route_from_string ("none"), ==, RT_ROUTE_NONE);
  g_assert_cmpint (rt_route_from_string ("MAIL"), ==, RT_ROUTE_NONE);
  g_assert_cmpint (rt_route_from_string (NULL), ==, RT_ROUTE_NONE);

  const RtPlan plans[] = {
    { RT_ROUTE_NONE, RT_REASON_AUTHOR, -1 },
    { RT_ROUTE_NONE, RT_REASON_IN_ROOM, -1 },
    { RT_ROUTE_IM, RT_REASON_LIVE, 0 },
    { RT_ROUTE_IM, RT_REASON_AWAY, 0 },
    { RT_ROUTE_PENDING, RT_REASON_AWAY, -1 },
    { RT_ROUTE_IM, RT_REASON_OFF_HOURS_IM, 0 },
    { RT_ROUTE_PENDING, RT_REASON_OFF_HOURS, -1 },
    { RT_ROUTE_PENDING, RT_REASON_NO_ENDPOINT, -1 },
    { RT_ROUTE_MAIL, RT_REASON_OFF_HOURS, 2 },
    { RT_ROUTE_MAIL, RT_REASON_NO_ENDPOINT, 2 },
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
  g_assert_cmpstr (rt_plan_describe (&plans[8]), ==, "mail now (off-hours)");
  g_assert_cmpstr (rt_plan_describe (&plans[9]), ==, "mail now (no IM endpoint online)");
  const RtPlan bare_mail = { RT_ROUTE_MAIL, RT_REASON_NONE, 0 };
  g_assert_cmpstr (rt_plan_describe (&bare_mail), ==, "mail now");
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
  ADD ("/plan/mail-async-only", test_mail_async_only);
  ADD ("/plan/mail-off-hours", test_mail_off_hours);
  ADD ("/plan/mail-not-for-im-room-or-author", test_mail_not_for_im_room_or_author);
  ADD ("/plan/mail-member-choice", test_mail_member_choice);
  ADD ("/plan/mail-needs-mailbox-and-address", test_mail_needs_mailbox_and_address);
  ADD ("/plan/mail-end-to-end", test_mail_end_to_end);
  ADD ("/plan/strings", test_strings);
  return g_test_run ();
}
