/* rt-stream-request.c: HTTP requests of an account through one gate that
 * keeps the service's rate limits (before they bite):
 *  - Mastodon: X-RateLimit-Remaining / -Reset of every answer; once less
 *    than half the window's requests remain, the rest is spread evenly
 *    over the time to the reset (rt_rate_limit_next_allowed), so the
 *    limit is never reached by polling alone;
 *  - Viva Engage: at most 10 message requests (/api/v1/messages...) in any
 *    30 s, counted here (Yammer sends no rate-limit headers);
 *  - 429: nothing until Retry-After (delta or HTTP date), else the
 *    X-RateLimit-Reset, else 60 s. The chats say so once per episode.
 * Requests leave the gate in the order they were made. */
#include "config.h"
#include "rt-stream-account.h"
#include "rt-stream-http.h"
#include "rt-stream-json.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define VIVA_WINDOW_US (30 * G_USEC_PER_SEC)
#define VIVA_MAX_REQUESTS 10
#define RATE_LIMIT_MARGIN 0.1
#define DEFAULT_429_WAIT_US (60 * G_USEC_PER_SEC)

struct _RtStreamRequest {
  RtStreamAccount *sa;
  char *method, *url, *form;
  GStrv extra_headers;
  RtStreamRequestFlags flags;
  RtStreamResponseFunc done;
  gpointer data;
  guint64 id;                 /* the curl loop's id once started */
  struct curl_slist *slist;
  GByteArray *body;
  GHashTable *headers;
  gboolean too_big;
  char errbuf[CURL_ERROR_SIZE];
};

static void gate_pump (RtStreamAccount *sa);

static void
request_free (RtStreamRequest *req)
{
  g_free (req->method);
  g_free (req->url);
  g_free (req->form);
  g_strfreev (req->extra_headers);
  if (req->slist)
    curl_slist_free_all (req->slist);
  if (req->body)
    g_byte_array_unref (req->body);
  if (req->headers)
    g_hash_table_unref (req->headers);
  g_free (req);
}

static size_t
on_body (char *ptr, size_t size, size_t n, void *user)
{
  RtStreamRequest *req = user;
  gsize len = size * n;
  if (req->body->len + len > RT_STREAM_JSON_MAX_BYTES)
    {
      req->too_big = TRUE;
      return 0;   /* abort: CURLE_WRITE_ERROR */
    }
  g_byte_array_append (req->body, (const guint8 *) ptr, len);
  return len;
}

static size_t
on_header (char *ptr, size_t size, size_t n, void *user)
{
  RtStreamRequest *req = user;
  gsize len = size * n;
  if (len >= 5 && g_ascii_strncasecmp (ptr, "HTTP/", 5) == 0)
    {
      /* A new response (redirect, 100 Continue): forget the last one's. */
      g_hash_table_remove_all (req->headers);
      return len;
    }
  const char *colon = memchr (ptr, ':', len);
  if (colon == NULL || colon == ptr)
    return len;
  g_autofree char *name = g_ascii_strdown (ptr, colon - ptr);
  g_autofree char *value = g_strndup (colon + 1, len - (colon + 1 - ptr));
  g_hash_table_replace (req->headers, g_strstrip (g_steal_pointer (&name)),
                        g_strdup (g_strstrip (value)));
  return len;
}

static gboolean
is_viva_message_request (RtStreamAccount *sa, const char *url)
{
  if (sa->service != RT_STREAM_SERVICE_VIVA)
    return FALSE;
  gsize n = strlen (sa->base_url);
  return strncmp (url, sa->base_url, n) == 0 && g_str_has_prefix (url + n, "/api/v1/messages");
}

