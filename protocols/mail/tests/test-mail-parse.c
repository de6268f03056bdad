/* test-mail-parse.c: incoming mails to RtMailMessage, inputs written here. */
#include "mail-corpus.h"

#define HEAD "From: \"Alice Example\" <alice@example.org>\n" \
             "To: bob@example.org, Carol <carol@example.org>\n" \
             "Date: Tue, 14 Nov 2023 22:13:20 +0000\n" \
             "Message-ID: <m1@example.org>\n"

static void
test_simple (void)
{
  g_autoptr(RtMailMessage) msg = corpus_parse (
    HEAD "Subject: Hello there\n"
    "In-Reply-To: <p@example.org>\n"
    "References: <r1@example.org>\n <p@example.org>\n"
    "\nHi Bob,\n\nlunch?\n");

  g_assert_cmpstr (msg->from_address, ==, "alice@example.org");
  g_assert_cmpstr (msg->from_name, ==, "Alice Example");
  g_assert_cmpuint (msg->to->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (msg->to, 1), ==, "carol@example.org");
  g_assert_cmpstr (msg->subject, ==, "Hello there");
  g_assert_cmpint (msg->date, ==, G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC);
  g_assert_cmpstr (msg->message_id, ==, "m1@example.org");
  g_assert_cmpstr (msg->in_reply_to, ==, "p@example.org");
  g_assert_cmpuint (msg->references->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (msg->references, 0), ==, "r1@example.org");
  g_assert_cmpstr (msg->text, ==, "Hi Bob,\n\nlunch?");
  g_assert_cmpuint (msg->attachments->len, ==, 0);
  g_assert_false (msg->auto_submitted);
  g_assert_false (msg->is_bounce);
  g_assert_false (msg->truncated);
  g_assert_false (msg->text_truncated);
}

static void
test_crlf_and_missing_fields (void)
{
  g_autoptr(RtMailMessage) msg = corpus_parse (
    "From: bob@example.org\r\nDate: not a date\r\n\r\nline1\r\nline2\r\n");

  g_assert_cmpstr (msg->from_address, ==, "bob@example.org");
  g_assert_null (msg->from_name);
  g_assert_cmpstr (msg->subject, ==, "");
  g_assert_cmpint (msg->date, ==, 0);
  g_assert_null (msg->message_id);
  g_assert_null (msg->in_reply_to);
  g_assert_cmpuint (msg->to->len, ==, 0);
  g_assert_cmpstr (msg->text, ==, "line1\nline2");
}

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  RtMailMessage *msg = rt_mail_parse ("", 0, &error);

  g_assert_null (msg);
  g_assert_error (error, RT_MAIL_ERROR, RT_MAIL_ERROR_EMPTY);
  g_clear_error (&error);
  msg = rt_mail_parse ("\n\n", 2, &error);
  g_assert_null (msg);
  g_assert_error (error, RT_MAIL_ERROR, RT_MAIL_ERROR_NOT_MESSAGE);
}

static void
test_non_ascii (void)
{
  g_autofree char *subject = corpus_b_word (TOKYO);
  g_autofree char *qp = corpus_qp (TOKYO "\nsecond line");
  g_autofree char *b64 = g_base64_encode ((const guchar *) TOKYO, strlen (TOKYO));
  g_autofree char *m1 = g_strdup_printf (
    "From: =?UTF-8?Q?Zo=C3=AB_=C5=81=C3=B3d=C5=BA?= <zoe@example.org>\n"
    "Subject: %s\nMIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: quoted-printable\n\n%s\n", subject, qp);
  g_autofree char *m2 = g_strdup_printf (
    "From: a@example.org\nSubject: x\nContent-Type: text/plain; charset=\"utf-8\"\n"
    "Content-Transfer-Encoding: base64\n\n%s\n", b64);
  g_autoptr(RtMailMessage) a = corpus_parse (m1);
  g_autoptr(RtMailMessage) b = corpus_parse (m2);

  g_assert_cmpstr (a->subject, ==, TOKYO);
  g_assert_cmpstr (a->from_name, ==, "Zo\xC3\xAB \xC5\x81\xC3\xB3\x64\xC5\xBA");
  g_assert_cmpstr (a->text, ==, TOKYO "\nsecond line");
  g_assert_cmpstr (b->text, ==, TOKYO);
}

