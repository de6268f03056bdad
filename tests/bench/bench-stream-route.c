/* bench-stream-route.c: posts ingested per second from 40-status Mastodon
 * timeline pages through everything the hub does with a post read from a
 * linked timeline (issue 5): parse and sanitize (rt_mastodon_statuses_from_json),
 * the watchlist match of a workspace (20 terms, rt_watch_match; a hit
 * stores an alert with its watch_hits row), then the post bridged as a
 * workspace message (author by --stream endpoint, origin key) and accepted
 * into a real SQLite store (a file, WAL) for a workspace of 30 members
 * (half online, half kept for their digest) and a linked room. Two ways,
 * alternating: batched as the glue does (rt-stream-in.c: the messages of a
 * page queued, up to BATCH_MAX, then rt_hub_accept_batch, one transaction
 * with a savepoint per message), and per post (rt_hub_accept, one
 * transaction each, as before). A third way shows the cost of planning
 * for members apart: batched, with every member following in the linked
 * room (no row per member). Against raw json-glib parsing of the same
 * pages (json_parser_load_from_data only) in the same run; and, to show
 * what durable storage costs at the least, the batched way against a floor:
 * the same raw parse plus plain SQLite INSERTs of the same rows (each
 * post's content as a message, the room's row and one row per member as
 * the plan makes them) into a database with the store's tables, one
 * transaction a page, a savepoint a post (bench-raw-store.c).
 *
 * Each pass over the pages gives the posts new ids (as new posts would
 * have), so nothing is taken for a duplicate.
 *
 * Usage: bench-stream-route [SECONDS_PER_ROUND [ROUNDS [PAGES]]]
 *   defaults: 0.25 s, 8 rounds (ours and raw alternate), 25 pages of 40.
 * Prints on stdout:
 *   stream_ingest_routed_rate  V  posts/s  raw_json_glib  B  V/B   (batched)
 *   stream_ingest_routed_rate_per_post  V  posts/s  raw_json_glib  B  V/B
 *   stream_ingest_routed_rate_room  V  posts/s  raw_json_glib  B  V/B   (members in the room)
 *   stream_ingest_routed_vs_floor  V  posts/s  raw_parse_and_sqlite  B  V/B  (batched)
 * Diagnostics on stderr. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include "rt-stream-mastodon.h"
#include "rt-hub.h"
#include "bench-util.h"
#include "bench-raw-store.h"

#define PAGE_SIZE 40
#define MEMBERS 30
#define SERVER "https://social.example"
#define BATCH_MAX 64   /* as rt-stream-in.c */

static const char *const words[] = {
  "the", "proposal", "pricing", "annex", "deadline", "we", "will", "ship", "review", "team",
  "tomorrow", "customer", "meeting", "schedule", "draft", "please", "check", "numbers", "and",
  "update", "café", "Zürich", "naïve", "before", "Friday", "thanks", "for", "quick", "reply",
  "contract", "delivery", "risks", "open", "questions", "agreed", "next", "steps", "東京",
};
static const char *const tags[] = { "acme", "rfp", "AcmeFail", "opensource", "pricing" };

/* A page as Mastodon serves it (the fields the stream core reads, and the
 * usual others). */
