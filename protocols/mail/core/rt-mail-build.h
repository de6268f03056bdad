/* rt-mail-build.h: an outgoing RFC 5322 mail, built with GMime 3. */
#pragma once
#include <glib.h>
#include "rt-mail-common.h"

G_BEGIN_DECLS

/* What to send. Strings are UTF-8 (invalid bytes become U+FFFD) and are
 * borrowed for the call only. CR, LF and other control characters in any
 * header text (names, subject, values, ids) become spaces: no input can add
 * a header line. */
typedef struct {
  const char *from_address;   /* required: local@domain */
  const char *from_name;      /* display name, or NULL */
  const char *const *to;      /* required: NULL-terminated addresses */
  const char *subject;        /* or NULL for none */
  const char *text;           /* required: the text/plain body */
  const char *html;           /* or NULL: adds a multipart/alternative */
  const char *domain;         /* required: right side of the Message-ID */
  gint64 date;                /* µs since the Unix epoch; 0: now */
  const char *in_reply_to;    /* replying to this Message-ID (with or
                               * without <>), or NULL */
  const char *const *references; /* the parent's References ids, or NULL;
                                  * in_reply_to is appended if missing */
  const char *const *headers; /* NULL-terminated name, value pairs, or NULL;
                               * names from the allow-list only: Reply-To,
                               * List-Id, List-Unsubscribe, Auto-Submitted,
                               * In-Reply-To, References (these two override
                               * the fields above) */
  const char *message_id;     /* the Message-ID to use (with or without <>),
                               * checked by rt_mail_msgid_valid; NULL: a new
                               * one "@" domain */
} RtMailDraft;

/* Is id (with or without <>) an RFC 5322 msg-id: dot-atom-text "@"
 * (dot-atom-text or "[" printable ASCII without "[]\\" "]"), at most 250
 * characters in all? */
gboolean rt_mail_msgid_valid (const char *id);

/* Serialize draft as a message with CRLF line ends, ready for SMTP DATA
 * (no dot-stuffing). The text parts are UTF-8, in 7bit, quoted-printable or
 * base64 as GMime finds best. On success *message_id (if not NULL) gets the
 * generated Message-ID without <> (transfer full). Fails with
 * RT_MAIL_ERROR_INVALID for a missing field, a malformed address, id
 * (message_id: rt_mail_msgid_valid) or domain, or a header name outside the allow-list.
 * (transfer full) */
GBytes *rt_mail_build (const RtMailDraft *draft, char **message_id, GError **error);

G_END_DECLS
