/* test-stream-render.c: the markup shown for a post: order of the parts,
 * and nothing from the post becomes markup except safe links. */
#include "config.h"
#include "rt-stream-render.h"
#include "rt-stream-html.h"
#include <string.h>

static RtStreamPost *
sample (void)
{
  RtStreamPost *p = rt_stream_post_new (RT_STREAM_SERVICE_MASTODON);
  p->id = g_strdup ("42");
  p->url = g_strdup ("https://social.example/@bob/42");
  p->author.handle = g_strdup ("bob@social.example");
  p->created_us = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  /* rt_stream_post_new() fills text and markup with "": free them before the
   * sanitizer writes its own (it overwrites the pointers). */
  g_clear_pointer (&p->text, g_free);
  g_clear_pointer (&p->markup, g_free);
  rt_stream_html_sanitize ("<p>Hi <script>alert(1)</script>&amp; &lt;b&gt;</p>", -1, &p->text, &p->markup);
  return p;
}

static void
test_order (void)
{
  g_autoptr(RtStreamPost) p = sample ();
  p->spoiler = g_strdup ("spoilers <i>");
  g_ptr_array_add (p->attachments, rt_stream_attachment_new ("https://files.example/a.png", "image", "a \"cat\""));
  p->boosted_by = rt_stream_author_new ("carol@social.example", "Carol", NULL);
  p->in_reply_to_id = g_strdup ("41");
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autofree char *m = rt_stream_render_markup (p, utc);
  const char *cw = strstr (m, "[CW: spoilers &lt;i&gt;]");
  const char *text = strstr (m, "Hi ");
  const char *att = strstr (m, "<a href=\"https://files.example/a.png\">attachment: a &quot;cat&quot;</a>");
  const char *boost = strstr (m, "boosted by carol@social.example");
  const char *link = strstr (m, "<a href=\"https://social.example/@bob/42\">2023-11-14 22:13</a>");
  g_assert_nonnull (cw);
  g_assert_nonnull (text);
  g_assert_nonnull (att);
  g_assert_nonnull (boost);
  g_assert_nonnull (strstr (m, "reply"));
  g_assert_nonnull (link);
  g_assert_true (cw < text && text < att && att < boost && boost < link);
  g_assert_null (strstr (m, "<script"));
  g_assert_null (strstr (m, "alert"));
  g_assert_nonnull (strstr (m, "&amp; &lt;b&gt;"));
}

static void
test_unsafe_urls (void)
{
  g_autoptr(RtStreamPost) p = sample ();
  g_free (p->url);
  p->url = g_strdup ("javascript:alert(1)");
  g_ptr_array_add (p->attachments, rt_stream_attachment_new ("data:text/html,<b>x</b>", "file", NULL));
  g_autofree char *m = rt_stream_render_markup (p, NULL);
  g_assert_null (strstr (m, "javascript"));
  g_assert_null (strstr (m, "data:"));
  g_assert_null (strstr (m, "<b>x"));
  g_assert_nonnull (strstr (m, "attachment: file"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stream-render/order", test_order);
  g_test_add_func ("/stream-render/unsafe-urls", test_unsafe_urls);
  return g_test_run ();
}
