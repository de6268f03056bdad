/* rt-mailer.c: workspace messages out by mail, through the plugin IPC
 * "send-mail" of "Roundtable Mail" (protocols/mail/plugin/rt-mail-ipc.h),
 * from the workspace's mailbox account. The core builds the content
 * (rt-mailout.c); this file only finds the account and makes the call. */
#include "rt-glue.h"
#include "rt-mailout.h"
#include "rt-digest-run.h"
#include "../../protocols/mail/plugin/rt-mail-ipc.h"

PurpleAccount *
rt_mailer_account (const char *username)
{
  if (username == NULL || *username == '\0')
    return NULL;
  return purple_accounts_find (username, RT_MAIL_ACCOUNT_PROTOCOL);
}

RtMailerResult
rt_mailer_send (const RtWorkspace *ws, const RtMessage *msg, const char *to, const char *message_id,
                const char **why)
{
  if (ws->mailbox == NULL || *ws->mailbox == '\0')
    {
      *why = "workspace has no mailbox";
      return RT_MAILER_NO_ROUTE;
    }
  /* The mailbox mailing itself would read its own mail back as a message. */
  if (g_ascii_strcasecmp (to, ws->mailbox) == 0)
    {
      *why = "address is the workspace's own mailbox";
      return RT_MAILER_NO_ROUTE;
    }
  PurpleAccount *account = rt_mailer_account (ws->mailbox);
  PurplePlugin *plugin = purple_plugins_find_with_id (RT_MAIL_IPC_PLUGIN_ID);
  if (account == NULL || plugin == NULL || !purple_plugin_is_loaded (plugin))
    {
      *why = account == NULL ? "mailbox account missing" : "mail plugin not loaded";
      return RT_MAILER_WAIT;
    }
  if (!purple_account_is_connected (account))
    {
      *why = "mailbox account offline";
      return RT_MAILER_WAIT;
    }

  g_autoptr(RtMailOut) mail = rt_mailout_new (ws, msg);
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (fields, "subject", mail->subject);
  g_hash_table_insert (fields, "text", mail->text);
  g_hash_table_insert (fields, "html", mail->html);
  g_hash_table_insert (fields, "list-id", mail->list_id);
  /* Asks vacation responders and the like not to answer (RFC 3834). */
  g_hash_table_insert (fields, "auto-submitted", "auto-generated");
  /* Stable: a delivery sent again has the same id; a reply's In-Reply-To
   * finds it in mail_out. */
  g_hash_table_insert (fields, "message-id", (gpointer) message_id);

  gboolean ok = FALSE;
  gboolean accepted = GPOINTER_TO_INT (purple_plugin_ipc_call (plugin, RT_MAIL_IPC_SEND_MAIL, &ok,
                                                                account, to, fields));
  if (!ok || !accepted)
    {
      *why = ok ? "send-mail refused the mail" : "send-mail IPC call failed";
      return RT_MAILER_REFUSED;
    }
  return RT_MAILER_QUEUED;
}

/* A mailbox account ready to send: it exists, is connected, and the mail
 * plugin is loaded. */
gboolean
rt_mailer_ready (PurpleAccount *account)
{
  PurplePlugin *plugin = purple_plugins_find_with_id (RT_MAIL_IPC_PLUGIN_ID);
  return account != NULL && plugin != NULL && purple_plugin_is_loaded (plugin)
         && purple_account_is_connected (account);
}

RtMailerResult
rt_mailer_send_rich (PurpleAccount *account, const char *to, const RtDigestMail *mail,
                     const char **why)
{
  PurplePlugin *plugin = purple_plugins_find_with_id (RT_MAIL_IPC_PLUGIN_ID);
  if (!rt_mailer_ready (account))
    {
      *why = "mailbox account offline or mail plugin not loaded";
      return RT_MAILER_WAIT;
    }
  if (g_ascii_strcasecmp (to, purple_account_get_username (account)) == 0)
    {
      *why = "address is the mailbox itself";
      return RT_MAILER_NO_ROUTE;
    }
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (fields, "subject", mail->subject);
  g_hash_table_insert (fields, "text", mail->text);
  if (mail->html != NULL)
    g_hash_table_insert (fields, "html", mail->html);
  g_hash_table_insert (fields, "reply-to", mail->reply_to);
  g_hash_table_insert (fields, "list-id", mail->list_id);
  g_hash_table_insert (fields, "list-unsubscribe", mail->list_unsubscribe);
  g_hash_table_insert (fields, "auto-submitted", "auto-generated");
  /* Stable: the same digest slot or mention always has the same id, so a
   * reply's In-Reply-To finds it in mail_out. */
  g_hash_table_insert (fields, "message-id", mail->message_id);

  gboolean ok = FALSE;
  gboolean accepted = GPOINTER_TO_INT (purple_plugin_ipc_call (plugin, RT_MAIL_IPC_SEND_MAIL, &ok,
                                                                account, to, fields));
  if (!ok || !accepted)
    {
      *why = ok ? "send-mail refused the mail" : "send-mail IPC call failed";
      return RT_MAILER_REFUSED;
    }
  return RT_MAILER_QUEUED;
}