static void
test_legacy_charsets (void)
{
  g_autoptr(RtMailMessage) latin1 = corpus_parse (
    "From: a@example.org\nContent-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: 8bit\n\nZo\xEB in S\xE3o Paulo\n");
  g_autoptr(RtMailMessage) cp1252 = corpus_parse (
    "From: a@example.org\nContent-Type: text/plain; charset=windows-1252\n"
    "Content-Transfer-Encoding: quoted-printable\n\n=93Hi=94 =80 5\n");
  g_autoptr(RtMailMessage) unknown = corpus_parse (
    "From: a@example.org\nSubject: =?x-unknown?Q?Zo=C3=AB?=\n"
    "Content-Type: text/plain; charset=x-unknown\n\nZo\xC3\xAB\n");
  g_autoptr(RtMailMessage) invalid = corpus_parse (
    "From: a@example.org\nContent-Type: text/plain; charset=\"\x01!!;\"\n\nZo\xEB\n");

  g_assert_cmpstr (latin1->text, ==, "Zoë in São Paulo");
  g_assert_cmpstr (cp1252->text, ==, "“Hi” € 5");
  g_assert_cmpstr (unknown->text, ==, "Zoë");
  g_assert_nonnull (strstr (unknown->subject, "Zo"));
  g_assert_cmpstr (invalid->text, ==, "Zoë");
}

static void
test_raw_8bit_headers (void)
{
  g_autoptr(RtMailMessage) utf8 = corpus_parse (
    "From: Zo\xC3\xAB <zoe@example.org>\nSubject: " TOKYO "\n\nbody\n");
  g_autoptr(RtMailMessage) latin1 = corpus_parse (
    "From: Zo\xEB <zoe@example.org>\nSubject: Caf\xE9 \x93ok\x94\n\nbody\n");

  g_assert_cmpstr (utf8->subject, ==, TOKYO);
  g_assert_cmpstr (utf8->from_name, ==, "Zoë");
  g_assert_cmpstr (latin1->subject, ==, "Café “ok”");
  g_assert_cmpstr (latin1->from_name, ==, "Zoë");
  g_assert_cmpstr (latin1->from_address, ==, "zoe@example.org");
}

#define ALT "From: a@example.org\nMIME-Version: 1.0\n" \
  "Content-Type: multipart/alternative; boundary=\"b1\"\n\npreamble\n"

static void
test_alternative (void)
{
  g_autoptr(RtMailMessage) plain_first = corpus_parse (ALT
    "--b1\nContent-Type: text/plain; charset=utf-8\n\nThe plain one\n"
    "--b1\nContent-Type: text/html\n\n<p>The <b>HTML</b> one</p>\n--b1--\n");
  g_autoptr(RtMailMessage) html_first = corpus_parse (ALT
    "--b1\nContent-Type: text/html\n\n<p>The <b>HTML</b> one</p>\n"
    "--b1\nContent-Type: text/plain\n\nThe plain one\n--b1--\n");

  g_assert_cmpstr (plain_first->text, ==, "The plain one");
  g_assert_cmpstr (html_first->text, ==, "The plain one");
  g_assert_cmpuint (html_first->attachments->len, ==, 0);
}

static void
test_html_only (void)
{
  g_autoptr(RtMailMessage) msg = corpus_parse (
    "From: a@example.org\nContent-Type: text/html; charset=iso-8859-1\n\n"
    "<html><head><style>body{}</style><script>var x='secret';</script></head>"
    "<body><p>Caf\xE9 &amp; cr&egrave;me &#x1F600;</p>"
    "<p>Read <a href=\"https://example.org/doc\">the doc</a></p></body></html>\n");

  g_assert_cmpstr (msg->text, ==, "Café & crème \xF0\x9F\x98\x80\n\n"
                                  "Read the doc (https://example.org/doc)");
  g_assert_null (strstr (msg->text, "secret"));
}

static void
test_attachments (void)
{
  guchar blob[1000];
  g_autofree char *b64 = NULL;
  g_autofree char *mail = NULL;
  g_autoptr(RtMailMessage) msg = NULL;
  const RtMailAttachment *a;

  for (guint i = 0; i < sizeof blob; i++)
    blob[i] = (guchar) (i * 7);
  b64 = g_base64_encode (blob, sizeof blob);
  mail = g_strdup_printf ("From: a@example.org\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=mix\n\n"
    "--mix\nContent-Type: text/plain\n\nSee attached.\n"
    "--mix\nContent-Type: application/pdf; name=\"old.pdf\"\n"
    "Content-Disposition: attachment; filename=\"report.pdf\"\n"
    "Content-Transfer-Encoding: base64\n\n%s\n"
    "--mix\nContent-Type: text/csv\nContent-Transfer-Encoding: quoted-printable\n"
    "Content-Disposition: attachment; filename*=UTF-8''Z%%C3%%B6e.csv\n\n"
    "a,b=3Dc\n1,2\n"
    "--mix\nContent-Type: text/plain\nContent-Disposition: attachment\n\nnot the body\n"
    "--mix--\n", b64);
  msg = corpus_parse (mail);
  g_assert_cmpstr (msg->text, ==, "See attached.");
  g_assert_cmpuint (msg->attachments->len, ==, 3);
  a = corpus_attachment (msg, 0);
  g_assert_cmpstr (a->filename, ==, "report.pdf");
  g_assert_cmpstr (a->content_type, ==, "application/pdf");
  g_assert_cmpuint (a->size, ==, sizeof blob);
  a = corpus_attachment (msg, 1);
  g_assert_cmpstr (a->filename, ==, "Zöe.csv");
  g_assert_cmpstr (a->content_type, ==, "text/csv");
  g_assert_cmpuint (a->size, ==, strlen ("a,b=c\n1,2"));
  a = corpus_attachment (msg, 2);
  g_assert_cmpstr (a->filename, ==, "unnamed");
}

