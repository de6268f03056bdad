/* test-mail-reply.c: the new text of replies and auto-reply detection.
 * The corpus in replies/ (see replies/README.md) runs file by file; the
 * unit cases below cover the tricky lines, the classification rules one by
 * one, and hostile sizes (checked by their result, never by a clock: the
 * meson timeout catches a hang). RT_NONFATAL=1 in the environment keeps
 * going after a failed assertion, to see every failing corpus case. */
#include "mail-corpus.h"
#include "rt-mail-reply.h"
#include "rt-mail-gmime.h"

#define MIN_REPLY_CASES 24

/* ---- the corpus ---- */

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  g_file_get_contents (path, &data, NULL, &error);
  g_assert_no_error (error);
  return data;
}

/* The expected text: the file without its final newline; NULL if absent. */
static char *
read_expected (const char *path)
{
  char *data;
  gsize len;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  data = read_file (path);
  len = strlen (data);
  if (len > 0 && data[len - 1] == '\n')
    data[len - 1] = '\0';
  return data;
}

static GMimeMessage *
message_from (const char *data)
{
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_buffer (data, strlen (data));
  g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream (stream);
  GMimeMessage *msg;

  rt_mail_init ();
  msg = g_mime_parser_construct_message (parser, NULL);
  g_assert_nonnull (msg);
  return msg;
}

/* The first inline text/plain and text/html parts, as a mail client picks
 * them (attached message/rfc822 parts are not entered). */
static void
find_bodies (GMimeObject *obj, GMimeTextPart **plain, GMimeTextPart **html)
{
  GMimeContentDisposition *disp;

  if (GMIME_IS_MULTIPART (obj))
    {
      for (int i = 0; i < g_mime_multipart_get_count (GMIME_MULTIPART (obj)); i++)
        find_bodies (g_mime_multipart_get_part (GMIME_MULTIPART (obj), i), plain, html);
      return;
    }
  disp = g_mime_object_get_content_disposition (obj);
  if (!GMIME_IS_TEXT_PART (obj) || (disp != NULL && g_mime_content_disposition_is_attachment (disp)))
    return;
  if (*plain == NULL && g_mime_content_type_is_type (g_mime_object_get_content_type (obj), "text", "plain"))
    *plain = GMIME_TEXT_PART (obj);
  if (*html == NULL && g_mime_content_type_is_type (g_mime_object_get_content_type (obj), "text", "html"))
    *html = GMIME_TEXT_PART (obj);
}

static RtMailAutoKind
expected_kind (const char *base)
{
  if (g_str_has_prefix (base, "bounce-"))
    return RT_MAIL_AUTO_BOUNCE;
  if (g_str_has_prefix (base, "auto-"))
    return RT_MAIL_AUTO_REPLY;
  return RT_MAIL_AUTO_HUMAN;
}

static void
test_corpus_case (gconstpointer data)
{
  const char *eml = data;
  g_autofree char *base = g_path_get_basename (eml);
  g_autofree char *stem = g_strndup (eml, strlen (eml) - 4);
  g_autofree char *txt_path = g_strconcat (stem, ".txt", NULL);
  g_autofree char *html_txt_path = g_strconcat (stem, ".html.txt", NULL);
  g_autofree char *raw = read_file (eml);
  g_autofree char *expected = read_expected (txt_path);
  g_autofree char *expected_html = read_expected (html_txt_path);
  g_autoptr(GMimeMessage) msg = message_from (raw);
  GMimeTextPart *plain = NULL, *html = NULL;

  g_assert_nonnull (expected);
  g_assert_cmpint (rt_mail_classify_auto (msg), ==, expected_kind (base));
  if (expected_kind (base) == RT_MAIL_AUTO_BOUNCE)
    {
      g_autofree char *rcpt = rt_mail_bounce_recipient (msg);

      g_assert_cmpstr (rcpt, ==, *expected != '\0' ? expected : NULL);
      return;
    }
  find_bodies (g_mime_message_get_mime_part (msg), &plain, &html);
  g_assert_true (plain != NULL || html != NULL);
  g_assert_true (expected_html == NULL || html != NULL);
  g_test_message ("%s: checked %s%s%s", base, plain != NULL ? "text/plain" : "",
                  plain != NULL && html != NULL ? " and " : "", html != NULL ? "text/html" : "");
  if (plain != NULL)
    {
      g_autofree char *text = g_mime_text_part_get_text (plain);
      g_autofree char *got = rt_mail_reply_new_text (text);
      g_autoptr(RtMailMessage) parsed = corpus_parse (raw);
      g_autofree char *via_parse = rt_mail_reply_new_text (parsed->text);

      g_assert_cmpstr (got, ==, expected);
      /* What the plugin has in hand: rt_mail_parse's text. */
      g_assert_cmpstr (via_parse, ==, expected);
    }
  if (html != NULL)
    {
      g_autofree char *markup = g_mime_text_part_get_text (html);
      g_autofree char *got = rt_mail_reply_new_text_html (markup);

      g_assert_cmpstr (got, ==, expected_html != NULL ? expected_html : expected);
    }
  if (plain == NULL)
    {
      /* HTML only, without the markers: rt_mail_parse turned the HTML into
       * text already. Reported, not required: the text rules alone. */
      g_autoptr(RtMailMessage) parsed = corpus_parse (raw);
      g_autofree char *text_only = rt_mail_reply_new_text (parsed->text);

      g_test_message ("%s: text rules alone on the HTML turned into text: %s", base,
                      g_strcmp0 (text_only, expected) == 0 ? "same" : "differs");
    }
}

