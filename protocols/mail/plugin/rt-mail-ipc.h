/* rt-mail-ipc.h: the plugin IPC and signals of "Roundtable Mail"
 * (prpl-roundtable-mail) for other plugins in the same libpurple host.
 * Header only: nothing to link; calls go through purple_plugin_ipc_call,
 * signals through purple_signal_connect on the mail plugin's handle
 * (purple_plugins_find_with_id (RT_MAIL_IPC_PLUGIN_ID)). Everything here is
 * registered in the plugin's load and removed in its unload; a plugin that
 * may load before the mail plugin connects when it sees "plugin-load".
 *
 * ---- Command RT_MAIL_IPC_SEND_MAIL ("send-mail") ----------------------
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
 *   "message-id"        optional: the mail's Message-ID (with or without <>),
 *                       for a caller that records what it sent (a reply's
 *                       In-Reply-To then finds it). Must be an RFC 5322
 *                       msg-id: dot-atom-text "@" (dot-atom-text or
 *                       [no-fold-literal]), printable ASCII, at most 250
 *                       characters; anything else refuses the mail.
 *                       Default: a new id "@" the account's domain
 *   "in-reply-to"       optional: a Message-ID (with or without <>); also
 *                       becomes the last id of References
 *   "references"        optional, only with "in-reply-to": the ids before
 *                       it, oldest first, separated by white space (with
 *                       or without <>); a bad id refuses the mail
 *   "reply-to"          optional: Reply-To header
 *   "list-id"           optional: List-Id header
 *   "list-unsubscribe"  optional: List-Unsubscribe header
 *   "auto-submitted"    optional: Auto-Submitted header (e.g. "auto-generated")
 * From, To and Date are set by the plugin as for IMs. CR, LF and other
 * control characters in values become spaces (no header injection).
 *
 * Ownership: everything is borrowed for the call only (account, to, the
 * table, its keys and values); the plugin copies what it keeps. The caller
 * frees the table afterwards.
 *
 * Result: FALSE, and nothing is sent, when the account is NULL, not of this
 * protocol or not connected, to or fields is NULL, a key is unknown, a value
 * is NULL, "text" is missing, "references" comes without "in-reply-to", or
 * the mail cannot be built (bad address or id). TRUE means queued: sending
 * is asynchronous, with the same rules as an IM (temporary failures retried
 * with backoff 2 s .. 60 s, 10 tries; a permanent failure is written as an
 * error in the IM conversation with `to`). The outcome is told by the
 * signals "roundtable-mail-sent" and "roundtable-mail-failed" below.
 *
 * ---- Signal RT_MAIL_SIGNAL_RECEIVED ("roundtable-mail-received") -------
 *
 *   Marshaller: purple_marshal_BOOLEAN__POINTER_POINTER
 *   Handler:    gboolean handler (PurpleAccount *account,
 *                                 const RtMailReceived *mail, gpointer data)
 *
 * Emitted (purple_signal_emit_return_1) for every new mail of a folder,
 * once, before it is shown as an IM. A handler that returns TRUE takes the
 * mail: later handlers are not called and no IM is shown. When no handler
 * takes it the plugin shows it as an IM from mail->from_address, as before;
 * an automatic mail (auto_kind AUTO_REPLY or BOUNCE) then carries
 * PURPLE_MESSAGE_AUTO_RESP, so nobody takes it for a person's words.
 * mail and everything it points to are borrowed for the emission only.
 * Handlers run on the event loop: keep them short.
 *
 * ---- Signal RT_MAIL_SIGNAL_SENT ("roundtable-mail-sent") ---------------
 *
 *   Marshaller: purple_marshal_VOID__POINTER_POINTER
 *   Handler:    void handler (PurpleAccount *account, const char *message_id,
 *                             gpointer data)
 *
 * A mail queued by "send-mail" was accepted by the SMTP server (after any
 * retries). message_id without <>: the caller's "message-id", else the
 * generated one. IMs typed by the user emit nothing.
 *
 * ---- Signal RT_MAIL_SIGNAL_FAILED ("roundtable-mail-failed") -----------
 *
 *   Marshaller: purple_marshal_VOID__POINTER_POINTER_POINTER
 *   Handler:    void handler (PurpleAccount *account, const char *message_id,
 *                             const char *error, gpointer data)
 *
 * A mail queued by "send-mail" was given up: a permanent refusal (5xx), the
 * last of the tries, an untrusted certificate, or the account disconnected
 * while it waited (error: a translated sentence, with the server's reply
 * when there was one). Each queued mail ends with exactly one of "sent" or
 * "failed", except when the host quits with it still queued. */
