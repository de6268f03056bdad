/* rt-stream-html.h: server HTML (Mastodon "content", Viva "rich" bodies,
 * feed descriptions) turned into plain text and safe libpurple markup.
 * libpurple-free. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Sanitize len bytes of html (-1: NUL-terminated) in one linear pass of the
 * shared tokenizer (protocols/common/rt-html-scan):
 *  - text: plain text; <p> and block elements become line breaks (at most
 *    one blank line), <br> a newline, whitespace collapses, references are
 *    decoded; a link whose text differs from its target gets " (target)",
 *    except mentions and hashtags (text starting with '@' or '#');
 *  - markup: the same text with &, < and > escaped and line breaks as <br>;
 *    links kept as <a href="..."> only for http:, https: and mailto: targets
 *    (escaped, no whitespace or control characters), every other tag dropped.
 * script, style, iframe (and the other raw-text elements) go with their
 * contents; event handlers and every other attribute go with their tag;
 * javascript:, data: and any other scheme lose their link but keep the text.
 * Either out pointer may be NULL. Never fails. (transfer full) */
void rt_stream_html_sanitize (const char *html, gssize len, char **text, char **markup);

/* Plain text (UTF-8; invalid bytes become U+FFFD) as safe markup: escaped,
 * newlines as <br>, and http(s) URLs as links. (transfer full) */
char *rt_stream_text_to_markup (const char *text, gssize len);

/* TRUE for an absolute http:, https: or mailto: URL without whitespace or
 * control characters, at most RT_HTML_HREF_MAX bytes. */
gboolean rt_stream_url_is_safe (const char *url);

/* "#word" tokens of plain text, without the '#', lower-cased and unique, in
 * order of appearance. (transfer full) */
GStrv rt_stream_text_hashtags (const char *text);

G_END_DECLS
