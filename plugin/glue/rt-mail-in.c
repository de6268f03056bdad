/* rt-mail-in.c: mail to a workspace's mailbox flows into the workspace.
 * Listens to the mail plugin's "roundtable-mail-received" signal
 * (protocols/mail/plugin/rt-mail-ipc.h); the decisions are the core's
 * (rt-mailin.[ch]); this file posts, records and answers. A mail this
 * handler takes is never shown as an IM, so rt-bridge.c leaves mail alone
 * while it is connected (rt_mail_in_active). docs/mail-replies.md, Wiring. */
#include "rt-glue.h"
#include "rt-clock.h"
#include "rt-mailin.h"
#include "rt-token.h"
#include "../../protocols/mail/plugin/rt-mail-ipc.h"

static PurplePlugin *core_plugin;
static gboolean connected;

gboolean
rt_mail_in_active (void)
{
  return connected;
}

/* Appends the strings of a NULL-terminated list (may be NULL). */
static void
add_all (GPtrArray *out, const char *const *list)
{
  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    g_ptr_array_add (out, (gpointer) list[i]);
}

static const char *
domain_of (const char *address)
{
  const char *at = strrchr (address, '@');
  return at != NULL ? at + 1 : "localhost";
}

/* A short answer (an explanation, the outcome of a command), sent as an
 * automatic reply (RFC 3834) so the other side's responders stay quiet. */
static void
send_answer (PurpleAccount *account, const RtMailReceived *mail, const char *subject, const char *text)
{
  RtGlue *glue = rt_glue ();
  const char *mailbox = purple_account_get_username (account);
  PurplePlugin *plugin = purple_plugins_find_with_id (RT_MAIL_IPC_PLUGIN_ID);
  if (plugin == NULL || !purple_account_is_connected (account))
    return;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *message_id = g_strdup_printf ("explain.%s@%s", uuid, domain_of (mailbox));
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (fields, "subject", (gpointer) subject);
  g_hash_table_insert (fields, "text", (gpointer) text);
  g_hash_table_insert (fields, "message-id", message_id);
  g_hash_table_insert (fields, "auto-submitted", "auto-replied");
  if (mail->message_id != NULL)
    g_hash_table_insert (fields, "in-reply-to", (gpointer) mail->message_id);
  gboolean ok = FALSE;
  gboolean accepted = GPOINTER_TO_INT (purple_plugin_ipc_call (plugin, RT_MAIL_IPC_SEND_MAIL, &ok, account,
                                                                mail->from_address, fields));
  if (!ok || !accepted)
    {
      /* Retried once without threading: their Message-ID may be odd. */
      g_hash_table_remove (fields, "in-reply-to");
      accepted = GPOINTER_TO_INT (purple_plugin_ipc_call (plugin, RT_MAIL_IPC_SEND_MAIL, &ok, account,
                                                           mail->from_address, fields));
    }
  purple_debug_info (RT_DEBUG_CAT, "answer to %s %s\n", mail->from_address,
                     ok && accepted ? "queued" : "refused by the mail plugin");
  g_autoptr(GError) error = NULL;
  g_autofree char *bracketed = g_strdup_printf ("<%s>", message_id);   /* as mail_out keeps ids */
  if (ok && accepted && !rt_store_mail_out_add (glue->store, bracketed, "explain", 0, 0, 0, &error))
    purple_debug_warning (RT_DEBUG_CAT, "answer not recorded: %s\n", error->message);
}

static void
send_explanation (PurpleAccount *account, const RtMailReceived *mail)
{
  g_autofree char *subject = rt_mailin_explain_subject ();
  g_autofree char *text = rt_mailin_explain_text (account != NULL ? purple_account_get_username (account) : "");
  send_answer (account, mail, subject, text);
}

/* A member's mail whose first line is /ws held, /ws approve ID or /ws
 * reject ID [reason] (a spokesperson answering a held-message notice from
 * their mailbox): done with the member's roles and answered by mail, never
 * posted. FALSE if it is no such command. */
static gboolean
mail_command (PurpleAccount *account, const RtMailReceived *mail, const RtMember *member)
{
  g_autofree char *first = g_strdup (mail->new_text != NULL ? mail->new_text : "");
  g_strstrip (first);
  char *end = strchr (first, '\n');
  if (end != NULL)
    *end = '\0';
  g_strstrip (first);
  g_autoptr(GPtrArray) members = g_ptr_array_new ();
  g_ptr_array_add (members, (gpointer) member);
  g_autofree char *reply = rt_member_command (members, first);
  if (reply == NULL)
    return FALSE;
  const char *subject = mail->subject != NULL && *mail->subject != '\0' ? mail->subject : "/ws";
  g_autofree char *re = g_ascii_strncasecmp (subject, "re:", 3) == 0 ? g_strdup (subject)
                                                                      : g_strconcat ("Re: ", subject, NULL);
  purple_debug_info (RT_DEBUG_CAT, "command by mail from %s\n", mail->from_address);
  send_answer (account, mail, re, reply);
  return TRUE;
}

