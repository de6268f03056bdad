/* test-mailout.c: the mail that carries a workspace message: subject,
 * text, HTML (escaped) and List-Id. */
#include "config.h"
#include <string.h>
#include "rt-mailout.h"

#define TEXT "Zoë, São Paulo, Łódź, 東京"

static RtWorkspace *
workspace (const char *mailbox)
{
  RtWorkspace *ws = g_new0 (RtWorkspace, 1);
  ws->id = 12;
  ws->name = g_strdup ("RFP Acme 2027");
  ws->mailbox = g_strdup (mailbox);
  return ws;
}

static RtMessage *
message (const char *label, const char *text)
{
  RtMessage *msg = rt_message_new ();
  msg->author_label = g_strdup (label);
  msg->text = g_strdup (text);
  return msg;
}

static void
test_first_words (void)
{
  const struct { const char *in; guint max; const char *out; } cases[] = {
    { "short line", 60, "short line" },
    { "\n\n  first   line\twith  space \nsecond line", 60, "first line with space" },
    { "one two three four", 12, "one two…" },          /* cut at a space */
    { "one two three four", 13, "one two…" },
    { "one two three four", 14, "one two three…" },
    { "one two three four", 18, "one two three four" },
    { "abcdefghijklmnop", 6, "abcde…" },               /* one long word: cut inside */
    { TEXT " and more", 25, TEXT "…" },                /* characters, not bytes */
    { TEXT " and more", 22, "Zoë, São Paulo, Łódź,…" },
    { "ctrl\x01\x02here", 60, "ctrl here" },
    { "", 60, "" },
    { "  \n \n", 60, "" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = rt_mailout_first_words (cases[i].in, cases[i].max);
      g_test_message ("%u: %s", i, got);
      g_assert_cmpstr (got, ==, cases[i].out);
      g_assert_true (g_utf8_validate (got, -1, NULL));
      g_assert_cmpint (g_utf8_strlen (got, -1), <=, cases[i].max);
    }
  g_autofree char *null_text = rt_mailout_first_words (NULL, 10);
  g_assert_cmpstr (null_text, ==, "");
}

static void
test_compose (void)
{
  g_autoptr (RtWorkspace) ws = workspace ("hub@Site-A.test");
  g_autoptr (RtMessage) msg = message ("carol (guest)", TEXT "\nsecond line");
  g_autoptr (RtMailOut) mail = rt_mailout_new (ws, msg);

  g_assert_cmpstr (mail->subject, ==, "[RFP Acme 2027] carol (guest): " TEXT);
  g_assert_cmpstr (mail->list_id, ==, "<ws-12.roundtable.site-a.test>");
  g_assert_true (g_str_has_prefix (mail->text, "carol (guest) wrote in “RFP Acme 2027”:\n\n"
                                   TEXT "\nsecond line\n\n-- \n"));
  g_assert_nonnull (strstr (mail->text, "Reply to this mail"));
  g_assert_nonnull (strstr (mail->html, "<blockquote>" TEXT "<br>\nsecond line</blockquote>"));
  g_assert_nonnull (strstr (mail->html, "carol (guest) wrote in “RFP Acme 2027”:"));
}

/* Foreign text never becomes markup in the HTML part, nor a second header
 * line in the subject. */
static void
test_hostile (void)
{
  g_autoptr (RtWorkspace) ws = workspace ("hub@site-a.test");
  g_free (ws->name);
  ws->name = g_strdup ("<b>WS</b>\r\nBcc: eve@x.test");
  const char *text = "<script>alert(1)</script> & <a href=\"x\">y</a>\r\nBcc: eve@x.test";
  g_autoptr (RtMessage) msg = message ("eve <i>(guest)</i>", text);
  g_autoptr (RtMailOut) mail = rt_mailout_new (ws, msg);

  g_assert_null (strchr (mail->subject, '\n'));
  g_assert_null (strchr (mail->subject, '\r'));
  g_assert_cmpstr (mail->subject, ==, "[<b>WS</b> Bcc: eve@x.test] eve <i>(guest)</i>: "
                   "<script>alert(1)</script> & <a href=\"x\">y</a>");
  g_assert_null (strstr (mail->html, "<script"));
  g_assert_null (strstr (mail->html, "<a "));
  g_assert_null (strstr (mail->html, "<b>"));
  g_assert_null (strstr (mail->html, "<i>"));
  g_assert_nonnull (strstr (mail->html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;a href=&quot;x&quot;&gt;"));
  /* The text part is text: kept as written. */
  g_assert_nonnull (strstr (mail->text, text));
}

static void
test_long_and_odd (void)
{
  GString *words = g_string_new (NULL);
  for (int i = 0; i < 200; i++)
    g_string_append_printf (words, "word%d ", i);
  g_autoptr (RtWorkspace) ws = workspace (NULL);
  g_autoptr (RtMessage) msg = message ("Alice Dubois (Brussels)", words->str);
  g_autoptr (RtMailOut) mail = rt_mailout_new (ws, msg);
  const char *prefix = "[RFP Acme 2027] Alice Dubois (Brussels): ";
  g_assert_true (g_str_has_prefix (mail->subject, prefix));
  g_assert_true (g_str_has_suffix (mail->subject, "…"));
  g_assert_cmpint (g_utf8_strlen (mail->subject + strlen (prefix), -1), <=, RT_MAILOUT_SUBJECT_WORDS);
  g_assert_nonnull (strstr (mail->text, "word199"));   /* the text is whole */
  /* No (valid) mailbox: a List-Id that can never be someone else's. */
  g_assert_cmpstr (mail->list_id, ==, "<ws-12.roundtable.invalid>");
  g_free (ws->mailbox);
  ws->mailbox = g_strdup ("not an address>\r\n");
  g_autoptr (RtMailOut) odd = rt_mailout_new (ws, msg);
  g_assert_cmpstr (odd->list_id, ==, "<ws-12.roundtable.invalid>");
  g_string_free (words, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mailout/first-words", test_first_words);
  g_test_add_func ("/mailout/compose", test_compose);
  g_test_add_func ("/mailout/hostile", test_hostile);
  g_test_add_func ("/mailout/long-and-odd", test_long_and_odd);
  return g_test_run ();
}
