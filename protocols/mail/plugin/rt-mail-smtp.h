/* rt-mail-smtp.h: the SMTP side of a mail account: an IM typed to an
 * address becomes an RFC 5322 mail (rt_mail_build) sent by libcurl SMTP
 * through the account's RtCurlLoop. */
#pragma once
#include "rt-mail-account.h"

G_BEGIN_DECLS

/* Queues message (libpurple markup) to who. Returns 1 when queued, or a
 * negative errno-style value when it cannot even be built (bad address).
 * A later failure is shown in the IM conversation with who
 * (purple_conv_present_error); a refused login or a broken connection also
 * become the connection's error. */
int rt_mail_smtp_send (RtMailAccount *ma, const char *who, const char *message);

/* Cancels every send in flight (their mails are not sent). */
void rt_mail_smtp_stop (RtMailAccount *ma);

G_END_DECLS