/* Posts text as the member (or as the hub's notice when member is NULL);
 * origin "mail:KEY" makes a second post of the same mail a duplicate even
 * if the hub stopped before mail_in was written. Returns the message id,
 * 0 for a duplicate or an error. */
static gint64
post (const RtMember *member, gint64 ws_id, const char *label, const char *text, gint64 thread_id,
      const char *key)
{
  g_autoptr(RtMessage) msg = rt_message_new ();
  msg->ws_id = ws_id;
  msg->author_member = member != NULL ? member->id : 0;
  msg->author_label = g_strdup (label);
  msg->text = g_strstrip (g_strdup (text));
  msg->origin = g_strconcat ("mail:", key, NULL);
  msg->thread_id = thread_id;
  msg->created_us = rt_clock_now ();
  g_autoptr(GError) error = NULL;
  if (!rt_bridge_accept (msg, &error))
    {
      if (error != NULL)
        purple_debug_error (RT_DEBUG_CAT, "mail not accepted: %s\n", error->message);
      return 0;
    }
  return msg->id;
}

static char *
member_label (const RtMember *m, gint64 thread_id)
{
  g_autofree char *label = rt_member_label (m);
  g_autoptr(RtMessage) parent = thread_id != 0 ? rt_store_message_get (rt_glue ()->store, thread_id) : NULL;
  return parent != NULL ? rt_mailin_thread_label (label, parent->author_label) : g_steal_pointer (&label);
}

static void
act (PurpleAccount *account, const RtMailReceived *mail, const RtMailinDecision *d, const char *key)
{
  RtStore *store = rt_glue ()->store;
  const char *mailbox = purple_account_get_username (account);
  gint64 msg_id = 0;
  const char *explain_to = NULL;
  const char *why = d->why;
  g_autoptr(GError) error = NULL;

  switch (d->action)
    {
    case RT_MAILIN_POST:
      {
        g_autoptr(RtMember) m = rt_store_member_get (store, d->member_id);
        if (m == NULL)
          return;
        if (mail_command (account, mail, m))
          {
            why = "command";
            break;
          }
        g_autofree char *label = member_label (m, d->thread_id);
        msg_id = post (m, d->ws_id, label, mail->new_text, d->thread_id, key);
        rt_store_mailin_set_failing (store, mailbox, mail->from_address, NULL, NULL);
        break;
      }
    case RT_MAILIN_UNSUBSCRIBE:
      {
        g_autoptr(RtMember) m = rt_store_member_get (store, d->member_id);
        gboolean changed = FALSE;
        if (m == NULL || !rt_store_mailin_unsubscribe (store, m->id, &changed, &error))
          break;
        rt_store_mailin_set_failing (store, mailbox, mail->from_address, NULL, NULL);
        if (changed)
          {
            g_autofree char *who = rt_member_label (m);
            g_autofree char *text = g_strdup_printf (_("%s unsubscribed from email digests (by mail)."), who);
            msg_id = post (NULL, d->ws_id, _("Roundtable"), text, 0, key);
          }
        break;
      }
    case RT_MAILIN_BOUNCE:
      if (mail->bounce_recipient != NULL)
        {
          gint n = rt_store_mailin_set_failing (store, mailbox, mail->bounce_recipient,
                                                mail->bounce_status != NULL ? mail->bounce_status
                                                                            : _("the mail bounced"), &error);
          purple_debug_info (RT_DEBUG_CAT, "bounce for %s: %d email endpoint(s) marked failing\n",
                             mail->bounce_recipient, n);
        }
      break;
    case RT_MAILIN_REFUSE:
      explain_to = d->explain ? mail->from_address : NULL;
      break;
    default:
      break;
    }
  if (error != NULL)
    purple_debug_error (RT_DEBUG_CAT, "mail from %s: %s\n", mail->from_address ? mail->from_address : "?",
                        error->message);
  g_clear_error (&error);

  gboolean explain = FALSE;
  if (!rt_store_mailin_record (store, key, d->ws_id, msg_id, d->thread_id, why, explain_to, &explain, &error))
    purple_debug_error (RT_DEBUG_CAT, "mail outcome not recorded: %s\n", error->message);
  if (explain)
    send_explanation (account, mail);
}