/* Updates the gate from an answer: the Mastodon rate-limit headers, a 429. */
static void
gate_learn (RtStreamAccount *sa, const RtStreamResponse *resp)
{
  gint64 now_real = g_get_real_time ();
  gint64 now = g_get_monotonic_time ();
  gint64 wait_us = 0;
  gboolean shout = FALSE;
  RtRateLimit rl;
  gboolean have_rl = rt_rate_limit_parse (g_hash_table_lookup (resp->headers, "x-ratelimit-limit"),
                                          g_hash_table_lookup (resp->headers, "x-ratelimit-remaining"),
                                          g_hash_table_lookup (resp->headers, "x-ratelimit-reset"), &rl);
  if (resp->status == 429)
    {
      const char *ra = g_hash_table_lookup (resp->headers, "retry-after");
      if (ra == NULL || !rt_retry_after_parse (ra, now_real, &wait_us))
        wait_us = have_rl && rl.reset_us > now_real ? MIN (rl.reset_us - now_real, RT_RETRY_AFTER_MAX_US)
                                                     : DEFAULT_429_WAIT_US;
      shout = TRUE;
    }
  else if (have_rl && rl.remaining * 2 < rl.limit)
    {
      gint64 next = rt_rate_limit_next_allowed (&rl, now_real, RATE_LIMIT_MARGIN);
      wait_us = MAX (0, next - now_real);
      shout = rl.remaining <= 0;
    }
  if (wait_us > 0 && now + wait_us > sa->not_before_us)
    sa->not_before_us = now + wait_us;
  if (shout && !sa->limited)
    {
      sa->limited = TRUE;
      g_autofree char *at = rt_stream_clock_text (now_real + wait_us);
      g_autofree char *msg = g_strdup_printf (_("Rate limited by the server: next read at %s."), at);
      purple_debug_warning (RT_STREAM_DEBUG, "%s: HTTP %ld, rate limited for %" G_GINT64_FORMAT " ms\n",
                            sa->label, resp->status, wait_us / 1000);
      rt_stream_account_notice (sa, msg);
      if (sa->gc && !PURPLE_CONNECTION_IS_CONNECTED (sa->gc))
        purple_connection_update_progress (sa->gc, msg, 1, 3);
    }
  else if (resp->status >= 200 && resp->status < 300 && sa->limited && sa->not_before_us <= now)
    {
      sa->limited = FALSE;
      purple_debug_info (RT_STREAM_DEBUG, "%s: no longer rate limited\n", sa->label);
    }
}

static void
on_done (CURL *easy, CURLcode result, gpointer user_data)
{
  RtStreamRequest *req = user_data;
  RtStreamAccount *sa = req->sa;
  sa->running = g_list_remove (sa->running, req);
  long status = 0;
  if (result == CURLE_OK)
    curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
  g_byte_array_append (req->body, (const guint8 *) "", 1);   /* NUL-terminate */
  RtStreamResponse resp = {
    .result = req->too_big ? CURLE_FILESIZE_EXCEEDED : result,
    .status = status,
    .body = (const char *) req->body->data,
    .len = req->body->len - 1,
    .headers = req->headers,
    .error = req->too_big ? _("the answer is too large")
           : req->errbuf[0] ? req->errbuf : curl_easy_strerror (result),
  };
  if (!(req->flags & RT_STREAM_REQ_UNGATED))
    gate_learn (sa, &resp);
  req->done (sa, &resp, req->data);
  request_free (req);
  gate_pump (sa);
}

static gboolean
start (RtStreamRequest *req)
{
  RtStreamAccount *sa = req->sa;
  CURL *easy = rt_stream_account_easy (sa, req->url, (req->flags & RT_STREAM_REQ_AUTH) != 0, &req->slist);
  for (char **h = req->extra_headers; h && *h; h++)
    req->slist = curl_slist_append (req->slist, *h);
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, req->slist);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, req);
  curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (easy, CURLOPT_HEADERDATA, req);
  curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, req->errbuf);
  curl_easy_setopt (easy, CURLOPT_TIMEOUT, 120L);
  if (req->flags & RT_STREAM_REQ_FEED)
    {
      curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt (easy, CURLOPT_MAXREDIRS, 3L);
      curl_easy_setopt (easy, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    }
  if (g_str_equal (req->method, "POST"))
    {
      curl_easy_setopt (easy, CURLOPT_POST, 1L);
      curl_easy_setopt (easy, CURLOPT_COPYPOSTFIELDS, req->form ? req->form : "");
    }
  req->body = g_byte_array_new ();
  req->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* URLs carry no secret (the token is a header); feed URLs might, so
   * they are not logged. */
  if (!(req->flags & RT_STREAM_REQ_FEED))
    purple_debug_misc (RT_STREAM_DEBUG, "%s: %s %s\n", sa->label, req->method, req->url);
  req->id = rt_curl_loop_add (sa->loop, easy, on_done, req);
  if (req->id == 0)
    return FALSE;
  sa->running = g_list_prepend (sa->running, req);
  return TRUE;
}

static gboolean
gate_timer_fired (gpointer data)
{
  RtStreamAccount *sa = data;
  sa->gate_timer = 0;
  gate_pump (sa);
  return G_SOURCE_REMOVE;
}

