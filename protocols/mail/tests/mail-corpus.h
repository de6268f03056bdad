/* mail-corpus.h: small helpers the mail tests use to write their inputs. */
#pragma once
#include <glib.h>
#include <string.h>
#include "rt-mail-parse.h"

#define TOKYO "Zo\xC3\xAB, S\xC3\xA3o Paulo, \xC5\x81\xC3\xB3\x64\xC5\xBA, \xE6\x9D\xB1\xE4\xBA\xAC"

/* Quoted-printable of s (every byte >= 0x80 and '=' escaped). */
static inline char *
corpus_qp (const char *s)
{
  GString *out = g_string_new (NULL);

  for (const guchar *p = (const guchar *) s; *p != '\0'; p++)
    if (*p >= 0x80 || *p == '=')
      g_string_append_printf (out, "=%02X", *p);
    else
      g_string_append_c (out, (char) *p);
  return g_string_free (out, FALSE);
}

/* "=?UTF-8?B?...?=" for s. */
static inline char *
corpus_b_word (const char *s)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) s, strlen (s));

  return g_strdup_printf ("=?UTF-8?B?%s?=", b64);
}

/* Parse a NUL-terminated message that must parse. */
static inline RtMailMessage *
corpus_parse (const char *data)
{
  g_autoptr(GError) error = NULL;
  RtMailMessage *msg = rt_mail_parse (data, strlen (data), &error);

  g_assert_no_error (error);
  g_assert_nonnull (msg);
  g_assert_true (g_utf8_validate (msg->subject, -1, NULL));
  g_assert_true (g_utf8_validate (msg->text, -1, NULL));
  return msg;
}

static inline const RtMailAttachment *
corpus_attachment (const RtMailMessage *msg, guint i)
{
  g_assert_cmpuint (i, <, msg->attachments->len);
  return g_ptr_array_index (msg->attachments, i);
}
