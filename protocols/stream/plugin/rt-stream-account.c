/* rt-stream-account.c: what every transfer of an account shares: the easy
 * handle's security settings, URL checks, errors, chat notices, tear-down. */
#include "config.h"
#include "rt-stream-account.h"
#include "rt-stream-timeline.h"
#include "rt-stream-send.h"
#include "rt-stream-buddies.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <string.h>

void rt_stream_requests_drop_all (RtStreamAccount *sa);   /* rt-stream-request.c */

static gboolean
host_is_loopback (const char *host)
{
  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (host);
  return addr != NULL && g_inet_address_get_is_loopback (addr);
}

gboolean
rt_stream_url_allowed (const char *url, gboolean *loopback)
{
  g_autoptr(GUri) uri = url ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return FALSE;
  gboolean lo = host_is_loopback (g_uri_get_host (uri));
  if (loopback)
    *loopback = lo;
  const char *scheme = g_uri_get_scheme (uri);
  return g_ascii_strcasecmp (scheme, "https") == 0 || (lo && g_ascii_strcasecmp (scheme, "http") == 0);
}

gboolean
rt_stream_account_same_origin (RtStreamAccount *sa, const char *url)
{
  gsize n = strlen (sa->base_url);
  return url != NULL && strncmp (url, sa->base_url, n) == 0 && (url[n] == '/' || url[n] == '\0');
}

char *
rt_stream_account_url (RtStreamAccount *sa, const char *path)
{
  return g_strconcat (sa->base_url, path, NULL);
}

CURL *
rt_stream_account_easy (RtStreamAccount *sa, const char *url, gboolean auth, struct curl_slist **headers_out)
{
  CURL *easy = curl_easy_init ();
  g_assert (easy != NULL);
  gboolean lo = FALSE;
  rt_stream_url_allowed (url, &lo);
  curl_easy_setopt (easy, CURLOPT_URL, url);
  /* http only where it was allowed: loopback hosts (checked at login). */
  curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, lo ? "http,https" : "https");
  curl_easy_setopt (easy, CURLOPT_VERBOSE, 0L);   /* it would log the token */
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt (easy, CURLOPT_ACCEPT_ENCODING, "");
  g_autofree char *agent = g_strdup_printf ("Roundtable-Stream/%s", RT_VERSION);
  curl_easy_setopt (easy, CURLOPT_USERAGENT, agent);
  struct curl_slist *h = NULL;
  h = curl_slist_append (h, "Accept: application/json");
  if (auth)
    {
      /* Built here and handed to libcurl only; never logged. */
      const char *token = purple_account_get_password (sa->account);
      g_autofree char *line = g_strconcat ("Authorization: Bearer ", token ? token : "", NULL);
      h = curl_slist_append (h, line);
      memset (line, 0, strlen (line));
    }
  *headers_out = h;
  return easy;
}

void
rt_stream_account_fail (RtStreamAccount *sa, PurpleConnectionError reason, const char *msg)
{
  if (sa->failed)
    return;
  sa->failed = TRUE;
  purple_debug_error (RT_STREAM_DEBUG, "%s: %s\n", sa->label, msg);
  purple_connection_error_reason (sa->gc, reason, msg);
}

RtStreamTimeline *
rt_stream_account_joined (RtStreamAccount *sa, const char *spec)
{
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, sa->timelines);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (g_str_equal (((RtStreamTimeline *) v)->spec, spec))
      return v;
  return NULL;
}

void
rt_stream_account_notice (RtStreamAccount *sa, const char *markup)
{
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, sa->timelines);
  while (g_hash_table_iter_next (&it, &key, &value))
    rt_stream_timeline_notice (value, markup);
}

char *
rt_stream_clock_text (gint64 real_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (real_us / G_USEC_PER_SEC);
  return dt ? g_date_time_format (dt, "%H:%M:%S") : g_strdup ("?");
}

void
rt_stream_account_free (RtStreamAccount *sa)
{
  /* Users of requests first (their state points into sa), then the
   * requests, then the loop. */
  if (sa->login_timer)
    purple_timeout_remove (sa->login_timer);
  if (sa->login_req)
    rt_stream_request_cancel (sa, sa->login_req);
  rt_stream_sends_stop (sa);
  g_clear_pointer (&sa->buddies, rt_stream_buddies_free);
  g_clear_pointer (&sa->timelines, g_hash_table_unref);
  g_clear_pointer (&sa->dm, rt_stream_timeline_free);
  g_clear_pointer (&sa->viva_feed, rt_stream_timeline_free);
  rt_stream_requests_drop_all (sa);
  g_clear_pointer (&sa->loop, rt_curl_loop_free);
  g_queue_free (sa->waiting);
  g_queue_free_full (sa->viva_stamps, g_free);
  if (sa->feed_urls)
    g_ptr_array_unref (sa->feed_urls);
  g_free (sa->label);
  g_free (sa->base_url);
  g_free (sa->host);
  g_free (sa->default_visibility);
  g_free (sa->self_id);
  g_free (sa->self_handle);
  g_free (sa);
}