static GPtrArray *
corpus_files (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "replies", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return files;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".eml"))
      g_ptr_array_add (files, g_build_filename (dir_path, name, NULL));
  return files;
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The corpus is there and covers every client in every language. */
static void
test_corpus_size (void)
{
  g_autoptr(GPtrArray) files = corpus_files ();
  static const char *const clients[] = { "gmail-", "outlook-", "owa-", "apple-", "thunderbird-", NULL };
  static const char *const langs[] = { "-en-", "-nl-", "-fr-", "-de-", NULL };
  guint replies = 0, autos = 0, bounces = 0;

  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (files, i));

      switch (expected_kind (base))
        {
        case RT_MAIL_AUTO_HUMAN: replies++; break;
        case RT_MAIL_AUTO_REPLY: autos++; break;
        case RT_MAIL_AUTO_BOUNCE: bounces++; break;
        }
    }
  g_assert_cmpuint (replies, >=, MIN_REPLY_CASES);
  g_assert_cmpuint (autos, >=, 4);
  g_assert_cmpuint (bounces, >=, 2);
  for (const char *const *c = clients; *c != NULL; c++)
    for (const char *const *l = langs; *l != NULL; l++)
      {
        gboolean found = FALSE;

        for (guint i = 0; i < files->len && !found; i++)
          {
            g_autofree char *base = g_path_get_basename (g_ptr_array_index (files, i));

            found = g_str_has_prefix (base, *c) && strstr (base, *l) != NULL;
          }
        if (!found)
          g_error ("no corpus case for %s%s", *c, *l);
      }
}

/* ---- plain text: tricky lines ---- */

static void
assert_new_text (const char *text, const char *expected)
{
  g_autofree char *got = rt_mail_reply_new_text (text);

  g_assert_cmpstr (got, ==, expected);
}

static void
test_wrote_mid_sentence (void)
{
  /* "wrote:" inside the new text is text, also at a line end when the
   * line does not start like an attribution or names no date. */
  assert_new_text ("As Bob wrote: we ship on 12 March.\n"
                   "On Friday Anna wrote:\n"
                   "fine by me.\n"
                   "Op maandag schreef Jan:\n"
                   "akkoord.\n",
                   "As Bob wrote: we ship on 12 March.\nOn Friday Anna wrote:\nfine by me.\n"
                   "Op maandag schreef Jan:\nakkoord.");
  /* Three ordinary lines never join into one wrapped attribution without
   * an address in them. */
  assert_new_text ("On 12 March we ship the bid\nand Bob wrote:\n> ok\nthanks",
                   "On 12 March we ship the bid\nand Bob wrote:\n\nthanks");
}