static char *
make_page (GRand *r, guint page)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_builder_begin_array (b);
  for (guint i = 0; i < PAGE_SIZE; i++)
    {
      guint n = page * PAGE_SIZE + i;
      g_autofree char *user = g_strdup_printf ("user%u", n % (MEMBERS * 2));   /* half are members */
      g_autofree char *id = g_strdup_printf ("1093%014u", 100000000u - n);
      g_autofree char *url = g_strdup_printf (SERVER "/@%s/%s", user, id);
      const char *tag = tags[g_rand_int_range (r, 0, G_N_ELEMENTS (tags))];
      GString *html = g_string_new ("<p>");
      for (int w = g_rand_int_range (r, 12, 40); w > 0; w--)
        g_string_append_printf (html, "%s ", words[g_rand_int_range (r, 0, G_N_ELEMENTS (words))]);
      g_string_append_printf (html, "&amp; <a href=\"https://news.example.org/a?b=c\" rel=\"nofollow\">"
                              "<span class=\"invisible\">https://</span>news.example.org/a</a><br>"
                              "<a href=\"" SERVER "/tags/%s\" class=\"mention hashtag\">#<span>%s</span></a></p>",
                              tag, tag);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id"); json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "created_at"); json_builder_add_string_value (b, "2026-11-27T10:48:33.901Z");
      json_builder_set_member_name (b, "in_reply_to_id"); json_builder_add_null_value (b);
      json_builder_set_member_name (b, "sensitive"); json_builder_add_boolean_value (b, FALSE);
      json_builder_set_member_name (b, "spoiler_text"); json_builder_add_string_value (b, n % 11 == 0 ? "Acme pricing" : "");
      json_builder_set_member_name (b, "visibility"); json_builder_add_string_value (b, "public");
      json_builder_set_member_name (b, "language"); json_builder_add_string_value (b, "en");
      json_builder_set_member_name (b, "uri"); json_builder_add_string_value (b, url);
      json_builder_set_member_name (b, "url"); json_builder_add_string_value (b, url);
      json_builder_set_member_name (b, "replies_count"); json_builder_add_int_value (b, 2);
      json_builder_set_member_name (b, "reblogs_count"); json_builder_add_int_value (b, 5);
      json_builder_set_member_name (b, "favourites_count"); json_builder_add_int_value (b, 11);
      json_builder_set_member_name (b, "content"); json_builder_add_string_value (b, html->str);
      json_builder_set_member_name (b, "reblog"); json_builder_add_null_value (b);
      json_builder_set_member_name (b, "account");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id"); json_builder_add_string_value (b, "10923");
      json_builder_set_member_name (b, "username"); json_builder_add_string_value (b, user);
      json_builder_set_member_name (b, "acct"); json_builder_add_string_value (b, user);
      json_builder_set_member_name (b, "display_name"); json_builder_add_string_value (b, "Some One 🦊");
      json_builder_set_member_name (b, "url"); json_builder_add_string_value (b, SERVER "/@someone");
      json_builder_set_member_name (b, "note"); json_builder_add_string_value (b, "<p>Views my own.</p>");
      json_builder_set_member_name (b, "followers_count"); json_builder_add_int_value (b, 321);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "media_attachments"); json_builder_begin_array (b); json_builder_end_array (b);
      json_builder_set_member_name (b, "mentions"); json_builder_begin_array (b); json_builder_end_array (b);
      json_builder_set_member_name (b, "tags"); json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name"); json_builder_add_string_value (b, tag);
      json_builder_set_member_name (b, "url"); json_builder_add_string_value (b, SERVER "/tags/x");
      json_builder_end_object (b);
      json_builder_end_array (b);
      json_builder_end_object (b);
      g_string_free (html, TRUE);
    }
  json_builder_end_array (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* A message waiting for the batch, with its alert's key. */
typedef struct {
  RtMessage *msg;
  char      *hit_key;
  const char *hit_url;
} Queued;

typedef struct {
  gboolean   no_store;  /* the diagnostic split: everything but the store */
  gboolean   batched;   /* queue and rt_hub_accept_batch, else one accept a post */
  gboolean   in_room;   /* every member follows in the linked room */
  Queued     queue[BATCH_MAX];
  guint      queued;
  RtStore   *store;
  RtWorld    world;
  gint64     ws;
  gint64     link;
  gint64     room_link;
  GPtrArray *terms;
  guint      pass;     /* makes every pass's posts new */
  guint      alerts;
} Hub;

/* Half the members are online (IM now), the others wait for the digest. */
static RtPresence
presence (const RtEndpoint *ep, gpointer data)
{
  return ep->address[strlen (ep->address) - 1] % 2 ? RT_PRESENCE_AVAILABLE : RT_PRESENCE_OFFLINE;
}

static gboolean
in_room (const RtMember *m, gint64 ws_id, gpointer data)
{
  return ((Hub *) data)->in_room;
}

/* Stores the queued messages in one transaction; FALSE if one was not
 * stored (nothing here is a duplicate). */
static gboolean
flush (Hub *h)
{
  g_autoptr (GError) error = NULL;
  RtHubItem items[BATCH_MAX];
  RtMessageExtras extras[BATCH_MAX];
  gboolean ok = TRUE;
  for (guint i = 0; i < h->queued; i++)
    {
      Queued *q = &h->queue[i];
      extras[i] = (RtMessageExtras) { .hit_key = q->hit_key, .hit_terms = "x", .hit_url = q->hit_url };
      items[i] = (RtHubItem) { q->msg, q->hit_key != NULL ? &extras[i] : NULL, NULL };
    }
  if (!rt_hub_accept_batch (h->store, &h->world, NULL, items, h->queued, &error))
    ok = FALSE;
  for (guint i = 0; i < h->queued; i++)
    {
      ok = ok && items[i].msg->id > 0;
      g_clear_error (&items[i].error);
      rt_message_free (h->queue[i].msg);
      g_free (h->queue[i].hit_key);
    }
  h->queued = 0;
  return ok;
}

/* Stores msg now (per post) or queues it (batched). Takes msg and key. */
static gboolean
accept (Hub *h, RtMessage *msg, char *key, const char *url)
{
  if (!h->batched)
    {
      g_autoptr (GError) error = NULL;
      RtMessageExtras extras = { .hit_key = key, .hit_terms = "x", .hit_url = url };
      gboolean ok = rt_hub_accept_full (h->store, &h->world, NULL, msg, key != NULL ? &extras : NULL, &error)
                    && msg->id > 0;
      rt_message_free (msg);
      g_free (key);
      return ok;
    }
  h->queue[h->queued++] = (Queued) { msg, key, url };
  return h->queued < BATCH_MAX || flush (h);
}

/* What the glue does with one post read from the linked timeline. */
static gboolean
route_post (Hub *h, const RtStreamPost *post)
{
  g_autofree char *pass_id = g_strdup_printf ("%s%u", post->id, h->pass);
  RtWatchPost wp = { SERVER, post->author.handle, post->author.display_name, post->title, post->spoiler,
                     post->text, (const char *const *) post->hashtags,
                     (const char *const *) post->mentions, post->url };
  g_autoptr (GPtrArray) matched = rt_watch_match (h->terms, &wp);
  if (h->no_store)
    {
      g_autofree char *text = matched->len > 0 ? rt_watch_alert_text (&wp, matched) : NULL;
      g_autofree char *origin = rt_watch_post_origin ("mastodon", SERVER, pass_id);
      return origin != NULL;
    }
  if (matched->len > 0)
    {
      char *key = rt_watch_hit_key ("mastodon", SERVER, pass_id, h->ws);
      RtMessage *alert = rt_message_new ();
      alert->ws_id = h->ws;
      alert->kind = RT_MESSAGE_HUB;
      alert->author_label = g_strdup ("Roundtable");
      alert->text = rt_watch_alert_text (&wp, matched);
      alert->origin = g_strconcat ("watch/", key, NULL);
      if (rt_store_watch_hit_seen (h->store, key))
        {
          rt_message_free (alert);
          g_free (key);
        }
      else if (!accept (h, alert, key, post->url))
        return FALSE;
      h->alerts++;
    }
  g_autofree char *handle = rt_watch_qualify_handle (post->author.handle, SERVER);
  g_autoptr (GPtrArray) authors = rt_store_members_by_endpoint (h->store, RT_STREAM_SCHEME, handle);
  RtMessage *msg = rt_message_new ();
  msg->ws_id = h->ws;
  msg->source_link = h->link;
  msg->origin = rt_watch_post_origin ("mastodon", SERVER, pass_id);
  msg->text = g_strdup_printf ("%s\n%s", post->text, post->url);
  if (authors->len > 0)
    {
      msg->author_member = ((RtMember *) authors->pdata[0])->id;
      msg->author_label = rt_member_label (authors->pdata[0]);
    }
  else
    msg->author_label = g_strdup_printf ("%s (@%s, external)", post->author.display_name, handle);
  return accept (h, msg, NULL, NULL);
}

static Hub *hub_state;

static guint
ours_one (const char *page)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtStreamPage) p = rt_mastodon_statuses_from_json (page, -1, "social.example", &error);
  if (p == NULL || p->errors->len > 0)
    return 0;
  for (guint i = 0; i < p->posts->len; i++)
    if (!route_post (hub_state, g_ptr_array_index (p->posts, i)))
      return 0;
  /* The page's burst is over (the glue's 0 ms timeout). */
  if (hub_state->queued > 0 && !flush (hub_state))
    return 0;
  return p->posts->len;
}

