/* rt-mail-build.c: an RtMailDraft to RFC 5322 bytes with GMime. */
#include "rt-mail-build.h"
#include "rt-mail-gmime.h"

#include <string.h>

static const char *const allowed_headers[] = {
  "Reply-To", "List-Id", "List-Unsubscribe", "Auto-Submitted",
  "In-Reply-To", "References", NULL
};

/* Header text: valid UTF-8, every control character a space, trimmed.
 * (transfer full) */
static char *
clean (const char *s)
{
  char *v = rt_mail_utf8_valid (s != NULL ? s : "", -1);

  for (char *p = v; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7F)
      *p = ' ';
  return g_strstrip (v);
}

static gboolean
invalid (GError **error, const char *what, const char *value)
{
  g_set_error (error, RT_MAIL_ERROR, RT_MAIL_ERROR_INVALID, "invalid %s: \"%s\"",
               what, value != NULL ? value : "(none)");
  return FALSE;
}

/* An addr-spec: one '@', nothing that could break out of <...>. */
static gboolean
check_address (const char *a, GError **error)
{
  const char *at = a != NULL ? strchr (a, '@') : NULL;

  if (at == NULL || at == a || at[1] == '\0' || strchr (at + 1, '@') != NULL
      || strlen (a) > 254 || !g_utf8_validate (a, -1, NULL))
    return invalid (error, "address", a);
  for (const char *p = a; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || *p == 0x7F || strchr ("<>()[],;:\"\\", *p) != NULL)
      return invalid (error, "address", a);
  return TRUE;
}

