/* bench-stream-ingest.c: Mastodon statuses ingested per second by the stream
 * core, exactly as the stream plugin reads a timeline page
 * (rt_mastodon_statuses_from_json: bounded load, typed field checks, reblog
 * resolution, HTML sanitized into plain text and safe markup), against raw
 * json-glib parsing of the same pages (json_parser_load_from_data only, the
 * tree then dropped), in the same run. The store and routing step is added
 * by the plugin later.
 *
 * Then the poll planner's requests per hour for 20 followed timelines under
 * the servers' documented rate limits, against naive polling of each
 * timeline once a minute (1200/h):
 *   - Mastodon with the streaming API (the plugin's default where offered);
 *   - Mastodon polling only (servers without streaming);
 *   - Viva Engage (one combined feed request a minute).
 *
 * Usage: bench-stream-ingest [SECONDS_PER_ROUND [ROUNDS [PAGES]]]
 *   defaults: 0.25 s, 8 rounds (ours and raw alternate), 25 pages of 40.
 *
 * Prints tab-separated lines on stdout:
 *   stream_ingest_rate  V  posts/s  raw_json_glib  B  V/B
 *   stream_requests_per_hour_20_mastodon  N  requests/h  naive_poll_per_minute  1200  N/1200
 *   stream_requests_per_hour_20_mastodon_poll  ...
 *   stream_requests_per_hour_20_viva  ...
 * Diagnostics on stderr. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include "rt-stream-mastodon.h"
#include "rt-stream-poll.h"
#include "bench-util.h"

#define PAGE_SIZE 40

static const char *const words[] = {
  "the", "proposal", "pricing", "annex", "deadline", "we", "will", "ship", "review", "team",
  "tomorrow", "customer", "meeting", "schedule", "draft", "please", "check", "numbers", "and",
  "update", "café", "Zürich", "naïve", "before", "Friday", "thanks", "for", "quick", "reply",
  "contract", "delivery", "risks", "open", "questions", "agreed", "next", "steps", "東京",
};
static const char *const users[] = { "alice", "bob", "carol", "dave", "erin", "frank", "grace" };
static const char *const servers[] = { "mastodon.social", "fosstodon.org", "hachyderm.io", "acme.example" };
static const char *const tags[] = { "acme", "rfp", "AcmeFail", "opensource", "pricing" };

static void
add_account (JsonBuilder *b, GRand *r, guint n)
{
  const char *user = users[n % G_N_ELEMENTS (users)];
  const char *server = servers[(n / 7) % G_N_ELEMENTS (servers)];
  g_autofree char *acct = n % 3 == 0 ? g_strdup (user) : g_strdup_printf ("%s@%s", user, server);
  g_autofree char *url = g_strdup_printf ("https://%s/@%s", server, user);
  g_autofree char *avatar = g_strdup_printf ("https://files.%s/accounts/avatars/%u.png", server, n);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id"); json_builder_add_string_value (b, "10923");
  json_builder_set_member_name (b, "username"); json_builder_add_string_value (b, user);
  json_builder_set_member_name (b, "acct"); json_builder_add_string_value (b, acct);
  json_builder_set_member_name (b, "display_name"); json_builder_add_string_value (b, "Alice Example 🦊");
  json_builder_set_member_name (b, "locked"); json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "bot"); json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "created_at"); json_builder_add_string_value (b, "2017-04-05T10:11:12.000Z");
  json_builder_set_member_name (b, "note"); json_builder_add_string_value (b, "<p>Bid manager at Acme. Views my own.</p>");
  json_builder_set_member_name (b, "url"); json_builder_add_string_value (b, url);
  json_builder_set_member_name (b, "avatar"); json_builder_add_string_value (b, avatar);
  json_builder_set_member_name (b, "avatar_static"); json_builder_add_string_value (b, avatar);
  json_builder_set_member_name (b, "header"); json_builder_add_string_value (b, avatar);
  json_builder_set_member_name (b, "followers_count"); json_builder_add_int_value (b, g_rand_int_range (r, 0, 5000));
  json_builder_set_member_name (b, "following_count"); json_builder_add_int_value (b, g_rand_int_range (r, 0, 900));
  json_builder_set_member_name (b, "statuses_count"); json_builder_add_int_value (b, g_rand_int_range (r, 0, 90000));
  json_builder_set_member_name (b, "last_status_at"); json_builder_add_string_value (b, "2026-11-20");
  json_builder_set_member_name (b, "emojis"); json_builder_begin_array (b); json_builder_end_array (b);
  json_builder_set_member_name (b, "fields"); json_builder_begin_array (b); json_builder_end_array (b);
  json_builder_end_object (b);
}

/* Status content as Mastodon renders it: paragraphs, a link with invisible
 * spans, mentions in h-cards, hashtags, an entity or two. */