static guint
raw_one (const char *page)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  return json_parser_load_from_data (parser, page, -1, NULL) ? PAGE_SIZE : 0;
}

/* ---- the floor: raw parse and raw SQLite of the same rows ---------------- */

static RawStore floor_store;
static GArray *floor_rows;   /* RawRow: the room's, then one per member */

static gboolean
floor_setup (Hub *h, const char *path, const char *store_path)
{
  if (!raw_store_open (&floor_store, "bench-stream-route", path, store_path))
    return FALSE;
  floor_rows = g_array_new (FALSE, FALSE, sizeof (RawRow));
  RawRow room = { 'L', h->room_link, "im", -1, 0 };
  g_array_append_val (floor_rows, room);
  GPtrArray *members = rt_store_members (h->store, h->ws);
  for (guint i = 0; i < members->len; i++)
    {
      const RtMember *m = g_ptr_array_index (members, i);
      gboolean im = presence (g_ptr_array_index (m->endpoints, 0), NULL) == RT_PRESENCE_AVAILABLE;
      RawRow row = { 'M', m->id, im ? "im" : "pending", im ? 0 : -1, im ? 0 : 1 };
      g_array_append_val (floor_rows, row);
    }
  return TRUE;
}

static guint
floor_one (const char *page)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, page, -1, NULL) || !raw_store_begin (&floor_store))
    return 0;
  JsonArray *statuses = json_node_get_array (json_parser_get_root (parser));
  guint n = json_array_get_length (statuses);
  gint64 now = g_get_real_time ();
  for (guint i = 0; i < n; i++)
    {
      JsonObject *st = json_array_get_object_element (statuses, i);
      JsonObject *account = json_object_get_object_member (st, "account");
      g_autofree char *origin = g_strdup_printf ("mastodon/" SERVER "/%s%u",
                                                 json_object_get_string_member (st, "id"), hub_state->pass);
      if (!raw_store_message (&floor_store, TRUE, origin, json_object_get_string_member (account, "display_name"),
                              json_object_get_string_member (st, "content"), now, hub_state->link,
                              (const RawRow *) floor_rows->data, floor_rows->len))
        return 0;
    }
  return raw_store_commit (&floor_store) ? n : 0;
}

