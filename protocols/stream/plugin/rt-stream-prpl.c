/* rt-stream-prpl.c: the "Roundtable Stream" protocol plugin: a Mastodon
 * compatible server, Viva Engage (Yammer) or a set of RSS/Atom feeds as a
 * libpurple account; timelines are chats, direct messages IMs. Thin layer:
 * settings, chats and the IPC here; sign-in in rt-stream-login.c, reading
 * in rt-stream-timeline.c (and rt-stream-live.c), posting in
 * rt-stream-send.c, HTTP and rate limits in rt-stream-request.c. */
#include "config.h"
#include "rt-prpl-util.h"
#include "rt-stream-account.h"
#include "rt-stream-login.h"
#include "rt-stream-timeline.h"
#include "rt-stream-send.h"
#include "rt-stream-signals.h"
#include "rt-stream-ipc.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <string.h>

static const char *
list_icon (PurpleAccount *account, PurpleBuddy *buddy)
{
  return "irc";
}

static GList *
status_types (PurpleAccount *account)
{
  GList *types = NULL;
  types = g_list_append (types, purple_status_type_new_full (PURPLE_STATUS_AVAILABLE, NULL, NULL,
                                                             TRUE, TRUE, FALSE));
  types = g_list_append (types, purple_status_type_new_full (PURPLE_STATUS_AWAY, NULL, NULL,
                                                             FALSE, FALSE, FALSE));
  types = g_list_append (types, purple_status_type_new_full (PURPLE_STATUS_OFFLINE, NULL, NULL,
                                                             TRUE, TRUE, FALSE));
  return types;
}

/* ---- login --------------------------------------------------------------- */

static GPtrArray *
split_urls (const char *s)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = g_regex_split_simple ("[\\s,]+", s ? s : "", 0, 0);
  for (char **p = parts; *p; p++)
    if (**p)
      g_ptr_array_add (out, g_strdup (*p));
  return out;
}

static gboolean
setup (RtStreamAccount *sa)
{
  PurpleAccount *account = sa->account;
  const char *service = purple_account_get_string (account, "service", "mastodon");
  sa->service = g_strcmp0 (service, "viva") == 0 ? RT_STREAM_SERVICE_VIVA
              : g_strcmp0 (service, "feed") == 0 ? RT_STREAM_SERVICE_FEED : RT_STREAM_SERVICE_MASTODON;
  sa->poll_interval = MAX (1, purple_account_get_int (account, "poll_interval", 60));
  sa->stream_timeout = MAX (1, purple_account_get_int (account, "stream_timeout", 60));
  sa->stream_retry = MAX (1, purple_account_get_int (account, "stream_retry", 30));
  const char *vis = purple_account_get_string (account, "default_visibility", "");
  if (vis && *vis && rt_stream_visibility_from_name (vis) != RT_STREAM_VISIBILITY_UNKNOWN)
    sa->default_visibility = g_strdup (vis);
  sa->feed_urls = split_urls (purple_account_get_string (account, "feed_urls", ""));

  if (sa->service == RT_STREAM_SERVICE_FEED)
    {
      if (sa->feed_urls->len == 0)
        {
          rt_stream_account_fail (sa, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
                                  _("Set at least one feed URL (account option \"Feed URLs\")."));
          return FALSE;
        }
      sa->loopback = TRUE;
      for (guint i = 0; i < sa->feed_urls->len; i++)
        {
          gboolean lo = FALSE;
          const char *url = sa->feed_urls->pdata[i];
          if (!rt_stream_url_allowed (url, &lo))
            {
              g_autofree char *msg = g_strdup_printf (_("The feed URL \"%s\" cannot be used: it must start with "
                                                        "https:// (http:// only for this machine)."), url);
              rt_stream_account_fail (sa, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS, msg);
              return FALSE;
            }
          if (!lo)
            sa->loopback = FALSE;
          else
            purple_debug_warning (RT_STREAM_DEBUG, "%s: feed %s on loopback (plain HTTP allowed)\n", sa->label, url);
        }
      sa->base_url = g_strdup ("");
      sa->host = g_strdup ("");
      return TRUE;
    }

  g_autofree char *server = g_strstrip (g_strdup (purple_account_get_string (account, "server_url", "")));
  while (g_str_has_suffix (server, "/"))
    server[strlen (server) - 1] = '\0';
  gboolean lo = FALSE;
  g_autoptr(GUri) uri = *server ? g_uri_parse (server, G_URI_FLAGS_NONE, NULL) : NULL;
  if (uri == NULL || !rt_stream_url_allowed (server, &lo)
      || (*g_uri_get_path (uri) != '\0' && strcmp (g_uri_get_path (uri), "/") != 0)
      || g_uri_get_query (uri) != NULL || g_uri_get_userinfo (uri) != NULL)
    {
      rt_stream_account_fail (sa, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
                              _("Set the server URL as https://host (http:// only for a server on this machine)."));
      return FALSE;
    }
  const char *token = purple_account_get_password (account);
  if (token == NULL || *token == '\0')
    {
      rt_stream_account_fail (sa, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
                              _("Set the access token as the account's password."));
      return FALSE;
    }
  if (lo && g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0)
    purple_debug_warning (RT_STREAM_DEBUG, "%s: plain HTTP to a server on loopback\n", sa->label);
  sa->loopback = lo;
  sa->base_url = g_steal_pointer (&server);
  /* Local accounts' handles are completed with the domain of our own
   * handle (alice@social.example), else the server's host name. */
  const char *at = strrchr (sa->label, '@');
  sa->host = sa->service == RT_STREAM_SERVICE_MASTODON && at && at[1] ? g_strdup (at + 1)
           : g_strdup (g_uri_get_host (uri));
  return TRUE;
}

