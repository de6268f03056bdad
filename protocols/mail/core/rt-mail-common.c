/* rt-mail-common.c: error domain, GMime initialisation, UTF-8 clipping. */
#include "rt-mail-common.h"

#include <gmime/gmime.h>
#include <string.h>

G_DEFINE_QUARK (rt-mail-error-quark, rt_mail_error)

static gpointer
rt_mail_init_once (gpointer data)
{
  g_mime_init ();
  return NULL;
}

void
rt_mail_init (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, rt_mail_init_once, NULL);
}

char *
rt_mail_utf8_valid (const char *s, gssize len)
{
  if (s == NULL)
    return NULL;
  if (len < 0)
    len = (gssize) strlen (s);
  return g_utf8_make_valid (s, len);
}

gboolean
rt_mail_clip_chars (char **s, glong max_chars, const char *marker)
{
  const char *end;
  char *clipped;

  g_return_val_if_fail (s != NULL && max_chars > 0, FALSE);
  if (*s == NULL || g_utf8_strlen (*s, -1) <= max_chars)
    return FALSE;
  end = g_utf8_offset_to_pointer (*s, max_chars - 1);
  clipped = g_strdup_printf ("%.*s%s", (int) (end - *s), *s,
                             marker != NULL ? marker : "\xE2\x80\xA6");
  g_free (*s);
  *s = clipped;
  return TRUE;
}

gboolean
rt_mail_clip_bytes (char **s, gsize max_bytes, const char *suffix)
{
  const char *cut;
  GString *out;

  g_return_val_if_fail (s != NULL, FALSE);
  if (*s == NULL || strlen (*s) <= max_bytes)
    return FALSE;
  /* Back off to the start of a character. */
  cut = *s + max_bytes;
  while (cut > *s && (((guchar) *cut) & 0xC0) == 0x80)
    cut--;
  out = g_string_new_len (*s, cut - *s);
  if (suffix != NULL)
    g_string_append (out, suffix);
  g_free (*s);
  *s = g_string_free (out, FALSE);
  return TRUE;
}
