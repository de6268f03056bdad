/* test-stream-html.c: server HTML to plain text and safe markup. */
#include "rt-stream-html.h"
#include "stream-test-util.h"

static void
check (const char *html, const char *want_text, const char *want_markup)
{
  g_autofree char *text = NULL, *markup = NULL;

  rt_stream_html_sanitize (html, -1, &text, &markup);
  assert_safe_markup (markup);
  if (want_text != NULL)
    g_assert_cmpstr (text, ==, want_text);
  if (want_markup != NULL)
    g_assert_cmpstr (markup, ==, want_markup);
}

static void
test_mastodon_content (void)
{
  /* As Mastodon renders a link, a mention and a hashtag. */
  check ("<p>New post <a href=\"https://example.org/a/b?c=1&amp;d=2\" rel=\"nofollow noopener\" "
         "target=\"_blank\"><span class=\"invisible\">https://</span><span class=\"ellipsis\">"
         "example.org/a/b</span><span class=\"invisible\">?c=1&amp;d=2</span></a></p>"
         "<p>cc <span class=\"h-card\"><a href=\"https://mastodon.social/@alice\" "
         "class=\"u-url mention\">@<span>alice</span></a></span> "
         "<a href=\"https://mastodon.social/tags/acme\" class=\"mention hashtag\" rel=\"tag\">"
         "#<span>Acme</span></a></p>",
         "New post https://example.org/a/b?c=1&d=2\n\ncc @alice #Acme",
         "New post <a href=\"https://example.org/a/b?c=1&amp;d=2\">https://example.org/a/b?c=1&amp;d=2</a>"
         "<br><br>cc <a href=\"https://mastodon.social/@alice\">@alice</a> "
         "<a href=\"https://mastodon.social/tags/acme\">#Acme</a>");
  check ("one<br>two<br/><br>three", "one\ntwo\n\nthree", "one<br>two<br><br>three");
  check ("See <a href=\"https://x.test/p\">the page</a>.", "See the page (https://x.test/p).",
         "See <a href=\"https://x.test/p\">the page</a>.");
  check ("<a href=\"mailto:z@x.test\">z@x.test</a>", "z@x.test",
         "<a href=\"mailto:z@x.test\">z@x.test</a>");
  check ("<a href=https://x.test/img><img src=a.png></a>", "https://x.test/img",
         "<a href=\"https://x.test/img\">https://x.test/img</a>");
}

static void
test_dangerous_removed (void)
{
  check ("<p>a<script>alert('<b>x</b>')</script>b<style>p{}</style>c"
         "<iframe src=\"https://evil.test\">inner <b>frame</b></iframe>d</p>",
         "abcd", "abcd");
  check ("<img src=x onerror=\"alert(1)\"><b onmouseover=alert(1)>bold</b>", "bold", "bold");
  check ("<a href=\"javascript:alert(1)\">one</a> <a href=\"JaVaScRiPt:alert(1)\">two</a> "
         "<a href=\"java&#x09;script:alert(1)\">three</a> <a href=\"data:text/html;base64,PHNjcmlwdD4=\">four</a> "
         "<a href=\"vbscript:x\">five</a> <a href=\"/relative\">six</a> <a href=\" https://ok.test \">seven</a>",
         "one two three four five six seven (https://ok.test)",
         "one two three four five six <a href=\"https://ok.test\">seven</a>");
  /* An attribute trying to break out of the href. */
  check ("<a href='https://x.test/?q=\"><script>alert(1)</script>'>q</a>", NULL,
         "<a href=\"https://x.test/?q=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">q</a>");
  check ("<a href=\"https://x.test/a b\">space</a>", "space", "space");
  check ("<svg><a xlink:href=\"javascript:x\">svg</a></svg><math>m</math>", "svgm", "svgm");
}

static void
test_entities (void)
{
  check ("Fish &amp; chips &lt;3 &quot;q&quot; caf&eacute; &#233;&#xE9; &euro;&nbsp;5",
         "Fish & chips <3 \"q\" café éé € 5", "Fish &amp; chips &lt;3 \"q\" café éé € 5");
  check ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>",
         "&lt;script&gt;alert(1)&lt;/script&gt;");
  check ("&lt;a href=&quot;javascript:x&quot;&gt;", NULL, "&lt;a href=\"javascript:x\"&gt;");
  check ("&unknown; &amp &#0; a&#1;b", "&unknown; &amp \xEF\xBF\xBD ab", NULL);
}

