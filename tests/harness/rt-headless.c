/* rt-headless.c: a headless libpurple host for the integration tests, the
 * benchmarks and the demo seeding. It follows libpurple's nullclient: GLib
 * event loop ops, a private user dir, the plugin search path added before
 * purple_core_init, criticals fatal.
 *
 * Usage: rt-headless USERDIR PLUGINDIR
 * Reads tab-separated commands on stdin, one per line:
 *   account USER PASSWORD PROTOCOL [key=value ...]   add (or reuse) and enable
 *                                 (remember_password=true keeps the password)
 *   account-off USER                                 disable the account: it
 *                                                    signs off (as the user
 *                                                    unticking it); "account"
 *                                                    enables it again; emits
 *                                                    {"ev":"account-off",...}
 *   join USER ROOM                                   join a chat by name
 *   cmd USER CONV TEXT                               run a /command in CONV
 *                                                    (a joined chat, else an IM)
 *   say USER ROOM TEXT                               type a line in a joined chat
 *   im USER WHO TEXT                                 send TEXT as an IM to WHO (as
 *                                                    typed in an IM window)
 *   ipc-mail USER TO [key=value ...]                 call the mail plugin's IPC
 *                                                    "send-mail" (rt-mail-ipc.h)
 *                                                    with these fields (values
 *                                                    unescaped by g_strcompress:
 *                                                    \n, \t, \\); emits
 *                                                    {"ev":"ipc-mail","accepted":
 *                                                    "true"|"false","ok":...}
 *   ipc-post USER TIMELINE [key=value ...]         call the stream plugin's IPC
 *                                                    "post" (rt-stream-ipc.h); emits
 *                                                    {"ev":"ipc-post","accepted":...}
 *                                                    Its signals are reported as
 *                                                    {"ev":"stream-posted",...},
 *                                                    {"ev":"stream-post-failed",...},
 *                                                    {"ev":"stream-post",...}
 *   pref int|bool|string|pathlist PATH VALUE
 *   action LABEL [field=value ...]                   run a plugin action, answering
 *                                                    its dialogs with these values
 *   stall                                            print and reset max stall
 *   quit
 * Env RT_EXTRA_PLUGIN_DIRS: more plugin dirs (':'-separated), searched after
 * PLUGINDIR (e.g. build/protocols/mail for protocol plugins).
 * Writes one JSON object per line on stdout: {"ev":"...", ...}. Passwords are
 * never printed. */
#include <purple.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

/* RT_HEADLESS_UI_ID=gnt-purple prepares a user dir for Finch (accounts are enabled
 * per UI id). */
static const char *ui_id = "roundtable-headless";

static GMainLoop *loop;
/* Answers for the next dialogs (field id -> value), set by "action". */
static GHashTable *answers;
static gboolean verbose;
static gint64 stall_last, stall_max;

/* ---- output ------------------------------------------------------------ */