/* The earliest monotonic time the next waiting request may start. */
static gint64
gate_allowed_at (RtStreamAccount *sa, RtStreamRequest *req, gint64 now)
{
  gint64 at = sa->not_before_us;
  if (is_viva_message_request (sa, req->url))
    {
      while (!g_queue_is_empty (sa->viva_stamps)
             && *(gint64 *) g_queue_peek_head (sa->viva_stamps) + VIVA_WINDOW_US <= now)
        g_free (g_queue_pop_head (sa->viva_stamps));
      if (g_queue_get_length (sa->viva_stamps) >= VIVA_MAX_REQUESTS)
        at = MAX (at, *(gint64 *) g_queue_peek_head (sa->viva_stamps) + VIVA_WINDOW_US + 1000);
    }
  return at;
}

static void
gate_pump (RtStreamAccount *sa)
{
  while (!g_queue_is_empty (sa->waiting))
    {
      RtStreamRequest *req = g_queue_peek_head (sa->waiting);
      gint64 now = g_get_monotonic_time ();
      gint64 at = gate_allowed_at (sa, req, now);
      if (at > now)
        {
          if (sa->gate_timer == 0)
            sa->gate_timer = purple_timeout_add ((guint) MIN ((at - now) / 1000 + 1, G_MAXUINT), gate_timer_fired, sa);
          return;
        }
      g_queue_pop_head (sa->waiting);
      if (is_viva_message_request (sa, req->url))
        {
          gint64 *stamp = g_new (gint64, 1);
          *stamp = now;
          g_queue_push_tail (sa->viva_stamps, stamp);
        }
      if (!start (req))
        {
          purple_debug_error (RT_STREAM_DEBUG, "%s: libcurl refused a request\n", sa->label);
          RtStreamResponse resp = { .result = CURLE_FAILED_INIT, .body = "", .error = "libcurl" };
          GHashTable *none = g_hash_table_new (g_str_hash, g_str_equal);
          resp.headers = none;
          req->done (sa, &resp, req->data);
          g_hash_table_unref (none);
          request_free (req);
        }
    }
}

RtStreamRequest *
rt_stream_request (RtStreamAccount *sa, const char *method, const char *url, const char *form,
                   const char *const *extra_headers, RtStreamRequestFlags flags,
                   RtStreamResponseFunc done, gpointer data)
{
  RtStreamRequest *req = g_new0 (RtStreamRequest, 1);
  req->sa = sa;
  req->method = g_strdup (method);
  req->url = g_strdup (url);
  req->form = g_strdup (form);
  req->extra_headers = g_strdupv ((char **) extra_headers);
  req->flags = flags;
  req->done = done;
  req->data = data;
  if (flags & RT_STREAM_REQ_UNGATED)
    {
      if (!start (req))
        {
          request_free (req);
          return NULL;
        }
      return req;
    }
  g_queue_push_tail (sa->waiting, req);
  /* Started from the gate timer (0 ms when open), never from here: the
   * caller's state is complete before anything can answer. */
  if (sa->gate_timer == 0)
    sa->gate_timer = purple_timeout_add (0, gate_timer_fired, sa);
  return req;
}

void
rt_stream_request_cancel (RtStreamAccount *sa, RtStreamRequest *req)
{
  if (req == NULL)
    return;
  if (g_queue_remove (sa->waiting, req))
    {
      request_free (req);
      return;
    }
  if (g_list_find (sa->running, req))
    {
      sa->running = g_list_remove (sa->running, req);
      rt_curl_loop_cancel (sa->loop, req->id);
      request_free (req);
    }
}

/* Used by rt_stream_account_free: drops every request (the loop is freed
 * right after, which cancels the transfers). */
void rt_stream_requests_drop_all (RtStreamAccount *sa);

void
rt_stream_requests_drop_all (RtStreamAccount *sa)
{
  for (GList *l = sa->running; l; l = l->next)
    {
      RtStreamRequest *req = l->data;
      rt_curl_loop_cancel (sa->loop, req->id);
      request_free (req);
    }
  g_clear_pointer (&sa->running, g_list_free);
  RtStreamRequest *req;
  while ((req = g_queue_pop_head (sa->waiting)) != NULL)
    request_free (req);
  if (sa->gate_timer)
    purple_timeout_remove (sa->gate_timer);
  sa->gate_timer = 0;
}
