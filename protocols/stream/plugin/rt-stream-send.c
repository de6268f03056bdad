/* rt-stream-send.c: one post on its way to the server (see the header).
 *
 * Retries: temporary failures are tried again after 2 s, 4 s ... 60 s, 8
 * tries in all, the whole request again with the same Idempotency-Key
 * (Mastodon keeps a key for an hour and answers a repeat with the status it
 * made the first time). Viva Engage has no such key, so only failures that
 * cannot have created the message are retried there: 429, 503, and no
 * connection at all; any other 5xx is reported, not repeated. */
#include "config.h"
#include "rt-stream-send.h"
#include "rt-stream-signals.h"
#include "rt-stream-mastodon.h"
#include "rt-stream-viva.h"
#include "rt-stream-http.h"
#include "rt-stream-json.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define MAX_TRIES 8
#define RETRY_BASE_US (2 * G_USEC_PER_SEC)
#define RETRY_CAP_US (60 * G_USEC_PER_SEC)

typedef struct {
  RtStreamAccount *sa;
  RtTimelineKind kind;
  char *spec, *arg;
  int chat_id;
  char *text, *visibility, *in_reply_to, *key, *direct_to;
  guint tries;
  RtStreamRequest *req;
  guint timer;
} RtStreamSend;

static void send_start (RtStreamSend *s);

static void
send_free (RtStreamSend *s)
{
  if (s->req)
    rt_stream_request_cancel (s->sa, s->req);
  if (s->timer)
    purple_timeout_remove (s->timer);
  g_free (s->spec);
  g_free (s->arg);
  g_free (s->text);
  g_free (s->visibility);
  g_free (s->in_reply_to);
  g_free (s->key);
  g_free (s->direct_to);
  g_free (s);
}

static void
send_done (RtStreamSend *s)
{
  s->sa->sends = g_list_remove (s->sa->sends, s);
  send_free (s);
}

static RtStreamTimeline *
chat_timeline (RtStreamSend *s)
{
  return s->chat_id ? g_hash_table_lookup (s->sa->timelines, GINT_TO_POINTER (s->chat_id)) : NULL;
}

static void
report_error (RtStreamSend *s, const char *msg)
{
  RtStreamAccount *sa = s->sa;
  purple_debug_warning (RT_STREAM_DEBUG, "%s: post %s to %s failed: %s\n", sa->label, s->key, s->spec, msg);
  g_autofree char *esc = g_markup_escape_text (msg, -1);
  PurpleConversation *conv = s->chat_id ? purple_find_chat (sa->gc, s->chat_id)
    : s->direct_to ? purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, s->direct_to, sa->account)
    : NULL;
  if (conv != NULL)
    purple_conversation_write (conv, "", esc, PURPLE_MESSAGE_ERROR, time (NULL));
  rt_stream_signal_post_failed (sa, s->key, msg);
}

/* The server's "error" text of a JSON error body, or NULL. */
static char *
server_error (const RtStreamResponse *resp)
{
  g_autoptr(JsonParser) p = rt_json_load (resp->body, resp->len, "error", NULL);
  JsonNode *root = p ? json_parser_get_root (p) : NULL;
  const char *e = NULL;
  if (root && JSON_NODE_HOLDS_OBJECT (root)
      && rt_json_get_string (json_node_get_object (root), NULL, "error", RT_JSON_OPTIONAL, &e, NULL) && e)
    return g_utf8_make_valid (e, MIN (strlen (e), 300));
  return NULL;
}

static gboolean
is_temporary (RtStreamSend *s, const RtStreamResponse *resp)
{
  if (resp->result != CURLE_OK)
    {
      if (s->sa->service == RT_STREAM_SERVICE_MASTODON)
        return TRUE;
      return resp->result == CURLE_COULDNT_CONNECT || resp->result == CURLE_COULDNT_RESOLVE_HOST;
    }
  RtHttpClass cls = rt_http_classify (resp->status);
  if (cls == RT_HTTP_RATE_LIMITED)
    return TRUE;
  if (cls != RT_HTTP_RETRY)
    return FALSE;
  return s->sa->service == RT_STREAM_SERVICE_MASTODON || resp->status == 503;
}

static gboolean
retry_fired (gpointer data)
{
  RtStreamSend *s = data;
  s->timer = 0;
  send_start (s);
  return G_SOURCE_REMOVE;
}

