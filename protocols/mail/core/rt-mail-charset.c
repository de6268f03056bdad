/* rt-mail-charset.c: bytes in a declared charset to UTF-8, never failing. */
#include "rt-mail-charset.h"
#include "rt-mail-common.h"

#include <gmime/gmime.h>

/* Convert with iconv; NULL when the charset is unknown or the bytes are
 * invalid in it. Input cut inside a character keeps what came before. */
static char *
convert_strict (const char *data, gsize len, const char *charset)
{
  g_autoptr(GError) error = NULL;
  gsize bytes_read = 0;
  char *out;

  out = g_convert (data, (gssize) len, "UTF-8", charset, &bytes_read, NULL,
                   &error);
  if (out == NULL && g_error_matches (error, G_CONVERT_ERROR,
                                      G_CONVERT_ERROR_PARTIAL_INPUT)
      && bytes_read < len)
    out = g_convert (data, (gssize) bytes_read, "UTF-8", charset, NULL, NULL,
                     NULL);
  if (out != NULL && !g_utf8_validate (out, -1, NULL))
    g_clear_pointer (&out, g_free);
  return out;
}

static gboolean
is_utf8_name (const char *name)
{
  return g_ascii_strcasecmp (name, "utf-8") == 0
      || g_ascii_strcasecmp (name, "utf8") == 0;
}

static gboolean
is_latin1_name (const char *name)
{
  return g_ascii_strcasecmp (name, "iso-8859-1") == 0
      || g_ascii_strcasecmp (name, "us-ascii") == 0
      || g_ascii_strcasecmp (name, "ascii") == 0;
}

char *
rt_mail_charset_to_utf8 (const char *data, gsize len, const char *charset)
{
  const char *name = NULL;
  char *out;

  rt_mail_init ();
  if (data == NULL || len == 0)
    return g_strdup ("");
  if (charset != NULL && *charset != '\0')
    {
      name = g_mime_charset_iconv_name (charset);
      if (name == NULL)
        name = charset;
    }

  if (name != NULL && !is_utf8_name (name) && !is_latin1_name (name)
      && !is_latin1_name (charset))
    {
      out = convert_strict (data, len, name);
      if (out != NULL)
        return out;
    }
  /* No charset, UTF-8, or the declared one failed: UTF-8 if it is. */
  if (g_utf8_validate (data, (gssize) len, NULL))
    return g_strndup (data, len);
  if (name != NULL && is_utf8_name (name))
    {
      /* Declared UTF-8 but broken: keep the good parts. */
      return g_utf8_make_valid (data, (gssize) len);
    }
  out = convert_strict (data, len, "WINDOWS-1252");
  if (out != NULL)
    return out;
  out = convert_strict (data, len, "ISO-8859-1");
  if (out != NULL)
    return out;
  return g_utf8_make_valid (data, (gssize) len);
}
