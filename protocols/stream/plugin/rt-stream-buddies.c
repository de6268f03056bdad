/* rt-stream-buddies.c: followed accounts as buddies (rule in the header). */
#include "config.h"
#include "rt-stream-buddies.h"
#include "rt-stream-json.h"
#include "rt-stream-http.h"

#include <string.h>

#define HOUR_US G_TIME_SPAN_HOUR
#define DAY_US G_TIME_SPAN_DAY
#define MAX_PAGES 50

struct _RtStreamBuddies {
  RtStreamAccount *sa;
  GHashTable *seen;        /* lower-case handle -> gint64* newest post time read */
  GHashTable *day;         /* lower-case handle -> gint64* last_status_at (day start, UTC) */
  GHashTable *names;       /* lower-case handle -> handle as the buddy is named */
  RtStreamRequest *req;
  guint pages;
  guint timer;
};

static const char *
status_for (RtStreamBuddies *b, const char *key, gint64 now)
{
  gint64 *seen = g_hash_table_lookup (b->seen, key);
  gint64 *day = g_hash_table_lookup (b->day, key);
  if (seen && now - *seen < HOUR_US)
    return "available";
  if ((seen && now - *seen < DAY_US) || (day && now - *day < 2 * DAY_US))
    return "away";
  return "offline";
}

static void
update_one (RtStreamBuddies *b, const char *key, gint64 now)
{
  const char *name = g_hash_table_lookup (b->names, key);
  if (name != NULL)
    purple_prpl_got_user_status (b->sa->account, name, status_for (b, key, now), NULL);
}

static gboolean
refresh (gpointer data)
{
  RtStreamBuddies *b = data;
  gint64 now = g_get_real_time ();
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, b->names);
  while (g_hash_table_iter_next (&it, &key, NULL))
    update_one (b, key, now);
  return G_SOURCE_CONTINUE;
}

static void
add_buddy (RtStreamBuddies *b, const char *handle, const char *alias, gint64 day_us)
{
  PurpleAccount *account = b->sa->account;
  PurpleGroup *group = purple_find_group (RT_STREAM_GROUP);
  if (group == NULL)
    {
      group = purple_group_new (RT_STREAM_GROUP);
      purple_blist_add_group (group, NULL);
    }
  PurpleBuddy *buddy = purple_find_buddy (account, handle);
  if (buddy == NULL)
    {
      buddy = purple_buddy_new (account, handle, alias && *alias ? alias : NULL);
      purple_blist_add_buddy (buddy, NULL, group, NULL);
    }
  if (alias && *alias)
    serv_got_alias (b->sa->gc, handle, alias);
  char *key = g_ascii_strdown (handle, -1);
  g_hash_table_replace (b->names, g_strdup (key), g_strdup (handle));
  if (day_us > 0)
    {
      gint64 *d = g_new (gint64, 1);
      *d = day_us;
      g_hash_table_replace (b->day, g_strdup (key), d);
    }
  update_one (b, key, g_get_real_time ());
  g_free (key);
}

