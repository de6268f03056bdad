/* rt-args.h: split a command line the way a user expects from a shell:
 * whitespace separates, "double" and 'single' quotes group, backslash escapes
 * inside double quotes and outside quotes. Typographic quotes are accepted as
 * double quotes (mobile keyboards, autocorrection and Pidgin's spell checker
 * insert them): “…”, ”…”, „…“, „…”, «…» and »…«; spaces (also no-break)
 * just inside guillemets are dropped: « RFP Acme » is "RFP Acme". */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Returns a NULL-terminated vector (transfer full), or NULL with
 * RT_ERROR_INVALID on an unterminated quote. An empty line gives an empty
 * vector. */
char **rt_args_split (const char *line, GError **error);

/* yes/y/true/on/1 or no/n/false/off/0 (any case) into *out; FALSE (out
 * untouched) for anything else. */
gboolean rt_args_parse_bool (const char *value, gboolean *out);

G_END_DECLS