static char *
make_content (GRand *r, const char *mention, const char *tag)
{
  GString *s = g_string_new ("<p>");
  int n = g_rand_int_range (r, 12, 40);

  for (int i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, words[g_rand_int_range (r, 0, G_N_ELEMENTS (words))]);
      if (i == n / 2)
        g_string_append (s, " &amp; &quot;quoted&quot;</p><p>");
    }
  g_string_append_printf (s, " <span class=\"h-card\"><a href=\"https://mastodon.social/@%s\" "
                          "class=\"u-url mention\">@<span>%s</span></a></span>", mention, mention);
  g_string_append (s, " <a href=\"https://news.example.org/2026/11/acme-rfp-results?utm_source=x\" "
                   "rel=\"nofollow noopener noreferrer\" target=\"_blank\"><span class=\"invisible\">https://"
                   "</span><span class=\"ellipsis\">news.example.org/2026/11/acme</span><span "
                   "class=\"invisible\">-rfp-results?utm_source=x</span></a>");
  g_string_append_printf (s, "<br> <a href=\"https://mastodon.social/tags/%s\" class=\"mention hashtag\" "
                          "rel=\"tag\">#<span>%s</span></a></p>", tag, tag);
  return g_string_free (s, FALSE);
}

static void
add_status (JsonBuilder *b, GRand *r, guint n, gboolean allow_reblog)
{
  const char *mention = users[g_rand_int_range (r, 0, G_N_ELEMENTS (users))];
  const char *tag = tags[g_rand_int_range (r, 0, G_N_ELEMENTS (tags))];
  g_autofree char *id = g_strdup_printf ("1093%014u", 100000000u - n);
  g_autofree char *url = g_strdup_printf ("https://mastodon.social/@alice/%s", id);
  g_autofree char *content = make_content (r, mention, tag);
  g_autofree char *tag_url = g_strdup_printf ("https://mastodon.social/tags/%s", tag);
  g_autofree char *mention_url = g_strdup_printf ("https://mastodon.social/@%s", mention);
  gboolean reblog = allow_reblog && g_rand_int_range (r, 0, 10) == 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id"); json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "created_at"); json_builder_add_string_value (b, "2026-11-27T10:48:33.901Z");
  json_builder_set_member_name (b, "in_reply_to_id");
  if (n % 5 == 0) json_builder_add_string_value (b, "109300000000000001"); else json_builder_add_null_value (b);
  json_builder_set_member_name (b, "in_reply_to_account_id"); json_builder_add_null_value (b);
  json_builder_set_member_name (b, "sensitive"); json_builder_add_boolean_value (b, n % 11 == 0);
  json_builder_set_member_name (b, "spoiler_text"); json_builder_add_string_value (b, n % 11 == 0 ? "Acme pricing" : "");
  json_builder_set_member_name (b, "visibility"); json_builder_add_string_value (b, "public");
  json_builder_set_member_name (b, "language"); json_builder_add_string_value (b, "en");
  json_builder_set_member_name (b, "uri"); json_builder_add_string_value (b, url);
  json_builder_set_member_name (b, "url"); json_builder_add_string_value (b, url);
  json_builder_set_member_name (b, "replies_count"); json_builder_add_int_value (b, 2);
  json_builder_set_member_name (b, "reblogs_count"); json_builder_add_int_value (b, 5);
  json_builder_set_member_name (b, "favourites_count"); json_builder_add_int_value (b, 11);
  json_builder_set_member_name (b, "edited_at"); json_builder_add_null_value (b);
  json_builder_set_member_name (b, "favourited"); json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "reblogged"); json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "content"); json_builder_add_string_value (b, reblog ? "" : content);
  json_builder_set_member_name (b, "reblog");
  if (reblog) add_status (b, r, n + 7, FALSE); else json_builder_add_null_value (b);
  json_builder_set_member_name (b, "application");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name"); json_builder_add_string_value (b, "Web");
  json_builder_set_member_name (b, "website"); json_builder_add_null_value (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "account"); add_account (b, r, n);
  json_builder_set_member_name (b, "media_attachments"); json_builder_begin_array (b);
  if (n % 4 == 0)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id"); json_builder_add_string_value (b, "22345792");
      json_builder_set_member_name (b, "type"); json_builder_add_string_value (b, "image");
      json_builder_set_member_name (b, "url"); json_builder_add_string_value (b, "https://files.mastodon.social/media/original/57859aede991da25.jpeg");
      json_builder_set_member_name (b, "preview_url"); json_builder_add_string_value (b, "https://files.mastodon.social/media/small/57859aede991da25.jpeg");
      json_builder_set_member_name (b, "remote_url"); json_builder_add_null_value (b);
      json_builder_set_member_name (b, "description"); json_builder_add_string_value (b, "A chart of the bid's prices");
      json_builder_set_member_name (b, "blurhash"); json_builder_add_string_value (b, "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "mentions"); json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id"); json_builder_add_string_value (b, "2");
  json_builder_set_member_name (b, "username"); json_builder_add_string_value (b, mention);
  json_builder_set_member_name (b, "url"); json_builder_add_string_value (b, mention_url);
  json_builder_set_member_name (b, "acct"); json_builder_add_string_value (b, mention);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "tags"); json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name"); json_builder_add_string_value (b, tag);
  json_builder_set_member_name (b, "url"); json_builder_add_string_value (b, tag_url);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "emojis"); json_builder_begin_array (b); json_builder_end_array (b);
  json_builder_set_member_name (b, "card"); json_builder_add_null_value (b);
  json_builder_set_member_name (b, "poll"); json_builder_add_null_value (b);
  json_builder_end_object (b);
}