static void
json_str (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* emit ("write", "conv", name, "msg", text, NULL): string fields only. */
static void
emit (const char *ev, ...)
{
  GString *out = g_string_new ("{\"ev\":");
  json_str (out, ev);
  va_list ap;
  va_start (ap, ev);
  for (const char *key; (key = va_arg (ap, const char *)) != NULL;)
    {
      g_string_append_c (out, ',');
      json_str (out, key);
      g_string_append_c (out, ':');
      json_str (out, va_arg (ap, const char *));
    }
  va_end (ap);
  g_string_append (out, "}\n");
  fwrite (out->str, 1, out->len, stdout);
  fflush (stdout);
  g_string_free (out, TRUE);
}

/* ---- event loop (as nullclient) ---------------------------------------- */

#define READ_COND  (G_IO_IN | G_IO_HUP | G_IO_ERR)
#define WRITE_COND (G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL)

typedef struct {
  PurpleInputFunction function;
  gpointer data;
} IoClosure;

static gboolean
io_invoke (GIOChannel *source, GIOCondition condition, gpointer data)
{
  IoClosure *closure = data;
  int cond = 0;
  if (condition & READ_COND)
    cond |= PURPLE_INPUT_READ;
  if (condition & WRITE_COND)
    cond |= PURPLE_INPUT_WRITE;
  closure->function (closure->data, g_io_channel_unix_get_fd (source), cond);
  return TRUE;
}

static guint
glib_input_add (gint fd, PurpleInputCondition condition, PurpleInputFunction function, gpointer data)
{
  IoClosure *closure = g_new0 (IoClosure, 1);
  GIOCondition cond = 0;
  closure->function = function;
  closure->data = data;
  if (condition & PURPLE_INPUT_READ)
    cond |= READ_COND;
  if (condition & PURPLE_INPUT_WRITE)
    cond |= WRITE_COND;
  GIOChannel *channel = g_io_channel_unix_new (fd);
  guint id = g_io_add_watch_full (channel, G_PRIORITY_DEFAULT, cond, io_invoke, closure, g_free);
  g_io_channel_unref (channel);
  return id;
}

static PurpleEventLoopUiOps eventloop_ops = {
  .timeout_add = g_timeout_add,
  .timeout_remove = g_source_remove,
  .input_add = glib_input_add,
  .input_remove = g_source_remove,
  .timeout_add_seconds = g_timeout_add_seconds,
};

/* ---- UI ops ------------------------------------------------------------ */

static void
write_conv (PurpleConversation *conv, const char *who, const char *alias,
            const char *message, PurpleMessageFlags flags, time_t mtime)
{
  const char *kind = (flags & PURPLE_MESSAGE_ERROR) ? "error"
                   : (flags & PURPLE_MESSAGE_SYSTEM) ? "system" : NULL;
  if (kind == NULL && !verbose)
    return;
  g_autofree char *plain = purple_markup_strip_html (message);
  emit ("write", "kind", kind ? kind : "msg", "conv", purple_conversation_get_name (conv),
        "who", who ? who : "", "msg", plain, "html", message, NULL);
}

static PurpleConversationUiOps conv_ops = {
  .write_conv = write_conv,
};

/* Requests are answered with their default so nothing waits for a person;
 * each is reported so a test notices an unexpected one. */
static void *
request_action (const char *title, const char *primary, const char *secondary,
                int default_action, PurpleAccount *account, const char *who,
                PurpleConversation *conv, void *user_data, size_t action_count, va_list actions)
{
  emit ("request", "title", title ? title : "", "primary", primary ? primary : "", NULL);
  for (size_t i = 0; i < action_count; i++)
    {
      (void) va_arg (actions, const char *);
      GCallback cb = va_arg (actions, GCallback);
      if ((int) i == default_action && cb != NULL)
        ((PurpleRequestActionCb) cb) (user_data, default_action);
    }
  return NULL;
}

static void *
request_fields (const char *title, const char *primary, const char *secondary,
                PurpleRequestFields *fields, const char *ok_text, GCallback ok_cb,
                const char *cancel_text, GCallback cancel_cb, PurpleAccount *account,
                const char *who, PurpleConversation *conv, void *user_data)
{
  emit ("request", "title", title ? title : "", "primary", primary ? primary : "", NULL);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, answers);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      /* Answers may cover several dialogs: skip ids this one lacks. */
      if (!purple_request_fields_exists (fields, key))
        continue;
      PurpleRequestField *field = purple_request_fields_get_field (fields, key);
      switch (purple_request_field_get_type (field))
        {
        case PURPLE_REQUEST_FIELD_STRING:
          purple_request_field_string_set_value (field, value);
          break;
        case PURPLE_REQUEST_FIELD_BOOLEAN:
          purple_request_field_bool_set_value (field, g_str_equal (value, "true"));
          break;
        case PURPLE_REQUEST_FIELD_CHOICE:
          purple_request_field_choice_set_value (field, atoi (value));
          break;
        default:
          break;
        }
    }
  if (ok_cb != NULL)
    ((PurpleRequestFieldsCb) ok_cb) (user_data, fields);
  purple_request_fields_destroy (fields);
  return NULL;
}

static void *
request_input (const char *title, const char *primary, const char *secondary,
               const char *default_value, gboolean multiline, gboolean masked, gchar *hint,
               const char *ok_text, GCallback ok_cb, const char *cancel_text, GCallback cancel_cb,
               PurpleAccount *account, const char *who, PurpleConversation *conv, void *user_data)
{
  emit ("request", "title", title ? title : "", "primary", primary ? primary : "", NULL);
  const char *value = g_hash_table_lookup (answers, "input");
  if (value != NULL && ok_cb != NULL)
    ((PurpleRequestInputCb) ok_cb) (user_data, value);
  else if (cancel_cb != NULL)
    ((PurpleRequestInputCb) cancel_cb) (user_data, default_value);
  return NULL;
}

