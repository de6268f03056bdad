/* rt-bridge.c: lines said in linked rooms and IMs sent to the hub become
 * workspace messages. Incoming text is libpurple markup from a foreign
 * source: it is turned into plain text here and escaped again on the way out. */
#include "rt-glue.h"
#include "rt-clock.h"

static PurpleAccount *
link_account (const RtLink *link)
{
  return purple_accounts_find (link->account, link->protocol);
}

PurpleConversation *
rt_bridge_link_conversation (const RtLink *link)
{
  PurpleAccount *account = link_account (link);
  if (account == NULL || !purple_account_is_connected (account))
    return NULL;
  PurpleConversation *conv =
    purple_find_conversation_with_account (PURPLE_CONV_TYPE_CHAT, link->room, account);
  if (conv == NULL || purple_conv_chat_has_left (PURPLE_CONV_CHAT (conv)))
    return NULL;
  return conv;
}

/* The local part of an address: "alice@site-a.test/x" -> "alice". */
static gboolean
nick_matches_address (const char *nick, const char *address)
{
  const char *at = strchr (address, '@');
  gsize len = at != NULL ? (gsize) (at - address) : strlen (address);
  return strlen (nick) == len && g_ascii_strncasecmp (nick, address, len) == 0;
}

static gboolean
same_name (const char *a, const char *b)
{
  g_autofree char *fa = g_utf8_casefold (a, -1);
  g_autofree char *fb = g_utf8_casefold (b, -1);
  return g_strcmp0 (fa, fb) == 0;
}

const RtMember *
rt_bridge_member_for_nick (gint64 ws_id, const char *nick)
{
  RtGlue *glue = rt_glue ();
  GPtrArray *members = rt_store_members (glue->store, ws_id);
  for (guint i = 0; i < members->len; i++)
    {
      const RtMember *m = g_ptr_array_index (members, i);
      if (same_name (nick, m->handle) || (m->name != NULL && same_name (nick, m->name)))
        return m;
      for (guint e = 0; e < m->endpoints->len; e++)
        {
          const RtEndpoint *ep = g_ptr_array_index (m->endpoints, e);
          /* IM endpoints only: a mail address's local part ("info",
           * "j.smith") says little about a room nick. */
          if (rt_endpoint_protocol (ep) != NULL && nick_matches_address (nick, ep->address))
            return m;
        }
    }
  return NULL;
}

gboolean
rt_bridge_is_stream_link (const RtLink *link)
{
  return g_strcmp0 (link->protocol, RT_STREAM_ACCOUNT_PROTOCOL) == 0;
}

gboolean
rt_bridge_accept (RtMessage *msg, GError **error)
{
  return rt_bridge_accept_full (msg, NULL, error);
}

gboolean
rt_bridge_accept_full (RtMessage *msg, const RtMessageExtras *extras, GError **error)
{
  RtGlue *glue = rt_glue ();
  if (!rt_hub_accept_full (glue->store, &glue->world, &glue->policy, msg, extras, error))
    return FALSE;
  rt_held_notice (msg);
  rt_pump_kick ();
  rt_digester_note_message ();   /* items kept, mentions waiting */
  return TRUE;
}

static char *
plain_text (const char *markup)
{
  /* Strips tags, turns <br> into newlines and decodes entities. */
  g_autofree char *text = purple_markup_strip_html (markup);
  return g_strdup (g_strstrip (text));
}

static void
accept_chat_line (PurpleAccount *account, const char *who, const char *message,
                  PurpleConversation *conv)
{
  RtGlue *glue = rt_glue ();
  g_autoptr(RtLink) link = rt_store_link_find (glue->store, purple_account_get_protocol_id (account),
                                               purple_account_get_username (account),
                                               purple_conversation_get_name (conv));
  /* A link with direction out only takes nothing in. */
  if (link == NULL || who == NULL || !(link->direction & RT_DIRECTION_IN))
    return;

  g_autofree char *text = plain_text (message);
  if (*text == '\0')
    return;
  g_autoptr(RtMessage) msg = rt_message_new ();
  const RtMember *author = rt_bridge_member_for_nick (link->ws_id, who);
  msg->ws_id = link->ws_id;
  msg->source_link = link->id;
  msg->author_member = author != NULL ? author->id : 0;
  msg->author_label = author != NULL ? rt_member_label (author) : rt_guest_label (who);
  msg->text = g_steal_pointer (&text);
  msg->created_us = rt_clock_now ();

  g_autoptr(GError) error = NULL;
  if (!rt_bridge_accept (msg, &error) && error != NULL)
    purple_debug_error (RT_DEBUG_CAT, "line from %s not accepted: %s\n",
                        purple_conversation_get_name (conv), error->message);
}

static void
on_chat_msg (PurpleAccount *account, const char *who, const char *message,
             PurpleConversation *conv, PurpleMessageFlags flags, gpointer data)
{
  /* Our own lines come back from the room (no echo), history replayed on
   * join was handled before (no duplicate), system lines are not speech. */
  if (flags & (PURPLE_MESSAGE_SEND | PURPLE_MESSAGE_DELAYED | PURPLE_MESSAGE_SYSTEM))
    return;
  /* Posts in stream timelines come in through the stream plugin's
   * "roundtable-stream-post" signal, with ids and handles (rt-stream-in.c):
   * never a second time as chat lines. */
  if (g_strcmp0 (purple_account_get_protocol_id (account), RT_STREAM_ACCOUNT_PROTOCOL) == 0)
    return;
  accept_chat_line (account, who, message, conv);
}

/* A line the hub's own user typed in a linked room (Pidgin or Finch). The
 * pump sends with serv_chat_send, which does not emit this signal, so bridged
 * lines never come back here. */
