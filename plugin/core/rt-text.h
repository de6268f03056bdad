/* rt-text.h: how a bridged line looks, and how long lines are split. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Largest piece of plain text sent as one chat line or IM. */
#define RT_TEXT_CHUNK_BYTES 8192

/* Split plain UTF-8 text into pieces of at most max_bytes bytes each,
 * preferring to break at a newline or space in the last quarter of a piece,
 * never inside a UTF-8 sequence. Nothing is dropped: the concatenation of the
 * pieces (markers removed, with the break whitespace) is the input. When more
 * than one piece results each gets a marker prefix "[k/n] ", counted within
 * max_bytes. Text of at most max_bytes gives one piece without marker.
 * max_bytes must be at least 16, and leave room for a marker and one
 * character. (transfer full: array of char*) */
GPtrArray *rt_text_split (const char *text, gsize max_bytes);

/* The libpurple-ready markup for a bridged line: escape(label) + ": " +
 * escape(text), newlines turned into <br>. Nothing from label or text can
 * become markup. (transfer full) */
char *rt_text_render (const char *label, const char *text);

G_END_DECLS