static gboolean
check_domain (const char *d, GError **error)
{
  if (d == NULL || *d == '\0' || strlen (d) > 253)
    return invalid (error, "domain", d);
  for (const char *p = d; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
      return invalid (error, "domain", d);
  return TRUE;
}

/* A message id with <> and spaces removed, or NULL with error.
 * (transfer full) */
static char *
clean_id (const char *id, GError **error)
{
  g_autofree char *v = clean (id);
  char *s = v;
  gsize n;

  if (*s == '<')
    s++;
  n = strlen (s);
  if (n > 0 && s[n - 1] == '>')
    s[--n] = '\0';
  if (n == 0 || n > 900)
    return invalid (error, "message id", id), NULL;
  for (const char *p = s; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7F || *p == '<' || *p == '>')
      return invalid (error, "message id", id), NULL;
  return g_strdup (s);
}

/* dot-atom-text (RFC 5322 3.2.3): atext runs separated by single dots. */
static gboolean
dot_atom (const char *s, gsize n)
{
  static const char specials[] = "!#$%&'*+-/=?^_`{|}~";

  if (n == 0 || s[0] == '.' || s[n - 1] == '.')
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (s[i] == '.' ? s[i + 1] == '.'
                    : !(g_ascii_isalnum (s[i]) || (s[i] != '\0' && strchr (specials, s[i]) != NULL)))
      return FALSE;
  return TRUE;
}

gboolean
rt_mail_msgid_valid (const char *id)
{
  gsize n;
  const char *at;

  if (id == NULL)
    return FALSE;
  if (*id == '<')
    id++;
  n = strlen (id);
  if (n > 0 && id[n - 1] == '>')
    n--;
  if (n == 0 || n > 250)
    return FALSE;
  at = memchr (id, '@', n);
  if (at == NULL || !dot_atom (id, at - id))
    return FALSE;
  {
    const char *r = at + 1;
    gsize rn = n - (r - id);

    if (rn >= 2 && r[0] == '[' && r[rn - 1] == ']')
      {
        for (gsize i = 1; i + 1 < rn; i++)
          if ((guchar) r[i] <= 0x20 || (guchar) r[i] >= 0x7F || strchr ("[]\\", r[i]) != NULL)
            return FALSE;
        return TRUE;
      }
    return dot_atom (r, rn);
  }
}

/* "<a> <b> ..." for References, ids cleaned. (transfer full) */
static char *
id_list (const char *const *ids, const char *last, GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (; ids != NULL && *ids != NULL; ids++)
    {
      g_autofree char *id = clean_id (*ids, error);

      if (id == NULL)
        return NULL;
      if (last != NULL && strcmp (id, last) == 0)
        continue;  /* appended at the end */
      g_string_append_printf (out, "%s<%s>", out->len > 0 ? " " : "", id);
    }
  if (last != NULL)
    g_string_append_printf (out, "%s<%s>", out->len > 0 ? " " : "", last);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A text part in UTF-8 with LF line ends (CRLF on output). */
static GMimeObject *
text_part (const char *subtype, const char *text)
{
  g_autofree char *valid = rt_mail_utf8_valid (text, -1);
  g_auto(GStrv) lines = NULL;
  g_autofree char *lf = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeDataWrapper) content = NULL;
  GMimePart *part = g_mime_part_new_with_type ("text", subtype);

  lines = g_strsplit (valid, "\r\n", -1);
  lf = g_strjoinv ("\n", lines);
  g_strdelimit (lf, "\r", '\n');
  stream = g_mime_stream_mem_new_with_buffer (lf, strlen (lf));
  content = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content (part, content);
  g_mime_object_set_content_type_parameter (GMIME_OBJECT (part), "charset", "utf-8");
  g_mime_part_set_content_encoding (part,
      g_mime_part_get_best_content_encoding (part, GMIME_ENCODING_CONSTRAINT_7BIT));
  return GMIME_OBJECT (part);
}

static gboolean
add_headers (GMimeObject *obj, const char *const *headers, GError **error)
{
  for (; headers != NULL && headers[0] != NULL; headers += 2)
    {
      const char *canon = NULL;
      g_autofree char *value = NULL;

      for (guint i = 0; allowed_headers[i] != NULL; i++)
        if (g_ascii_strcasecmp (headers[0], allowed_headers[i]) == 0)
          canon = allowed_headers[i];
      if (canon == NULL)
        return invalid (error, "header name (not allowed)", headers[0]);
      if (headers[1] == NULL)
        return invalid (error, "header value", canon);
      value = clean (headers[1]);
      g_mime_object_set_header (obj, canon, value, "utf-8");
    }
  return TRUE;
}

static gboolean
add_addresses (GMimeMessage *m, const RtMailDraft *d, GError **error)
{
  g_autofree char *name = clean (d->from_name);
  InternetAddress *from;

  if (!check_address (d->from_address, error))
    return FALSE;
  from = internet_address_mailbox_new (*name != '\0' ? name : NULL, d->from_address);
  internet_address_set_charset (from, "utf-8");  /* not GMime's latin1 guess */
  internet_address_list_add (g_mime_message_get_from (m), from);
  g_object_unref (from);
  if (d->to == NULL || d->to[0] == NULL)
    return invalid (error, "recipient list", NULL);
  for (const char *const *to = d->to; *to != NULL; to++)
    {
      if (!check_address (*to, error))
        return FALSE;
      g_mime_message_add_mailbox (m, GMIME_ADDRESS_TYPE_TO, NULL, *to);
    }
  return TRUE;
}

static gboolean
add_threading (GMimeMessage *m, const RtMailDraft *d, GError **error)
{
  g_autofree char *parent = NULL;
  g_autofree char *refs = NULL;

  if (d->in_reply_to == NULL)
    return TRUE;
  if ((parent = clean_id (d->in_reply_to, error)) == NULL
      || (refs = id_list (d->references, parent, error)) == NULL)
    return FALSE;
  {
    g_autofree char *bracketed = g_strdup_printf ("<%s>", parent);

    g_mime_object_set_header (GMIME_OBJECT (m), "In-Reply-To", bracketed, NULL);
    g_mime_object_set_header (GMIME_OBJECT (m), "References", refs, NULL);
  }
  return TRUE;
}

static GBytes *
serialize (GMimeObject *obj)
{
  g_autoptr(GMimeFormatOptions) fo = g_mime_format_options_new ();
  GByteArray *array = g_byte_array_new ();
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_byte_array (array);

  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_mime_format_options_set_newline_format (fo, GMIME_NEWLINE_FORMAT_DOS);
  g_mime_object_write_to_stream (obj, fo, stream);
  return g_byte_array_free_to_bytes (array);
}

GBytes *
rt_mail_build (const RtMailDraft *d, char **message_id, GError **error)
{
  g_autoptr(GMimeMessage) m = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GMimeObject) body = NULL;

  g_return_val_if_fail (d != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  rt_mail_init ();
  if (d->text == NULL)
    return invalid (error, "text", NULL), NULL;
  if (!check_domain (d->domain, error))
    return NULL;
  m = g_mime_message_new (TRUE);
  if (!add_addresses (m, d, error) || !add_threading (m, d, error)
      || !add_headers (GMIME_OBJECT (m), d->headers, error))
    return NULL;
  subject = clean (d->subject);
  if (*subject != '\0')
    g_mime_message_set_subject (m, subject, "utf-8");
  date = d->date != 0 ? g_date_time_new_from_unix_utc (d->date / G_USEC_PER_SEC)
                      : g_date_time_new_now_utc ();
  if (date == NULL)
    return invalid (error, "date", NULL), NULL;
  g_mime_message_set_date (m, date);
  if (d->message_id != NULL)
    {
      if (!rt_mail_msgid_valid (d->message_id))
        return invalid (error, "message id", d->message_id), NULL;
      id = clean_id (d->message_id, error);
      if (id == NULL)
        return NULL;
    }
  else
    id = g_mime_utils_generate_message_id (d->domain);
  g_mime_message_set_message_id (m, id);

  body = text_part ("plain", d->text);
  if (d->html != NULL)
    {
      GMimeMultipart *alt = g_mime_multipart_new_with_subtype ("alternative");
      g_autoptr(GMimeObject) html = text_part ("html", d->html);

      g_mime_multipart_add (alt, body);
      g_mime_multipart_add (alt, html);
      g_object_unref (body);
      body = GMIME_OBJECT (alt);
    }
  g_mime_message_set_mime_part (m, body);
  if (message_id != NULL)
    *message_id = g_steal_pointer (&id);
  return serialize (GMIME_OBJECT (m));
}
