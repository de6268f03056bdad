/* test-mail-limits.c: hostile sizes and shapes stay cheap and bounded. */
#include "mail-corpus.h"

/* Seconds allowed for work that takes milliseconds: generous for sanitizer
 * builds, still catches a quadratic walk or an endless loop. */
#define SLOW_LIMIT (20 * G_USEC_PER_SEC)

static char *
nested (guint depth, const char *leaf)
{
  GString *s = g_string_new ("From: a@example.org\nSubject: deep\n");

  for (guint i = 0; i < depth; i++)
    g_string_append_printf (s, "Content-Type: multipart/mixed; boundary=\"b%u\"\n\n--b%u\n", i, i);
  g_string_append_printf (s, "Content-Type: text/plain\n\n%s\n", leaf);
  for (guint i = depth; i-- > 0;)
    g_string_append_printf (s, "--b%u--\n", i);
  return g_string_free (s, FALSE);
}

static void
test_nested_200 (void)
{
  g_autofree char *deep = nested (200, "too deep to read");
  g_autofree char *shallow = nested (10, "found");
  gint64 start = g_get_monotonic_time ();
  g_autoptr(RtMailMessage) a = corpus_parse (deep);
  g_autoptr(RtMailMessage) b = corpus_parse (shallow);

  g_assert_cmpint (g_get_monotonic_time () - start, <, SLOW_LIMIT);
  g_assert_true (a->truncated);
  g_assert_cmpstr (a->subject, ==, "deep");
  g_assert_cmpstr (a->text, ==, "");
  g_assert_false (b->truncated);
  g_assert_cmpstr (b->text, ==, "found");
}

static void
test_many_parts (void)
{
  GString *s = g_string_new ("From: a@example.org\nContent-Type: multipart/mixed; boundary=m\n\n"
                             "--m\nContent-Type: text/plain\n\nbody\n");
  g_autofree char *mail = NULL;
  g_autoptr(RtMailMessage) msg = NULL;

  for (guint i = 0; i < 3000; i++)
    g_string_append_printf (s, "--m\nContent-Type: application/x-a; name=f%u\n\nx\n", i);
  g_string_append (s, "--m--\n");
  mail = g_string_free (s, FALSE);
  msg = corpus_parse (mail);
  g_assert_true (msg->truncated);
  g_assert_cmpstr (msg->text, ==, "body");
  g_assert_cmpuint (msg->attachments->len, ==, RT_MAIL_MAX_PARTS - 1);
}

static void
test_25mb_attachment (void)
{
  gsize size = 25 * 1024 * 1024;
  g_autofree guchar *blob = g_malloc (size);
  g_autofree char *b64 = NULL;
  GString *s;
  g_autofree char *mail = NULL;
  g_autoptr(RtMailMessage) msg = NULL;
  gint64 start;

  for (gsize i = 0; i < size; i++)
    blob[i] = (guchar) (i ^ (i >> 8));
  b64 = g_base64_encode (blob, size);
  g_clear_pointer (&blob, g_free);
  s = g_string_sized_new (strlen (b64) + strlen (b64) / 76 + 1024);
  g_string_append (s, "From: a@example.org\nContent-Type: multipart/mixed; boundary=x\n\n"
                      "--x\nContent-Type: text/plain\n\nBig file attached.\n"
                      "--x\nContent-Type: application/octet-stream\n"
                      "Content-Disposition: attachment; filename=big.bin\n"
                      "Content-Transfer-Encoding: base64\n\n");
  for (gsize off = 0, n = strlen (b64); off < n; off += 76)
    {
      g_string_append_len (s, b64 + off, (gssize) MIN (n - off, 76));
      g_string_append_c (s, '\n');
    }
  g_string_append (s, "--x--\n");
  mail = g_string_free (s, FALSE);
  start = g_get_monotonic_time ();
  msg = corpus_parse (mail);
  g_assert_cmpint (g_get_monotonic_time () - start, <, SLOW_LIMIT);
  g_assert_cmpstr (msg->text, ==, "Big file attached.");
  g_assert_cmpuint (msg->attachments->len, ==, 1);
  /* The struct holds a size, never the data. */
  g_assert_cmpuint (sizeof (RtMailAttachment), ==, 2 * sizeof (char *) + sizeof (guint64));
  g_assert_cmpuint (corpus_attachment (msg, 0)->size, ==, size);
  g_assert_cmpstr (corpus_attachment (msg, 0)->filename, ==, "big.bin");
}