static GPtrArray *
make_pages (guint n_pages)
{
  GPtrArray *pages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GRand) r = g_rand_new_with_seed (20261127);

  for (guint p = 0; p < n_pages; p++)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < PAGE_SIZE; i++)
        add_status (b, r, p * PAGE_SIZE + i, TRUE);
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      g_ptr_array_add (pages, json_generator_to_data (gen, NULL));
    }
  return pages;
}

/* What the plugin does per fetched page (before store and routing). */
static guint
ours_one (const char *page)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtStreamPage) p = rt_mastodon_statuses_from_json (page, -1, "mastodon.social", &error);

  if (p == NULL || p->errors->len > 0)
    return 0;
  for (guint i = 0; i < p->posts->len; i++)
    if (*((RtStreamPost *) g_ptr_array_index (p->posts, i))->markup == '\0')
      return 0;
  return p->posts->len;
}

static guint
raw_one (const char *page)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, page, -1, NULL))
    return 0;
  return PAGE_SIZE;
}

/* One pass over the pages: the number of posts, -1 on a page that does not
 * give PAGE_SIZE posts. */
static gint64
pages_pass (guint (*one) (const char *page), GPtrArray *pages)
{
  return bench_items_pass (one, pages, PAGE_SIZE);
}

static gint64
ours_pass (gpointer pages)
{
  return pages_pass (ours_one, pages);
}

static gint64
raw_pass (gpointer pages)
{
  return pages_pass (raw_one, pages);
}

static void
report_round (int round, const double *rates, gpointer user_data G_GNUC_UNUSED)
{
  g_printerr ("bench-stream-ingest: round %d: parse+sanitize %.0f posts/s, raw json-glib %.0f posts/s\n",
              round, rates[0], rates[1]);
}

static void
print_requests (const char *name, RtStreamService service, guint streamed)
{
  RtPollInput in = { service, 20, streamed, 60 * G_USEC_PER_SEC, 0.2 };
  RtPollPlan plan;
  const double naive = 20 * 60.0;

  rt_poll_plan (&in, &plan);
  g_printerr ("bench-stream-ingest: %s: one round every %.0f s of %u requests, budget %.0f/h "
              "(limit less 20 %%)\n", name, plan.interval_us / (double) G_USEC_PER_SEC,
              plan.requests_per_round, plan.budget_per_hour);
  bench_print_figure (name, plan.requests_per_hour, 0, "requests/h", "naive_poll_per_minute", naive, 2);
}

int
main (int argc, char **argv)
{
  double seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 0.25;
  int rounds = argc > 2 ? atoi (argv[2]) : 8;
  int n_pages = argc > 3 ? atoi (argv[3]) : 25;
  g_autoptr (GPtrArray) pages = NULL;
  gsize bytes = 0;
  double med[2];

  if (seconds <= 0 || rounds <= 0 || n_pages <= 0)
    {
      g_printerr ("usage: %s [SECONDS_PER_ROUND [ROUNDS [PAGES]]]\n", argv[0]);
      return 2;
    }
  pages = make_pages ((guint) n_pages);
  for (guint i = 0; i < pages->len; i++)
    {
      bytes += strlen (g_ptr_array_index (pages, i));
      if (ours_one (g_ptr_array_index (pages, i)) != PAGE_SIZE
          || raw_one (g_ptr_array_index (pages, i)) != PAGE_SIZE)
        {
          g_printerr ("bench-stream-ingest: page %u does not parse as expected\n", i);
          return 1;
        }
    }
  g_printerr ("bench-stream-ingest: %u pages of %d statuses, mean %.0f bytes per page\n",
              pages->len, PAGE_SIZE, (double) bytes / pages->len);
  const BenchSide sides[] = { { ours_pass, pages }, { raw_pass, pages } };
  if (!bench_rounds (sides, 2, rounds, seconds, report_round, NULL, med))
    return 1;
  bench_print_figure ("stream_ingest_rate", med[0], 0, "posts/s", "raw_json_glib", med[1], 2);
  print_requests ("stream_requests_per_hour_20_mastodon", RT_STREAM_SERVICE_MASTODON, 20);
  print_requests ("stream_requests_per_hour_20_mastodon_poll", RT_STREAM_SERVICE_MASTODON, 0);
  print_requests ("stream_requests_per_hour_20_viva", RT_STREAM_SERVICE_VIVA, 0);
  fflush (stdout);
  return 0;
}