static void
test_broken_multipart (void)
{
  g_autoptr(RtMailMessage) cut = corpus_parse (
    "From: a@example.org\nContent-Type: multipart/mixed; boundary=zz\n\n"
    "--zz\nContent-Type: text/plain\n\nFirst half of the text, then the conn");
  g_autoptr(RtMailMessage) missing = corpus_parse (
    "From: a@example.org\nContent-Type: multipart/mixed; boundary=never\n\n"
    "The text with no boundary at all.\n");
  g_autoptr(RtMailMessage) no_param = corpus_parse (
    "From: a@example.org\nContent-Type: multipart/mixed\n\nStill readable.\n");
  g_autoptr(RtMailMessage) cut_b64 = corpus_parse (
    "From: a@example.org\nContent-Type: multipart/mixed; boundary=zz\n\n"
    "--zz\nContent-Type: text/plain\n\nBody\n--zz\n"
    "Content-Type: image/png; name=x.png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgoAAA");

  g_assert_cmpstr (cut->text, ==, "First half of the text, then the conn");
  g_assert_cmpstr (missing->text, ==, "The text with no boundary at all.");
  g_assert_cmpstr (no_param->text, ==, "Still readable.");
  g_assert_cmpstr (cut_b64->text, ==, "Body");
  g_assert_cmpuint (cut_b64->attachments->len, ==, 1);
  g_assert_cmpstr (corpus_attachment (cut_b64, 0)->filename, ==, "x.png");
}

static void
test_auto_and_bounce (void)
{
  const char *autos[] = { "Auto-Submitted: auto-replied", "X-Autoreply: yes",
                          "Precedence: bulk", "Precedence: JUNK", "X-Autorespond: 1" };
  g_autoptr(RtMailMessage) human = corpus_parse (
    "From: a@example.org\nAuto-Submitted: no\nPrecedence: list\n\nhi\n");
  g_autoptr(RtMailMessage) report = corpus_parse (
    "From: postmaster@example.org\nContent-Type: multipart/report; "
    "report-type=delivery-status; boundary=r\n\n"
    "--r\nContent-Type: text/plain\n\nDelivery failed.\n"
    "--r\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; x@y\n"
    "--r\nContent-Type: message/rfc822\n\nFrom: me@example.org\nSubject: orig\n\noriginal text\n--r--\n");
  g_autoptr(RtMailMessage) daemon = corpus_parse (
    "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n\nReturned mail\n");

  g_assert_false (human->auto_submitted);
  for (guint i = 0; i < G_N_ELEMENTS (autos); i++)
    {
      g_autofree char *mail = g_strdup_printf ("From: a@example.org\n%s\n\nhi\n", autos[i]);
      g_autoptr(RtMailMessage) msg = corpus_parse (mail);

      g_assert_true (msg->auto_submitted);
      g_assert_false (msg->is_bounce);
    }
  g_assert_false (human->is_bounce);
  g_assert_true (report->is_bounce);
  g_assert_cmpstr (report->text, ==, "Delivery failed.");
  g_assert_cmpuint (report->attachments->len, ==, 2);
  g_assert_cmpstr (corpus_attachment (report, 1)->content_type, ==, "message/rfc822");
  g_assert_cmpuint (corpus_attachment (report, 1)->size, >, 0);
  g_assert_true (daemon->is_bounce);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/parse/simple", test_simple);
  g_test_add_func ("/parse/crlf-missing-fields", test_crlf_and_missing_fields);
  g_test_add_func ("/parse/errors", test_errors);
  g_test_add_func ("/parse/non-ascii", test_non_ascii);
  g_test_add_func ("/parse/legacy-charsets", test_legacy_charsets);
  g_test_add_func ("/parse/raw-8bit-headers", test_raw_8bit_headers);
  g_test_add_func ("/parse/alternative", test_alternative);
  g_test_add_func ("/parse/html-only", test_html_only);
  g_test_add_func ("/parse/attachments", test_attachments);
  g_test_add_func ("/parse/broken-multipart", test_broken_multipart);
  g_test_add_func ("/parse/auto-and-bounce", test_auto_and_bounce);
  return g_test_run ();
}
