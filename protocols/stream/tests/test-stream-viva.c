/* test-stream-viva.c: Viva Engage messages.json with references and meta. */
#include "rt-stream-viva.h"
#include "stream-test-util.h"

static void
test_messages (void)
{
  gsize len;
  g_autofree char *json = load_fixture ("viva-messages.json", &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (RtStreamPage) page = rt_viva_messages_from_json (json, (gssize) len, &error);
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) when = g_date_time_new (utc, 2019, 6, 4, 18, 14, 33);
  RtStreamPost *p;
  const RtStreamAttachment *a;

  g_assert_no_error (error);
  g_assert_true (page->older_available);
  g_assert_cmpint (page->poll_interval_s, ==, 60);
  g_assert_cmpuint (page->posts->len, ==, 3);
  g_assert_cmpuint (page->errors->len, ==, 1);
  g_assert_cmpstr (((GError *) g_ptr_array_index (page->errors, 0))->message, ==,
                   "messages[2].body.plain: expected a string, got an integer");
  g_assert_cmpstr (page->newest_id, ==, "1486750003");
  g_assert_cmpstr (page->oldest_id, ==, "1486749882");

  p = g_ptr_array_index (page->posts, 0);
  g_assert_cmpint (p->service, ==, RT_STREAM_SERVICE_VIVA);
  g_assert_cmpstr (p->id, ==, "1486749882");
  g_assert_cmpstr (p->thread_id, ==, "1486749882");
  g_assert_null (p->in_reply_to_id);
  g_assert_cmpstr (p->group_id, ==, "15824708");
  g_assert_cmpstr (p->group_name, ==, "RFP Acme 2027");
  g_assert_cmpstr (p->author.handle, ==, "jsmith");
  g_assert_cmpstr (p->author.display_name, ==, "John Smith");
  g_assert_cmpstr (p->author.url, ==, "https://www.yammer.com/contoso.com/users/1488374");
  g_assert_cmpstr (p->url, ==, "https://www.yammer.com/contoso.com/messages/1486749882");
  g_assert_cmpint (p->created_us, ==, rt_stream_datetime_us (when));
  g_assert_cmpint (p->visibility, ==, RT_STREAM_VISIBILITY_PUBLIC);
  g_assert_cmpstr (p->text, ==, "RFP Acme 2027: draft is in the team folder, thanks @jane #acme");
  /* The rich body: link kept, script gone. */
  assert_safe_markup (p->markup);
  g_assert_nonnull (strstr (p->markup, "<a href=\"https://contoso.sharepoint.com/rfp\">team folder</a>"));
  g_assert_null (strstr (p->markup, "alert"));
  g_assert_cmpstr (p->mentions[0], ==, "jane");
  g_assert_cmpstr (p->hashtags[0], ==, "acme");
  g_assert_cmpuint (p->attachments->len, ==, 1);
  a = g_ptr_array_index (p->attachments, 0);
  g_assert_cmpstr (a->type, ==, "image");
  g_assert_cmpstr (a->description, ==, "pricing.png");
  g_assert_cmpstr (a->url, ==, "https://www.yammer.com/contoso.com/uploaded_files/222");

  p = g_ptr_array_index (page->posts, 1);  /* a reply with only a parsed body */
  g_assert_cmpstr (p->in_reply_to_id, ==, "1486749882");
  g_assert_cmpstr (p->thread_id, ==, "1486749882");
  g_assert_cmpstr (p->author.handle, ==, "jane");
  g_assert_cmpstr (p->text, ==, "Reviewed, @jsmith: section #pricing needs numbers");
  assert_safe_markup (p->markup);

  p = g_ptr_array_index (page->posts, 2);  /* unknown sender, direct message */
  g_assert_cmpstr (p->author.handle, ==, "9999");
  g_assert_cmpint (p->visibility, ==, RT_STREAM_VISIBILITY_DIRECT);
  g_assert_null (p->group_name);
}

static void
test_bad (void)
{
  g_autoptr (GError) error = NULL;
  static const struct { const char *json; const char *message; } bad[] = {
    { "[]", "messages: expected an object, got an array" },
    { "{}", "messages: missing" },
    { "{\"messages\":{}}", "messages: expected an array, got an object" },
    { "{\"messages\":[],\"meta\":{\"older_available\":\"yes\"}}",
      "meta.older_available: expected a boolean, got a string" },
    { "{\"messages\":[],\"references\":[{\"type\":\"user\"}]}", "references[0].id: missing" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_null (rt_viva_messages_from_json (bad[i].json, -1, &error));
      g_assert_cmpstr (error->message, ==, bad[i].message);
      g_clear_error (&error);
    }
  g_assert_null (rt_viva_messages_from_json ("{\"messages\":[{\"id\":1", -1, &error));
  g_assert_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_SYNTAX);
  g_clear_error (&error);
  {
    g_autoptr (RtStreamPage) page = rt_viva_messages_from_json (
        "{\"messages\":[{\"id\":5,\"sender_id\":6,\"created_at\":\"2019/06/04 18:14:33 +0200\","
        "\"body\":{\"plain\":\"x\"},\"notified_user_ids\":[{}]},"
        "{\"id\":7,\"sender_id\":6,\"created_at\":\"2019-06-04T18:14:33Z\",\"body\":{\"plain\":\"ok\"}}]}",
        -1, &error);
    RtStreamPost *p;

    g_assert_no_error (error);
    g_assert_cmpuint (page->errors->len, ==, 1);
    g_assert_cmpstr (((GError *) g_ptr_array_index (page->errors, 0))->message, ==,
                     "messages[0].notified_user_ids[0]: expected a string or an integer");
    p = g_ptr_array_index (page->posts, 0);
    g_assert_cmpstr (p->text, ==, "ok");
    g_assert_false (page->older_available);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stream-viva/messages", test_messages);
  g_test_add_func ("/stream-viva/bad", test_bad);
  return g_test_run ();
}
