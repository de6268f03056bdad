/* test-curl-loop.c - RtCurlLoop against a local HTTP server on a GMainLoop
 *
 * Roundtable
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "curl-test-env.h"

/* (1) Twenty GETs at once all complete with the right status and body. */
static void
test_concurrent (Fixture *fx, gconstpointer data)
{
  Req reqs[20] = { { 0 } };

  for (guint i = 0; i < G_N_ELEMENTS (reqs); i++) {
    g_autofree char *path = g_strdup_printf ("/ok/%u", i);

    req_start (fx, &reqs[i], path, on_done);
  }
  g_assert_cmpuint (rt_curl_loop_active (fx->loop), ==, 20);
  g_main_loop_run (fx->main);

  for (guint i = 0; i < G_N_ELEMENTS (reqs); i++) {
    g_autofree char *want = g_strdup_printf ("hello %u", i);

    g_assert_true (reqs[i].done);
    g_assert_cmpint (reqs[i].result, ==, CURLE_OK);
    g_assert_cmpint (reqs[i].status, ==, 200);
    g_assert_cmpstr (reqs[i].body->str, ==, want);
  }
  assert_loop_idle (fx->loop);
  req_clear (reqs, G_N_ELEMENTS (reqs));
}

typedef struct {
  gint64 last;
  gint64 max_gap;
  guint ticks;
} Heartbeat;

static gboolean
heartbeat_cb (gpointer data)
{
  Heartbeat *hb = data;
  gint64 now = g_get_monotonic_time ();

  hb->max_gap = MAX (hb->max_gap, now - hb->last);
  hb->last = now;
  hb->ticks++;
  return G_SOURCE_CONTINUE;
}

/* (2) A response trickling in for ~1 s never blocks the host's loop. */
static void
test_slow_heartbeat (Fixture *fx, gconstpointer data)
{
  Req req = { 0 };
  Heartbeat hb = { 0 };
  gint64 start = g_get_monotonic_time ();
  guint beat;

  req_start (fx, &req, "/slow/10", on_done);
  hb.last = start;
  beat = g_timeout_add (5, heartbeat_cb, &hb);
  g_main_loop_run (fx->main);
  g_source_remove (beat);

  g_assert_cmpint (g_get_monotonic_time () - start, >=,
                   900 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (req.result, ==, CURLE_OK);
  g_assert_true (g_str_has_prefix (req.body->str, "chunk-0\n"));
  g_assert_true (g_str_has_suffix (req.body->str, "chunk-9\n"));
  g_test_message ("heartbeat: %u ticks, max gap %" G_GINT64_FORMAT " us",
                  hb.ticks, hb.max_gap);
  /* A blocking transfer would stall the loop for the whole ~1 s response;
   * the bound is loose on purpose (loaded CI machines, sanitizers): this
   * checks that nothing blocks, the benchmarks measure how fast it is. */
  g_assert_cmpint (hb.max_gap, <, 300 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (hb.ticks, >, 20);
  assert_loop_idle (fx->loop);
  req_clear (&req, 1);
}

typedef struct {
  Fixture *fx;
  Req *hang;
  guint n_hang;
} CancelCtx;

static gboolean
cancel_hangs_cb (gpointer data)
{
  CancelCtx *ctx = data;

  /* The hanging requests are connected and waiting for headers. */
  g_assert_cmpint (rt_test_server_connections (server), >=, (gint) ctx->n_hang);
  for (guint i = 0; i < ctx->n_hang; i++) {
    g_assert_true (rt_curl_loop_cancel (ctx->fx->loop, ctx->hang[i].id));
    g_assert_false (rt_curl_loop_cancel (ctx->fx->loop, ctx->hang[i].id));
  }
  if (--ctx->fx->pending == 0)
    g_main_loop_quit (ctx->fx->main);
  return G_SOURCE_REMOVE;
}

/* (3) Cancelled transfers never call back, the others still complete, and
 * nothing stays in the event loop. */
static void
test_cancel (Fixture *fx, gconstpointer data)
{
  Req hang[3] = { { 0 } }, ok[5] = { { 0 } };
  CancelCtx ctx = { fx, hang, G_N_ELEMENTS (hang) };

  for (guint i = 0; i < G_N_ELEMENTS (hang); i++)
    req_start (fx, &hang[i], "/hang", on_done_never);
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    req_start (fx, &ok[i], "/ok/x", on_done);
  fx->pending++;               /* the cancel step */
  g_timeout_add (150, cancel_hangs_cb, &ctx);
  g_main_loop_run (fx->main);

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    g_assert_cmpstr (ok[i].body->str, ==, "hello x");
  assert_loop_idle (fx->loop);
  /* The server sees the cancelled connections close. */
  while (rt_test_server_connections (server) > 0)
    run_for (fx, 10);
  req_clear (hang, G_N_ELEMENTS (hang));
  req_clear (ok, G_N_ELEMENTS (ok));
}

/* (4) Transport errors reach the done callback as curl codes; an HTTP 500
 * is a completed transfer with status 500. */
static void
test_errors (Fixture *fx, gconstpointer data)
{
  Req refused = { 0 }, cut = { 0 }, boom = { 0 };
  g_autofree char *refused_url =
      g_strdup_printf ("http://127.0.0.1:%u/", rt_test_closed_port ());

  req_start_full (fx, &refused, refused_url, on_done, NULL);
  req_start (fx, &cut, "/close", on_done);
  req_start (fx, &boom, "/status/500", on_done);
  g_main_loop_run (fx->main);

  g_assert_cmpint (refused.result, ==, CURLE_COULDNT_CONNECT);
  g_assert_cmpint (cut.result, ==, CURLE_PARTIAL_FILE);
  g_assert_cmpstr (cut.body->str, ==, "0123456789");
  g_assert_cmpint (boom.result, ==, CURLE_OK);
  g_assert_cmpint (boom.status, ==, 500);
  g_assert_cmpstr (boom.body->str, ==, "boom");
  assert_loop_idle (fx->loop);
  req_clear (&refused, 1);
  req_clear (&cut, 1);
  req_clear (&boom, 1);
}

typedef struct {
  Fixture *fx;
  Req reqs[3];
  guint n;
  Req hang;
} Chain;

static void
on_chain_done (CURL *easy, CURLcode result, gpointer data)
{
  Chain *chain = data;
  Req *req = &chain->reqs[chain->n];
  RtCurlLoop *loop = chain->fx->loop;

  req->done = TRUE;
  req->result = result;
  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &req->status);
  g_assert_false (rt_curl_loop_cancel (loop, req->id));
  if (chain->n == 0)
    g_assert_true (rt_curl_loop_cancel (loop, chain->hang.id));

  if (++chain->n < G_N_ELEMENTS (chain->reqs)) {
    g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/ok/%u",
                                            rt_test_server_port (server),
                                            chain->n);

    req_start_full (chain->fx, &chain->reqs[chain->n], url, on_chain_done,
                    chain);
    g_assert_cmpuint (rt_curl_loop_active (loop), ==, 1);
  } else {
    g_main_loop_quit (chain->fx->main);
  }
}

