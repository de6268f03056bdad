/* rt-mail-prpl.c: the "Roundtable Mail" protocol plugin: a mailbox as a
 * libpurple account. Thin layer: settings and connection life cycle here,
 * IMAP polling in rt-mail-imap.c, sending in rt-mail-smtp.c. */
#include "config.h"
#include "rt-prpl-util.h"
#include "rt-mail-account.h"
#include "rt-mail-imap.h"
#include "rt-mail-smtp.h"
#include "rt-mail-ipc.h"
#include "rt-mail-received.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <errno.h>
#include <string.h>

static const char *
list_icon (PurpleAccount *account, PurpleBuddy *buddy)
{
  return "email";
}

static GList *
status_types (PurpleAccount *account)
{
  GList *types = NULL;
  types = g_list_append (types, purple_status_type_new_full (PURPLE_STATUS_AVAILABLE, NULL, NULL,
                                                             TRUE, TRUE, FALSE));
  types = g_list_append (types, purple_status_type_new_full (PURPLE_STATUS_OFFLINE, NULL, NULL,
                                                             TRUE, TRUE, FALSE));
  return types;
}

static gboolean
host_is_loopback (const char *host)
{
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (host);
  return addr != NULL && g_inet_address_get_is_loopback (addr);
}

static void
account_free (RtMailAccount *ma)
{
  /* Transfers first (their state points into ma), then the loop. */
  rt_mail_imap_stop (ma);
  rt_mail_smtp_stop (ma);
  g_clear_pointer (&ma->loop, rt_curl_loop_free);
  g_free (ma->address);
  g_free (ma->domain);
  g_free (ma->from_name);
  g_free (ma->imap_host);
  g_free (ma->smtp_host);
  g_free (ma->folder);
  g_free (ma->source_address);
  g_free (ma->tls_certificate);
  g_free (ma);
}

static char *
nonempty (const char *s)
{
  return s && *s ? g_strstrip (g_strdup (s)) : NULL;
}

static void
login (PurpleAccount *account)
{
  PurpleConnection *gc = purple_account_get_connection (account);
  RtMailAccount *ma = g_new0 (RtMailAccount, 1);
  ma->gc = gc;
  ma->account = account;
  purple_connection_set_protocol_data (gc, ma);
  gc->flags |= PURPLE_CONNECTION_NO_BGCOLOR | PURPLE_CONNECTION_NO_FONTSIZE | PURPLE_CONNECTION_NO_URLDESC
               | PURPLE_CONNECTION_NO_IMAGES;

  ma->address = g_strdup (purple_account_get_username (account));
  const char *at = strrchr (ma->address, '@');
  ma->domain = g_strdup (at && at[1] ? at + 1 : "localhost");
  ma->from_name = nonempty (purple_account_get_string (account, "from_name", ""));
  ma->imap_host = nonempty (purple_account_get_string (account, "imap_host", ""));
  ma->smtp_host = nonempty (purple_account_get_string (account, "smtp_host", ""));
  if (ma->smtp_host == NULL && ma->imap_host != NULL)
    ma->smtp_host = g_strdup (ma->imap_host);
  ma->imap_port = purple_account_get_int (account, "imap_port", 993);
  ma->smtp_port = purple_account_get_int (account, "smtp_port", 465);
  const char *security = purple_account_get_string (account, "security", "tls");
  ma->security = g_str_equal (security, "none") ? RT_MAIL_SECURITY_NONE
               : g_str_equal (security, "starttls") ? RT_MAIL_SECURITY_STARTTLS : RT_MAIL_SECURITY_TLS;
  ma->folder = nonempty (purple_account_get_string (account, "folder", "INBOX"));
  if (ma->folder == NULL)
    ma->folder = g_strdup ("INBOX");
  ma->poll_interval = MAX (1, purple_account_get_int (account, "poll_interval", 60));
  ma->source_address = nonempty (purple_account_get_string (account, "source_address", ""));

  if (at == NULL || ma->imap_host == NULL)
    {
      purple_connection_error_reason (gc, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
                                      _("Set an email address as user name and an IMAP server."));
      return;
    }
  if (ma->imap_port <= 0 || ma->imap_port > 65535 || ma->smtp_port <= 0 || ma->smtp_port > 65535)
    {
      purple_connection_error_reason (gc, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
                                      _("The IMAP and SMTP ports must be between 1 and 65535."));
      return;
    }
  if (ma->security == RT_MAIL_SECURITY_NONE)
    {
      if (!host_is_loopback (ma->imap_host) || !host_is_loopback (ma->smtp_host))
        {
          purple_connection_error_reason (gc, PURPLE_CONNECTION_ERROR_ENCRYPTION_ERROR,
                                          _("Security \"none\" (plaintext, password in the clear) is allowed "
                                            "only for servers on this machine (loopback addresses). "
                                            "Choose TLS or STARTTLS."));
          return;
        }
      purple_debug_warning ("roundtable-mail", "%s: plaintext IMAP and SMTP on loopback\n", ma->address);
    }
  if (!rt_mail_account_load_certificate (ma))
    return;

  purple_connection_update_progress (gc, _("Connecting"), 1, 2);
  ma->loop = rt_curl_loop_new ();
  rt_mail_imap_start (ma);
}