static PurpleRequestUiOps request_ops = {
  .request_input = request_input,
  .request_action = request_action,
  .request_fields = request_fields,
};

static void *
notify_message (PurpleNotifyMsgType type, const char *title, const char *primary, const char *secondary)
{
  emit ("notify", "primary", primary ? primary : "", "secondary", secondary ? secondary : "", NULL);
  return NULL;
}

static PurpleNotifyUiOps notify_ops = {
  .notify_message = notify_message,
};

/* Debug output goes to stderr, so stdout stays one JSON event per line. */
static void
debug_print (PurpleDebugLevel level, const char *category, const char *arg_s)
{
  gint64 now = g_get_real_time ();
  fprintf (stderr, "%02d:%02d.%03d %s: %s", (int) (now / 60000000 % 60), (int) (now / 1000000 % 60),
           (int) (now / 1000 % 1000), category ? category : "-", arg_s);
}

static gboolean
debug_enabled (PurpleDebugLevel level, const char *category)
{
  return TRUE;
}

static PurpleDebugUiOps debug_ops = {
  .print = debug_print,
  .is_enabled = debug_enabled,
};

static void
ui_init (void)
{
  purple_conversations_set_ui_ops (&conv_ops);
  purple_request_set_ui_ops (&request_ops);
  purple_notify_set_ui_ops (&notify_ops);
}

static PurpleCoreUiOps core_ops = {
  .ui_init = ui_init,
};

/* ---- signals ----------------------------------------------------------- */

static void
on_signed_on (PurpleConnection *gc, gpointer data)
{
  emit ("signed-on", "account", purple_account_get_username (purple_connection_get_account (gc)), NULL);
}

static void
on_connection_error (PurpleConnection *gc, PurpleConnectionError err, const char *desc, gpointer data)
{
  emit ("connection-error", "account", purple_account_get_username (purple_connection_get_account (gc)),
        "reason", desc ? desc : "", NULL);
}

static void
on_chat_joined (PurpleConversation *conv, gpointer data)
{
  emit ("chat-joined", "account", purple_account_get_username (purple_conversation_get_account (conv)),
        "room", purple_conversation_get_name (conv), NULL);
}

static void
on_buddy_status (PurpleBuddy *buddy, gpointer data)
{
  PurplePresence *p = purple_buddy_get_presence (buddy);
  emit ("buddy", "name", purple_buddy_get_name (buddy),
        "online", purple_presence_is_online (p) ? "1" : "0",
        "available", purple_presence_is_available (p) ? "1" : "0", NULL);
}

static void
on_buddy_changed (PurpleBuddy *buddy, PurpleStatus *old, PurpleStatus *status, gpointer data)
{
  on_buddy_status (buddy, data);
}

/* ---- commands ---------------------------------------------------------- */

static void
cmd_account (char **f, guint n)
{
  if (n < 4)
    {
      emit ("error", "msg", "account USER PASSWORD PROTOCOL [key=value...]", NULL);
      return;
    }
  PurpleAccount *account = purple_accounts_find (f[1], f[3]);
  if (account == NULL)
    {
      account = purple_account_new (f[1], f[3]);
      purple_accounts_add (account);
    }
  purple_account_set_remember_password (account, FALSE);
  purple_account_set_password (account, f[2]);
  for (guint i = 4; i < n; i++)
    {
      g_auto(GStrv) kv = g_strsplit (f[i], "=", 2);
      if (kv[1] == NULL)
        continue;
      if (g_str_equal (kv[0], "remember_password"))
        {
          purple_account_set_remember_password (account, g_str_equal (kv[1], "true"));
          continue;
        }
      char *end = NULL;
      long v = strtol (kv[1], &end, 10);
      if (g_str_equal (kv[1], "true") || g_str_equal (kv[1], "false"))
        purple_account_set_bool (account, kv[0], g_str_equal (kv[1], "true"));
      else if (end != kv[1] && *end == '\0')
        purple_account_set_int (account, kv[0], (int) v);
      else
        purple_account_set_string (account, kv[0], kv[1]);
    }
  purple_account_set_enabled (account, ui_id, TRUE);
  if (!purple_account_is_connected (account) && !purple_account_is_connecting (account))
    purple_account_connect (account);
}