/* One pass over the pages: the number of posts, -1 on a page that was not
 * wholly routed. */
static gint64
pages_pass (guint (*one) (const char *page), GPtrArray *pages)
{
  hub_state->pass++;
  return bench_items_pass (one, pages, PAGE_SIZE);
}

/* Routed alerts flushed once per page. */
static gint64
batched_pass (gpointer pages)
{
  hub_state->batched = TRUE;
  return pages_pass (ours_one, pages);
}

/* Routed alerts sent per post. */
static gint64
per_post_pass (gpointer pages)
{
  hub_state->batched = FALSE;
  return pages_pass (ours_one, pages);
}

/* Batched, the members in the linked room: no row per member. */
static gint64
room_pass (gpointer pages)
{
  hub_state->batched = TRUE;
  hub_state->in_room = TRUE;
  gint64 n = pages_pass (ours_one, pages);
  hub_state->in_room = FALSE;
  return n;
}

static gint64
raw_pass (gpointer pages)
{
  return pages_pass (raw_one, pages);
}

static gint64
floor_pass (gpointer pages)
{
  return pages_pass (floor_one, pages);
}

static void
report_round (int round, const double *rates, gpointer user_data G_GNUC_UNUSED)
{
  g_printerr ("bench-stream-route: round %d: parse+sanitize+store+route batched %.0f posts/s, "
              "per post %.0f posts/s, members in the room %.0f posts/s, raw json-glib %.0f posts/s, "
              "raw json-glib and SQLite %.0f posts/s\n", round, rates[0], rates[1], rates[3], rates[2], rates[4]);
}

/* The workspace: 30 members (15 with a --stream handle of the page's
 * authors, each with an IM endpoint), a linked room and the linked
 * timeline, and a watchlist of 20 terms. */