static void
on_answer (RtStreamAccount *sa, const RtStreamResponse *resp, gpointer data)
{
  RtStreamSend *s = data;
  s->req = NULL;
  if (resp->result == CURLE_OK && resp->status >= 200 && resp->status < 300)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RtStreamPost) post = NULL;
      if (sa->service == RT_STREAM_SERVICE_MASTODON)
        post = rt_mastodon_status_from_json (resp->body, resp->len, sa->host, &error);
      else
        {
          g_autoptr(RtStreamPage) page = rt_viva_messages_from_json (resp->body, resp->len, &error);
          if (page && page->posts->len > 0)
            post = rt_stream_post_copy (page->posts->pdata[0]);
        }
      purple_debug_info (RT_STREAM_DEBUG, "%s: post %s to %s accepted (try %u): id %s\n", sa->label,
                         s->key, s->spec, s->tries, post ? post->id : "?");
      RtStreamTimeline *tl = chat_timeline (s);
      if (post && tl)
        rt_stream_timeline_own_post (tl, post);
      else if (post && sa->viva_feed && s->kind != RT_TL_DM)
        rt_stream_timeline_own_post (sa->viva_feed, post);  /* no chat: not read back either */
      rt_stream_signal_posted (sa, s->key, post ? post->id : NULL, post ? post->url : NULL);
      send_done (s);
      return;
    }
  if (resp->result == CURLE_OK && (resp->status == 401 || resp->status == 403))
    {
      g_autofree char *m = g_strdup_printf (_("The post could not be sent: the server refused the access "
                                              "token (HTTP %ld)."), resp->status);
      report_error (s, m);
      send_done (s);
      return;
    }
  g_autofree char *what = resp->result != CURLE_OK ? g_strdup (resp->error)
                        : g_strdup_printf ("HTTP %ld", resp->status);
  if (is_temporary (s, resp) && s->tries < MAX_TRIES)
    {
      gint64 delay = resp->status == 429 ? G_USEC_PER_SEC   /* the gate waits for Retry-After */
                   : rt_backoff_us (s->tries, RETRY_BASE_US, RETRY_CAP_US, 1.0);
      purple_debug_warning (RT_STREAM_DEBUG, "%s: post %s to %s: temporary failure (%s), try %u; retry in %"
                            G_GINT64_FORMAT " ms\n", sa->label, s->key, s->spec, what, s->tries, delay / 1000);
      s->timer = purple_timeout_add ((guint) (delay / 1000), retry_fired, s);
      return;
    }
  g_autofree char *detail = resp->result == CURLE_OK ? server_error (resp) : NULL;
  g_autofree char *msg = detail
    ? g_strdup_printf (_("The post could not be sent: the server answered %s (\"%s\")."), what, detail)
    : g_strdup_printf (_("The post could not be sent (%s)."), what);
  report_error (s, msg);
  send_done (s);
}

static void
form_add (GString *form, const char *key, const char *value)
{
  if (value == NULL)
    return;
  g_autofree char *v = g_uri_escape_string (value, NULL, FALSE);
  g_string_append_printf (form, "%s%s=%s", form->len ? "&" : "", key, v);
}

static void
send_start (RtStreamSend *s)
{
  RtStreamAccount *sa = s->sa;
  s->tries++;
  GString *form = g_string_new (NULL);
  g_autofree char *url = NULL;
  g_autofree char *key_header = NULL;
  if (sa->service == RT_STREAM_SERVICE_MASTODON)
    {
      url = rt_stream_account_url (sa, "/api/v1/statuses");
      form_add (form, "status", s->text);
      form_add (form, "visibility", s->visibility);
      form_add (form, "in_reply_to_id", s->in_reply_to);
      key_header = g_strconcat ("Idempotency-Key: ", s->key, NULL);
    }
  else
    {
      url = rt_stream_account_url (sa, "/api/v1/messages.json");
      form_add (form, "body", s->text);
      form_add (form, "group_id", s->kind == RT_TL_VIVA_GROUP ? s->arg : NULL);
      form_add (form, "replied_to_id", s->in_reply_to);
    }
  const char *headers[] = { "Content-Type: application/x-www-form-urlencoded", key_header, NULL };
  s->req = rt_stream_request (sa, "POST", url, form->str, headers, RT_STREAM_REQ_AUTH, on_answer, s);
  g_string_free (form, TRUE);
}

static gboolean
contains_tag (const char *text, const char *tag)
{
  g_autofree char *lower = g_utf8_strdown (text, -1);
  g_autofree char *needle = g_strconcat ("#", tag, NULL);
  for (const char *p = lower; (p = strstr (p, needle)) != NULL; p++)
    {
      const char *after = p + strlen (needle);
      if (!g_unichar_isalnum (g_utf8_get_char (after)) && *after != '_')
        return TRUE;
    }
  return FALSE;
}

gboolean
rt_stream_send (RtStreamAccount *sa, RtTimelineKind kind, const char *spec, const char *arg,
                int chat_id, const RtStreamPostArgs *args, char **why)
{
  g_autofree char *text = g_strstrip (g_strdup (args->text ? args->text : ""));
  if (kind == RT_TL_FEED || sa->service == RT_STREAM_SERVICE_FEED)
    {
      *why = g_strdup (_("Feeds are read-only: nothing typed here is posted anywhere."));
      return FALSE;
    }
  if (*text == '\0')
    {
      *why = g_strdup (_("Nothing to post: the text is empty."));
      return FALSE;
    }
  RtStreamSend *s = g_new0 (RtStreamSend, 1);
  s->sa = sa;
  s->kind = kind;
  s->spec = g_strdup (spec);
  s->arg = g_strdup (arg);
  s->chat_id = chat_id;
  s->visibility = g_strdup (args->visibility);
  s->in_reply_to = g_strdup (args->in_reply_to);
  s->key = args->key ? g_strdup (args->key) : g_uuid_string_random ();
  s->direct_to = g_strdup (args->direct_to);
  if (kind == RT_TL_TAG && arg && !contains_tag (text, arg))
    s->text = g_strconcat (text, " #", arg, NULL);
  else if (kind == RT_TL_DM && sa->service == RT_STREAM_SERVICE_MASTODON && args->direct_to
           && !g_str_has_prefix (text, "@"))
    s->text = g_strconcat ("@", args->direct_to, " ", text, NULL);
  else
    s->text = g_steal_pointer (&text);
  if (kind == RT_TL_DM && sa->service == RT_STREAM_SERVICE_MASTODON)
    {
      g_free (s->visibility);
      s->visibility = g_strdup ("direct");
    }
  if (s->visibility == NULL && sa->service == RT_STREAM_SERVICE_MASTODON)
    s->visibility = g_strdup (sa->default_visibility);
  sa->sends = g_list_append (sa->sends, s);
  send_start (s);
  return TRUE;
}

void
rt_stream_sends_stop (RtStreamAccount *sa)
{
  g_list_free_full (g_steal_pointer (&sa->sends), (GDestroyNotify) send_free);
}
