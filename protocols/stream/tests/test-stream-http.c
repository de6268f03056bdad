/* test-stream-http.c: Link headers, rate limits, Retry-After, dates, backoff. */
#include "rt-stream-http.h"
#include "rt-stream-post.h"

static gint64
utc_us (int y, int mo, int d, int h, int mi, int s)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = g_date_time_new (utc, y, mo, d, h, mi, s);
  return rt_stream_datetime_us (dt);
}

static void
test_link_header (void)
{
  RtLinkHeader l;

  /* As in docs.joinmastodon.org/api/guidelines/#pagination */
  g_assert_true (rt_link_header_parse (
      "<https://mastodon.example/api/v1/timelines/home?limit=40&max_id=109431213465232003>; rel=\"next\", "
      "<https://mastodon.example/api/v1/timelines/home?limit=40&min_id=109431236163340624>; rel=\"prev\"", &l));
  g_assert_cmpstr (l.next_url, ==, "https://mastodon.example/api/v1/timelines/home?limit=40&max_id=109431213465232003");
  g_assert_cmpstr (l.next_max_id, ==, "109431213465232003");
  g_assert_cmpstr (l.prev_min_id, ==, "109431236163340624");
  g_assert_null (l.prev_since_id);
  rt_link_header_clear (&l);

  /* Older servers: since_id; extra params, odd spacing, unquoted rel, a
   * comma inside the URL, a foreign relation. */
  g_assert_true (rt_link_header_parse (
      " <https://x.test/api/v1/timelines/tag/a?since_id=9&q=a,b> ;rel=prev ;title=\"x, y\","
      "<https://x.test/api/v1/timelines/tag/a?max_id=3>; rel=\"next last\", <https://x.test/other>; rel=\"self\"", &l));
  g_assert_cmpstr (l.prev_since_id, ==, "9");
  g_assert_null (l.prev_min_id);
  g_assert_cmpstr (l.next_max_id, ==, "3");
  rt_link_header_clear (&l);

  g_assert_false (rt_link_header_parse ("", &l));
  g_assert_false (rt_link_header_parse ("garbage, <unterminated", &l));
  g_assert_false (rt_link_header_parse ("<javascript:alert(1)>; rel=\"next\"", &l));
  g_assert_false (rt_link_header_parse ("</relative?max_id=1>; rel=\"next\"", &l));
  g_assert_null (l.next_url);
}

static void
test_rate_limit (void)
{
  RtRateLimit rl;
  gint64 now = utc_us (2022, 11, 2, 16, 5, 0);
  gint64 reset = utc_us (2022, 11, 2, 16, 10, 0);

  g_assert_true (rt_rate_limit_parse ("300", "299", "2022-11-02T16:10:00.000Z", &rl));
  g_assert_cmpint (rl.limit, ==, 300);
  g_assert_cmpint (rl.remaining, ==, 299);
  g_assert_cmpint (rl.reset_us, ==, reset);
  /* 299 left, 60 kept back (20 %): 239 spread over 300 s. */
  g_assert_cmpint (rt_rate_limit_next_allowed (&rl, now, 0.2), ==, now + 300 * G_USEC_PER_SEC / 239);
  /* At the margin: wait for the reset. */
  rl.remaining = 60;
  g_assert_cmpint (rt_rate_limit_next_allowed (&rl, now, 0.2), ==, reset);
  rl.remaining = 0;
  g_assert_cmpint (rt_rate_limit_next_allowed (&rl, now, 0.0), ==, reset);
  /* A reset in the past: go now. */
  g_assert_cmpint (rt_rate_limit_next_allowed (&rl, reset + 1, 0.2), ==, reset + 1);

  g_assert_false (rt_rate_limit_parse ("300", "x", "2022-11-02T16:10:00Z", &rl));
  g_assert_false (rt_rate_limit_parse ("300", "-1", "2022-11-02T16:10:00Z", &rl));
  g_assert_false (rt_rate_limit_parse ("300", "3", "soon", &rl));
  g_assert_false (rt_rate_limit_parse (NULL, "3", "2022-11-02T16:10:00Z", &rl));
  g_assert_true (rt_rate_limit_parse ("300", "500", "2022-11-02T16:10:00+01:00", &rl));
  g_assert_cmpint (rl.remaining, ==, 300);
  g_assert_cmpint (rl.reset_us, ==, utc_us (2022, 11, 2, 15, 10, 0));
}