static PurpleAccount *
find_account (const char *user)
{
  for (GList *l = purple_accounts_get_all (); l; l = l->next)
    if (g_str_equal (purple_account_get_username (l->data), user))
      return l->data;
  emit ("error", "msg", "no such account", "account", user, NULL);
  return NULL;
}

/* account-off USER: disabled for this UI, so libpurple disconnects it now
 * (the protocol's close runs before this returns). */
static void
cmd_account_off (char **f, guint n)
{
  PurpleAccount *account = n >= 2 ? find_account (f[1]) : NULL;
  if (account == NULL)
    return;
  purple_account_set_enabled (account, ui_id, FALSE);
  emit ("account-off", "account", purple_account_get_username (account),
        "connected", purple_account_is_connected (account) ? "1" : "0", NULL);
}

static void
cmd_join (char **f, guint n)
{
  PurpleAccount *account = n >= 3 ? find_account (f[1]) : NULL;
  PurpleConnection *gc = account ? purple_account_get_connection (account) : NULL;
  if (gc == NULL)
    {
      emit ("error", "msg", "join: account not connected", NULL);
      return;
    }
  PurpleConversation *conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_CHAT, f[2], account);
  if (conv != NULL && !purple_conv_chat_has_left (PURPLE_CONV_CHAT (conv)))
    {
      on_chat_joined (conv, NULL);   /* already there (the plugin joins linked rooms) */
      return;
    }
  PurplePluginProtocolInfo *prpl = PURPLE_PLUGIN_PROTOCOL_INFO (purple_connection_get_prpl (gc));
  GHashTable *components = prpl->chat_info_defaults (gc, f[2]);
  serv_join_chat (gc, components);
  g_hash_table_destroy (components);
}

static void
cmd_cmd (char **f, guint n)
{
  PurpleAccount *account = n >= 4 ? find_account (f[1]) : NULL;
  if (account == NULL)
    return;
  PurpleConversation *conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_CHAT, f[2], account);
  if (conv == NULL)
    conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, f[2], account);
  if (conv == NULL)
    conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, account, f[2]);
  const char *text = f[3][0] == '/' ? f[3] + 1 : f[3];
  char *error = NULL;
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  PurpleCmdStatus status = purple_cmd_do_command (conv, text, escaped, &error);
  g_autofree char *code = g_strdup_printf ("%d", status);
  emit ("cmd-done", "status", code, "error", error ? error : "", NULL);
  g_free (error);
}

/* action LABEL [field=value ...]: run a plugin action of Roundtable; its
 * dialogs are answered with the given field values. */
static void
cmd_action (char **f, guint n)
{
  PurplePlugin *plugin = purple_plugins_find_with_id ("core-roundtable");
  g_hash_table_remove_all (answers);
  for (guint i = 2; i < n; i++)
    {
      g_auto(GStrv) kv = g_strsplit (f[i], "=", 2);
      if (kv[1] != NULL)
        g_hash_table_replace (answers, g_strdup (kv[0]), g_strdup (kv[1]));
    }
  gboolean found = FALSE;
  if (n >= 2 && plugin != NULL && PURPLE_PLUGIN_HAS_ACTIONS (plugin))
    {
      GList *actions = PURPLE_PLUGIN_ACTIONS (plugin, NULL);
      for (GList *l = actions; l != NULL; l = l->next)
        {
          PurplePluginAction *action = l->data;
          action->plugin = plugin;
          if (!found && g_str_equal (action->label, f[1]))
            {
              found = TRUE;
              action->callback (action);
            }
          purple_plugin_action_free (action);
        }
      g_list_free (actions);
    }
  g_hash_table_remove_all (answers);
  emit ("action-done", "found", found ? "1" : "0", NULL);
}

/* say USER ROOM TEXT: the local user types a line in a joined chat. */
static void
cmd_say (char **f, guint n)
{
  PurpleAccount *account = n >= 4 ? find_account (f[1]) : NULL;
  PurpleConversation *conv = account ? purple_find_conversation_with_account (PURPLE_CONV_TYPE_CHAT, f[2], account) : NULL;
  if (conv == NULL)
    {
      emit ("error", "msg", "say: no such chat", NULL);
      return;
    }
  g_autofree char *markup = g_markup_escape_text (f[3], -1);
  purple_conv_chat_send (PURPLE_CONV_CHAT (conv), markup);
  emit ("said", NULL);
}