/* (5) A done callback may add a new transfer and cancel another. */
static void
test_done_adds (Fixture *fx, gconstpointer data)
{
  Chain chain = { .fx = fx };
  g_autofree char *url = url_for ("/ok/0");

  req_start (fx, &chain.hang, "/hang", on_done_never);
  req_start_full (fx, &chain.reqs[0], url, on_chain_done, &chain);
  g_main_loop_run (fx->main);

  g_assert_cmpuint (chain.n, ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (chain.reqs); i++) {
    g_autofree char *want = g_strdup_printf ("hello %u", i);

    g_assert_cmpint (chain.reqs[i].result, ==, CURLE_OK);
    g_assert_cmpstr (chain.reqs[i].body->str, ==, want);
  }
  assert_loop_idle (fx->loop);
  req_clear (chain.reqs, G_N_ELEMENTS (chain.reqs));
  req_clear (&chain.hang, 1);
}

static void
on_done_free (CURL *easy, CURLcode result, gpointer data)
{
  Req *req = data;

  g_assert_cmpint (result, ==, CURLE_OK);
  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &req->status);
  req->done = TRUE;
  g_clear_pointer (&req->fx->loop, rt_curl_loop_free);
  g_main_loop_quit (req->fx->main);
}

/* (5b) A done callback may free the whole loop; the other transfers never
 * call back. */
static void
test_done_frees (Fixture *fx, gconstpointer data)
{
  Req hang[2] = { { 0 } }, ok = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (hang); i++)
    req_start (fx, &hang[i], "/hang", on_done_never);
  req_start (fx, &ok, "/ok/free", on_done_free);
  g_main_loop_run (fx->main);

  g_assert_true (ok.done);
  g_assert_cmpint (ok.status, ==, 200);
  g_assert_null (fx->loop);
  g_assert_cmpint (host_inputs, ==, 0);
  g_assert_cmpint (host_timers, ==, 0);
  run_for (fx, 50);            /* no stray callback */
  req_clear (hang, G_N_ELEMENTS (hang));
  req_clear (&ok, 1);
}

/* (6) Freeing the loop with transfers in flight releases everything. */
static void
test_free_in_flight (Fixture *fx, gconstpointer data)
{
  Req reqs[6] = { { 0 } };

  for (guint i = 0; i < G_N_ELEMENTS (reqs); i++)
    req_start (fx, &reqs[i], i % 2 ? "/hang" : "/slow/10", on_done_never);
  run_for (fx, 200);
  g_assert_cmpint (rt_test_server_connections (server), ==, 6);
  g_assert_cmpuint (rt_curl_loop_active (fx->loop), ==, 6);

  g_clear_pointer (&fx->loop, rt_curl_loop_free);
  g_assert_cmpint (host_inputs, ==, 0);
  g_assert_cmpint (host_timers, ==, 0);
  run_for (fx, 50);            /* no stray callback */
  req_clear (reqs, G_N_ELEMENTS (reqs));
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  purple_eventloop_set_ui_ops (&glib_eventloop_ops);
  curl_global_init (CURL_GLOBAL_DEFAULT);
  server = rt_test_server_start ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/curl-loop/concurrent", test_concurrent);
  ADD ("/curl-loop/slow-heartbeat", test_slow_heartbeat);
  ADD ("/curl-loop/cancel", test_cancel);
  ADD ("/curl-loop/errors", test_errors);
  ADD ("/curl-loop/done-adds-and-cancels", test_done_adds);
  ADD ("/curl-loop/done-frees", test_done_frees);
  ADD ("/curl-loop/free-in-flight", test_free_in_flight);
#undef ADD

  ret = g_test_run ();
  rt_test_server_stop (server);
  curl_global_cleanup ();
  return ret;
}