static gint64
day_start (const char *date)
{
  int y, m, d;
  if (date == NULL || sscanf (date, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return 0;
  g_autoptr(GDateTime) dt = g_date_time_new_utc (y, m, d, 0, 0, 0);
  return dt ? g_date_time_to_unix (dt) * G_USEC_PER_SEC : 0;
}

static void fetch (RtStreamBuddies *b, const char *url);

static void
on_page (RtStreamAccount *sa, const RtStreamResponse *resp, gpointer data)
{
  RtStreamBuddies *b = data;
  b->req = NULL;
  if (resp->result != CURLE_OK || resp->status != 200)
    {
      purple_debug_warning (RT_STREAM_DEBUG, "%s: following list not read (%s, HTTP %ld)\n", sa->label,
                            resp->result != CURLE_OK ? resp->error : "-", resp->status);
      return;
    }
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = rt_json_load (resp->body, resp->len, "following", &error);
  JsonNode *root = parser ? json_parser_get_root (parser) : NULL;
  if (root == NULL || !rt_json_root_is (root, JSON_NODE_ARRAY, "following", &error))
    {
      purple_debug_warning (RT_STREAM_DEBUG, "%s: following list unreadable: %s\n", sa->label,
                            error ? error->message : "?");
      return;
    }
  JsonArray *items = json_node_get_array (root);
  RtJsonPath at = { NULL, "following", 0 };
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      RtJsonPath el = { &at, NULL, (gint) i };
      JsonObject *o;
      const char *acct = NULL, *name = NULL, *last = NULL;
      g_autoptr(GError) item_error = NULL;
      if (!rt_json_element_object (items, &at, i, &o, &item_error)
          || !rt_json_get_string (o, &el, "acct", RT_JSON_REQUIRED, &acct, &item_error)
          || !rt_json_get_string (o, &el, "display_name", RT_JSON_OPTIONAL, &name, &item_error)
          || !rt_json_get_string (o, &el, "last_status_at", RT_JSON_OPTIONAL, &last, &item_error))
        {
          purple_debug_warning (RT_STREAM_DEBUG, "%s: followed account skipped: %s\n", sa->label,
                                item_error->message);
          continue;
        }
      if (*acct == '\0' || strpbrk (acct, " \t\r\n<>&\"") != NULL)
        continue;
      g_autofree char *handle = strchr (acct, '@') ? g_strdup (acct) : g_strconcat (acct, "@", sa->host, NULL);
      add_buddy (b, handle, name, day_start (last));
    }
  RtLinkHeader link = { 0 };
  const char *lh = g_hash_table_lookup (resp->headers, "link");
  if (lh && rt_link_header_parse (lh, &link) && link.next_url && ++b->pages < MAX_PAGES
      && rt_stream_account_same_origin (sa, link.next_url))
    fetch (b, link.next_url);
  rt_link_header_clear (&link);
}

static void
fetch (RtStreamBuddies *b, const char *url)
{
  b->req = rt_stream_request (b->sa, "GET", url, NULL, NULL, RT_STREAM_REQ_AUTH, on_page, b);
}

RtStreamBuddies *
rt_stream_buddies_new (RtStreamAccount *sa)
{
  RtStreamBuddies *b = g_new0 (RtStreamBuddies, 1);
  b->sa = sa;
  b->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  b->day = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  b->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (sa->service == RT_STREAM_SERVICE_MASTODON && sa->self_id)
    {
      g_autofree char *id = g_uri_escape_string (sa->self_id, NULL, FALSE);
      g_autofree char *path = g_strdup_printf ("/api/v1/accounts/%s/following?limit=80", id);
      g_autofree char *url = rt_stream_account_url (sa, path);
      fetch (b, url);
    }
  b->timer = purple_timeout_add_seconds (60, refresh, b);
  return b;
}

void
rt_stream_buddies_saw (RtStreamBuddies *b, const char *handle, gint64 created_us)
{
  if (handle == NULL || created_us <= 0)
    return;
  g_autofree char *key = g_ascii_strdown (handle, -1);
  gint64 *t = g_hash_table_lookup (b->seen, key);
  if (t == NULL)
    {
      t = g_new0 (gint64, 1);
      g_hash_table_insert (b->seen, g_strdup (key), t);
    }
  if (created_us > *t)
    *t = created_us;
  update_one (b, key, g_get_real_time ());
}

void
rt_stream_buddies_free (RtStreamBuddies *b)
{
  if (b->req)
    rt_stream_request_cancel (b->sa, b->req);
  if (b->timer)
    purple_timeout_remove (b->timer);
  g_hash_table_unref (b->seen);
  g_hash_table_unref (b->day);
  g_hash_table_unref (b->names);
  g_free (b);
}