/* im USER WHO TEXT: the local user types TEXT in an IM window with WHO. */
static void
cmd_im (char **f, guint n)
{
  PurpleAccount *account = n >= 4 ? find_account (f[1]) : NULL;
  if (account == NULL || !purple_account_is_connected (account))
    {
      emit ("error", "msg", "im: account not connected", NULL);
      return;
    }
  PurpleConversation *conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, f[2], account);
  if (conv == NULL)
    conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, account, f[2]);
  g_autofree char *markup = g_markup_escape_text (f[3], -1);
  purple_conv_im_send (PURPLE_CONV_IM (conv), markup);
  emit ("im-sent", "who", f[2], NULL);
}

/* ipc-mail USER TO key=value...: purple_plugin_ipc_call on the mail
 * plugin's "send-mail" (BOOLEAN__POINTER_POINTER_POINTER: account, to,
 * GHashTable of strings). */
static void
cmd_ipc_mail (char **f, guint n)
{
  PurpleAccount *account = n >= 3 ? find_account (f[1]) : NULL;
  PurplePlugin *plugin = purple_plugins_find_with_id ("prpl-roundtable-mail");
  if (account == NULL || plugin == NULL)
    {
      emit ("error", "msg", "ipc-mail: no account or no mail plugin", NULL);
      return;
    }
  g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 3; i < n; i++)
    {
      const char *eq = strchr (f[i], '=');
      if (eq == NULL)
        continue;
      g_hash_table_replace (fields, g_strndup (f[i], eq - f[i]), g_strcompress (eq + 1));
    }
  gboolean ok = FALSE;
  gboolean accepted = GPOINTER_TO_INT (purple_plugin_ipc_call (plugin, "send-mail", &ok, account, f[2], fields));
  emit ("ipc-mail", "accepted", ok && accepted ? "true" : "false", "ok", ok ? "true" : "false", NULL);
}

/* ipc-post USER TIMELINE key=value...: purple_plugin_ipc_call on the stream
 * plugin's "post" (BOOLEAN__POINTER_POINTER_POINTER: account, timeline,
 * GHashTable of strings). */
static void
cmd_ipc_post (char **f, guint n)
{
  PurpleAccount *account = n >= 3 ? find_account (f[1]) : NULL;
  PurplePlugin *plugin = purple_plugins_find_with_id ("prpl-roundtable-stream");
  if (account == NULL || plugin == NULL)
    {
      emit ("error", "msg", "ipc-post: no account or no stream plugin", NULL);
      return;
    }
  g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 3; i < n; i++)
    {
      const char *eq = strchr (f[i], '=');
      if (eq != NULL)
        g_hash_table_replace (fields, g_strndup (f[i], eq - f[i]), g_strcompress (eq + 1));
    }
  gboolean ok = FALSE;
  gboolean accepted = GPOINTER_TO_INT (purple_plugin_ipc_call (plugin, "post", &ok, account, f[2], fields));
  emit ("ipc-post", "accepted", ok && accepted ? "true" : "false", "ok", ok ? "true" : "false", NULL);
}

/* The stream plugin's signals (rt-stream-ipc.h); only the fields of
 * RtStreamPostRead that need no stream core header are reported. */
typedef struct {
  gsize struct_size;
  guint version;
  PurpleAccount *account;
  const char *service, *timeline;
  gboolean is_dm;
  const char *chat_name;
  const void *post;
  const char *markup;
} HarnessPostRead;

static void
on_stream_post (PurpleAccount *account, const HarnessPostRead *read, gpointer data)
{
  emit ("stream-post", "account", purple_account_get_username (account), "service", read->service,
        "timeline", read->timeline, "dm", read->is_dm ? "1" : "0", "html", read->markup, NULL);
}

static void
on_stream_posted (PurpleAccount *account, const char *key, const char *id, const char *url, gpointer data)
{
  emit ("stream-posted", "account", purple_account_get_username (account), "key", key,
        "id", id ? id : "", NULL);
}

static void
on_stream_post_failed (PurpleAccount *account, const char *key, const char *error, gpointer data)
{
  emit ("stream-post-failed", "account", purple_account_get_username (account), "key", key,
        "error", error ? error : "", NULL);
}

