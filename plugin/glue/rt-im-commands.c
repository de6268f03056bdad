/* rt-im-commands.c: the held-message commands a member sends to the hub in
 * an IM ("/ws held", "/ws approve 12", "/ws reject 12 off message"), or as
 * the first line of a mail to their reply address (rt-mail-in.c).
 * Spokespersons and owners are rarely at the hub's own client: they decide
 * from wherever they are, with the roles of their member record in the held
 * message's workspace, and get the answer back the same way. The leading slash may
 * be left out for these three, since many clients take "/..." as their own
 * command; any other "/ws ..." gets a short explanation instead of being
 * posted into the workspace. */
#include "rt-glue.h"
#include "rt-args.h"
#include "rt-error.h"

typedef struct {
  char *protocol;
  char *username;
  char *to;
  char *text;
  guint source;
} Reply;

static GList *replies;   /* Reply*: answers not sent yet (cancelled at unload) */

static void
reply_free (Reply *r)
{
  g_free (r->protocol);
  g_free (r->username);
  g_free (r->to);
  g_free (r->text);
  g_free (r);
}

void
rt_im_commands_cancel (void)
{
  for (GList *l = replies; l != NULL; l = l->next)
    {
      Reply *r = l->data;
      purple_timeout_remove (r->source);
      reply_free (r);
    }
  g_clear_pointer (&replies, g_list_free);
}

/* Sent from the main loop, not from inside the protocol's receive path; the
 * account is looked up again, it may have gone meanwhile. */
static gboolean
send_reply (gpointer data)
{
  Reply *r = data;
  PurpleAccount *account = purple_accounts_find (r->username, r->protocol);
  PurpleConnection *gc = account != NULL ? purple_account_get_connection (account) : NULL;
  if (gc != NULL && purple_account_is_connected (account))
    {
      g_autofree char *html = g_markup_escape_text (r->text, -1);
      g_autofree char *markup = purple_strreplace (html, "\n", "<br>");
      /* prpl-jabber looks the conversation up while sending (rt-pump.c). */
      PurpleConversation *conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, r->to, account);
      if (conv == NULL)
        conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, account, r->to);
      if (serv_send_im (gc, r->to, markup, 0) >= 0)
        purple_conv_im_write (PURPLE_CONV_IM (conv), NULL, markup, PURPLE_MESSAGE_SEND, time (NULL));
      else
        purple_debug_error (RT_DEBUG_CAT, "answer to %s not sent\n", r->to);
    }
  else
    purple_debug_error (RT_DEBUG_CAT, "answer to %s not sent: account offline\n", r->to);
  replies = g_list_remove (replies, r);
  reply_free (r);
  return FALSE;
}

static void
answer (PurpleAccount *account, const char *to, const char *text)
{
  Reply *r = g_new0 (Reply, 1);
  r->protocol = g_strdup (purple_account_get_protocol_id (account));
  r->username = g_strdup (purple_account_get_username (account));
  r->to = g_strdup (to);
  r->text = g_strdup (text);
  r->source = purple_timeout_add (0, send_reply, r);
  replies = g_list_prepend (replies, r);
}

/* The sender's member record in ws_id, or NULL. */
static const RtMember *
member_in (const GPtrArray *members, gint64 ws_id)
{
  for (guint i = 0; i < members->len; i++)
    {
      const RtMember *m = g_ptr_array_index (members, i);
      if (m->ws_id == ws_id)
        return m;
    }
  return NULL;
}

/* Every workspace the sender is a member of, each once. */
static char *
held_text (const GPtrArray *members)
{
  RtStore *store = rt_glue ()->store;
  GString *out = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < members->len; i++)
    {
      const RtMember *m = g_ptr_array_index (members, i);
      if (!g_hash_table_add (seen, g_memdup2 (&m->ws_id, sizeof m->ws_id)))
        continue;
      g_autoptr(RtWorkspace) ws = rt_store_workspace_get (store, m->ws_id);
      if (ws == NULL)
        continue;
      g_autofree char *part = rt_cmd_held_text (ws);
      if (out->len > 0)
        g_string_append (out, "\n\n");
      g_string_append (out, part);
    }
  return g_string_free (out, FALSE);
}

static char *
decide (const GPtrArray *members, char **argv, RtHeldAction action, GError **error)
{
  gint64 id = 0;
  if (!rt_cmd_held_usage (argv, action, &id, error))
    return NULL;
  g_autoptr(RtMessage) msg = rt_cmd_held_message (id, error);
  if (msg == NULL)
    return NULL;
  const RtMember *m = member_in (members, msg->ws_id);
  if (m == NULL)
    {
      /* Another workspace's message: not even whether it exists. */
      g_autofree char *num = g_strdup_printf ("%" G_GINT64_FORMAT, id);
      g_set_error (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("There is no held message #%s."), num);
      return NULL;
    }
  g_autofree char *reason = argv[0] != NULL && argv[1] != NULL ? g_strjoinv (" ", argv + 1) : NULL;
  return rt_cmd_held_decide (id, action, m->handle, m->roles, reason, error);
}

char *
rt_member_command (const GPtrArray *members, const char *text)
{
  gboolean slash = text[0] == '/';
  const char *line = slash ? text + 1 : text;
  if (g_ascii_strncasecmp (line, "ws", 2) != 0 || (line[2] != '\0' && !g_ascii_isspace (line[2])))
    return NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = rt_args_split (line + 2, &error);
  const char *cmd = argv != NULL ? argv[0] : NULL;
  gboolean held = cmd != NULL && g_ascii_strcasecmp (cmd, "held") == 0;
  gboolean approve = cmd != NULL && g_ascii_strcasecmp (cmd, "approve") == 0;
  gboolean reject = cmd != NULL && g_ascii_strcasecmp (cmd, "reject") == 0;
  gboolean known = held || approve || reject;
  if (!known && !slash)
    return NULL;   /* "ws" was just a word */

  char *reply = NULL;
  if (argv == NULL)
    reply = g_strdup (error->message);
  else if (!known)
    reply = g_strdup (_("Sent to the hub by IM or mail, only /ws held, /ws approve ID and /ws reject ID "
                        "[reason] work; the other /ws commands are for the hub's own client."));
  else if (held)
    reply = held_text (members);
  else
    {
      reply = decide (members, argv + 1, approve ? RT_HELD_APPROVE : RT_HELD_REJECT, &error);
      if (reply == NULL)
        reply = g_strdup (error != NULL ? error->message : _("The command failed."));
    }
  return reply;
}

gboolean
rt_im_command (PurpleAccount *account, const char *address, const GPtrArray *members,
               const char *text)
{
  g_autofree char *reply = rt_member_command (members, text);
  if (reply == NULL)
    return FALSE;
  purple_debug_info (RT_DEBUG_CAT, "command by IM from %s\n", address);
  answer (account, address, reply);
  return TRUE;
}
