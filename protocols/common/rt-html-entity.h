/* rt-html-entity.h: HTML character references (shared by the mail and stream cores; libpurple-free). */
#pragma once
#include <glib.h>

/* Decode the reference at p (which points at '&'), reading no further than
 * end: numeric (decimal or hex, ';' optional; NUL, surrogates and values
 * past U+10FFFF give U+FFFD) or named (Latin-1 and common punctuation, ';'
 * required). *c gets the character, or 0 when there is none (the '&' is
 * then literal and 1 is returned). Returns the bytes used. */
gsize rt_html_decode_entity (const char *p, const char *end, gunichar *c);