static void
cmd_pref (char **f, guint n)
{
  if (n < 4)
    return;
  /* Setting a pref whose parent does not exist yet silently does nothing
   * (e.g. /finch/... before Finch ever ran): add the parents first. */
  for (char *slash = strchr (f[2] + 1, '/'); slash != NULL; slash = strchr (slash + 1, '/'))
    {
      g_autofree char *parent = g_strndup (f[2], slash - f[2]);
      if (!purple_prefs_exists (parent))
        purple_prefs_add_none (parent);
    }
  if (g_str_equal (f[1], "int"))
    purple_prefs_set_int (f[2], atoi (f[3]));
  else if (g_str_equal (f[1], "pathlist"))
    {
      GList *list = g_list_append (NULL, f[3]);
      purple_prefs_set_path_list (f[2], list);
      g_list_free (list);
    }
  else if (g_str_equal (f[1], "bool"))
    purple_prefs_set_bool (f[2], g_str_equal (f[3], "true"));
  else
    purple_prefs_set_string (f[2], f[3]);
  emit ("pref-done", "path", f[2], NULL);
}

static gboolean
on_stdin (GIOChannel *source, GIOCondition cond, gpointer data)
{
  g_autofree char *line = NULL;
  gsize len = 0;
  GIOStatus st = g_io_channel_read_line (source, &line, &len, NULL, NULL);
  if (st == G_IO_STATUS_EOF || st == G_IO_STATUS_ERROR)
    {
      g_main_loop_quit (loop);
      return FALSE;
    }
  if (line == NULL)
    return TRUE;
  g_strchomp (line);
  g_auto(GStrv) f = g_strsplit (line, "\t", -1);
  guint n = g_strv_length (f);
  if (n == 0)
    return TRUE;
  if (g_str_equal (f[0], "account"))
    cmd_account (f, n);
  else if (g_str_equal (f[0], "account-off"))
    cmd_account_off (f, n);
  else if (g_str_equal (f[0], "join"))
    cmd_join (f, n);
  else if (g_str_equal (f[0], "cmd"))
    cmd_cmd (f, n);
  else if (g_str_equal (f[0], "pref"))
    cmd_pref (f, n);
  else if (g_str_equal (f[0], "say"))
    cmd_say (f, n);
  else if (g_str_equal (f[0], "action"))
    cmd_action (f, n);
  else if (g_str_equal (f[0], "im"))
    cmd_im (f, n);
  else if (g_str_equal (f[0], "ipc-mail"))
    cmd_ipc_mail (f, n);
  else if (g_str_equal (f[0], "ipc-post"))
    cmd_ipc_post (f, n);
  else if (g_str_equal (f[0], "stall"))
    {
      g_autofree char *us = g_strdup_printf ("%" G_GINT64_FORMAT, stall_max);
      emit ("stall", "max_us", us, NULL);
      stall_max = 0;
    }
  else if (g_str_equal (f[0], "quit"))
    g_main_loop_quit (loop);
  else
    emit ("error", "msg", "unknown command", "cmd", f[0], NULL);
  return TRUE;
}

/* A 1 ms heartbeat: the longest gap beyond its period is the longest time
 * the event loop was blocked. */
static gboolean
stall_probe (gpointer data)
{
  gint64 now = g_get_monotonic_time ();
  if (stall_last != 0 && now - stall_last - 1000 > stall_max)
    stall_max = now - stall_last - 1000;
  stall_last = now;
  return TRUE;
}