#pragma once
#include <glib.h>

#define RT_MAIL_IPC_PLUGIN_ID "prpl-roundtable-mail"
#define RT_MAIL_IPC_SEND_MAIL "send-mail"

#define RT_MAIL_SIGNAL_RECEIVED "roundtable-mail-received"
#define RT_MAIL_SIGNAL_SENT     "roundtable-mail-sent"
#define RT_MAIL_SIGNAL_FAILED   "roundtable-mail-failed"

/* RtMailReceived.auto_kind: who wrote the mail (the values of
 * RtMailAutoKind in protocols/mail/core/rt-mail-reply.h). */
enum {
  RT_MAIL_RECEIVED_HUMAN = 0,      /* a person */
  RT_MAIL_RECEIVED_AUTO_REPLY = 1, /* auto-responder, vacation, list, bulk,
                                    * read receipt, the null sender */
  RT_MAIL_RECEIVED_BOUNCE = 2,     /* a delivery failure report */
};

struct _PurpleAccount;

/* One received mail. Fields are only ever added at the end: a handler built
 * against an older header reads struct_size and ignores what it does not
 * know; one built against a newer header checks struct_size before reading
 * a field (RT_MAIL_RECEIVED_HAS (mail, field)). Strings are valid UTF-8,
 * clipped as in rt-mail-parse.h; "or NULL" fields may be NULL, the others
 * never are. Lists are NULL-terminated, possibly empty. Addresses are bare
 * addr-specs (no display name, no <>). */
typedef struct {
  gsize struct_size;                 /* sizeof (RtMailReceived) of the emitter */
  struct _PurpleAccount *account;    /* the mailbox it arrived in */
  const char *from_address;          /* first From mailbox, or NULL */
  const char *from_name;             /* its display name, or NULL */
  const char *return_path;           /* the envelope sender from Return-Path
                                      * without <>: "" for the null sender,
                                      * NULL when there is no Return-Path */
  const char *const *to;             /* To addresses */
  const char *const *cc;             /* Cc addresses */
  const char *const *delivered_to;   /* Delivered-To, then X-Original-To
                                      * addresses (what the servers added) */
  const char *subject;               /* "" if none */
  gint64 date_us;                    /* Date: in µs since the epoch, 0 if none */
  const char *message_id;            /* without <>, or NULL */
  const char *in_reply_to;           /* first id, without <>, or NULL */
  const char *const *references;     /* ids without <>, oldest first */
  int auto_kind;                     /* RT_MAIL_RECEIVED_HUMAN, ... */
  const char *bounce_recipient;      /* BOUNCE: the failed recipient, or NULL */
  const char *bounce_status;         /* BOUNCE: its Diagnostic-Code, else its
                                      * Status ("5.1.1"), or NULL */
  const char *text;                  /* the whole text (as rt_mail_parse) */
  const char *new_text;              /* only the new text of a reply: quoted
                                      * history and signature removed
                                      * (rt_mail_reply_new_text, or _html for
                                      * an HTML-only mail); never NULL */
} RtMailReceived;

#define RT_MAIL_RECEIVED_HAS(mail, field) \
  ((mail)->struct_size >= G_STRUCT_OFFSET (RtMailReceived, field) + sizeof ((mail)->field))
