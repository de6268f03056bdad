/* test-html-text.c: HTML mail bodies to plain text. */
#include "rt-html-text.h"

#include <string.h>

static void
check (const char *html, const char *expected)
{
  g_autofree char *text = rt_html_to_text (html, -1);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_drops_script_style_head (void)
{
  check ("<html><head><title>T</title><style>p{color:red}</style></head>"
         "<body><script>alert('x<p>')</script><p>Hello</p>"
         "<!-- secret --><SCRIPT type=x>evil()</SCRIPT >world</body></html>",
         "Hello\n\nworld");
  /* a head never closed ends at the first body element */
  check ("<head><meta charset=utf-8><div>Body</div>", "Body");
}

static void
test_breaks_and_whitespace (void)
{
  check ("a<br>b<br/><br>c", "a\nb\n\nc");
  check ("  lots   of\n\t space  ", "lots of space");
  check ("<ul><li>one</li><li>two</li></ul><table><tr><td>x</td><td>y</td></tr></table>",
         "one\ntwo\n\nx y");
  check ("<div>a</div><div>b</div><p>c</p><p></p><p></p><p>d</p>", "a\nb\n\nc\n\nd");
  check ("x<pre>  keep\n   this</pre>after", "x\n\n  keep\n   this\n\nafter");
}

static void
test_entities (void)
{
  check ("Fish &amp; chips &lt;3 &quot;q&quot; caf&eacute; &#233;&#xE9; &euro;&nbsp;5 &hellip;",
         "Fish & chips <3 \"q\" café éé € 5 …");
  check ("&unknown; &amp &#0; &#xD800; &#99999999999;", "&unknown; &amp \xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD");
  check ("&lt;script&gt;", "<script>");
}

static void
test_links (void)
{
  check ("See <a href=\"https://example.org/a?x=1&amp;y=2\">the page</a>.",
         "See the page (https://example.org/a?x=1&y=2).");
  check ("<a href='https://example.org'>https://example.org</a>", "https://example.org");
  check ("<a href=\"mailto:z@example.org\">z@example.org</a>", "z@example.org");
  check ("<a href=\"javascript:evil()\">click</a> <a href=#top>top</a>", "click top");
  check ("<a href=https://x.test/img><img src=a.png></a>", "https://x.test/img");
}

static void
test_hostile (void)
{
  g_autoptr(GString) big = g_string_new ("<a href=\"");
  g_autofree char *text = NULL;
  gint64 start = g_get_monotonic_time ();

  check ("text <unterminated attr='x", "text");
  check ("text <!-- never closed", "text");
  check ("a < b and c<", "a < b and c<");
  check ("<style href=\"x\">p{}</style><a href=y>y</a>", "y");  /* found leaking by the fuzzer */
  check ("<p <p <p>>x", ">x");
  for (int i = 0; i < 2000000; i++)
    g_string_append_c (big, 'h');
  g_string_append (big, "\">link</a> <b x=");
  for (int i = 0; i < 100000; i++)
    g_string_append (big, "<i <");
  text = rt_html_to_text (big->str, (gssize) big->len);
  g_assert_cmpstr (text, ==, "link");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_clear_pointer (&text, g_free);
  text = rt_html_to_text ("ok\xff\xfe<b>bold</b>", -1);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_nonnull (strstr (text, "bold"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/html/drops-script-style-head", test_drops_script_style_head);
  g_test_add_func ("/html/breaks-whitespace", test_breaks_and_whitespace);
  g_test_add_func ("/html/entities", test_entities);
  g_test_add_func ("/html/links", test_links);
  g_test_add_func ("/html/hostile", test_hostile);
  return g_test_run ();
}
