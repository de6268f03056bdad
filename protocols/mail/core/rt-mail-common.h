/* rt-mail-common.h: what the MIME core's modules share: the error domain,
 * GMime initialisation and UTF-8 clipping. No libpurple in here. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

#define RT_MAIL_ERROR (rt_mail_error_quark ())
GQuark rt_mail_error_quark (void);

typedef enum {
  RT_MAIL_ERROR_EMPTY,        /* no input bytes at all */
  RT_MAIL_ERROR_NOT_MESSAGE,  /* input has no header block: not a mail */
  RT_MAIL_ERROR_INVALID,      /* a bad argument to the builder */
} RtMailErrorCode;

/* Initialise GMime once per process; thread-safe, cheap after the first
 * call. Every entry point of the core calls it, callers need not. GMime is
 * never shut down (g_mime_shutdown would break other users in the process). */
void rt_mail_init (void);

/* Valid UTF-8 copy of the first len bytes of s (len -1: NUL-terminated),
 * invalid sequences replaced by U+FFFD. s may be NULL (gives NULL).
 * (transfer full) */
char *rt_mail_utf8_valid (const char *s, gssize len);

/* Clip valid UTF-8 text in place to at most max_chars characters; when it
 * is cut, the last kept character is replaced by marker ("…" if NULL) so the
 * result has max_chars characters. Returns TRUE when cut. s may be NULL. */
gboolean rt_mail_clip_chars (char **s, glong max_chars, const char *marker);

/* Clip valid UTF-8 text in place to at most max_bytes bytes, at a character
 * boundary, then append suffix (not counted in max_bytes). Returns TRUE when
 * cut. */
gboolean rt_mail_clip_bytes (char **s, gsize max_bytes, const char *suffix);

G_END_DECLS
