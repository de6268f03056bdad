/* test-mail-build.c: outgoing mails, checked by parsing them back. */
#include "mail-corpus.h"
#include "rt-mail-build.h"

#include <gmime/gmime.h>

static const char *const one_to[] = { "bob@example.org", NULL };

static GBytes *
build_ok (const RtMailDraft *d, char **id)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes = rt_mail_build (d, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

static RtMailMessage *
reparse (GBytes *bytes)
{
  g_autofree char *s = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  return corpus_parse (s);
}

/* Header names and values of the serialized message, via GMime. */
static GMimeHeaderList *
headers_of (GBytes *bytes, GMimeMessage **out)
{
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (bytes, NULL),
                                                           g_bytes_get_size (bytes));
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);

  *out = g_mime_parser_construct_message (parser, NULL);
  g_assert_nonnull (*out);
  g_object_unref (parser);
  g_object_unref (stream);
  return g_mime_object_get_header_list (GMIME_OBJECT (*out));
}

static void
test_round_trip (void)
{
  RtMailDraft d = {
    .from_address = "zoe@example.org", .from_name = "Zoë from Łódź",
    .to = one_to, .subject = TOKYO, .text = TOKYO "\nline two\r\nline three",
    .domain = "example.org", .date = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC,
  };
  g_autofree char *id = NULL;
  g_autoptr(GBytes) bytes = build_ok (&d, &id);
  g_autoptr(RtMailMessage) msg = reparse (bytes);
  const char *raw = g_bytes_get_data (bytes, NULL);

  for (gsize i = 0; i < g_bytes_get_size (bytes); i++)
    {
      g_assert_cmpuint ((guchar) raw[i], <, 0x80);        /* 7-bit clean */
      if (raw[i] == '\n')
        g_assert_true (i > 0 && raw[i - 1] == '\r');      /* CRLF only */
    }
  g_assert_true (g_str_has_suffix (id, "@example.org"));
  g_assert_cmpstr (msg->message_id, ==, id);
  g_assert_cmpstr (msg->from_address, ==, "zoe@example.org");
  g_assert_cmpstr (msg->from_name, ==, "Zoë from Łódź");
  g_assert_cmpstr (msg->subject, ==, TOKYO);
  g_assert_cmpstr (msg->text, ==, TOKYO "\nline two\nline three");
  g_assert_cmpint (msg->date, ==, d.date);
  g_assert_cmpuint (msg->to->len, ==, 1);
  g_assert_null (msg->in_reply_to);
}

static void
test_injection (void)
{
  const char *const headers[] = { "Reply-To", "x@example.org\r\nBcc: evil@example.org",
                                  "List-Id", "List <l.example.org>\nX-Evil: 1", NULL };
  RtMailDraft d = {
    .from_address = "zoe@example.org",
    .from_name = "Zoë\r\nBcc: evil@example.org\r\n\r\nbody",
    .to = one_to, .subject = "Hi\r\nBcc: evil@example.org\nX-Injected: yes\r\rZ",
    .text = "hello", .domain = "example.org", .headers = headers,
  };
  g_autoptr(GBytes) bytes = build_ok (&d, NULL);
  g_autoptr(RtMailMessage) msg = reparse (bytes);
  GMimeMessage *m = NULL;
  GMimeHeaderList *list = headers_of (bytes, &m);
  const char *names[] = { "From", "To", "Subject", "Date", "Message-Id",
                          "MIME-Version", "Reply-To", "List-Id" };
  GMimeHeaderList *body = g_mime_object_get_header_list (g_mime_message_get_mime_part (m));

  g_assert_cmpint (g_mime_header_list_get_count (list), ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_true (g_mime_header_list_contains (list, names[i]));
  g_assert_cmpint (g_mime_header_list_get_count (body), <=, 2);  /* + CTE unless 7bit */
  g_assert_true (g_mime_header_list_contains (body, "Content-Type"));
  g_assert_false (g_mime_header_list_contains (list, "Bcc"));
  g_assert_false (g_mime_header_list_contains (list, "X-Injected"));
  g_assert_false (g_mime_header_list_contains (list, "X-Evil"));
  g_assert_cmpstr (msg->subject, ==, "Hi  Bcc: evil@example.org X-Injected: yes  Z");
  g_assert_cmpstr (msg->from_name, ==, "Zoë  Bcc: evil@example.org    body");
  g_assert_cmpstr (msg->from_address, ==, "zoe@example.org");
  g_assert_cmpstr (msg->text, ==, "hello");
  g_object_unref (m);
}

static void
test_reply_threading (void)
{
  const char *const refs[] = { "<root@example.org>", "mid@example.org", NULL };
  const char *const headers[] = { "auto-submitted", "auto-replied",
                                  "List-Unsubscribe", "<mailto:u@example.org>", NULL };
  RtMailDraft d = {
    .from_address = "a@example.org", .to = one_to, .subject = "Re: plan",
    .text = "yes", .html = "<p>yes</p>", .domain = "example.org",
    .in_reply_to = "<parent@example.org>", .references = refs, .headers = headers,
  };
  g_autoptr(GBytes) bytes = build_ok (&d, NULL);
  g_autoptr(RtMailMessage) msg = reparse (bytes);
  GMimeMessage *m = NULL;
  GMimeHeaderList *list = headers_of (bytes, &m);

  g_assert_cmpstr (msg->in_reply_to, ==, "parent@example.org");
  g_assert_cmpuint (msg->references->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (msg->references, 0), ==, "root@example.org");
  g_assert_cmpstr (g_ptr_array_index (msg->references, 2), ==, "parent@example.org");
  g_assert_true (msg->auto_submitted);
  g_assert_cmpstr (msg->text, ==, "yes");
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (
                   g_mime_message_get_mime_part (m)), "multipart", "alternative"));
  g_assert_cmpstr (g_mime_header_list_get_header (list, "List-Unsubscribe") != NULL
                   ? g_mime_header_get_value (g_mime_header_list_get_header (list, "List-Unsubscribe"))
                   : NULL, ==, "<mailto:u@example.org>");
  g_object_unref (m);
}

static void
test_invalid (void)
{
  const char *const bad_to[] = { "bob@example.org>\r\nBcc: x@y", NULL };
  const char *const bad_header[] = { "Bcc", "x@example.org", NULL };
  RtMailDraft base = { .from_address = "a@example.org", .to = one_to, .text = "t",
                       .domain = "example.org" };
  RtMailDraft d;

  d = base; d.to = bad_to;
  g_assert_null (rt_mail_build (&d, NULL, NULL));
  d = base; d.from_address = "no-at-sign";
  g_assert_null (rt_mail_build (&d, NULL, NULL));
  d = base; d.domain = "example.org>\r\nX: y";
  g_assert_null (rt_mail_build (&d, NULL, NULL));
  d = base; d.in_reply_to = "<a b@c>";
  g_assert_null (rt_mail_build (&d, NULL, NULL));
  d = base; d.headers = bad_header;
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (rt_mail_build (&d, NULL, &error));
    g_assert_error (error, RT_MAIL_ERROR, RT_MAIL_ERROR_INVALID);
  }
  d = base;
  {
    g_autoptr(GBytes) ok = rt_mail_build (&d, NULL, NULL);

    g_assert_nonnull (ok);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  rt_mail_init ();
  g_test_add_func ("/build/round-trip", test_round_trip);
  g_test_add_func ("/build/injection", test_injection);
  g_test_add_func ("/build/reply-threading", test_reply_threading);
  g_test_add_func ("/build/invalid", test_invalid);
  return g_test_run ();
}
