/* test-stream-feed.c: RSS 2.0 and Atom 1.0 with libxml2; XXE and entity
 * expansion attempts; bounds. */
#include "rt-stream-feed.h"
#include "stream-test-util.h"

#include <glib/gstdio.h>

static gint64
utc_us (int y, int mo, int d, int h, int mi, int s)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = g_date_time_new (utc, y, mo, d, h, mi, s);
  return rt_stream_datetime_us (dt);
}

static void
test_rss (void)
{
  gsize len;
  g_autofree char *xml = load_fixture ("feed-rss.xml", &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (RtStreamPage) page = rt_feed_parse (xml, len, "https://news.acme.example/feed.xml", &error);
  RtStreamPost *p;
  const RtStreamAttachment *a;

  g_assert_no_error (error);
  g_assert_cmpuint (page->posts->len, ==, 2);
  g_assert_cmpuint (page->errors->len, ==, 1);
  g_assert_cmpstr (((GError *) g_ptr_array_index (page->errors, 0))->message, ==,
                   "item[2]: no guid, link or title");

  p = g_ptr_array_index (page->posts, 0);
  g_assert_cmpint (p->service, ==, RT_STREAM_SERVICE_FEED);
  g_assert_cmpstr (p->id, ==, "acme-2027-rfp");
  g_assert_cmpstr (p->url, ==, "https://news.acme.example/2027/rfp");
  g_assert_cmpstr (p->title, ==, "Acme wins & loses: the 2027 RFP");
  g_assert_cmpint (p->created_us, ==, utc_us (2003, 6, 10, 4, 0, 0));
  g_assert_cmpstr (p->author.handle, ==, "press@acme.example");
  g_assert_cmpstr (p->author.display_name, ==, "Acme Press Office");
  /* CDATA holding HTML: sanitized, script gone, link kept. */
  g_assert_cmpstr (p->text, ==, "Acme wins & loses: the 2027 RFP\n\nRead the release "
                   "(https://news.acme.example/2027/rfp) & weep.");
  g_assert_cmpstr (p->markup, ==, "Acme wins &amp; loses: the 2027 RFP<br><br>Read "
                   "<a href=\"https://news.acme.example/2027/rfp\">the release</a> &amp; weep.");
  assert_safe_markup (p->markup);
  g_assert_cmpstr (p->hashtags[0], ==, "rfpacme");
  a = g_ptr_array_index (p->attachments, 0);
  g_assert_cmpstr (a->url, ==, "https://news.acme.example/rfp.mp3");
  g_assert_cmpstr (a->type, ==, "audio");

  /* ISO-8859-1 document, character references, relative link, content:encoded
   * preferred over the entity-encoded description, data: link dropped. */
  p = g_ptr_array_index (page->posts, 1);
  g_assert_cmpstr (p->title, ==, "Café in München");
  g_assert_cmpstr (p->url, ==, "https://news.acme.example/2027/cafe");
  g_assert_cmpstr (p->id, ==, p->url);
  g_assert_cmpstr (p->author.display_name, ==, "Zoë Müller");
  g_assert_cmpint (p->created_us, ==, utc_us (2003, 6, 11, 7, 30, 0));
  g_assert_cmpstr (p->text, ==, "Café in München\n\nFull text with markup and a data link.");
  assert_safe_markup (p->markup);
  g_assert_null (strstr (p->markup, "data:"));
}

static void
test_rss_description_entities (void)
{
  static const char xml[] =
    "<rss version=\"2.0\"><channel><title>T</title><item><guid>g1</guid>"
    "<description>&lt;b&gt;bold&lt;/b&gt; &amp;amp; &lt;a href=\"javascript:x()\"&gt;bad&lt;/a&gt;"
    " &lt;img src=x onerror=alert(1)&gt;</description></item></channel></rss>";
  g_autoptr (GError) error = NULL;
  g_autoptr (RtStreamPage) page = rt_feed_parse (xml, sizeof xml - 1, NULL, &error);
  RtStreamPost *p;

  g_assert_no_error (error);
  p = g_ptr_array_index (page->posts, 0);
  g_assert_cmpstr (p->text, ==, "bold & bad");
  g_assert_cmpstr (p->markup, ==, "bold &amp; bad");
  g_assert_cmpstr (p->author.handle, ==, "T");  /* the channel stands in */
}

static void
test_atom (void)
{
  gsize len;
  g_autofree char *xml = load_fixture ("feed-atom.xml", &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (RtStreamPage) page = rt_feed_parse (xml, len, "https://blog.example.org/feed", &error);
  RtStreamPost *p;
  const RtStreamAttachment *a;

  g_assert_no_error (error);
  g_assert_cmpuint (page->posts->len, ==, 2);
  p = g_ptr_array_index (page->posts, 0);
  g_assert_cmpstr (p->id, ==, "tag:example.org,2003:3.2397");
  g_assert_cmpstr (p->url, ==, "http://example.org/2005/04/02/atom");
  g_assert_cmpstr (p->title, ==, "Atom draft-07 snapshot");
  g_assert_cmpint (p->created_us, ==, utc_us (2003, 12, 13, 12, 29, 29));
  g_assert_cmpstr (p->author.handle, ==, "f8dy@example.com");
  g_assert_cmpstr (p->author.display_name, ==, "Mark Pilgrim");
  g_assert_cmpstr (p->author.url, ==, "http://example.org/");
  /* xhtml content: serialized, then sanitized; the relative link is not
   * absolute in the sanitizer's eyes and loses its link, the script goes. */
  g_assert_cmpstr (p->text, ==, "Atom draft-07 snapshot\n\n[Update: The Atom draft is finished.] "
                   "See this (http://diveintomark.org/x) & that.");
  assert_safe_markup (p->markup);
  g_assert_null (strstr (p->text, "alert"));
  g_assert_cmpstr (p->hashtags[0], ==, "acme");
  a = g_ptr_array_index (p->attachments, 0);
  g_assert_cmpstr (a->url, ==, "http://example.org/audio/ph34r_my_podcast.mp3");
  g_assert_cmpstr (a->type, ==, "audio");

  p = g_ptr_array_index (page->posts, 1);
  g_assert_cmpstr (p->title, ==, "Escaped HTML title");
  g_assert_cmpstr (p->url, ==, "https://blog.example.org/2005/08/01/second");  /* xml:base */
  g_assert_cmpstr (p->author.display_name, ==, "Mark Pilgrim");  /* the feed's author */
  g_assert_cmpstr (p->text, ==, "Escaped HTML title\n\nSummary & more\nline two");
  g_assert_cmpstr (p->markup, ==, "Escaped HTML title<br><br>Summary &amp; more<br>line two");
}

static void
test_xxe (void)
{
  g_autofree char *secret_path = g_build_filename (g_get_tmp_dir (), "rt-stream-xxe-secret.txt", NULL);
  g_autofree char *dtd_path = g_build_filename (g_get_tmp_dir (), "rt-stream-xxe.dtd", NULL);
  g_autofree char *xml = NULL, *xml2 = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RtStreamPage) page = NULL;
  RtStreamPost *p;

  g_assert_true (g_file_set_contents (secret_path, "TOPSECRET-42", -1, NULL));
  g_assert_true (g_file_set_contents (dtd_path, "<!ENTITY ext SYSTEM \"file://DUMMY\">", -1, NULL));
  /* An external general entity in the internal subset. */
  xml = g_strdup_printf ("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
                         "<!ENTITY xxe SYSTEM \"file://%s\">\n"
                         "<!ENTITY net SYSTEM \"http://127.0.0.1:9/evil\">\n]>\n"
                         "<rss version=\"2.0\"><channel><title>t&xxe;</title><item><guid>1</guid>"
                         "<title>a&xxe;b&net;c</title><description>d&xxe;</description></item>"
                         "</channel></rss>", secret_path);
  /* Parsed, with the references left out (never expanded, never read). */
  page = rt_feed_parse (xml, strlen (xml), NULL, &error);
  g_assert_no_error (error);
  p = g_ptr_array_index (page->posts, 0);
  g_assert_cmpstr (p->text, ==, "abc\n\nd");
  g_assert_null (strstr (p->markup, "TOPSECRET"));
  g_assert_cmpstr (p->author.handle, ==, "t");
  g_clear_pointer (&page, rt_stream_page_free);
  /* An external DTD (parameter entities) is never loaded. */
  xml2 = g_strdup_printf ("<?xml version=\"1.0\"?>\n<!DOCTYPE rss SYSTEM \"file://%s\" [\n"
                          "<!ENTITY %% p SYSTEM \"file://%s\"> %%p;\n]>\n"
                          "<rss version=\"2.0\"><channel><title>x</title><item><guid>1</guid>"
                          "<title>a&ext;</title></item></channel></rss>", dtd_path, secret_path);
  page = rt_feed_parse (xml2, strlen (xml2), NULL, &error);
  g_assert_no_error (error);
  p = g_ptr_array_index (page->posts, 0);
  g_assert_cmpstr (p->text, ==, "a");
  g_remove (secret_path);
  g_remove (dtd_path);
}

static void
test_entity_expansion_bounded (void)
{
  g_autoptr (GString) xml = g_string_new ("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
                                          "<!ENTITY lol \"lollollollollollollollollollol\">\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (RtStreamPage) page = NULL;
  gint64 start = g_get_monotonic_time ();

  /* Billion laughs: 10 levels of 10 references. */
  for (int i = 1; i <= 9; i++)
    {
      g_string_append_printf (xml, "<!ENTITY lol%d \"", i);
      for (int j = 0; j < 10; j++)
        g_string_append_printf (xml, i == 1 ? "&lol;" : "&lol%d;", i - 1);
      g_string_append (xml, "\">\n");
    }
  g_string_append (xml, "]>\n<rss version=\"2.0\"><channel><title>t</title><item><guid>1</guid>"
                   "<title>&lol9;</title></item></channel></rss>");
  page = rt_feed_parse (xml->str, xml->len, NULL, &error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  if (page != NULL)
    {
      RtStreamPost *p = g_ptr_array_index (page->posts, 0);
      g_assert_cmpuint (strlen (p->text), <, 1024);
    }
  else
    g_assert_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_SYNTAX);
}

static void
test_bad_and_huge (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) big = g_string_new ("<rss version=\"2.0\"><channel><title>t</title>");
  g_autoptr (RtStreamPage) page = NULL;
  gsize len;
  g_autofree char *atom = load_fixture ("feed-atom.xml", &len);

  g_assert_null (rt_feed_parse ("<rss><channel><item>", 20, NULL, &error));
  g_assert_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "line 1"));
  g_clear_error (&error);
  g_assert_null (rt_feed_parse ("<html><body>not a feed</body></html>", 36, NULL, &error));
  g_assert_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (rt_feed_parse ("", 0, NULL, &error));
  g_assert_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_SYNTAX);
  g_clear_error (&error);
  /* Truncated anywhere: an error, never a crash. */
  for (gsize cut = 0; cut + 1 < len; cut += 53)
    {
      RtStreamPage *pg = rt_feed_parse (atom, cut, NULL, &error);
      g_assert_null (pg);
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
  /* More entries than the bound: the rest are left. */
  for (int i = 0; i < RT_FEED_MAX_ENTRIES + 50; i++)
    g_string_append_printf (big, "<item><guid>g%d</guid><title>t%d</title></item>", i, i);
  g_string_append (big, "</channel></rss>");
  page = rt_feed_parse (big->str, big->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->posts->len, ==, RT_FEED_MAX_ENTRIES);
  /* A document over the size bound is refused unparsed. */
  g_assert_null (rt_feed_parse (big->str, RT_FEED_MAX_BYTES + 1, NULL, &error));
  g_assert_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_TOO_LARGE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stream-feed/rss", test_rss);
  g_test_add_func ("/stream-feed/rss-description-entities", test_rss_description_entities);
  g_test_add_func ("/stream-feed/atom", test_atom);
  g_test_add_func ("/stream-feed/xxe", test_xxe);
  g_test_add_func ("/stream-feed/entity-expansion-bounded", test_entity_expansion_bounded);
  g_test_add_func ("/stream-feed/bad-and-huge", test_bad_and_huge);
  return g_test_run ();
}
