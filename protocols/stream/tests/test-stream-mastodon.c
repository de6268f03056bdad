/* test-stream-mastodon.c: Mastodon entities from the documented examples,
 * reblogs, content warnings, attachments, bad and hostile JSON. */
#include "rt-stream-mastodon.h"
#include "rt-stream-json.h"
#include "stream-test-util.h"

static gint64
utc_us (int y, int mo, int d, int h, int mi, double s)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = g_date_time_new (utc, y, mo, d, h, mi, s);
  return rt_stream_datetime_us (dt);
}

static void
test_account (void)
{
  gsize len;
  g_autofree char *json = load_fixture ("mastodon-account.json", &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (RtStreamAuthor) a = rt_mastodon_account_from_json (json, (gssize) len, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (a->handle, ==, "noiob@awoo.space");
  g_assert_cmpstr (a->display_name, ==, "ikea shark fan account");
  g_assert_cmpstr (a->url, ==, "https://awoo.space/@noiob");
}

static void
test_status (void)
{
  gsize len;
  g_autofree char *json = load_fixture ("mastodon-status.json", &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (RtStreamPost) p = rt_mastodon_status_from_json (json, (gssize) len, "mastodon.social", &error);
  const RtStreamAttachment *a;

  g_assert_no_error (error);
  g_assert_cmpint (p->service, ==, RT_STREAM_SERVICE_MASTODON);
  g_assert_cmpstr (p->id, ==, "103270115826048975");
  g_assert_cmpstr (p->url, ==, "https://mastodon.social/@Gargron/103270115826048975");
  g_assert_cmpstr (p->author.handle, ==, "Gargron@mastodon.social");
  g_assert_cmpstr (p->author.display_name, ==, "Eugen");
  g_assert_cmpstr (p->author.url, ==, "https://mastodon.social/@Gargron");
  g_assert_cmpint (p->created_us, ==, utc_us (2019, 12, 8, 3, 48, 33.901));
  g_assert_cmpint (p->edited_us, ==, 0);
  g_assert_cmpstr (p->spoiler, ==, "Acme pricing, internal");
  g_assert_cmpint (p->visibility, ==, RT_STREAM_VISIBILITY_PUBLIC);
  g_assert_cmpstr (p->language, ==, "en");
  g_assert_null (p->in_reply_to_id);
  g_assert_null (p->boosted_by);
  g_assert_cmpstr (p->text, ==,
                   "\"I lost my inheritance with one wrong digit on my sort code\" "
                   "https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"
                   "\n\nThanks @alice and @bob #AcmeFail");
  assert_safe_markup (p->markup);
  g_assert_nonnull (strstr (p->markup, "<a href=\"https://mastodon.social/@alice\">@alice</a>"));
  g_assert_cmpuint (p->attachments->len, ==, 2);
  a = g_ptr_array_index (p->attachments, 0);
  g_assert_cmpstr (a->type, ==, "image");
  g_assert_cmpstr (a->description, ==, "test media description");
  g_assert_true (g_str_has_prefix (a->url, "https://files.mastodon.social/"));
  a = g_ptr_array_index (p->attachments, 1);  /* javascript: url, safe remote_url */
  g_assert_cmpstr (a->url, ==, "https://example.org/media/clip.mp4");
  g_assert_null (a->description);
  g_assert_cmpstr (p->hashtags[0], ==, "acmefail");
  g_assert_null (p->hashtags[1]);
  g_assert_cmpstr (p->mentions[0], ==, "alice@mastodon.social");
  g_assert_cmpstr (p->mentions[1], ==, "bob@example.org");
  g_assert_null (p->mentions[2]);

  /* copy is deep and equal */
  {
    g_autoptr (RtStreamPost) c = rt_stream_post_copy (p);
    g_assert_cmpstr (c->markup, ==, p->markup);
    g_assert_cmpstr (((RtStreamAttachment *) g_ptr_array_index (c->attachments, 1))->url, ==,
                     "https://example.org/media/clip.mp4");
    g_assert_cmpstr (c->mentions[1], ==, "bob@example.org");
  }
}

static void
test_timeline_page (void)
{
  gsize len;
  g_autofree char *json = load_fixture ("mastodon-timeline.json", &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (RtStreamPage) page = rt_mastodon_statuses_from_json (json, (gssize) len, "mastodon.social", &error);
  RtStreamPost *p;

  g_assert_no_error (error);
  /* direct, reply, reblog, plain kept; missing content, a number and a
   * wrong type skipped with errors naming the field. */
  g_assert_cmpuint (page->posts->len, ==, 4);
  g_assert_cmpuint (page->errors->len, ==, 3);
  g_assert_cmpstr (((GError *) g_ptr_array_index (page->errors, 0))->message, ==,
                   "statuses[1].content: missing");
  g_assert_cmpstr (((GError *) g_ptr_array_index (page->errors, 1))->message, ==,
                   "statuses[2]: expected an object, got an integer");
  g_assert_cmpstr (((GError *) g_ptr_array_index (page->errors, 2))->message, ==,
                   "statuses[3].account.acct: expected a string, got an integer");
  g_assert_error ((GError *) g_ptr_array_index (page->errors, 2), RT_STREAM_ERROR, RT_STREAM_ERROR_TYPE);
  /* Skipped items still move the position. */
  g_assert_cmpstr (page->newest_id, ==, "103270400000000004");
  g_assert_cmpstr (page->oldest_id, ==, "103270115826048975");

  p = g_ptr_array_index (page->posts, 0);
  g_assert_cmpint (p->visibility, ==, RT_STREAM_VISIBILITY_DIRECT);
  g_assert_cmpstr (p->text, ==, "@alice ok");

  p = g_ptr_array_index (page->posts, 1);
  g_assert_cmpstr (p->in_reply_to_id, ==, "103270115826048975");
  g_assert_cmpint (p->visibility, ==, RT_STREAM_VISIBILITY_UNLISTED);
  g_assert_null (p->spoiler);
  g_assert_cmpstr (p->text, ==, "Fish & chips <3 click");
  g_assert_cmpstr (p->markup, ==, "Fish &amp; chips &lt;3 click");

  p = g_ptr_array_index (page->posts, 2);  /* the reblog */
  g_assert_cmpstr (p->id, ==, "103270299447829050");
  g_assert_cmpstr (p->boost_of_id, ==, "103270115826048975");
  g_assert_nonnull (p->boosted_by);
  g_assert_cmpstr (p->boosted_by->handle, ==, "trwnh@mastodon.social");
  g_assert_cmpstr (p->author.handle, ==, "Gargron@mastodon.social");
  g_assert_cmpstr (p->spoiler, ==, "Acme pricing, internal");
  g_assert_cmpstr (p->url, ==, "https://mastodon.social/@Gargron/103270115826048975");
  g_assert_cmpuint (p->attachments->len, ==, 2);
  assert_safe_markup (p->markup);
}

static void
test_conversations (void)
{
  gsize len;
  g_autofree char *json = load_fixture ("mastodon-conversations.json", &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (RtStreamPage) page = rt_mastodon_conversations_from_json (json, (gssize) len, NULL, &error);
  RtStreamPost *p;

  g_assert_no_error (error);
  g_assert_cmpuint (page->posts->len, ==, 1);  /* the other has no last_status */
  g_assert_cmpuint (page->errors->len, ==, 0);
  p = g_ptr_array_index (page->posts, 0);
  g_assert_cmpstr (p->thread_id, ==, "418450");
  g_assert_cmpint (p->visibility, ==, RT_STREAM_VISIBILITY_DIRECT);
  /* host taken from the account's profile url */
  g_assert_cmpstr (p->author.handle, ==, "Gargron@mastodon.social");
}

static void
test_stream_events (void)
{
  gsize len;
  g_autofree char *json = load_fixture ("mastodon-status.json", &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (RtStreamPage) page = rt_mastodon_stream_event ("update", json, (gssize) len, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (page->posts->len, ==, 1);
  g_clear_pointer (&page, rt_stream_page_free);

  page = rt_mastodon_stream_event ("delete", "103270115826048975", -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->posts->len, ==, 0);
  g_assert_cmpstr (g_ptr_array_index (page->deleted, 0), ==, "103270115826048975");
  g_clear_pointer (&page, rt_stream_page_free);

  page = rt_mastodon_stream_event ("notification", "{\"x\":1}", -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->posts->len + page->deleted->len, ==, 0);
  g_clear_pointer (&page, rt_stream_page_free);

  g_assert_null (rt_mastodon_stream_event ("delete", "<script>", -1, NULL, &error));
  g_assert_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (rt_mastodon_stream_event ("update", "{\"id\":", -1, NULL, &error));
  g_assert_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_SYNTAX);
  g_clear_error (&error);
  g_assert_null (rt_mastodon_stream_event ("update", "[]", -1, NULL, &error));
  g_assert_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_TYPE);
}

static void
test_bad_json (void)
{
  gsize len;
  g_autofree char *json = load_fixture ("mastodon-timeline.json", &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) deep = g_string_new (NULL);
  static const struct { const char *json; RtStreamError code; const char *message; } bad[] = {
    { "", RT_STREAM_ERROR_SYNTAX, NULL },
    { "{\"id\": \"1\"", RT_STREAM_ERROR_SYNTAX, NULL },
    { "{\"id\": \"1\"}", RT_STREAM_ERROR_TYPE, "statuses: expected an array, got an object" },
    { "null", RT_STREAM_ERROR_TYPE, NULL },
  };

  /* Truncated at every 97th byte: an error or a shorter page, never a crash. */
  for (gsize cut = 0; cut < len; cut += 97)
    {
      RtStreamPage *page = rt_mastodon_statuses_from_json (json, (gssize) cut, NULL, &error);
      g_assert_true ((page == NULL) == (error != NULL));
      g_clear_error (&error);
      g_clear_pointer (&page, rt_stream_page_free);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_null (rt_mastodon_statuses_from_json (bad[i].json, -1, NULL, &error));
      g_assert_error (error, RT_STREAM_ERROR, (gint) bad[i].code);
      if (bad[i].message != NULL)
        g_assert_cmpstr (error->message, ==, bad[i].message);
      g_clear_error (&error);
    }
  /* Wrong types in single statuses, each naming its field. */
  {
    static const struct { const char *json; const char *message; } types[] = {
      { "{\"id\":1.5,\"created_at\":\"2019-12-08T03:48:33Z\",\"account\":{},\"content\":\"\"}",
        "status.id: expected a string or an integer, got a number" },
      { "{\"id\":\"1\",\"created_at\":\"yesterday\",\"account\":{},\"content\":\"\"}",
        "status.created_at: not a date and time: \"yesterday\"" },
      { "{\"id\":\"1\",\"created_at\":\"2019-12-08T03:48:33Z\",\"account\":[],\"content\":\"\"}",
        "status.account: expected an object, got an array" },
      { "{\"id\":\"1\",\"created_at\":\"2019-12-08T03:48:33Z\",\"account\":{\"id\":\"2\",\"acct\":\"a\"},"
        "\"content\":\"\",\"media_attachments\":[{\"url\":true}]}",
        "status.media_attachments[0].url: expected a string, got a boolean" },
      { "{\"id\":\"1\",\"created_at\":\"2019-12-08T03:48:33Z\",\"account\":{\"id\":\"2\",\"acct\":\"a\"},"
        "\"content\":\"\",\"reblog\":{\"id\":\"3\",\"created_at\":\"2019-12-08T03:48:33Z\","
        "\"account\":{\"id\":\"4\",\"acct\":\"b\"},\"content\":{}}}",
        "status.reblog.content: expected a string, got an object" },
      { "{\"id\":\"1\",\"created_at\":\"2019-12-08T03:48:33Z\",\"account\":{\"id\":\"2\",\"acct\":\"a\"},"
        "\"content\":\"\",\"tags\":[{\"name\":null}]}",
        "status.tags[0].name: missing" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (types); i++)
      {
        g_assert_null (rt_mastodon_status_from_json (types[i].json, -1, NULL, &error));
        g_assert_cmpstr (error->message, ==, types[i].message);
        g_clear_error (&error);
      }
  }
  /* Unknown fields ignored, optional ones absent. */
  {
    g_autoptr (RtStreamPost) p = rt_mastodon_status_from_json (
        "{\"id\":\"9\",\"created_at\":\"2019-12-08T03:48:33Z\",\"account\":{\"id\":\"2\",\"acct\":\"a\"},"
        "\"content\":\"<p>hi</p>\",\"future_field\":{\"x\":[1,2]}}", -1, "h.test", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (p->text, ==, "hi");
    g_assert_cmpstr (p->author.handle, ==, "a@h.test");
    g_assert_null (p->url);
    g_assert_null (p->spoiler);
  }
  /* 100,000 levels of nesting: refused before json-glib recurses. */
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  g_assert_null (rt_mastodon_statuses_from_json (deep->str, (gssize) deep->len, NULL, &error));
  g_assert_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_TOO_LARGE);
  g_clear_error (&error);
  /* Brackets inside strings do not count. */
  g_string_assign (deep, "[{\"id\":\"1\",\"created_at\":\"2019-12-08T03:48:33Z\",\"account\":{\"id\":\"2\",\"acct\":\"a\"},\"content\":\"");
  for (int i = 0; i < 1000; i++)
    g_string_append (deep, "[{\\\"");
  g_string_append (deep, "\"}]");
  {
    g_autoptr (RtStreamPage) page = rt_mastodon_statuses_from_json (deep->str, -1, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (page->posts->len, ==, 1);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stream-mastodon/account", test_account);
  g_test_add_func ("/stream-mastodon/status", test_status);
  g_test_add_func ("/stream-mastodon/timeline-page", test_timeline_page);
  g_test_add_func ("/stream-mastodon/conversations", test_conversations);
  g_test_add_func ("/stream-mastodon/stream-events", test_stream_events);
  g_test_add_func ("/stream-mastodon/bad-json", test_bad_json);
  return g_test_run ();
}