static void
test_attributions (void)
{
  static const char *const lines[] = {
    "On Tue, Mar 12, 2024 at 9:14 AM Bob <b@example.org> wrote:",
    "On Tue, Mar 12, 2024 at 9:14 AM Bob Smith <\nb@example.org> wrote:",
    "On Tue, Mar 12, 2024 at 9:14 AM Bob Smith\n<b@example.org>\nwrote:",
    "On 3/12/24 09:14, Bob Smith wrote:",
    "Op di 12 mrt 2024 om 09:14 schreef Bob <b@example.org>:",
    "Op 12 mrt 2024 om 09:14 heeft Bob <b@example.org> het volgende geschreven:",
    "Le mar. 12 mars 2024 à 09:14, Bob <b@example.org> a écrit :",
    "Le 12/03/2024 à 09:14, Bob a écrit\xE2\x80\xAF:",
    "Am Di., 12. März 2024 um 09:14 Uhr schrieb Bob <b@example.org>:",
    "Am 12.03.24 um 09:14 schrieb Bob:",
    "Bob <b@example.org> schrieb am Di., 12. März 2024, 09:14:",
  };

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autofree char *top = g_strdup_printf ("New " TOKYO "\n\n%s\n\n> old\n> older\n", lines[i]);
      g_autofree char *unquoted = g_strdup_printf ("New\n%s\nold history\n", lines[i]);
      g_autofree char *bottom = g_strdup_printf ("%s\n> old\n\nNew", lines[i]);

      assert_new_text (top, "New " TOKYO);
      assert_new_text (unquoted, "New");
      assert_new_text (bottom, "New");
    }
}

static void
test_outlook_blocks (void)
{
  assert_new_text ("Yes.\n\nFrom: Bob <b@example.org>\nSent: Tuesday\nTo: me\nSubject: x\n\nold",
                   "Yes.");
  assert_new_text ("Ja.\n\nVon: Bob\nGesendet: Dienstag\nAn: ich\nBetreff: x\n\nalt", "Ja.");
  assert_new_text ("Oui.\n\n*De\xC2\xA0:* Bob\n*Envoyé\xC2\xA0:* mardi\n*Objet\xC2\xA0:* x\n\nvieux",
                   "Oui.");
  assert_new_text ("Ja.\n________________________________\nVan: Bob\nVerzonden: dinsdag\nAan: ik\n\noud",
                   "Ja.");
  assert_new_text ("Ok\n-----Original Message-----\nold", "Ok");
  assert_new_text ("Ok\n----- Oorspronkelijk bericht -----\noud", "Ok");
  assert_new_text ("Ok\n-------- Message d'origine --------\nvieux", "Ok");
  assert_new_text ("Ok\n-----Ursprüngliche Nachricht-----\nalt", "Ok");
  /* A header-like list in the new text without a Sent line stays. */
  assert_new_text ("From: the marketing team\nTo: everyone\nSubject: launch\n\nGo!",
                   "From: the marketing team\nTo: everyone\nSubject: launch\n\nGo!");
}

static void
test_signatures (void)
{
  static const char *const mobile[] = {
    "Sent from my iPhone", "Sent from my Galaxy", "Get Outlook for iOS<https://aka.ms/o0ukef>",
    "Verstuurd vanaf mijn iPhone", "Envoyé de mon iPad", "Envoyé depuis mon smartphone Samsung Galaxy.",
    "Von meinem iPhone gesendet", "Gesendet von meinem Samsung Galaxy",
  };

  for (guint i = 0; i < G_N_ELEMENTS (mobile); i++)
    {
      g_autofree char *text = g_strdup_printf ("Fine.\n\n%s\n\n> q\n", mobile[i]);

      assert_new_text (text, "Fine.");
    }
  assert_new_text ("Fine.\n-- \nBob\nAcme\n", "Fine.");
  assert_new_text ("Fine.\n--\nBob\n", "Fine.");
  /* A signature ends where a quote starts: an interleaved answer below
   * it is kept. */
  assert_new_text ("A\n-- \nBob\n> q\nB", "A\n\nB");
  /* "--" as a divider with a long text after it is not a signature. */
  assert_new_text ("Plan A\n--\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12",
                   "Plan A\n--\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12");
  /* "Sent from my" inside a sentence is text. */
  assert_new_text ("I sent from my laptop the file you wanted.",
                   "I sent from my laptop the file you wanted.");
}

