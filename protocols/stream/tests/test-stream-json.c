/* test-stream-json.c: the page loop shared by the Mastodon and Viva Engage
 * readers (rt_json_read_posts): every bad item is one error that says
 * which item, never NULL, and its id still counts for the position. */
#include "rt-stream-json.h"
#include "stream-test-util.h"

/* A reader that is given items like {"id": "7", "how": "ok"|"quiet"|"fail"|"none"}. */
static gboolean
test_reader (JsonObject *o, const RtJsonPath *at, gpointer data, RtStreamPost **out,
             GError **error)
{
  const char *how = json_object_get_string_member (o, "how");
  guint *calls = data;

  (*calls)++;
  *out = NULL;
  if (g_strcmp0 (how, "ok") == 0)
    {
      *out = rt_stream_post_new (RT_STREAM_SERVICE_VIVA);
      (*out)->id = g_strdup (json_object_get_string_member (o, "id"));
      return TRUE;
    }
  if (g_strcmp0 (how, "none") == 0)
    return TRUE;                    /* nothing to show */
  if (g_strcmp0 (how, "fail") == 0)
    {
      gint64 n;                     /* "how" is a string: a typed error */
      return rt_json_get_int (o, at, "how", RT_JSON_REQUIRED, &n, error);
    }
  return FALSE;                     /* "quiet": fails without an error */
}

static RtStreamPage *
read_items (const char *json, guint *calls)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = rt_json_load (json, -1, "items", &error);
  RtJsonPath at = { NULL, "items", 0 };
  RtStreamPage *page = rt_stream_page_new ();

  g_assert_no_error (error);
  rt_json_read_posts (json_node_get_array (json_parser_get_root (parser)), &at, test_reader,
                      calls, page);
  return page;
}

static void
test_quiet_failure_is_named (void)
{
  guint calls = 0;
  g_autoptr (RtStreamPage) page = read_items ("[{\"id\": \"5\", \"how\": \"ok\"},"
                                              " {\"id\": \"9\", \"how\": \"quiet\"},"
                                              " {\"id\": \"7\", \"how\": \"ok\"}]", &calls);

  g_assert_cmpuint (calls, ==, 3);
  g_assert_cmpuint (page->posts->len, ==, 2);
  g_assert_cmpuint (page->errors->len, ==, 1);
  g_assert_nonnull (g_ptr_array_index (page->errors, 0));
  g_assert_cmpstr (((GError *) g_ptr_array_index (page->errors, 0))->message, ==,
                   "items[1]: the item could not be read");
  g_assert_true (g_error_matches (g_ptr_array_index (page->errors, 0), RT_STREAM_ERROR,
                                  RT_STREAM_ERROR_INVALID));
  /* The failed item's id still moves the position. */
  g_assert_cmpstr (page->newest_id, ==, "9");
  g_assert_cmpstr (page->oldest_id, ==, "5");
}

static void
test_errors_and_nothing_to_show (void)
{
  guint calls = 0;
  g_autoptr (RtStreamPage) page = read_items ("[{\"id\": \"1\", \"how\": \"fail\"}, 42,"
                                              " {\"id\": \"3\", \"how\": \"none\"},"
                                              " {\"id\": \"4\", \"how\": \"ok\"}]", &calls);

  g_assert_cmpuint (calls, ==, 3);   /* not for the number */
  g_assert_cmpuint (page->posts->len, ==, 1);
  g_assert_cmpstr (((RtStreamPost *) g_ptr_array_index (page->posts, 0))->id, ==, "4");
  /* The reader's own error is kept; the number is named by its index; the
   * item with nothing to show is no error. */
  g_assert_cmpuint (page->errors->len, ==, 2);
  for (guint i = 0; i < page->errors->len; i++)
    g_assert_nonnull (g_ptr_array_index (page->errors, i));
  g_assert_cmpstr (((GError *) g_ptr_array_index (page->errors, 0))->message, ==,
                   "items[0].how: expected an integer, got a string");
  g_assert_nonnull (strstr (((GError *) g_ptr_array_index (page->errors, 1))->message, "items[1]"));
  g_assert_cmpstr (page->newest_id, ==, "4");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stream/json/quiet-failure-is-named", test_quiet_failure_is_named);
  g_test_add_func ("/stream/json/errors-and-nothing-to-show", test_errors_and_nothing_to_show);
  return g_test_run ();
}
