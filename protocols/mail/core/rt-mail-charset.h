/* rt-mail-charset.h: bytes in a declared charset to UTF-8, never failing. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Convert len bytes of data, declared to be in charset (NULL or "" when
 * none was declared), to valid UTF-8. Any charset iconv knows is used
 * (names go through GMime's alias table). When the charset is unknown or the
 * bytes are invalid in it, the fallbacks are, in order: the bytes as UTF-8 if
 * they are valid, Windows-1252, then ISO-8859-1 (which accepts any byte).
 * ISO-8859-1 and US-ASCII labels are read as Windows-1252, as browsers do.
 * A multi-byte sequence cut by the end of data is dropped. Never NULL.
 * (transfer full) */
char *rt_mail_charset_to_utf8 (const char *data, gsize len, const char *charset);

G_END_DECLS