static void
test_interleaved_and_layout (void)
{
  assert_new_text ("Hi\n\n> q1\n> q1b\nA1   \n\n\n\n> q2\n>\n>> q3\nA2\r\n", "Hi\n\nA1\n\nA2");
  assert_new_text ("A\r\n\r\nB\r\n> q\r\n", "A\n\nB");
}

static void
test_known_limit_quoted_code (void)
{
  /* Known limit (docs/mail-replies.md): a line of new text starting with
   * ">" (a shell prompt, a quoted e-mail pasted on purpose) reads as a
   * quote and is dropped. */
  assert_new_text ("Run this:\n> ls -l /srv\nand tell me.", "Run this:\n\nand tell me.");
}

static void
test_nothing_recognized (void)
{
  g_autofree char *null_text = rt_mail_reply_new_text (NULL);
  g_autofree char *bad = rt_mail_reply_new_text ("caf\xE9 ok\n");

  g_assert_cmpstr (null_text, ==, "");
  assert_new_text ("", "");
  assert_new_text ("  \n\n ", "");
  assert_new_text ("  just text  \n", "just text");
  g_assert_cmpstr (bad, ==, "caf\xEF\xBF\xBD ok");
  /* Only quoted history: the whole text comes back, never nothing. */
  assert_new_text ("> all quoted\n> here\n", "> all quoted\n> here");
  assert_new_text ("On 1 Jan 2024, Bob <b@example.org> wrote:\n> x\r\n",
                   "On 1 Jan 2024, Bob <b@example.org> wrote:\n> x");
}

/* ---- HTML ---- */

static void
assert_new_html (const char *html, const char *expected)
{
  g_autofree char *got = rt_mail_reply_new_text_html (html);

  g_assert_cmpstr (got, ==, expected);
}

static void
test_html_markers (void)
{
  /* An indenting blockquote (no type="cite") is the writer's own. */
  assert_new_html ("<p>Look:</p><blockquote style=\"margin:0 0 0 40px\">indented</blockquote>",
                   "Look:\n\nindented");
  /* A plain <hr> is kept as a break; Outlook's tabindex=-1 one cuts. */
  assert_new_html ("<p>a</p><hr><p>b</p><hr tabindex=\"-1\"><p>old</p>", "a\n\nb");
  /* Markers inside comments, scripts and attribute values do nothing. */
  assert_new_html ("<p>x</p><!-- <div id=\"divRplyFwdMsg\"> --><script>var s='<blockquote type=cite>';</script>"
                   "<p title='<hr tabindex=-1>'>y</p>", "x\n\ny");
  /* Unquoted attributes, upper case, single quotes. */
  assert_new_html ("New<BLOCKQUOTE TYPE=CITE>old</BLOCKQUOTE>", "New");
  assert_new_html ("New<div class='x gmail_attr'>On x wrote:</div><blockquote class=gmail_quote>old"
                   "</blockquote>", "New");
  /* Unclosed quote: everything after it is quote. */
  assert_new_html ("<p>New</p><blockquote type=\"cite\"><p>old<p>older", "New");
  /* Unterminated tag: the text ends there, as in rt_html_to_text. */
  assert_new_html ("<p>New</p><p class=\"x", "New");
  /* Only quoted: the whole HTML as text comes back. */
  assert_new_html ("<blockquote type=\"cite\">only old</blockquote>", "only old");
  assert_new_html (NULL, "");
}

/* ---- classification ---- */

static RtMailAutoKind
classify (const char *headers, const char *body)
{
  g_autofree char *mail = g_strdup_printf ("From: Ann <ann@example.org>\nTo: hub@example.com\n"
                                           "%s\n%s", headers, body != NULL ? body : "hello\n");
  g_autoptr(GMimeMessage) msg = message_from (mail);

  return rt_mail_classify_auto (msg);
}