static void
login (PurpleAccount *account)
{
  PurpleConnection *gc = purple_account_get_connection (account);
  RtStreamAccount *sa = g_new0 (RtStreamAccount, 1);
  sa->gc = gc;
  sa->account = account;
  sa->label = g_strdup (purple_account_get_username (account));
  sa->timelines = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                         (GDestroyNotify) rt_stream_timeline_free);
  sa->waiting = g_queue_new ();
  sa->viva_stamps = g_queue_new ();
  sa->next_chat_id = 1;
  purple_connection_set_protocol_data (gc, sa);
  gc->flags |= PURPLE_CONNECTION_NO_BGCOLOR | PURPLE_CONNECTION_NO_FONTSIZE | PURPLE_CONNECTION_NO_IMAGES;
  if (!setup (sa))
    return;
  purple_connection_update_progress (gc, _("Connecting"), 1, 3);
  sa->loop = rt_curl_loop_new ();
  rt_stream_login_start (sa);
}

static void
close_account (PurpleConnection *gc)
{
  RtStreamAccount *sa = purple_connection_get_protocol_data (gc);
  if (sa == NULL)
    return;
  purple_connection_set_protocol_data (gc, NULL);
  rt_stream_account_free (sa);
}

static RtStreamAccount *
connected_account (PurpleConnection *gc)
{
  RtStreamAccount *sa = gc ? purple_connection_get_protocol_data (gc) : NULL;
  return sa && sa->loop && PURPLE_CONNECTION_IS_CONNECTED (gc) ? sa : NULL;
}

/* ---- chats --------------------------------------------------------------- */

static GList *
chat_info (PurpleConnection *gc)
{
  GList *m = NULL;
  struct proto_chat_entry *pce = g_new0 (struct proto_chat_entry, 1);
  pce->label = _("_Timeline:");
  pce->identifier = "timeline";
  pce->required = TRUE;
  m = g_list_append (m, pce);
  pce = g_new0 (struct proto_chat_entry, 1);
  pce->label = _("_Visibility of posts (public, unlisted, private, direct; empty: the account's):");
  pce->identifier = "visibility";
  m = g_list_append (m, pce);
  return m;
}