static gboolean
hub_setup (Hub *h, const char *path)
{
  g_autoptr (GError) error = NULL;
  h->store = rt_store_open (path, &error);
  if (h->store == NULL)
    {
      g_printerr ("bench-stream-route: %s\n", error->message);
      return FALSE;
    }
  h->world = (RtWorld) { presence, in_room, h };
  h->ws = rt_store_workspace_create (h->store, "RFP Acme 2027", &error);
  h->room_link = rt_store_link_add (h->store, h->ws, "prpl-jabber", "hub@site-a.example",
                                    "rfp@conference.site-a.example", &error);
  h->link = rt_store_link_add_full (h->store, h->ws, "prpl-roundtable-stream", "hub@social.example", "tag:acme",
                                    RT_DIRECTION_IN, RT_AUDIENCE_INTERNAL, &error);
  for (guint i = 0; i < MEMBERS; i++)
    {
      g_autofree char *handle = g_strdup_printf ("m%02u", i);
      g_autoptr (RtMember) m = rt_member_new (handle);
      m->ws_id = h->ws;
      m->name = g_strdup_printf ("Member %u", i);
      m->hours = (RtHours) { 0, 24 * 60, 0x7f };
      g_autofree char *jid = g_strdup_printf ("m%02u@site-a.example", i);
      g_ptr_array_add (m->endpoints, rt_endpoint_new ("xmpp", jid, NULL));
      if (i % 2 == 0)
        {
          g_autofree char *stream = g_strdup_printf ("user%u@social.example", i);
          g_ptr_array_add (m->endpoints, rt_endpoint_new (RT_STREAM_SCHEME, stream, NULL));
        }
      if (!rt_store_member_save (h->store, m, &error))
        {
          g_printerr ("bench-stream-route: %s\n", error->message);
          return FALSE;
        }
    }
  static const char *const argv[] = {
    "AcmeFail", "outage", "\"acme outage\"", "@ceo@social.example", "#breach", "lawsuit", "recall",
    "boycott", "scandal", "layoffs", "\"data leak\"", "#acmesucks", "fraud", "strike", "@cfo", "downtime",
    "hack", "ransomware", "#rfpfail", "competitor", NULL
  };
  h->terms = rt_watch_parse_terms (argv, &error);
  if (h->terms == NULL || !rt_store_watch_add (h->store, h->ws, h->terms, NULL, &error))
    {
      g_printerr ("bench-stream-route: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  double seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 0.25;
  int rounds = argc > 2 ? atoi (argv[2]) : 8;
  int n_pages = argc > 3 ? atoi (argv[3]) : 25;
  if (seconds <= 0 || rounds <= 0 || n_pages <= 0)
    {
      g_printerr ("usage: %s [SECONDS_PER_ROUND [ROUNDS [PAGES]]]\n", argv[0]);
      return 2;
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-stream-route-XXXXXX", &error);
  if (dir == NULL)
    {
      g_printerr ("bench-stream-route: %s\n", error->message);
      return 1;
    }
  g_autofree char *path = g_build_filename (dir, "rt.db", NULL);
  g_autofree char *floor_path = g_build_filename (dir, "floor.db", NULL);
  Hub h = { 0 };
  hub_state = &h;
  int status = 1;
  g_autoptr (GPtrArray) pages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GRand) r = g_rand_new_with_seed (20261127);
  for (int p = 0; p < n_pages; p++)
    g_ptr_array_add (pages, make_page (r, p));
  const BenchSide sides[] = { { batched_pass, pages }, { per_post_pass, pages }, { raw_pass, pages },
                              { room_pass, pages }, { floor_pass, pages } };
  double med[5];
  if (!hub_setup (&h, path) || !floor_setup (&h, floor_path, path))
    goto out;
  if (!bench_rounds (sides, G_N_ELEMENTS (sides), rounds, seconds, report_round, NULL, med))
    {
      g_printerr ("bench-stream-route: a page was not routed\n");
      goto out;
    }
  /* Where the time goes: the same without the store (stderr only). */
  h.no_store = TRUE;
  double parse_match = bench_rate (per_post_pass, pages, seconds);
  h.no_store = FALSE;
  g_printerr ("bench-stream-route: without the store (parse, sanitize, watchlist, origin): %.0f posts/s\n",
              parse_match);
  g_printerr ("bench-stream-route: %" G_GINT64_FORMAT " messages stored, %u alerts\n",
              rt_store_message_count (h.store, h.ws), h.alerts);
  bench_print_figure ("stream_ingest_routed_rate", med[0], 0, "posts/s", "raw_json_glib", med[2], 2);
  bench_print_figure ("stream_ingest_routed_rate_per_post", med[1], 0, "posts/s", "raw_json_glib", med[2], 2);
  bench_print_figure ("stream_ingest_routed_rate_room", med[3], 0, "posts/s", "raw_json_glib", med[2], 2);
  bench_print_figure ("stream_ingest_routed_vs_floor", med[0], 0, "posts/s", "raw_parse_and_sqlite", med[4], 2);
  fflush (stdout);
  status = 0;
out:
  g_clear_pointer (&h.terms, g_ptr_array_unref);
  g_clear_pointer (&h.store, rt_store_close);
  raw_store_close (&floor_store);
  g_clear_pointer (&floor_rows, g_array_unref);
  const char *suffixes[] = { "", "-wal", "-shm" };
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *f = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *ff = g_strconcat (floor_path, suffixes[i], NULL);
      g_remove (f);
      g_remove (ff);
    }
  g_rmdir (dir);
  return status;
}
