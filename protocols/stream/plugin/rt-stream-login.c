/* rt-stream-login.c: see the header. */
#include "config.h"
#include "rt-stream-login.h"
#include "rt-stream-timeline.h"
#include "rt-stream-buddies.h"
#include "rt-stream-json.h"
#include "rt-stream-http.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define LOGIN_TRIES 5

static void verify (RtStreamAccount *sa);

static void
connected (RtStreamAccount *sa)
{
  purple_debug_info (RT_STREAM_DEBUG, "%s: signed in as %s (%s%s)\n", sa->label,
                     sa->self_handle ? sa->self_handle : "-", rt_stream_service_name (sa->service),
                     sa->streaming ? ", streaming" : "");
  purple_connection_set_state (sa->gc, PURPLE_CONNECTED);
  if (sa->service == RT_STREAM_SERVICE_FEED)
    return;
  sa->buddies = rt_stream_buddies_new (sa);
  sa->dm = rt_stream_timeline_new (sa, RT_TL_DM, "dm", NULL, 0);
  rt_stream_timeline_start (sa->dm);
  if (sa->service == RT_STREAM_SERVICE_VIVA)
    {
      /* One request per poll for all the user's groups, chats open or not
       * (rt-stream-poll.h): its position is "feed"'s. */
      sa->viva_feed = rt_stream_timeline_new (sa, RT_TL_VIVA_FEED, "feed", NULL, 0);
      rt_stream_timeline_start (sa->viva_feed);
    }
}

static void
on_health (RtStreamAccount *sa, const RtStreamResponse *resp, gpointer data)
{
  sa->login_req = NULL;
  sa->streaming = resp->result == CURLE_OK && resp->status == 200
                  && resp->len >= 2 && strncmp (resp->body, "OK", 2) == 0;
  connected (sa);
}

static gboolean
retry_fired (gpointer data)
{
  RtStreamAccount *sa = data;
  sa->login_timer = 0;
  verify (sa);
  return G_SOURCE_REMOVE;
}

static void
login_failed (RtStreamAccount *sa, const RtStreamResponse *resp, const char *why)
{
  if (resp->result == CURLE_OK && (resp->status == 401 || resp->status == 403))
    {
      g_autofree char *msg = g_strdup_printf (_("The server refused the access token (HTTP %ld). "
                                                "Set a valid token as the account's password."), resp->status);
      rt_stream_account_fail (sa, PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED, msg);
      return;
    }
  g_autofree char *what = why ? g_strdup (why) : resp->result != CURLE_OK ? g_strdup (resp->error)
                        : g_strdup_printf ("HTTP %ld", resp->status);
  RtHttpClass cls = resp->result != CURLE_OK ? RT_HTTP_RETRY : rt_http_classify (resp->status);
  if ((cls == RT_HTTP_RETRY || cls == RT_HTTP_RATE_LIMITED || why != NULL) && sa->login_tries < LOGIN_TRIES)
    {
      gint64 delay = rt_backoff_us (sa->login_tries, 2 * G_USEC_PER_SEC, 60 * G_USEC_PER_SEC, 1.0);
      g_autofree char *msg = g_strdup_printf (_("Server not usable (%s); trying again in %d s"), what,
                                              (int) (delay / G_USEC_PER_SEC));
      purple_debug_warning (RT_STREAM_DEBUG, "%s: %s\n", sa->label, msg);
      purple_connection_update_progress (sa->gc, msg, 1, 3);
      sa->login_timer = purple_timeout_add ((guint) (delay / 1000), retry_fired, sa);
      return;
    }
  g_autofree char *msg = g_strdup_printf (_("Could not sign in: %s"), what);
  rt_stream_account_fail (sa, PURPLE_CONNECTION_ERROR_NETWORK_ERROR, msg);
}

static void
on_verify (RtStreamAccount *sa, const RtStreamResponse *resp, gpointer data)
{
  sa->login_req = NULL;
  if (resp->result != CURLE_OK || resp->status != 200)
    {
      login_failed (sa, resp, NULL);
      return;
    }
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = rt_json_load (resp->body, resp->len, "account", &error);
  JsonNode *root = parser ? json_parser_get_root (parser) : NULL;
  JsonObject *o = NULL, *source = NULL;
  g_autofree char *id = NULL;
  const char *name = NULL, *privacy = NULL;
  RtJsonPath at = { NULL, "account", 0 };
  gboolean mastodon = sa->service == RT_STREAM_SERVICE_MASTODON;
  if (root == NULL || !rt_json_root_is (root, JSON_NODE_OBJECT, "account", &error)
      || !rt_json_get_id (o = json_node_get_object (root), &at, "id", RT_JSON_REQUIRED, &id, &error)
      || !rt_json_get_string (o, &at, mastodon ? "acct" : "name", RT_JSON_REQUIRED, &name, &error)
      || (mastodon && !rt_json_get_object (o, &at, "source", RT_JSON_OPTIONAL, &source, &error))
      || (source && !rt_json_get_string (source, &at, "privacy", RT_JSON_OPTIONAL, &privacy, &error)))
    {
      g_autofree char *why = g_strdup_printf (_("unreadable answer: %s"), error->message);
      login_failed (sa, resp, why);
      return;
    }
  g_free (sa->self_id);
  sa->self_id = g_steal_pointer (&id);
  g_free (sa->self_handle);
  sa->self_handle = mastodon && !strchr (name, '@') ? g_strconcat (name, "@", sa->host, NULL) : g_strdup (name);
  if (sa->default_visibility == NULL && privacy && rt_stream_visibility_from_name (privacy) != RT_STREAM_VISIBILITY_UNKNOWN)
    sa->default_visibility = g_strdup (privacy);
  if (!mastodon)
    {
      connected (sa);
      return;
    }
  g_autofree char *url = rt_stream_account_url (sa, "/api/v1/streaming/health");
  if (!purple_account_get_bool (sa->account, "streaming", TRUE))
    {
      connected (sa);
      return;
    }
  sa->login_req = rt_stream_request (sa, "GET", url, NULL, NULL, RT_STREAM_REQ_UNGATED, on_health, NULL);
  if (sa->login_req == NULL)
    connected (sa);
}

static void
verify (RtStreamAccount *sa)
{
  sa->login_tries++;
  const char *path = sa->service == RT_STREAM_SERVICE_MASTODON ? "/api/v1/accounts/verify_credentials"
                                                                : "/api/v1/users/current.json";
  g_autofree char *url = rt_stream_account_url (sa, path);
  sa->login_req = rt_stream_request (sa, "GET", url, NULL, NULL, RT_STREAM_REQ_AUTH, on_verify, NULL);
}

void
rt_stream_login_start (RtStreamAccount *sa)
{
  if (sa->service == RT_STREAM_SERVICE_FEED)
    {
      sa->self_handle = g_strdup (sa->label);
      connected (sa);
      return;
    }
  verify (sa);
}