static void
test_classify_headers (void)
{
  static const struct { const char *headers; RtMailAutoKind kind; } cases[] = {
    { "Subject: hi\n", RT_MAIL_AUTO_HUMAN },
    { "Auto-Submitted: auto-replied\n", RT_MAIL_AUTO_REPLY },
    { "Auto-Submitted: Auto-Generated; owner-email=\"x@example.org\"\n", RT_MAIL_AUTO_REPLY },
    { "Auto-Submitted: auto-notified\n", RT_MAIL_AUTO_REPLY },
    { "Auto-Submitted: no\n", RT_MAIL_AUTO_HUMAN },
    { "Auto-Submitted:   NO (a person)\n", RT_MAIL_AUTO_HUMAN },
    { "Auto-Submitted: No; foo=bar\n", RT_MAIL_AUTO_HUMAN },
    { "Auto-Submitted:\n", RT_MAIL_AUTO_REPLY },
    { "X-Autoreply: yes\n", RT_MAIL_AUTO_REPLY },
    { "X-Autorespond: Out of office\n", RT_MAIL_AUTO_REPLY },
    { "Precedence: bulk\n", RT_MAIL_AUTO_REPLY },
    { "Precedence: Junk\n", RT_MAIL_AUTO_REPLY },
    { "Precedence: list\n", RT_MAIL_AUTO_REPLY },
    { "Precedence: auto_reply\n", RT_MAIL_AUTO_REPLY },
    { "Precedence: normal\n", RT_MAIL_AUTO_HUMAN },
    { "Precedence: first-class\n", RT_MAIL_AUTO_HUMAN },
    { "X-Auto-Response-Suppress: All\n", RT_MAIL_AUTO_HUMAN },
    { "X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply\n", RT_MAIL_AUTO_HUMAN },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u", i);
      g_assert_cmpint (classify (cases[i].headers, NULL), ==, cases[i].kind);
    }
}

static void
test_classify_subjects (void)
{
  static const char *const ooo[] = {
    "Out of Office: RFP", "Out of Office", "OUT OF OFFICE AutoReply: x", "Automatic reply: x",
    "Afwezig: x", "Automatisch antwoord: x", "Absence : x", "Absence du bureau\xC2\xA0: x",
    "=?utf-8?Q?R=C3=A9ponse_automatique_:_x?=", "=?utf-8?Q?R=C3=89PONSE_AUTOMATIQUE=3A_x?=",
    "Abwesenheitsnotiz: x", "Automatische Antwort: x",
  };
  static const char *const human[] = {
    "Absence of the CFO next week", "Re: Automatic reply: x", "Out of office party on Friday",
    "Afwezigheid team", "Automatic replies are annoying",
  };

  for (guint i = 0; i < G_N_ELEMENTS (ooo); i++)
    {
      g_autofree char *h = g_strdup_printf ("Subject: %s\n", ooo[i]);

      g_test_message ("%s", ooo[i]);
      g_assert_cmpint (classify (h, NULL), ==, RT_MAIL_AUTO_REPLY);
    }
  for (guint i = 0; i < G_N_ELEMENTS (human); i++)
    {
      g_autofree char *h = g_strdup_printf ("Subject: %s\n", human[i]);

      g_test_message ("%s", human[i]);
      g_assert_cmpint (classify (h, NULL), ==, RT_MAIL_AUTO_HUMAN);
    }
}

#define REPORT(status) \
  "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=\"delivery-status\"; boundary=r\n\n" \
  "--r\nContent-Type: text/plain\n\nfailed\n" \
  "--r\nContent-Type: message/delivery-status\n\n" status \
  "--r--\n"

