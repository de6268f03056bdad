/* rt-mail-reply-private.h (internal to the mail core): the steps of
 * rt_mail_reply_new_text that the HTML variant reuses. */
#pragma once
#include <glib.h>

/* The new text, "" when nothing but quoted history and signature is left.
 * (transfer full) */
char *rt_mail_reply_strip (const char *text);

/* text as valid UTF-8, CRLF as LF, trimmed. (transfer full) */
char *rt_mail_reply_whole (const char *text);