static GHashTable *
chat_info_defaults (PurpleConnection *gc, const char *name)
{
  GHashTable *defaults = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  RtStreamAccount *sa = gc ? purple_connection_get_protocol_data (gc) : NULL;
  const char *fallback = sa == NULL || sa->service == RT_STREAM_SERVICE_MASTODON ? "home"
                       : sa->service == RT_STREAM_SERVICE_VIVA ? "feed" : "feed:1";
  g_hash_table_insert (defaults, "timeline", g_strdup (name && *name ? name : fallback));
  return defaults;
}

static char *
get_chat_name (GHashTable *components)
{
  const char *t = components ? g_hash_table_lookup (components, "timeline") : NULL;
  return g_strdup (t ? t : "");
}

static void
join_chat (PurpleConnection *gc, GHashTable *components)
{
  RtStreamAccount *sa = connected_account (gc);
  const char *spec = g_hash_table_lookup (components, "timeline");
  const char *vis = g_hash_table_lookup (components, "visibility");
  RtTimelineKind kind;
  g_autofree char *arg = NULL, *norm = NULL, *why = NULL;
  if (sa == NULL)
    return;
  if (!rt_stream_timeline_parse (sa, spec, &kind, &arg, &norm, &why))
    {
      purple_notify_error (gc, _("Join a timeline"), _("Unknown timeline"), why);
      purple_serv_got_join_chat_failed (gc, components);
      return;
    }
  if (vis && *vis && rt_stream_visibility_from_name (vis) == RT_STREAM_VISIBILITY_UNKNOWN)
    {
      purple_notify_error (gc, _("Join a timeline"), _("Unknown visibility"),
                           _("Use public, unlisted, private or direct (or leave it empty)."));
      purple_serv_got_join_chat_failed (gc, components);
      return;
    }
  RtStreamTimeline *tl = rt_stream_account_joined (sa, norm);
  if (tl != NULL)
    {
      purple_debug_info (RT_STREAM_DEBUG, "%s: %s already joined\n", sa->label, norm);
      return;
    }
  int id = sa->next_chat_id++;
  tl = rt_stream_timeline_new (sa, kind, norm, arg, id);
  tl->visibility = vis && *vis ? g_strdup (vis) : NULL;
  g_hash_table_insert (sa->timelines, GINT_TO_POINTER (id), tl);
  PurpleConversation *conv = serv_got_joined_chat (gc, id, norm);
  if (conv != NULL && sa->self_handle)
    purple_conv_chat_set_nick (PURPLE_CONV_CHAT (conv), sa->self_handle);
  rt_stream_timeline_start (tl);
}

static void
chat_leave (PurpleConnection *gc, int id)
{
  RtStreamAccount *sa = purple_connection_get_protocol_data (gc);
  if (sa != NULL)
    g_hash_table_remove (sa->timelines, GINT_TO_POINTER (id));
  serv_got_chat_left (gc, id);
}

static int
chat_send (PurpleConnection *gc, int id, const char *message, PurpleMessageFlags flags)
{
  RtStreamAccount *sa = connected_account (gc);
  RtStreamTimeline *tl = sa ? g_hash_table_lookup (sa->timelines, GINT_TO_POINTER (id)) : NULL;
  if (tl == NULL)
    return -ENOTCONN;
  g_autofree char *text = purple_markup_strip_html (message);
  RtStreamPostArgs args = {
    .text = text,
    .visibility = tl->visibility,
    .in_reply_to = rt_stream_timeline_reply_target (tl, text),
  };
  g_autofree char *why = NULL;
  if (!rt_stream_send (sa, tl->kind, tl->spec, tl->arg, id, &args, &why))
    {
      g_autofree char *esc = g_markup_escape_text (why, -1);
      PurpleConversation *conv = purple_find_chat (gc, id);
      if (conv)
        purple_conversation_write (conv, "", esc, PURPLE_MESSAGE_ERROR, time (NULL));
      return 0;   /* told in the chat; libpurple would add a vaguer line */
    }
  /* Shown as ours once the server accepted it (rt_stream_timeline_own_post). */
  return 0;
}