static void
test_bounces (void)
{
  g_autoptr(GMimeMessage) two = message_from (
    "From: MAILER-DAEMON@example.net\nSubject: Undelivered Mail Returned to Sender\n" REPORT (
      "Reporting-MTA: dns; example.net\n\n"
      "Final-Recipient: rfc822; ok@example.org\nAction: delayed\n\n"
      "Final-Recipient: rfc822;\n <lost@example.org>\nAction: failed\nStatus: 5.1.1\n\n"));
  g_autoptr(GMimeMessage) b64 = message_from (
    "From: postmaster@example.net\n"
    "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
    "--r\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n"
    "RmluYWwtUmVjaXBpZW50OiByZmM4MjI7IHpvZUBleGFtcGxlLm9yZw0KQWN0aW9uOiBmYWlsZWQNCg==\n"
    "--r--\n");
  g_autoptr(GMimeMessage) no_status = message_from (
    "From: a@example.net\n" REPORT ("garbage without fields\n"));
  g_autoptr(GMimeMessage) bad_addr = message_from (
    "From: a@example.net\n" REPORT ("Final-Recipient: rfc822; two words@x\nAction: failed\n"));
  g_autoptr(GMimeMessage) human = message_from ("From: a@example.org\nSubject: hi\n\nx\n");
  g_autofree char *r_two = rt_mail_bounce_recipient (two);
  g_autofree char *r_b64 = rt_mail_bounce_recipient (b64);
  g_autofree char *r_none = rt_mail_bounce_recipient (no_status);
  g_autofree char *r_bad = rt_mail_bounce_recipient (bad_addr);
  g_autofree char *r_human = rt_mail_bounce_recipient (human);

  g_assert_cmpint (rt_mail_classify_auto (two), ==, RT_MAIL_AUTO_BOUNCE);
  g_assert_cmpstr (r_two, ==, "lost@example.org");
  g_assert_cmpint (rt_mail_classify_auto (b64), ==, RT_MAIL_AUTO_BOUNCE);
  g_assert_cmpstr (r_b64, ==, "zoe@example.org");
  g_assert_cmpint (rt_mail_classify_auto (no_status), ==, RT_MAIL_AUTO_BOUNCE);
  g_assert_null (r_none);
  g_assert_null (r_bad);
  g_assert_null (r_human);
  /* The null sender or a daemon with a failure subject, no report. */
  g_assert_cmpint (classify ("Return-Path: <>\nSubject: Undeliverable: x\n", NULL), ==,
                   RT_MAIL_AUTO_BOUNCE);
  g_assert_cmpint (classify ("Sender: x\nReturn-Path: <MAILER-DAEMON@example.net>\n"
                             "Subject: Unzustellbar: x\n", NULL), ==, RT_MAIL_AUTO_BOUNCE);
  g_assert_cmpint (classify ("Return-Path: < >\nSubject: =?utf-8?Q?Non_remis_:_x?=\n", NULL), ==,
                   RT_MAIL_AUTO_BOUNCE);
  /* ... without one: automatic, but not a failure. */
  g_assert_cmpint (classify ("Return-Path: <>\nSubject: Your weekly summary\n", NULL), ==,
                   RT_MAIL_AUTO_REPLY);
  /* A failure subject from a person is a person's mail. */
  g_assert_cmpint (classify ("Subject: Returned mail: why?\n", NULL), ==, RT_MAIL_AUTO_HUMAN);
}

/* ---- hostile sizes: correct results, linear work ---- */

#define BIG_LINE (1024 * 1024)
#define MANY_LINES 100000

static void
test_huge_line (void)
{
  g_autofree char *line = g_malloc (BIG_LINE + 1);
  g_autofree char *text = NULL;
  g_autofree char *got = NULL;
  g_autofree char *attribution = NULL;
  g_autofree char *got2 = NULL;

  memset (line, 'a', BIG_LINE);
  line[BIG_LINE] = '\0';
  text = g_strconcat (line, "\n\n> quoted\n", NULL);
  got = rt_mail_reply_new_text (text);
  g_assert_cmpuint (strlen (got), ==, BIG_LINE);
  g_assert_cmpstr (got, ==, line);
  /* Shaped like an attribution but far too long to be one: text. */
  memcpy (line, "On 1 ", 5);
  memcpy (line + BIG_LINE - 7, " wrote:", 7);
  attribution = g_strconcat ("New\n", line, "\n> q\n", NULL);
  got2 = rt_mail_reply_new_text (attribution);
  g_assert_true (g_str_has_prefix (got2, "New\nOn 1 aaa"));
  g_assert_cmpuint (strlen (got2), ==, 4 + BIG_LINE);
}

static void
test_many_quoted_lines (void)
{
  GString *s = g_string_new ("New text\n");
  g_autofree char *got = NULL;
  g_autofree char *all_quoted = NULL;
  g_autofree char *got_all = NULL;

  for (guint i = 0; i < MANY_LINES; i++)
    g_string_append (s, ">\n");
  g_string_append (s, "after\n");
  got = rt_mail_reply_new_text (s->str);
  g_assert_cmpstr (got, ==, "New text\n\nafter");
  g_string_free (s, TRUE);
  s = g_string_new (NULL);
  for (guint i = 0; i < MANY_LINES; i++)
    g_string_append (s, "> On 1 Jan 2024, Bob <b@example.org> wrote:\n");
  all_quoted = g_string_free (s, FALSE);
  got_all = rt_mail_reply_new_text (all_quoted);
  g_assert_cmpuint (strlen (got_all), ==, strlen (all_quoted) - 1);
}