static gboolean
on_received (PurpleAccount *account, const RtMailReceived *mail, gpointer data)
{
  RtGlue *glue = rt_glue ();
  if (glue == NULL || mail == NULL || !RT_MAIL_RECEIVED_HAS (mail, new_text))
    return FALSE;
  g_autoptr(GPtrArray) recipients = g_ptr_array_new ();
  add_all (recipients, mail->to);
  add_all (recipients, mail->cc);
  add_all (recipients, mail->delivered_to);
  g_ptr_array_add (recipients, NULL);
  RtMailinMail in = {
    .mailbox = purple_account_get_username (account),
    .from_address = mail->from_address,
    .return_path = mail->return_path,
    .recipients = (const char *const *) recipients->pdata,
    .message_id = mail->message_id,
    .in_reply_to = mail->in_reply_to,
    .references = mail->references,
    .kind = mail->auto_kind == RT_MAIL_RECEIVED_BOUNCE ? RT_MAILIN_BOUNCED
          : mail->auto_kind == RT_MAIL_RECEIVED_AUTO_REPLY ? RT_MAILIN_AUTOMATIC : RT_MAILIN_HUMAN,
    .bounce_recipient = mail->bounce_recipient,
    .bounce_status = mail->bounce_status,
    .new_text = mail->new_text,
    .subject = mail->subject,
    .date_us = mail->date_us,
  };
  guint8 *key = NULL;
  gsize key_len = 0;
  g_autoptr(GError) error = NULL;
  if (!rt_store_token_key (glue->store, &key, &key_len, &error))
    {
      purple_debug_error (RT_DEBUG_CAT, "reply-token key: %s\n", error->message);
      return FALSE;
    }
  g_autofree char *mail_key = rt_mailin_key (&in, mail->text);
  RtMailinDecision d;
  rt_mailin_decide (glue->store, key, key_len, mail_key, &in, &d);
  explicit_bzero (key, key_len);
  g_free (key);
  /* why never holds the token; the sender's address is no secret. */
  purple_debug_info (RT_DEBUG_CAT, "mail %s from %s to %s: %s\n", mail->message_id ? mail->message_id : "(no id)",
                     mail->from_address ? mail->from_address : "?", in.mailbox, d.why);
  if (d.action == RT_MAILIN_NOT_OURS)
    return FALSE;
  if (d.action != RT_MAILIN_DUPLICATE)
    act (account, mail, &d, mail_key);
  return TRUE;
}

static void
connect_mail_plugin (PurplePlugin *mail)
{
  if (connected || core_plugin == NULL || mail == NULL || !purple_plugin_is_loaded (mail))
    return;
  connected = purple_signal_connect (mail, RT_MAIL_SIGNAL_RECEIVED, core_plugin,
                                     PURPLE_CALLBACK (on_received), NULL) != 0;
  purple_debug_info (RT_DEBUG_CAT, "mail replies: %s\n", connected ? "listening" : "mail plugin has no signal");
}

static void
on_plugin_load (PurplePlugin *plugin, gpointer data)
{
  if (g_strcmp0 (purple_plugin_get_id (plugin), RT_MAIL_IPC_PLUGIN_ID) == 0)
    connect_mail_plugin (plugin);
}

static void
on_plugin_unload (PurplePlugin *plugin, gpointer data)
{
  /* Its signals go with it, and so does our handler. */
  if (g_strcmp0 (purple_plugin_get_id (plugin), RT_MAIL_IPC_PLUGIN_ID) == 0)
    connected = FALSE;
}

void
rt_mail_in_connect (PurplePlugin *plugin)
{
  core_plugin = plugin;
  /* The mail plugin usually loaded first (protocol plugins load at
   * start-up); if not, it is caught when it does. */
  purple_signal_connect (purple_plugins_get_handle (), "plugin-load", plugin,
                         PURPLE_CALLBACK (on_plugin_load), NULL);
  purple_signal_connect (purple_plugins_get_handle (), "plugin-unload", plugin,
                         PURPLE_CALLBACK (on_plugin_unload), NULL);
  connect_mail_plugin (purple_plugins_find_with_id (RT_MAIL_IPC_PLUGIN_ID));
}

void
rt_mail_in_disconnect (void)
{
  PurplePlugin *mail = purple_plugins_find_with_id (RT_MAIL_IPC_PLUGIN_ID);
  if (connected && mail != NULL && core_plugin != NULL)
    purple_signal_disconnect (mail, RT_MAIL_SIGNAL_RECEIVED, core_plugin, PURPLE_CALLBACK (on_received));
  connected = FALSE;
  core_plugin = NULL;
}