static void
test_dates (void)
{
  gint64 us, want = utc_us (1994, 11, 6, 8, 49, 37);

  /* RFC 9110's three forms of the same instant. */
  g_assert_true (rt_http_date_parse ("Sun, 06 Nov 1994 08:49:37 GMT", &us));
  g_assert_cmpint (us, ==, want);
  g_assert_true (rt_http_date_parse ("Sunday, 06-Nov-94 08:49:37 GMT", &us));
  g_assert_cmpint (us, ==, want);
  g_assert_true (rt_http_date_parse ("Sun Nov  6 08:49:37 1994", &us));
  g_assert_cmpint (us, ==, want);
  /* RSS pubDate variants. */
  g_assert_true (rt_http_date_parse ("Sun, 06 Nov 1994 10:49:37 +0200", &us));
  g_assert_cmpint (us, ==, want);
  g_assert_true (rt_http_date_parse ("6 Nov 1994 03:49:37 EST", &us));
  g_assert_cmpint (us, ==, want);
  g_assert_true (rt_http_date_parse ("06 Nov 1994 08:49 UT", &us));
  g_assert_cmpint (us, ==, want - 37 * G_USEC_PER_SEC);
  g_assert_false (rt_http_date_parse ("Sun, 06 Foo 1994 08:49:37 GMT", &us));
  g_assert_false (rt_http_date_parse ("Sun, 31 Feb 1994 08:49:37 GMT", &us));
  g_assert_false (rt_http_date_parse ("Sun, 06 Nov 1994 25:49:37 GMT", &us));
  g_assert_false (rt_http_date_parse ("Sun, 06 Nov 1994 08:49:37 XYZ", &us));
  g_assert_false (rt_http_date_parse ("tomorrow", &us));
  g_assert_false (rt_http_date_parse ("", &us));
}

static void
test_retry_after (void)
{
  gint64 now = utc_us (2024, 3, 1, 12, 0, 0), wait;

  g_assert_true (rt_retry_after_parse ("120", now, &wait));
  g_assert_cmpint (wait, ==, 120 * G_USEC_PER_SEC);
  g_assert_true (rt_retry_after_parse ("Fri, 01 Mar 2024 12:01:30 GMT", now, &wait));
  g_assert_cmpint (wait, ==, 90 * G_USEC_PER_SEC);
  g_assert_true (rt_retry_after_parse ("Fri, 01 Mar 2024 11:00:00 GMT", now, &wait));
  g_assert_cmpint (wait, ==, 0);  /* in the past: go now */
  g_assert_true (rt_retry_after_parse ("99999999999", now, &wait));
  g_assert_cmpint (wait, ==, RT_RETRY_AFTER_MAX_US);
  g_assert_false (rt_retry_after_parse ("-5", now, &wait));
  g_assert_false (rt_retry_after_parse ("12s", now, &wait));
  g_assert_false (rt_retry_after_parse ("soon", now, &wait));
  g_assert_false (rt_retry_after_parse (NULL, now, &wait));
}

static void
test_backoff_and_classes (void)
{
  gint64 s = G_USEC_PER_SEC;

  g_assert_cmpint (rt_backoff_us (1, 5 * s, 600 * s, 1.0), ==, 5 * s);
  g_assert_cmpint (rt_backoff_us (2, 5 * s, 600 * s, 1.0), ==, 10 * s);
  g_assert_cmpint (rt_backoff_us (5, 5 * s, 600 * s, 1.0), ==, 80 * s);
  g_assert_cmpint (rt_backoff_us (8, 5 * s, 600 * s, 1.0), ==, 600 * s);
  g_assert_cmpint (rt_backoff_us (1000, 5 * s, 600 * s, 1.0), ==, 600 * s);
  g_assert_cmpint (rt_backoff_us (3, 5 * s, 600 * s, 0.0), ==, 10 * s);  /* equal jitter: half */
  g_assert_cmpint (rt_backoff_us (0, 5 * s, 600 * s, 1.0), ==, 5 * s);

  g_assert_cmpint (rt_http_classify (200), ==, RT_HTTP_OK);
  g_assert_cmpint (rt_http_classify (206), ==, RT_HTTP_OK);
  g_assert_cmpint (rt_http_classify (429), ==, RT_HTTP_RATE_LIMITED);
  g_assert_cmpint (rt_http_classify (503), ==, RT_HTTP_RETRY);
  g_assert_cmpint (rt_http_classify (0), ==, RT_HTTP_RETRY);
  g_assert_cmpint (rt_http_classify (401), ==, RT_HTTP_AUTH);
  g_assert_cmpint (rt_http_classify (404), ==, RT_HTTP_GONE);
  g_assert_cmpint (rt_http_classify (422), ==, RT_HTTP_FAILED);
}

static void
test_id_order (void)
{
  g_assert_cmpint (rt_stream_id_compare ("109431236163340624", "99"), >, 0);
  g_assert_cmpint (rt_stream_id_compare ("100", "99"), >, 0);
  g_assert_cmpint (rt_stream_id_compare ("98", "99"), <, 0);
  g_assert_cmpint (rt_stream_id_compare ("99", "99"), ==, 0);
  g_assert_cmpint (rt_stream_id_compare (NULL, "1"), <, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stream-http/link-header", test_link_header);
  g_test_add_func ("/stream-http/rate-limit", test_rate_limit);
  g_test_add_func ("/stream-http/dates", test_dates);
  g_test_add_func ("/stream-http/retry-after", test_retry_after);
  g_test_add_func ("/stream-http/backoff-and-classes", test_backoff_and_classes);
  g_test_add_func ("/stream-http/id-order", test_id_order);
  return g_test_run ();
}
