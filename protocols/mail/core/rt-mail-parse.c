/* rt-mail-parse.c: one incoming mail to an RtMailMessage: headers here, the
 * MIME tree in rt-mail-walk.c. */
#include "rt-mail-gmime.h"

#include <string.h>

/* Header text to kept form: valid UTF-8, clipped. NULL stays NULL. */
static char *
keep (const char *s)
{
  char *v = rt_mail_utf8_valid (s, -1);

  if (v != NULL)
    {
      g_strstrip (v);
      rt_mail_clip_chars (&v, RT_MAIL_MAX_HEADER_CHARS, NULL);
    }
  return v;
}

static InternetAddressMailbox *
first_mailbox (InternetAddressList *list)
{
  int n = list != NULL ? internet_address_list_length (list) : 0;

  for (int i = 0; i < n; i++)
    {
      InternetAddress *a = internet_address_list_get_address (list, i);

      if (INTERNET_ADDRESS_IS_MAILBOX (a))
        return INTERNET_ADDRESS_MAILBOX (a);
      if (INTERNET_ADDRESS_IS_GROUP (a))
        {
          InternetAddressMailbox *m =
            first_mailbox (internet_address_group_get_members (INTERNET_ADDRESS_GROUP (a)));
          if (m != NULL)
            return m;
        }
    }
  return NULL;
}

void
rt_mail_add_addresses (GPtrArray *out, InternetAddressList *list)
{
  int n = list != NULL ? internet_address_list_length (list) : 0;

  for (int i = 0; i < n && out->len < RT_MAIL_MAX_LIST; i++)
    {
      InternetAddress *a = internet_address_list_get_address (list, i);

      if (INTERNET_ADDRESS_IS_MAILBOX (a))
        {
          const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (a));

          if (addr != NULL && *addr != '\0')
            g_ptr_array_add (out, keep (addr));
        }
      else if (INTERNET_ADDRESS_IS_GROUP (a))
        rt_mail_add_addresses (out, internet_address_group_get_members (INTERNET_ADDRESS_GROUP (a)));
    }
}

static void
parse_ids (GMimeParserOptions *options, const char *header, RtMailMessage *msg)
{
  g_autoptr(GMimeReferences) refs = NULL;
  int n, first;

  if (header == NULL)
    return;
  refs = g_mime_references_parse (options, header);
  n = refs != NULL ? g_mime_references_length (refs) : 0;
  first = MAX (0, n - RT_MAIL_MAX_LIST);
  for (int i = first; i < n; i++)
    g_ptr_array_add (msg->references, keep (g_mime_references_get_message_id (refs, i)));
}

static char *
first_id (GMimeParserOptions *options, const char *header)
{
  g_autoptr(GMimeReferences) refs = NULL;

  if (header == NULL)
    return NULL;
  refs = g_mime_references_parse (options, header);
  if (refs == NULL || g_mime_references_length (refs) == 0)
    return NULL;
  return keep (g_mime_references_get_message_id (refs, 0));
}

