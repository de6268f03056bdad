/* rt-mail-parse.h: an incoming mail (RFC 5322 + MIME) reduced to what a chat
 * client shows: sender, subject, threading ids, one plain text, a list of
 * attachments. Built on GMime 3; no libpurple. */
#pragma once
#include <glib.h>
#include "rt-mail-common.h"

G_BEGIN_DECLS

/* Limits that keep a hostile mail cheap. */
#define RT_MAIL_MAX_DEPTH      32            /* MIME nesting walked (GMime
                                              * still parses every level:
                                              * 40,000 levels take ~2 s, no
                                              * crash on an 8 MiB stack) */
#define RT_MAIL_MAX_PARTS      1000          /* leaf parts looked at */
#define RT_MAIL_MAX_HEADER_CHARS 1000        /* subject, names, addresses, ids */
#define RT_MAIL_MAX_FILENAME_CHARS 255
#define RT_MAIL_MAX_LIST       200           /* To addresses, References ids */
#define RT_MAIL_MAX_TEXT_BYTES (256 * 1024)  /* text, marker excluded */
#define RT_MAIL_MAX_HTML_BYTES (1024 * 1024) /* HTML read before conversion */
#define RT_MAIL_TRUNCATED_MARKER "\n[message truncated]"

typedef struct {
  char *filename;      /* decoded UTF-8, never NULL ("unnamed" if none) */
  char *content_type;  /* "type/subtype", lower case, never NULL */
  guint64 size;        /* decoded size in bytes; the data is not kept */
} RtMailAttachment;

/* Every string is valid UTF-8. Strings marked "or NULL" may be NULL, the
 * others are never NULL (possibly ""). Long values are clipped to
 * RT_MAIL_MAX_HEADER_CHARS characters, the last one replaced by "…". */
typedef struct {
  char *from_address;  /* first From mailbox, or NULL */
  char *from_name;     /* its decoded display name, or NULL */
  GPtrArray *to;       /* char* addresses of To, at most RT_MAIL_MAX_LIST */
  char *subject;       /* decoded (RFC 2047, raw 8-bit), "" if none */
  gint64 date;         /* Date: as µs since the Unix epoch, 0 if none/bad */
  char *message_id;    /* without <>, or NULL */
  char *in_reply_to;   /* first id of In-Reply-To without <>, or NULL */
  GPtrArray *references; /* char* ids without <>, oldest first; the newest
                          * RT_MAIL_MAX_LIST are kept */
  char *text;          /* the first inline text/plain, else the HTML part as
                        * text, else ""; at most RT_MAIL_MAX_TEXT_BYTES plus
                        * RT_MAIL_TRUNCATED_MARKER */
  GPtrArray *attachments; /* RtMailAttachment*, in message order */

  gboolean auto_submitted; /* Auto-Submitted other than "no", X-Autoreply,
                            * X-Autorespond, Precedence bulk/junk/auto_reply */
  gboolean is_bounce;      /* multipart/report; report-type=delivery-status,
                            * or From a MAILER-DAEMON */
  gboolean truncated;      /* parts deeper than RT_MAIL_MAX_DEPTH or beyond
                            * RT_MAIL_MAX_PARTS were not walked */
  gboolean text_truncated; /* text was cut (marker appended) */
} RtMailMessage;

/* Parse len bytes of one message (CRLF or LF line ends). Lenient: broken
 * MIME, unknown charsets and 8-bit headers still give a message. Fails only
 * for empty input (RT_MAIL_ERROR_EMPTY) or input with no header at all
 * (RT_MAIL_ERROR_NOT_MESSAGE). data is not kept. Time and memory are linear
 * in len, plus the input copy GMime reads from during the call.
 * (transfer full) free with rt_mail_message_free */
RtMailMessage *rt_mail_parse (const char *data, gsize len, GError **error);

void rt_mail_message_free (RtMailMessage *msg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtMailMessage, rt_mail_message_free)

G_END_DECLS
