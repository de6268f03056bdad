/* rt-html-text.h: HTML mail bodies turned into readable plain text. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Plain text for len bytes of html (len -1: NUL-terminated), which should
 * be UTF-8 (invalid bytes become U+FFFD). A small linear state machine, not a
 * full parser:
 *  - the contents of <script>, <style>, <head>, <title> and comments go;
 *  - <br>, <p>, <div>, <li>, <tr>, headings, lists, tables, <blockquote> and
 *    <hr> become line breaks (at most one blank line in a row);
 *  - a link whose target differs from its text becomes "text (url)";
 *    javascript: and in-page "#" targets are dropped, targets over 2 KiB too;
 *  - character references are decoded (numeric, and the named ones of
 *    Latin-1 and common punctuation); unknown ones are kept as written;
 *  - whitespace collapses to single spaces, except inside <pre>.
 * Unterminated tags, comments and quotes end the text; nothing is
 * re-scanned, so time is linear in len. Never NULL. (transfer full) */
char *rt_html_to_text (const char *html, gssize len);

G_END_DECLS
