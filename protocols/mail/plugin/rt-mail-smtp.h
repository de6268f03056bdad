/* rt-mail-smtp.h: the SMTP side of a mail account: an IM typed to an
 * address becomes an RFC 5322 mail (rt_mail_build) sent by libcurl SMTP
 * through the account's RtCurlLoop. */
#pragma once
#include "rt-mail-account.h"

G_BEGIN_DECLS

/* Queues message (libpurple markup) to who. Returns 1 when queued, or a
 * negative errno-style value when it cannot even be built (bad address).
 * Temporary failures (no connection, 4xx) are retried with backoff (2 s
 * doubling to 60 s, 10 tries). A permanent failure (5xx) is shown in the IM
 * conversation with who only (purple_conv_present_error); a login refused
 * with 5xx, or a server certificate that is not trusted (never retried),
 * also becomes the connection's error. */
int rt_mail_smtp_send (RtMailAccount *ma, const char *who, const char *message);

/* Remembers the last mail received from `from` (an address): a later
 * rt_mail_smtp_send to that address answers it (In-Reply-To = message_id,
 * References = references + message_id, Subject "Re: subject" without a
 * doubled "Re:"). A mail without Message-ID forgets the sender's entry.
 * Arguments are copied. In memory only (per connection). */
void rt_mail_smtp_remember (RtMailAccount *ma, const char *from, const char *message_id,
                            const char *subject, GPtrArray *references);

/* The IPC "send-mail" (rt-mail-ipc.h): fields (char* -> char*) borrowed for
 * the call. FALSE, nothing sent, for an unknown key, a NULL value, no
 * "text", a "message-id" that is not a msg-id, "references" without
 * "in-reply-to", or a mail that cannot be built; TRUE when queued (sent
 * with the same retries and error reports as an IM). Its outcome is
 * signalled once: "roundtable-mail-sent" or "roundtable-mail-failed". */
gboolean rt_mail_smtp_send_fields (RtMailAccount *ma, const char *to, GHashTable *fields);

/* Cancels every send in flight or waiting for a retry (their mails are not
 * sent; IPC mails signal "roundtable-mail-failed") and forgets the
 * remembered threads. */
void rt_mail_smtp_stop (RtMailAccount *ma);

G_END_DECLS