static void
on_sent_chat_msg (PurpleAccount *account, const char *message, int id, gpointer data)
{
  PurpleConnection *gc = purple_account_get_connection (account);
  PurpleConversation *conv = gc != NULL ? purple_find_chat (gc, id) : NULL;
  if (conv != NULL)
    accept_chat_line (account, purple_conv_chat_get_nick (PURPLE_CONV_CHAT (conv)), message, conv);
}

/* A mail (an IM on a Roundtable Mail account) speaks for a member only
 * through an email endpoint, and only into a workspace whose mailbox is that
 * account: drop the members of other workspaces. Mail the mailbox sent to
 * itself is never a member's. */
static void
keep_mailbox_members (GPtrArray *members, PurpleAccount *account, const char *address)
{
  RtGlue *glue = rt_glue ();
  const char *mailbox = purple_account_get_username (account);
  for (guint i = members->len; i-- > 0;)
    {
      const RtMember *m = g_ptr_array_index (members, i);
      g_autoptr(RtWorkspace) ws = rt_store_workspace_get (glue->store, m->ws_id);
      if (ws == NULL || ws->mailbox == NULL || g_ascii_strcasecmp (ws->mailbox, mailbox) != 0
          || g_ascii_strcasecmp (address, mailbox) == 0)
        g_ptr_array_remove_index (members, i);   /* keeps the order of the rest */
    }
}

static void
on_im_msg (PurpleAccount *account, const char *who, const char *message,
           PurpleConversation *conv, PurpleMessageFlags flags, gpointer data)
{
  RtGlue *glue = rt_glue ();
  if (flags & (PURPLE_MESSAGE_SEND | PURPLE_MESSAGE_AUTO_RESP | PURPLE_MESSAGE_SYSTEM))
    return;
  gboolean mail = g_strcmp0 (purple_account_get_protocol_id (account), RT_MAIL_ACCOUNT_PROTOCOL) == 0;
  /* rt-mail-in.c decides about every mail (tokens, replies, bounces) and
   * takes what is a workspace's; what it leaves is nobody's. */
  if (mail && rt_mail_in_active ())
    return;
  const char *scheme = mail ? RT_EMAIL_SCHEME
                            : rt_presence_scheme_for_protocol (purple_account_get_protocol_id (account));
  g_autofree char *address = g_strdup (purple_normalize (account, who));
  g_autoptr(GPtrArray) members = rt_store_members_by_endpoint (glue->store, scheme, address);
  if (mail)
    keep_mailbox_members (members, account, address);
  if (members->len == 0)
    {
      /* Left alone: the mail or IM stays a normal conversation. */
      purple_debug_info (RT_DEBUG_CAT, "%s from %s: not a member, ignored\n", mail ? "mail" : "IM", address);
      return;
    }
  g_autofree char *text = plain_text (message);
  if (*text == '\0')
    return;
  /* A spokesperson deciding about a held message, by IM. */
  if (!mail && rt_im_command (account, address, members, text))
    return;

  /* A person in several workspaces speaks into the one that last reached
   * them by IM (the store orders members that way). */
  const RtMember *author = g_ptr_array_index (members, 0);
  g_autoptr(RtMessage) msg = rt_message_new ();
  msg->ws_id = author->ws_id;
  msg->author_member = author->id;
  msg->author_label = rt_member_label (author);
  msg->text = g_steal_pointer (&text);
  msg->created_us = rt_clock_now ();

  g_autoptr(GError) error = NULL;
  if (!rt_bridge_accept (msg, &error) && error != NULL)
    purple_debug_error (RT_DEBUG_CAT, "IM from %s not accepted: %s\n", address, error->message);
}

/* Join a room by name through the protocol's own defaults (nick etc.), so
 * every protocol with chats works. */
static void
join_room (PurpleConnection *gc, const char *room)
{
  PurplePluginProtocolInfo *prpl = PURPLE_PLUGIN_PROTOCOL_INFO (purple_connection_get_prpl (gc));
  if (prpl->chat_info_defaults == NULL)
    return;
  GHashTable *components = prpl->chat_info_defaults (gc, room);
  serv_join_chat (gc, components);
  g_hash_table_destroy (components);
}

void
rt_bridge_join_links (PurpleAccount *account)
{
  RtGlue *glue = rt_glue ();
  PurpleConnection *gc = purple_account_get_connection (account);
  if (gc == NULL)
    return;
  g_autoptr(GPtrArray) links = rt_store_links (glue->store, 0);
  for (guint i = 0; i < links->len; i++)
    {
      const RtLink *link = g_ptr_array_index (links, i);
      if (link_account (link) != account || rt_bridge_link_conversation (link) != NULL)
        continue;
      purple_debug_info (RT_DEBUG_CAT, "joining linked room %s\n", link->room);
      join_room (gc, link->room);
    }
}

static void
on_chat_joined (PurpleConversation *conv, gpointer data)
{
  rt_pump_kick ();
}

void
rt_bridge_connect (PurplePlugin *plugin)
{
  void *conversations = purple_conversations_get_handle ();
  purple_signal_connect (conversations, "received-chat-msg", plugin,
                         PURPLE_CALLBACK (on_chat_msg), NULL);
  purple_signal_connect (conversations, "sent-chat-msg", plugin,
                         PURPLE_CALLBACK (on_sent_chat_msg), NULL);
  purple_signal_connect (conversations, "received-im-msg", plugin,
                         PURPLE_CALLBACK (on_im_msg), NULL);
  purple_signal_connect (conversations, "chat-joined", plugin,
                         PURPLE_CALLBACK (on_chat_joined), NULL);
}