static void
test_long_header (void)
{
  g_autofree char *junk = g_strnfill (100 * 1024, 'j');
  g_autofree char *word = g_strnfill (100 * 1024, 'w');
  g_autofree char *mail = g_strdup_printf ("From: \"%s\" <a@example.org>\nX-Junk: %s\n"
                                           "Subject: %s\n\nbody\n", word, junk, word);
  g_autoptr(RtMailMessage) msg = corpus_parse (mail);

  g_assert_cmpint (g_utf8_strlen (msg->subject, -1), ==, RT_MAIL_MAX_HEADER_CHARS);
  g_assert_true (g_str_has_suffix (msg->subject, "w\xE2\x80\xA6"));
  g_assert_cmpint (g_utf8_strlen (msg->from_name, -1), ==, RT_MAIL_MAX_HEADER_CHARS);
  g_assert_cmpstr (msg->from_address, ==, "a@example.org");
  g_assert_cmpstr (msg->text, ==, "body");
}

static void
test_text_cap (void)
{
  g_autofree char *line = g_strnfill (1024 * 1024, 'a');
  g_autofree char *mail = g_strdup_printf ("From: a@example.org\n\n%s\n", line);
  g_autofree char *html = g_strdup_printf ("From: a@example.org\nContent-Type: text/html\n\n"
                                           "<p>%s</p>\n", line);
  g_autoptr(RtMailMessage) plain = corpus_parse (mail);
  g_autoptr(RtMailMessage) from_html = corpus_parse (html);

  g_assert_true (plain->text_truncated);
  g_assert_true (g_str_has_suffix (plain->text, RT_MAIL_TRUNCATED_MARKER));
  g_assert_cmpuint (strlen (plain->text), ==,
                    RT_MAIL_MAX_TEXT_BYTES + strlen (RT_MAIL_TRUNCATED_MARKER));
  g_assert_true (from_html->text_truncated);
  g_assert_true (g_str_has_suffix (from_html->text, RT_MAIL_TRUNCATED_MARKER));
  g_assert_cmpuint (strlen (from_html->text), <=,
                    RT_MAIL_MAX_TEXT_BYTES + strlen (RT_MAIL_TRUNCATED_MARKER));
}

static void
test_text_cap_utf8 (void)
{
  GString *s = g_string_new ("From: a@example.org\nContent-Type: text/plain; charset=utf-8\n\n");
  g_autofree char *mail = NULL;
  g_autoptr(RtMailMessage) msg = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append (s, "\xE6\x9D\xB1");  /* 東: 3 bytes, never split */
  mail = g_string_free (s, FALSE);
  msg = corpus_parse (mail);
  g_assert_true (msg->text_truncated);
  g_assert_true (g_str_has_suffix (msg->text, "\xE6\x9D\xB1" RT_MAIL_TRUNCATED_MARKER));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/limits/nested-200", test_nested_200);
  g_test_add_func ("/limits/many-parts", test_many_parts);
  g_test_add_func ("/limits/attachment-25mb", test_25mb_attachment);
  g_test_add_func ("/limits/header-100kb", test_long_header);
  g_test_add_func ("/limits/text-cap", test_text_cap);
  g_test_add_func ("/limits/text-cap-utf8", test_text_cap_utf8);
  return g_test_run ();
}