static int
send_im (PurpleConnection *gc, const char *who, const char *message, PurpleMessageFlags flags)
{
  RtStreamAccount *sa = connected_account (gc);
  if (sa == NULL || sa->dm == NULL)
    return -ENOTCONN;
  g_autofree char *text = purple_markup_strip_html (message);
  g_autofree char *key = g_ascii_strdown (who, -1);
  const char *last = g_hash_table_lookup (sa->dm->last_by_author, key);
  if (sa->service == RT_STREAM_SERVICE_VIVA && last == NULL)
    {
      PurpleConversation *conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, who, sa->account);
      if (conv)
        purple_conversation_write (conv, "", _("On Viva Engage a private message can only answer one "
                                               "received from this person."), PURPLE_MESSAGE_ERROR, time (NULL));
      return 0;
    }
  RtStreamPostArgs args = { .text = text, .in_reply_to = last, .direct_to = who };
  g_autofree char *why = NULL;
  if (!rt_stream_send (sa, RT_TL_DM, "dm", NULL, 0, &args, &why))
    return -EINVAL;
  return 1;
}

static PurplePluginProtocolInfo prpl_info = {
  .options = OPT_PROTO_CHAT_TOPIC | OPT_PROTO_PASSWORD_OPTIONAL,
  .icon_spec = NO_BUDDY_ICONS,
  .list_icon = list_icon,
  .status_types = status_types,
  .chat_info = chat_info,
  .chat_info_defaults = chat_info_defaults,
  .login = login,
  .close = close_account,
  .send_im = send_im,
  .join_chat = join_chat,
  .get_chat_name = get_chat_name,
  .chat_leave = chat_leave,
  .chat_send = chat_send,
  .struct_size = sizeof (PurplePluginProtocolInfo),
};

/* ---- IPC "post" (contract in rt-stream-ipc.h) ------------------------------ */

static gboolean
key_ok (const char *key)
{
  gsize n = key ? strlen (key) : 0;
  if (n == 0 || n > 64)
    return FALSE;
  for (const char *p = key; *p; p++)
    if (*p <= ' ' || *p >= 0x7f)
      return FALSE;
  return TRUE;
}

static gboolean
ipc_post (PurpleAccount *account, const char *timeline, GHashTable *fields, gpointer data)
{
  PurpleConnection *gc = account ? purple_account_get_connection (account) : NULL;
  RtStreamAccount *sa = account && g_strcmp0 (purple_account_get_protocol_id (account), RT_STREAM_PRPL_ID) == 0
                        ? connected_account (gc) : NULL;
  if (sa == NULL || timeline == NULL || fields == NULL)
    {
      purple_debug_warning (RT_STREAM_DEBUG, "post refused: no connected stream account\n");
      return FALSE;
    }
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, fields);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (v == NULL || !(g_str_equal (k, "text") || g_str_equal (k, "idempotency-key")
                       || g_str_equal (k, "visibility") || g_str_equal (k, "in-reply-to")))
      {
        purple_debug_warning (RT_STREAM_DEBUG, "post refused: bad field %s\n", (const char *) k);
        return FALSE;
      }
  const char *key = g_hash_table_lookup (fields, "idempotency-key");
  const char *vis = g_hash_table_lookup (fields, "visibility");
  const char *reply = g_hash_table_lookup (fields, "in-reply-to");
  if (!key_ok (key) || (vis && rt_stream_visibility_from_name (vis) == RT_STREAM_VISIBILITY_UNKNOWN)
      || (reply && (*reply == '\0' || strlen (reply) > 64 || strpbrk (reply, "&=?#/ ") != NULL)))
    {
      purple_debug_warning (RT_STREAM_DEBUG, "post refused: bad idempotency-key, visibility or in-reply-to\n");
      return FALSE;
    }
  RtTimelineKind kind;
  g_autofree char *arg = NULL, *norm = NULL, *why = NULL;
  if (!rt_stream_timeline_parse (sa, timeline, &kind, &arg, &norm, &why))
    {
      purple_debug_warning (RT_STREAM_DEBUG, "post refused: %s\n", why);
      return FALSE;
    }
  RtStreamTimeline *tl = rt_stream_account_joined (sa, norm);
  RtStreamPostArgs args = {
    .text = g_hash_table_lookup (fields, "text"),
    .visibility = vis ? vis : tl ? tl->visibility : NULL,
    .in_reply_to = reply,
    .key = key,
  };
  if (!rt_stream_send (sa, kind, norm, arg, tl ? tl->chat_id : 0, &args, &why))
    {
      purple_debug_warning (RT_STREAM_DEBUG, "post refused: %s\n", why);
      return FALSE;
    }
  return TRUE;
}

