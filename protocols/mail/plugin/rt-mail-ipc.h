/* rt-mail-ipc.h: the plugin IPC of "Roundtable Mail" (prpl-roundtable-mail)
 * for rich mail, for other plugins in the same libpurple host. Header only:
 * nothing to link; the call goes through purple_plugin_ipc_call.
 *
 * Command RT_MAIL_IPC_SEND_MAIL ("send-mail"), registered in the plugin's
 * load and removed in its unload (purple_plugin_ipc_unregister_all).
 *
 *   Marshaller: purple_marshal_BOOLEAN__POINTER_POINTER_POINTER
 *   Arguments:  PurpleAccount *account  a connected prpl-roundtable-mail account
 *               const char *to          the one recipient address (local@domain)
 *               GHashTable *fields      char * key -> char * value (UTF-8)
 *   Returns:    gboolean accepted, as GPOINTER_TO_INT of the call's result
 *
 *   PurplePlugin *p = purple_plugins_find_with_id (RT_MAIL_IPC_PLUGIN_ID);
 *   gboolean ok = FALSE;
 *   gboolean accepted = p != NULL && GPOINTER_TO_INT (purple_plugin_ipc_call (
 *       p, RT_MAIL_IPC_SEND_MAIL, &ok, account, to, fields)) && ok;
 *
 * Keys of fields (any other key, or a NULL value, is refused):
 *   "text"              required: the text/plain part
 *   "html"              optional: adds a text/html alternative
 *                       (multipart/alternative: text first, then HTML)
 *   "subject"           optional; default: the first non-empty line of text
 *   "in-reply-to"       optional: a Message-ID (with or without <>); also
 *                       becomes References
 *   "reply-to"          optional: Reply-To header
 *   "list-id"           optional: List-Id header
 *   "list-unsubscribe"  optional: List-Unsubscribe header
 *   "auto-submitted"    optional: Auto-Submitted header (e.g. "auto-generated")
 * From, To, Date and Message-ID are set by the plugin as for IMs. CR, LF and
 * other control characters in values become spaces (no header injection).
 *
 * Ownership: everything is borrowed for the call only (account, to, the
 * table, its keys and values); the plugin copies what it keeps. The caller
 * frees the table afterwards.
 *
 * Result: FALSE, and nothing is sent, when the account is NULL, not of this
 * protocol or not connected, to or fields is NULL, a key is unknown, a value
 * is NULL, "text" is missing, or the mail cannot be built (bad address or
 * id). TRUE means queued: sending is asynchronous, with the same rules as an
 * IM (temporary failures retried with backoff 2 s .. 60 s, 10 tries; a
 * permanent failure is written as an error in the IM conversation with `to`;
 * a send still pending when the account disconnects is dropped). There is no
 * completion callback. */
#pragma once

#define RT_MAIL_IPC_PLUGIN_ID "prpl-roundtable-mail"
#define RT_MAIL_IPC_SEND_MAIL "send-mail"
