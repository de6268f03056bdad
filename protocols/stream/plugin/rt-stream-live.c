/* rt-stream-live.c: one SSE connection (see the header). */
#include "config.h"
#include "rt-stream-live.h"
#include "rt-stream-mastodon.h"
#include "rt-stream-http.h"
#include "rt-sse.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <stdlib.h>

#define RETRY_CAP_US (10 * 60 * G_USEC_PER_SEC)

typedef struct {
  char *event;
  char *data;
  gsize len;
} LiveEvent;

struct _RtStreamLive {
  RtStreamTimeline *tl;
  char *url;
  RtSse *sse;
  guint64 id;                  /* curl loop transfer, 0 when none */
  struct curl_slist *slist;
  long status;                 /* from the status line */
  gboolean up;
  gboolean parse_failed;
  gint64 last_bytes_us;        /* monotonic; written by the write callback */
  GQueue *events;              /* LiveEvent* waiting for the flush timer */
  guint flush_timer;
  guint watchdog;
  guint retry_timer;
  guint failures;
  guint64 heartbeats_seen;
};

static void
live_event_free (LiveEvent *e)
{
  g_free (e->event);
  g_free (e->data);
  g_free (e);
}

static void go_down (RtStreamLive *live, const char *why);

static gboolean
flush (gpointer data)
{
  RtStreamLive *live = data;
  live->flush_timer = 0;
  RtStreamAccount *sa = live->tl->sa;
  LiveEvent *e;
  if (!live->up && live->status == 200 && live->id != 0)
    {
      live->up = TRUE;
      rt_stream_timeline_stream_changed (live->tl, TRUE);
    }
  /* Bounded work per turn of the event loop: a burst is handled in slices. */
  for (int n = 0; n < 50 && (e = g_queue_pop_head (live->events)) != NULL; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RtStreamPage) page = rt_mastodon_stream_event (e->event, e->data, e->len, sa->host, &error);
      if (page == NULL)
        purple_debug_warning (RT_STREAM_DEBUG, "%s: %s: stream event \"%s\" skipped: %s\n", sa->label,
                              live->tl->spec, e->event, error->message);
      else
        for (guint i = 0; i < page->posts->len; i++)
          rt_stream_timeline_stream_post (live->tl, page->posts->pdata[i]);
      live_event_free (e);
    }
  if (!g_queue_is_empty (live->events))
    live->flush_timer = purple_timeout_add (0, flush, live);
  return G_SOURCE_REMOVE;
}

static void
on_event (const char *event, const char *data, gsize len, const char *id, gpointer user)
{
  RtStreamLive *live = user;
  LiveEvent *e = g_new0 (LiveEvent, 1);
  e->event = g_strdup (event);
  e->data = g_memdup2 (data, len + 1);
  e->len = len;
  g_queue_push_tail (live->events, e);
  if (live->flush_timer == 0)
    live->flush_timer = purple_timeout_add (0, flush, live);
}

static size_t
on_body (char *ptr, size_t size, size_t n, void *user)
{
  RtStreamLive *live = user;
  gsize len = size * n;
  live->last_bytes_us = g_get_monotonic_time ();
  if (live->status != 200)
    return len;   /* an error body: ignored, the done callback reports it */
  g_autoptr(GError) error = NULL;
  if (!rt_sse_feed (live->sse, ptr, len, &error))
    {
      live->parse_failed = TRUE;
      return 0;   /* abort the transfer: CURLE_WRITE_ERROR */
    }
  return len;
}

static size_t
on_header (char *ptr, size_t size, size_t n, void *user)
{
  RtStreamLive *live = user;
  gsize len = size * n;
  if (len > 9 && g_ascii_strncasecmp (ptr, "HTTP/", 5) == 0)
    {
      const char *sp = memchr (ptr, ' ', len);
      live->status = sp ? strtol (sp + 1, NULL, 10) : 0;
    }
  else if ((len == 2 && ptr[0] == '\r') || (len == 1 && ptr[0] == '\n'))
    {
      /* End of the headers: tell the timeline from the event loop. */
      if (live->status == 200 && live->flush_timer == 0)
        live->flush_timer = purple_timeout_add (0, flush, live);
    }
  return len;
}

static gboolean retry_fired (gpointer data);

static void
stop_transfer (RtStreamLive *live)
{
  if (live->id != 0)
    rt_curl_loop_cancel (live->tl->sa->loop, live->id);
  live->id = 0;
  if (live->slist)
    curl_slist_free_all (live->slist);
  live->slist = NULL;
  if (live->watchdog)
    purple_timeout_remove (live->watchdog);
  live->watchdog = 0;
}