/* Lines that each start a bounded look-ahead (Outlook's From, "--",
 * attribution openers, mobile signatures) stay linear. */
static void
test_many_lookahead_lines (void)
{
  static const struct { const char *line; guint kept; } shapes[] = {
    { "From: x", MANY_LINES },
    { "--", MANY_LINES - 11 },  /* the last "--" with 10 lines after it
                                 * starts a signature */
    { "On 1 Jan 2024 Bob <b@example.org>", MANY_LINES },
    { "Sent from my phone", MANY_LINES },  /* all signature: whole text */
  };

  for (guint k = 0; k < G_N_ELEMENTS (shapes); k++)
    {
      GString *s = g_string_new (NULL);
      g_autofree char *text = NULL;
      g_autofree char *got = NULL;
      gsize line_len = strlen (shapes[k].line) + 1;

      for (guint i = 0; i < MANY_LINES; i++)
        g_string_append_printf (s, "%s\n", shapes[k].line);
      text = g_string_free (s, FALSE);
      got = rt_mail_reply_new_text (text);
      g_assert_cmpuint (strlen (got), ==, shapes[k].kept * line_len - 1);
      g_assert_cmpint (strncmp (got, text, strlen (got)), ==, 0);
    }
}

static void
test_hostile_html (void)
{
  GString *s = g_string_new ("<p>new</p>");
  g_autofree char *got = NULL;
  g_autofree char *attr = NULL;
  g_autofree char *got_attr = NULL;
  g_autofree char *pad = g_malloc (BIG_LINE + 1);

  for (guint i = 0; i < MANY_LINES; i++)
    g_string_append (s, "<blockquote type=\"cite\">");
  g_string_append (s, "old");
  for (guint i = 0; i < MANY_LINES; i++)
    g_string_append (s, "</blockquote>");
  g_string_append (s, "<p>after</p>");
  got = rt_mail_reply_new_text_html (s->str);
  g_assert_cmpstr (got, ==, "new\n\nafter");
  g_string_free (s, TRUE);
  memset (pad, 'x', BIG_LINE);
  pad[BIG_LINE] = '\0';
  attr = g_strdup_printf ("<div class=\"%s\">kept</div><div id=\"divRplyFwdMsg\">old", pad);
  got_attr = rt_mail_reply_new_text_html (attr);
  g_assert_cmpstr (got_attr, ==, "kept");
}

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) files = NULL;

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("RT_NONFATAL") != NULL)
    g_test_set_nonfatal_assertions ();
  rt_mail_init ();
  files = corpus_files ();
  g_ptr_array_sort (files, compare_paths);
  g_test_add_func ("/reply/corpus-size", test_corpus_size);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (files, i));
      g_autofree char *name = g_strconcat ("/reply/corpus/", base, NULL);

      g_test_add_data_func (name, g_ptr_array_index (files, i), test_corpus_case);
    }
  g_test_add_func ("/reply/text/wrote-mid-sentence", test_wrote_mid_sentence);
  g_test_add_func ("/reply/text/attributions", test_attributions);
  g_test_add_func ("/reply/text/outlook-blocks", test_outlook_blocks);
  g_test_add_func ("/reply/text/signatures", test_signatures);
  g_test_add_func ("/reply/text/interleaved", test_interleaved_and_layout);
  g_test_add_func ("/reply/text/known-limit-quoted-code", test_known_limit_quoted_code);
  g_test_add_func ("/reply/text/nothing-recognized", test_nothing_recognized);
  g_test_add_func ("/reply/html/markers", test_html_markers);
  g_test_add_func ("/reply/auto/headers", test_classify_headers);
  g_test_add_func ("/reply/auto/subjects", test_classify_subjects);
  g_test_add_func ("/reply/auto/bounces", test_bounces);
  g_test_add_func ("/reply/hostile/huge-line", test_huge_line);
  g_test_add_func ("/reply/hostile/many-quoted-lines", test_many_quoted_lines);
  g_test_add_func ("/reply/hostile/many-lookahead-lines", test_many_lookahead_lines);
  g_test_add_func ("/reply/hostile/html", test_hostile_html);
  return g_test_run ();
}