static gboolean
header_is (GMimeObject *obj, const char *name, const char *const *values)
{
  const char *v = g_mime_object_get_header (obj, name);
  g_autofree char *t = NULL;

  if (v == NULL)
    return FALSE;
  if (values == NULL)
    return TRUE;
  t = g_strstrip (g_strdup (v));
  for (; *values != NULL; values++)
    if (g_ascii_strcasecmp (t, *values) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_auto_submitted (GMimeObject *obj)
{
  static const char *const no[] = { "no", NULL };
  static const char *const prec[] = { "bulk", "junk", "auto_reply", NULL };

  return (header_is (obj, "Auto-Submitted", NULL) && !header_is (obj, "Auto-Submitted", no))
      || header_is (obj, "X-Autoreply", NULL)
      || header_is (obj, "X-Autorespond", NULL)
      || header_is (obj, "Precedence", prec);
}

static void
fill_headers (GMimeMessage *m, GMimeParserOptions *options, RtMailMessage *msg)
{
  GMimeObject *obj = GMIME_OBJECT (m);
  InternetAddressMailbox *from = first_mailbox (g_mime_message_get_from (m));
  GDateTime *date = g_mime_message_get_date (m);

  if (from != NULL)
    {
      const char *name = internet_address_get_name (INTERNET_ADDRESS (from));
      const char *addr = internet_address_mailbox_get_addr (from);

      msg->from_address = addr != NULL && *addr != '\0' ? keep (addr) : NULL;
      msg->from_name = name != NULL && *name != '\0' ? keep (name) : NULL;
      if (msg->from_address != NULL
          && g_ascii_strncasecmp (msg->from_address, "mailer-daemon@", 14) == 0)
        msg->is_bounce = TRUE;
    }
  rt_mail_add_addresses (msg->to, g_mime_message_get_to (m));
  msg->subject = keep (g_mime_message_get_subject (m));
  if (msg->subject == NULL)
    msg->subject = g_strdup ("");
  if (date != NULL)
    msg->date = g_date_time_to_unix (date) * G_USEC_PER_SEC
              + g_date_time_get_microsecond (date);
  msg->message_id = keep (g_mime_message_get_message_id (m));
  if (msg->message_id != NULL && *msg->message_id == '\0')
    g_clear_pointer (&msg->message_id, g_free);
  msg->in_reply_to = first_id (options, g_mime_object_get_header (obj, "In-Reply-To"));
  parse_ids (options, g_mime_object_get_header (obj, "References"), msg);
  msg->auto_submitted = is_auto_submitted (obj);
}

static GMimeParserOptions *
lenient_options (void)
{
  static const char *fallback[] = { "UTF-8", "windows-1252", NULL };
  GMimeParserOptions *options = g_mime_parser_options_new ();

  g_mime_parser_options_set_fallback_charsets (options, fallback);
  g_mime_parser_options_set_rfc2047_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  return options;
}

RtMailMessage *
rt_mail_parse (const char *data, gsize len, GError **error)
{
  return rt_mail_parse_keep (data, len, NULL, error);
}

RtMailMessage *
rt_mail_parse_keep (const char *data, gsize len, GMimeMessage **message, GError **error)
{
  g_autoptr(GMimeParserOptions) options = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) m = NULL;
  g_autoptr(RtMailMessage) msg = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  rt_mail_init ();
  if (len == 0)
    {
      g_set_error_literal (error, RT_MAIL_ERROR, RT_MAIL_ERROR_EMPTY, "empty message");
      return NULL;
    }
  options = lenient_options ();
  stream = g_mime_stream_mem_new_with_buffer (data, len);
  parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  m = g_mime_parser_construct_message (parser, options);
  if (m == NULL || g_mime_header_list_get_count (g_mime_object_get_header_list (GMIME_OBJECT (m))) == 0)
    {
      g_set_error_literal (error, RT_MAIL_ERROR, RT_MAIL_ERROR_NOT_MESSAGE,
                           "not a mail message: no header found");
      return NULL;
    }
  msg = g_new0 (RtMailMessage, 1);
  msg->to = g_ptr_array_new_with_free_func (g_free);
  msg->references = g_ptr_array_new_with_free_func (g_free);
  fill_headers (m, options, msg);
  rt_mail_walk (g_mime_message_get_mime_part (m), msg);
  if (message != NULL)
    *message = g_steal_pointer (&m);
  return g_steal_pointer (&msg);
}

void
rt_mail_message_free (RtMailMessage *msg)
{
  if (msg == NULL)
    return;
  g_free (msg->from_address);
  g_free (msg->from_name);
  g_clear_pointer (&msg->to, g_ptr_array_unref);
  g_free (msg->subject);
  g_free (msg->message_id);
  g_free (msg->in_reply_to);
  g_clear_pointer (&msg->references, g_ptr_array_unref);
  g_free (msg->text);
  g_clear_pointer (&msg->attachments, g_ptr_array_unref);
  g_free (msg);
}