static void
close_account (PurpleConnection *gc)
{
  RtMailAccount *ma = purple_connection_get_protocol_data (gc);
  if (ma == NULL)
    return;
  purple_connection_set_protocol_data (gc, NULL);
  account_free (ma);
}

static int
send_im (PurpleConnection *gc, const char *who, const char *message, PurpleMessageFlags flags)
{
  RtMailAccount *ma = purple_connection_get_protocol_data (gc);
  if (ma == NULL || ma->loop == NULL)
    return -ENOTCONN;
  return rt_mail_smtp_send (ma, who, message);
}

static PurplePluginProtocolInfo prpl_info = {
  .icon_spec = NO_BUDDY_ICONS,
  .list_icon = list_icon,
  .status_types = status_types,
  .login = login,
  .close = close_account,
  .send_im = send_im,
  .struct_size = sizeof (PurplePluginProtocolInfo),
};

/* IPC "send-mail" (contract in rt-mail-ipc.h); data is the marshaller's
 * (NULL for IPC calls). */
static gboolean
ipc_send_mail (PurpleAccount *account, const char *to, GHashTable *fields, gpointer data)
{
  if (account == NULL || to == NULL || fields == NULL
      || g_strcmp0 (purple_account_get_protocol_id (account), RT_MAIL_PRPL_ID) != 0
      || !purple_account_is_connected (account))
    {
      purple_debug_warning ("roundtable-mail", "send-mail refused: no connected mail account\n");
      return FALSE;
    }
  PurpleConnection *gc = purple_account_get_connection (account);
  RtMailAccount *ma = gc ? purple_connection_get_protocol_data (gc) : NULL;
  if (ma == NULL || ma->loop == NULL)
    return FALSE;
  return rt_mail_smtp_send_fields (ma, to, fields);
}

static gboolean
plugin_load (PurplePlugin *plugin)
{
  rt_prpl_ipc_register_send (plugin, RT_MAIL_IPC_SEND_MAIL, PURPLE_CALLBACK (ipc_send_mail));
  rt_mail_received_register (plugin);
  return TRUE;
}

static gboolean
plugin_unload (PurplePlugin *plugin)
{
  purple_plugin_ipc_unregister_all (plugin);
  purple_signals_unregister_by_instance (plugin);
  return TRUE;
}

static PurplePluginInfo info = {
  .magic = PURPLE_PLUGIN_MAGIC,
  .major_version = PURPLE_MAJOR_VERSION,
  .minor_version = PURPLE_MINOR_VERSION,
  .type = PURPLE_PLUGIN_PROTOCOL,
  .priority = PURPLE_PRIORITY_DEFAULT,
  .id = RT_MAIL_PRPL_ID,
  .name = "Roundtable Mail",
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
  info.name = (char *) _("Roundtable Mail");
  info.summary = (char *) _("A mailbox as an account: new mail arrives as IMs, IMs are sent as mail.");
  info.description = (char *) _("Polls an IMAP folder and shows each new mail as an IM from its sender; "
                                "an IM to an email address is sent over SMTP.");

  GList *opts = NULL;
  opts = g_list_append (opts, purple_account_option_string_new (_("IMAP server"), "imap_host", ""));
  opts = g_list_append (opts, purple_account_option_int_new (_("IMAP port"), "imap_port", 993));
  opts = g_list_append (opts, purple_account_option_string_new (_("SMTP server (empty: the IMAP server)"),
                                                                "smtp_host", ""));
  opts = g_list_append (opts, purple_account_option_int_new (_("SMTP port"), "smtp_port", 465));
  opts = g_list_append (opts, rt_prpl_choice_option (_("Security"), "security",
                                             _("TLS"), "tls",
                                             _("STARTTLS"), "starttls",
                                             _("None (plaintext, this machine only)"), "none", NULL));
  /* Label repeated in rt-mail-account.c's error messages. */
  opts = g_list_append (opts, purple_account_option_string_new (_("Trusted server certificate (PEM file)"),
                                                                RT_MAIL_OPT_TLS_CERTIFICATE, ""));
  opts = g_list_append (opts, purple_account_option_string_new (_("Folder"), "folder", "INBOX"));
  opts = g_list_append (opts, purple_account_option_int_new (_("Poll interval (seconds)"), "poll_interval", 60));
  opts = g_list_append (opts, rt_prpl_choice_option (_("Mail already in the folder at first use"), "initial_sync",
                                             _("Skip it (only new mail)"), "new",
                                             _("Deliver it all, oldest first"), "all", NULL));
  opts = g_list_append (opts, purple_account_option_string_new (_("Your name in mail"), "from_name", ""));
  opts = g_list_append (opts, purple_account_option_string_new (_("Local address to connect from (optional)"),
                                                                "source_address", ""));
  prpl_info.protocol_options = opts;
}

PURPLE_INIT_PLUGIN (roundtable_mail, init_plugin, info)