/* why: for the debug log only, in English like the rest of it. */
static void
go_down (RtStreamLive *live, const char *why)
{
  RtStreamTimeline *tl = live->tl;
  gboolean was_up = live->up;
  stop_transfer (live);
  live->up = FALSE;
  live->failures++;
  gint64 base = (gint64) tl->sa->stream_retry * G_USEC_PER_SEC;
  gint64 delay = rt_backoff_us (live->failures, base, MAX (base, RETRY_CAP_US), 1.0);
  purple_debug_warning (RT_STREAM_DEBUG, "%s: %s: stream dropped (%s); polling, stream retried in %"
                        G_GINT64_FORMAT " s\n", tl->sa->label, tl->spec, why, delay / G_USEC_PER_SEC);
  if (live->retry_timer)
    purple_timeout_remove (live->retry_timer);
  live->retry_timer = purple_timeout_add ((guint) MIN (delay / 1000, G_MAXINT), retry_fired, live);
  /* Posts already received are still handled (flush timer); the poll
   * starts from the position they leave. */
  if (was_up || live->failures == 1)
    rt_stream_timeline_stream_changed (tl, FALSE);
}

static gboolean
watchdog_fired (gpointer data)
{
  RtStreamLive *live = data;
  gint64 now = g_get_monotonic_time ();
  gint64 limit = (gint64) live->tl->sa->stream_timeout * G_USEC_PER_SEC;
  if (!live->up && live->status == 200)
    {
      live->up = TRUE;
      rt_stream_timeline_stream_changed (live->tl, TRUE);
    }
  if (live->up && rt_sse_heartbeats (live->sse) != live->heartbeats_seen)
    {
      live->heartbeats_seen = rt_sse_heartbeats (live->sse);
      live->failures = 0;   /* healthy: the next drop starts the backoff again */
    }
  if (now - live->last_bytes_us > limit)
    {
      live->watchdog = 0;   /* returning REMOVE */
      go_down (live, "no heartbeat");
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_done (CURL *easy, CURLcode result, gpointer user_data)
{
  RtStreamLive *live = user_data;
  live->id = 0;
  long status = 0;
  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
  /* why goes to the debug log only (go_down): not translated. */
  g_autofree char *why = live->parse_failed ? g_strdup ("event too large")
                       : result != CURLE_OK ? g_strdup (curl_easy_strerror (result))
                       : status != 200 ? g_strdup_printf ("HTTP %ld", status)
                       : g_strdup ("closed by the server");
  if (status == 401)
    {
      rt_stream_account_fail (live->tl->sa, PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED,
                              _("The server refused the access token (HTTP 401)."));
      return;
    }
  go_down (live, why);
}

void
rt_stream_live_start (RtStreamLive *live)
{
  RtStreamAccount *sa = live->tl->sa;
  if (live->id != 0 || sa->failed)
    return;
  rt_sse_reset (live->sse);
  live->status = 0;
  live->parse_failed = FALSE;
  live->last_bytes_us = g_get_monotonic_time ();
  CURL *easy = rt_stream_account_easy (sa, live->url, TRUE, &live->slist);
  live->slist = curl_slist_append (live->slist, "Accept: text/event-stream");
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, live->slist);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, live);
  curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (easy, CURLOPT_HEADERDATA, live);
  curl_easy_setopt (easy, CURLOPT_ACCEPT_ENCODING, NULL);   /* events must not wait in a decoder */
  live->id = rt_curl_loop_add (sa->loop, easy, on_done, live);
  if (live->id == 0)
    {
      go_down (live, "libcurl");
      return;
    }
  guint period = MAX (100, (guint) sa->stream_timeout * 1000 / 4);
  live->watchdog = purple_timeout_add (MIN (period, 5000), watchdog_fired, live);
}

static gboolean
retry_fired (gpointer data)
{
  RtStreamLive *live = data;
  live->retry_timer = 0;
  rt_stream_live_start (live);
  return G_SOURCE_REMOVE;
}

RtStreamLive *
rt_stream_live_new (RtStreamTimeline *tl, const char *path)
{
  RtStreamLive *live = g_new0 (RtStreamLive, 1);
  live->tl = tl;
  live->url = rt_stream_account_url (tl->sa, path);
  live->sse = rt_sse_new (0, 0, on_event, NULL, live);
  live->events = g_queue_new ();
  return live;
}

gboolean
rt_stream_live_is_up (RtStreamLive *live)
{
  return live != NULL && live->up;
}

void
rt_stream_live_free (RtStreamLive *live)
{
  if (live == NULL)
    return;
  stop_transfer (live);
  if (live->flush_timer)
    purple_timeout_remove (live->flush_timer);
  if (live->retry_timer)
    purple_timeout_remove (live->retry_timer);
  g_queue_free_full (live->events, (GDestroyNotify) live_event_free);
  rt_sse_free (live->sse);
  g_free (live->url);
  g_free (live);
}