static gboolean
plugin_load (PurplePlugin *plugin)
{
  rt_prpl_ipc_register_send (plugin, RT_STREAM_IPC_POST, PURPLE_CALLBACK (ipc_post));
  rt_stream_signals_register (plugin);
  return TRUE;
}

static gboolean
plugin_unload (PurplePlugin *plugin)
{
  purple_plugin_ipc_unregister_all (plugin);
  rt_stream_signals_unregister (plugin);
  return TRUE;
}

static PurplePluginInfo info = {
  .magic = PURPLE_PLUGIN_MAGIC,
  .major_version = PURPLE_MAJOR_VERSION,
  .minor_version = PURPLE_MINOR_VERSION,
  .type = PURPLE_PLUGIN_PROTOCOL,
  .priority = PURPLE_PRIORITY_DEFAULT,
  .id = RT_STREAM_PRPL_ID,
  .name = "Roundtable Stream",
  .version = RT_VERSION,
  .author = "Roundtable developers",
  .homepage = "https://roundtable.invalid/",
  .load = plugin_load,
  .unload = plugin_unload,
  .extra_info = &prpl_info,
};


static void
init_plugin (PurplePlugin *plugin)
{
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  info.name = (char *) _("Roundtable Stream");
  info.summary = (char *) _("Social streams as an account: timelines are chats, direct messages IMs.");
  info.description = (char *) _("Reads Mastodon-compatible servers, Viva Engage (Yammer) and RSS/Atom feeds; "
                                "typing in a timeline posts there. The access token is the password.");
  GList *opts = NULL;
  opts = g_list_append (opts, rt_prpl_choice_option (_("Service"), "service",
                                             _("Mastodon-compatible server"), "mastodon",
                                             _("Viva Engage (Yammer)"), "viva",
                                             _("RSS and Atom feeds (read-only)"), "feed", NULL));
  opts = g_list_append (opts, purple_account_option_string_new (_("Server URL (https://…)"), "server_url", ""));
  opts = g_list_append (opts, purple_account_option_string_new (_("Feed URLs (separated by spaces)"),
                                                                "feed_urls", ""));
  opts = g_list_append (opts, purple_account_option_int_new (_("Poll interval (seconds)"), "poll_interval", 60));
  opts = g_list_append (opts, rt_prpl_choice_option (_("Visibility of posts"), "default_visibility",
                                             _("The server's default"), "",
                                             _("Public"), "public", _("Unlisted"), "unlisted",
                                             _("Followers only"), "private", NULL));
  opts = g_list_append (opts, purple_account_option_bool_new (_("Use streaming when the server offers it"),
                                                              "streaming", TRUE));
  opts = g_list_append (opts, purple_account_option_int_new (_("A silent stream is dropped after (seconds)"),
                                                             "stream_timeout", 60));
  opts = g_list_append (opts, purple_account_option_int_new (_("A dropped stream is retried after (seconds)"),
                                                             "stream_retry", 30));
  prpl_info.protocol_options = opts;
}

PURPLE_INIT_PLUGIN (roundtable_stream, init_plugin, info)
