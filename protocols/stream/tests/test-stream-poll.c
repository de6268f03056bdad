/* test-stream-poll.c: the poll planner stays under the documented limits. */
#include "rt-stream-poll.h"

static void
test_mastodon (void)
{
  RtPollInput in = { RT_STREAM_SERVICE_MASTODON, 20, 0, 60 * G_USEC_PER_SEC, 0.2 };
  RtPollPlan plan;

  /* Polling only: 20 timelines each a minute is 1200/h, under 2880/h. */
  rt_poll_plan (&in, &plan);
  g_assert_cmpfloat_with_epsilon (plan.budget_per_hour, 2880.0, 1e-6);
  g_assert_cmpint (plan.interval_us, ==, 60 * G_USEC_PER_SEC);
  g_assert_cmpuint (plan.requests_per_round, ==, 20);
  g_assert_cmpfloat_with_epsilon (plan.requests_per_hour, 1200.0, 1e-6);

  /* All 20 on live streams: reconnect + catch-up budgeted hourly. */
  in.streamed = 20;
  g_assert_cmpfloat_with_epsilon (rt_poll_requests_per_hour (&in), 40.0, 1e-6);

  /* 100 polled timelines would need 6000/h: stretched to fit the budget. */
  in.timelines = 100;
  in.streamed = 0;
  rt_poll_plan (&in, &plan);
  g_assert_cmpfloat (plan.requests_per_hour, <=, plan.budget_per_hour + 1e-6);
  g_assert_cmpint (plan.interval_us, ==, 125 * G_USEC_PER_SEC);
  /* and within any 5-minute window: 100 * 300 / 125 = 240 <= 300 * 0.8 */
  g_assert_cmpfloat (100.0 * 300 / (plan.interval_us / (double) G_USEC_PER_SEC), <=, 240.0 + 1e-6);
}

static void
test_viva (void)
{
  RtPollInput in = { RT_STREAM_SERVICE_VIVA, 20, 20, 10 * G_USEC_PER_SEC, 0.2 };
  RtPollPlan plan;

  /* One combined request a minute, whatever the wish (streams ignored). */
  rt_poll_plan (&in, &plan);
  g_assert_cmpint (plan.interval_us, ==, 60 * G_USEC_PER_SEC);
  g_assert_cmpuint (plan.requests_per_round, ==, 1);
  g_assert_cmpfloat_with_epsilon (plan.requests_per_hour, 60.0, 1e-6);
  /* 10 per 30 s less 20 %: 960/h; naive per-timeline polling (1200/h) would break it. */
  g_assert_cmpfloat_with_epsilon (plan.budget_per_hour, 960.0, 1e-6);
  g_assert_cmpfloat (plan.requests_per_hour, <, plan.budget_per_hour);
  in.timelines = 0;
  g_assert_cmpfloat_with_epsilon (rt_poll_requests_per_hour (&in), 0.0, 1e-6);
}

static void
test_feed (void)
{
  RtPollInput in = { RT_STREAM_SERVICE_FEED, 20, 0, 60 * G_USEC_PER_SEC, 0.2 };
  RtPollPlan plan;

  rt_poll_plan (&in, &plan);
  g_assert_cmpint (plan.interval_us, ==, 15 * 60 * G_USEC_PER_SEC);
  g_assert_cmpfloat_with_epsilon (plan.requests_per_hour, 80.0, 1e-6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stream-poll/mastodon", test_mastodon);
  g_test_add_func ("/stream-poll/viva", test_viva);
  g_test_add_func ("/stream-poll/feed", test_feed);
  return g_test_run ();
}