static void
test_broken_tags (void)
{
  check ("text <unterminated attr='x", "text", "text");
  check ("a < b and c<", "a < b and c<", "a &lt; b and c&lt;");
  check ("<p <p <p>>x", ">x", "&gt;x");
  check ("<b>never closed <i>either", "never closed either", "never closed either");
  check ("<a href=\"https://x.test\">open link", "open link (https://x.test)",
         "<a href=\"https://x.test\">open link</a>");
  check ("<a href=https://a.test>a<a href=https://b.test>b</a>", NULL,
         "<a href=\"https://a.test\">a</a><a href=\"https://b.test\">b</a>");
  check ("</a></p></br>x", "x", NULL);
  check ("<!-- <a href=https://x.test> --> c <!-- never closed", "c", "c");
  check ("ok\xff\xfe<b>bold</b>\x01", NULL, NULL);
}

static void
test_hostile_input_linear (void)
{
  g_autoptr (GString) big = g_string_new (NULL);
  g_autofree char *text = NULL, *markup = NULL;
  gint64 start;

  /* 100,000 nested tags, links included, then a 1 MB soup. */
  for (int i = 0; i < 100000; i++)
    g_string_append (big, i % 3 == 0 ? "<div><a href=\"https://x.test/\">" : "<b><i>");
  g_string_append (big, "deep");
  while (big->len < 3 * 1024 * 1024)
    g_string_append (big, "&lt;<p onclick=x>&amp;<script>s</script><a href=javascript:x>j</a> ");
  start = g_get_monotonic_time ();
  rt_stream_html_sanitize (big->str, (gssize) big->len, &text, &markup);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_nonnull (strstr (text, "deep"));
  assert_safe_markup (markup);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&markup, g_free);

  /* An unterminated script and comment at the start of 1 MB. */
  g_string_assign (big, "<script>");
  while (big->len < 1024 * 1024)
    g_string_append (big, "</scrip <!-- <");
  start = g_get_monotonic_time ();
  rt_stream_html_sanitize (big->str, (gssize) big->len, &text, &markup);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpstr (text, ==, "");
}

static void
test_text_to_markup (void)
{
  g_autofree char *m = rt_stream_text_to_markup ("a <b> & c\nsee https://x.test/p?q=1&r=2. "
                                                 "(http://y.test) javascript:alert(1)\r\nend", -1);

  g_assert_cmpstr (m, ==, "a &lt;b&gt; &amp; c<br>see <a href=\"https://x.test/p?q=1&amp;r=2\">"
                   "https://x.test/p?q=1&amp;r=2</a>. (<a href=\"http://y.test\">http://y.test</a>) "
                   "javascript:alert(1)<br>end");
  assert_safe_markup (m);
  g_free (m);
  m = rt_stream_text_to_markup ("x\"https://q.test/\"<br>\x01\xff", -1);
  assert_safe_markup (m);
}

static void
test_url_is_safe (void)
{
  g_assert_true (rt_stream_url_is_safe ("https://x.test/"));
  g_assert_true (rt_stream_url_is_safe ("HTTP://x.test"));
  g_assert_true (rt_stream_url_is_safe ("mailto:a@b.test"));
  g_assert_false (rt_stream_url_is_safe ("https://"));
  g_assert_false (rt_stream_url_is_safe ("javascript:alert(1)"));
  g_assert_false (rt_stream_url_is_safe ("data:text/html,x"));
  g_assert_false (rt_stream_url_is_safe ("//x.test/"));
  g_assert_false (rt_stream_url_is_safe ("https://x.test/\n"));
  g_assert_false (rt_stream_url_is_safe (NULL));
}

static void
test_hashtags (void)
{
  g_auto (GStrv) tags = rt_stream_text_hashtags ("#Acme wins #acme again, a#b &#39; #café_2 # x #");

  g_assert_cmpuint (g_strv_length (tags), ==, 2);
  g_assert_cmpstr (tags[0], ==, "acme");
  g_assert_cmpstr (tags[1], ==, "café_2");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stream-html/mastodon-content", test_mastodon_content);
  g_test_add_func ("/stream-html/dangerous-removed", test_dangerous_removed);
  g_test_add_func ("/stream-html/entities", test_entities);
  g_test_add_func ("/stream-html/broken-tags", test_broken_tags);
  g_test_add_func ("/stream-html/hostile-input-linear", test_hostile_input_linear);
  g_test_add_func ("/stream-html/text-to-markup", test_text_to_markup);
  g_test_add_func ("/stream-html/url-is-safe", test_url_is_safe);
  g_test_add_func ("/stream-html/hashtags", test_hashtags);
  return g_test_run ();
}