static void
fatal_criticals (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
}

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: %s USERDIR PLUGINDIR\n", argv[0]);
      return 2;
    }
  fatal_criticals ();
  answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  verbose = g_getenv ("RT_HEADLESS_VERBOSE") != NULL;
  loop = g_main_loop_new (NULL, FALSE);

  purple_util_set_user_dir (argv[1]);
  purple_debug_set_enabled (g_getenv ("RT_DEBUG") != NULL);
  purple_core_set_ui_ops (&core_ops);
  purple_debug_set_ui_ops (&debug_ops);
  purple_eventloop_set_ui_ops (&eventloop_ops);
  /* libpurple never looks in USERDIR/plugins by itself; the build dir must
   * come first so an installed copy cannot shadow it. */
  purple_plugins_add_search_path (argv[2]);
  const char *extra = g_getenv ("RT_EXTRA_PLUGIN_DIRS");
  if (extra != NULL)
    {
      g_auto(GStrv) dirs = g_strsplit (extra, ":", -1);
      for (char **d = dirs; *d; d++)
        if (**d != '\0')
          purple_plugins_add_search_path (*d);
    }

  if (g_getenv ("RT_HEADLESS_UI_ID") != NULL)
    ui_id = g_getenv ("RT_HEADLESS_UI_ID");
  if (!purple_core_init (ui_id))
    {
      fprintf (stderr, "libpurple initialization failed\n");
      return 1;
    }
  purple_set_blist (purple_blist_new ());
  purple_blist_load ();
  purple_prefs_load ();

  PurplePlugin *plugin = purple_plugins_find_with_id ("core-roundtable");
  if (plugin == NULL)
    {
      emit ("fatal", "msg", "plugin core-roundtable not found", NULL);
      return 1;
    }
  emit ("plugin", "path", plugin->path, "name", plugin->info->name, NULL);
  if (!purple_plugin_load (plugin))
    {
      emit ("fatal", "msg", "plugin failed to load", "error", plugin->error ? plugin->error : "", NULL);
      return 1;
    }

  /* Protocol plugins found in the extra dirs, so a test can check which file
   * was loaded (an installed copy must not shadow the build). */
  if (extra != NULL)
    for (GList *l = purple_plugins_get_protocols (); l != NULL; l = l->next)
      {
        PurplePlugin *prpl = l->data;
        g_autofree char *dir = prpl->path ? g_path_get_dirname (prpl->path) : NULL;
        g_auto(GStrv) dirs = g_strsplit (extra, ":", -1);
        if (dir != NULL && g_strv_contains ((const char *const *) dirs, dir))
          emit ("protocol", "id", prpl->info->id, "path", prpl->path, NULL);
      }

  void *handle = &loop;
  purple_signal_connect (purple_connections_get_handle (), "signed-on", handle,
                         PURPLE_CALLBACK (on_signed_on), NULL);
  purple_signal_connect (purple_connections_get_handle (), "connection-error", handle,
                         PURPLE_CALLBACK (on_connection_error), NULL);
  purple_signal_connect (purple_conversations_get_handle (), "chat-joined", handle,
                         PURPLE_CALLBACK (on_chat_joined), NULL);
  purple_signal_connect (purple_blist_get_handle (), "buddy-signed-on", handle,
                         PURPLE_CALLBACK (on_buddy_status), NULL);
  purple_signal_connect (purple_blist_get_handle (), "buddy-signed-off", handle,
                         PURPLE_CALLBACK (on_buddy_status), NULL);
  purple_signal_connect (purple_blist_get_handle (), "buddy-status-changed", handle,
                         PURPLE_CALLBACK (on_buddy_changed), NULL);

  PurplePlugin *stream = purple_plugins_find_with_id ("prpl-roundtable-stream");
  if (stream != NULL && purple_plugin_load (stream))
    {
      purple_signal_connect (stream, "roundtable-stream-post", handle, PURPLE_CALLBACK (on_stream_post), NULL);
      purple_signal_connect (stream, "roundtable-stream-posted", handle, PURPLE_CALLBACK (on_stream_posted), NULL);
      purple_signal_connect (stream, "roundtable-stream-post-failed", handle,
                             PURPLE_CALLBACK (on_stream_post_failed), NULL);
    }

  purple_savedstatus_activate (purple_savedstatus_new (NULL, PURPLE_STATUS_AVAILABLE));

  if (g_getenv ("RT_STALL_PROBE") != NULL)
    g_timeout_add (1, stall_probe, NULL);
  GIOChannel *in = g_io_channel_unix_new (STDIN_FILENO);
  g_io_add_watch (in, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, NULL);
  emit ("ready", NULL);
  g_main_loop_run (loop);

  purple_plugin_unload (plugin);
  /* libpurple 2.14's own tear-down of a connected XMPP account raises one
   * CRITICAL (purple_notify_close_with_handle with a NULL handle, before our
   * code is involved: the plugin is unloaded by then). Keep it visible on
   * stderr but let the tear-down finish, so accounts.xml is saved. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  purple_core_quit ();
  emit ("bye", NULL);
  return 0;
}
