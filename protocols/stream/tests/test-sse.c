/* test-sse.c: the incremental SSE parser, fed at every byte boundary. */
#include "rt-sse.h"
#include "rt-stream-post.h"

#include <string.h>

typedef struct {
  GString *log;
  guint comments;
} Seen;

static void
on_event (const char *event, const char *data, gsize len, const char *id, gpointer user_data)
{
  Seen *seen = user_data;

  g_assert_cmpuint (strlen (data), ==, len);
  g_string_append_printf (seen->log, "[%s|%s|%s]", event, data, id != NULL ? id : "-");
}

static void
on_comment (const char *comment, gpointer user_data)
{
  ((Seen *) user_data)->comments++;
}

/* A Mastodon-like stream with every line ending and field form. */
static const char stream[] =
  "\xEF\xBB\xBF:)\n"
  "event: update\r\n"
  "data: {\"id\":\"1\",\r\n"
  "data: \"content\":\"<p>x</p>\"}\r\n"
  "\r\n"
  ":thump\r"
  "event: delete\r"
  "data: 103270115826048975\r"
  "id: 42\r"
  "\r"
  "data\n"
  "data:no-space\n"
  "unknown: field\n"
  "retry: 3000\n"
  "retry: soon\n"
  "\n"
  "event: ignored-without-data\n"
  "\n"
  ":thump\n"
  "event: update\n"
  "data: never terminated";

static const char expected[] =
  "[update|{\"id\":\"1\",\n\"content\":\"<p>x</p>\"}|-]"
  "[delete|103270115826048975|42]"
  "[message|\nno-space|42]";

static void
run_split (gsize cut1, gsize cut2, Seen *seen)
{
  g_autoptr (RtSse) sse = rt_sse_new (0, 0, on_event, on_comment, seen);
  g_autoptr (GError) error = NULL;
  gsize n = sizeof stream - 1;

  g_assert_true (rt_sse_feed (sse, stream, cut1, &error));
  g_assert_true (rt_sse_feed (sse, stream + cut1, cut2 - cut1, &error));
  g_assert_true (rt_sse_feed (sse, stream + cut2, n - cut2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rt_sse_heartbeats (sse), ==, 3);
  g_assert_cmpuint (rt_sse_events (sse), ==, 3);
  g_assert_cmpstr (rt_sse_last_event_id (sse), ==, "42");
  g_assert_cmpint (rt_sse_retry_ms (sse), ==, 3000);
}

static void
test_every_boundary (void)
{
  gsize n = sizeof stream - 1;

  /* Every split into three chunks (so every byte boundary, including
   * inside CRLF and inside the BOM, is a chunk boundary at least once). */
  for (gsize a = 0; a <= n; a++)
    for (gsize b = a; b <= n; b += (a % 7 == 0) ? 1 : 13)
      {
        Seen seen = { g_string_new (NULL), 0 };

        run_split (a, b, &seen);
        g_assert_cmpstr (seen.log->str, ==, expected);
        g_assert_cmpuint (seen.comments, ==, 3);
        g_string_free (seen.log, TRUE);
      }
}

static void
test_byte_at_a_time (void)
{
  Seen seen = { g_string_new (NULL), 0 };
  g_autoptr (RtSse) sse = rt_sse_new (0, 0, on_event, on_comment, &seen);

  for (gsize i = 0; i < sizeof stream - 1; i++)
    g_assert_true (rt_sse_feed (sse, stream + i, 1, NULL));
  g_assert_cmpstr (seen.log->str, ==, expected);
  /* A reconnect forgets the partial event but keeps the id. */
  rt_sse_reset (sse);
  g_assert_true (rt_sse_feed (sse, "\n\n", 2, NULL));
  g_assert_cmpuint (rt_sse_events (sse), ==, 3);
  g_assert_cmpstr (rt_sse_last_event_id (sse), ==, "42");
  g_string_free (seen.log, TRUE);
}

static void
test_bounds (void)
{
  Seen seen = { g_string_new (NULL), 0 };
  g_autoptr (RtSse) sse = rt_sse_new (64, 100, on_event, NULL, &seen);
  g_autoptr (GError) error = NULL;
  char line[80];

  /* A line over 64 bytes across chunks, without a newline: an error. */
  memset (line, 'x', sizeof line);
  g_assert_true (rt_sse_feed (sse, "data: ", 6, &error));
  g_assert_true (rt_sse_feed (sse, line, 40, &error));
  g_assert_false (rt_sse_feed (sse, line, 40, &error));
  g_assert_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_TOO_LARGE);
  g_clear_error (&error);
  /* Refused until reset. */
  g_assert_false (rt_sse_feed (sse, "\n\n", 2, &error));
  g_clear_error (&error);
  rt_sse_reset (sse);
  /* Many short data lines adding up past 100 bytes: an error too. */
  for (int i = 0; i < 10 && error == NULL; i++)
    rt_sse_feed (sse, "data: 0123456789abcdef\n", 23, &error);
  g_assert_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_TOO_LARGE);
  g_clear_error (&error);
  rt_sse_reset (sse);
  g_assert_true (rt_sse_feed (sse, "data: ok\n\n", 10, &error));
  g_assert_cmpstr (seen.log->str, ==, "[message|ok|-]");
  g_string_free (seen.log, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sse/every-boundary", test_every_boundary);
  g_test_add_func ("/sse/byte-at-a-time", test_byte_at_a_time);
  g_test_add_func ("/sse/bounds", test_bounds);
  return g_test_run ();
}
