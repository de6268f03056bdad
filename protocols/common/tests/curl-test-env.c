/* curl-test-env.c - event loop ops, fixture and requests for the tests
 *
 * Roundtable
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * No libpurple core: only GLib event loop ops (as libpurple's nullclient
 * does), counted so that every test can prove nothing is left behind.
 */
#include "curl-test-env.h"

RtTestServer *server;
gint host_inputs;
gint host_timers;

/* ---- GLib event loop ops ------------------------------------------------ */

#define READ_COND (G_IO_IN | G_IO_HUP | G_IO_ERR)
#define WRITE_COND (G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL)

typedef struct {
  PurpleInputFunction func;
  gpointer data;
} IoClosure;

static gboolean
io_invoke (GIOChannel *source, GIOCondition condition, gpointer data)
{
  IoClosure *closure = data;
  PurpleInputCondition cond = 0;

  if (condition & READ_COND)
    cond |= PURPLE_INPUT_READ;
  if (condition & WRITE_COND)
    cond |= PURPLE_INPUT_WRITE;
  closure->func (closure->data, g_io_channel_unix_get_fd (source), cond);
  return TRUE;
}

static void
io_destroy (gpointer data)
{
  host_inputs--;
  g_free (data);
}

static guint
glib_input_add (gint fd, PurpleInputCondition cond, PurpleInputFunction func,
                gpointer data)
{
  IoClosure *closure = g_new0 (IoClosure, 1);
  GIOCondition gcond = 0;
  GIOChannel *channel;
  guint id;

  closure->func = func;
  closure->data = data;
  if (cond & PURPLE_INPUT_READ)
    gcond |= READ_COND;
  if (cond & PURPLE_INPUT_WRITE)
    gcond |= WRITE_COND;
  channel = g_io_channel_unix_new (fd);
  id = g_io_add_watch_full (channel, G_PRIORITY_DEFAULT, gcond, io_invoke,
                            closure, io_destroy);
  g_io_channel_unref (channel);
  host_inputs++;
  return id;
}

static void
timer_destroy (gpointer data)
{
  host_timers--;
}

static guint
glib_timeout_add (guint interval, GSourceFunc func, gpointer data)
{
  host_timers++;
  return g_timeout_add_full (G_PRIORITY_DEFAULT, interval, func, data,
                             timer_destroy);
}

static guint
glib_timeout_add_seconds (guint interval, GSourceFunc func, gpointer data)
{
  host_timers++;
  return g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, interval, func, data,
                                     timer_destroy);
}

PurpleEventLoopUiOps glib_eventloop_ops = {
  .timeout_add = glib_timeout_add,
  .timeout_remove = g_source_remove,
  .input_add = glib_input_add,
  .input_remove = g_source_remove,
  .timeout_add_seconds = glib_timeout_add_seconds,
};

/* ---- fixture and requests ----------------------------------------------- */

static gboolean
watchdog_cb (gpointer data)
{
  g_error ("test did not finish in time");
  return FALSE;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return FALSE;
}

void
run_for (Fixture *fx, guint ms)
{
  g_timeout_add (ms, quit_cb, fx->main);
  g_main_loop_run (fx->main);
}

void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->loop = rt_curl_loop_new ();
  fx->main = g_main_loop_new (NULL, FALSE);
  fx->watchdog = g_timeout_add_seconds (4, watchdog_cb, NULL);
}

void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_clear_pointer (&fx->loop, rt_curl_loop_free);
  g_assert_cmpint (host_inputs, ==, 0);
  g_assert_cmpint (host_timers, ==, 0);
  /* Every connection the test opened must be closed by now or very soon. */
  while (rt_test_server_connections (server) > 0)
    run_for (fx, 10);
  g_source_remove (fx->watchdog);
  g_main_loop_unref (fx->main);
}

static size_t
write_cb (char *ptr, size_t size, size_t nmemb, void *data)
{
  Req *req = data;

  g_string_append_len (req->body, ptr, (gssize) (size * nmemb));
  return size * nmemb;
}

CURL *
make_easy (const char *url, Req *req)
{
  CURL *easy = curl_easy_init ();

  curl_easy_setopt (easy, CURLOPT_URL, url);
  curl_easy_setopt (easy, CURLOPT_NOPROXY, "*");
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, req);
  return easy;
}

char *
url_for (const char *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s",
                          rt_test_server_port (server), path);
}

void
on_done (CURL *easy, CURLcode result, gpointer data)
{
  Req *req = data;

  g_assert_false (req->done);
  req->done = TRUE;
  req->result = result;
  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &req->status);
  /* The id is gone once the callback runs. */
  g_assert_false (rt_curl_loop_cancel (req->fx->loop, req->id));
  if (--req->fx->pending == 0)
    g_main_loop_quit (req->fx->main);
}

void
on_done_never (CURL *easy, CURLcode result, gpointer data)
{
  g_error ("done callback of a cancelled or freed transfer ran");
}

void
req_start_full (Fixture *fx, Req *req, const char *url, RtCurlDone done,
                gpointer user_data)
{
  req->fx = fx;
  req->body = g_string_new (NULL);
  req->id = rt_curl_loop_add (fx->loop, make_easy (url, req), done,
                              user_data != NULL ? user_data : req);
  g_assert_cmpuint (req->id, !=, 0);
  if (done == on_done)
    fx->pending++;
}

void
req_start (Fixture *fx, Req *req, const char *path, RtCurlDone done)
{
  g_autofree char *url = url_for (path);

  req_start_full (fx, req, url, done, NULL);
}

void
req_clear (Req *reqs, guint n)
{
  for (guint i = 0; i < n; i++)
    if (reqs[i].body != NULL)
      g_string_free (reqs[i].body, TRUE);
}

void
assert_loop_idle (RtCurlLoop *loop)
{
  guint watches = 99;
  gboolean timer = TRUE;

  g_assert_cmpuint (rt_curl_loop_active (loop), ==, 0);
  rt_curl_loop_get_counts (loop, &watches, &timer);
  g_assert_cmpuint (watches, ==, 0);
  g_assert_false (timer);
  g_assert_cmpint (host_inputs, ==, 0);
  g_assert_cmpint (host_timers, ==, 0);
}
