/* rt-html-scan.h: a small linear HTML tokenizer, shared by the mail core's
 * HTML-to-text (rt-html-text) and the stream core's sanitizer
 * (rt-stream-html). libpurple-free, GLib only. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Link targets longer than this are not reported (href NULL). */
#define RT_HTML_HREF_MAX 2048

/* What the scanner reports, in document order. Any callback may be NULL. */
typedef struct {
  /* A run of ordinary characters: valid UTF-8, never containing '<' (unless
   * it is a literal '<' that starts no tag), '&' or ASCII whitespace. */
  void (*text) (gpointer user_data, const char *s, gsize n);
  /* A decoded character reference (never 0; may be a space such as U+00A0). */
  void (*character) (gpointer user_data, gunichar c);
  /* One ASCII whitespace byte. */
  void (*space) (gpointer user_data, char c);
  /* A start or end tag. name is lower-case, cut at 15 bytes; href is the
   * entity-decoded, trimmed value of the tag's first href attribute (NULL
   * when absent or longer than RT_HTML_HREF_MAX); valid during the call. */
  void (*tag) (gpointer user_data, const char *name, gboolean closing, const char *href);
} RtHtmlScanner;

/* Scan len bytes of html (len -1: NUL-terminated; invalid UTF-8 becomes
 * U+FFFD, and a NUL ends the text). Comments, <!...> and <?...> go unseen;
 * so do the raw-text elements script, style, title, textarea, iframe,
 * noembed, noframes and xmp, with everything up to their end tag. An
 * unterminated tag, comment or quoted attribute ends the document. Nothing is
 * re-scanned and no stack is kept, so time is linear in len and memory is
 * constant beyond one copy of invalid input. */
void rt_html_scan (const char *html, gssize len, const RtHtmlScanner *scanner,
                   gpointer user_data);

G_END_DECLS
