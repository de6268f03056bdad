/* rt-stream-in.c: posts the stream plugin reads, into workspaces
 * (docs/stream-workspace.md, "In").
 *
 * The stream plugin ("Roundtable Stream", protocols/stream) emits
 * "roundtable-stream-post" once for every new post of every timeline it
 * reads, joined or not. Two things happen here, for each post:
 *   - every workspace's watchlist is matched (direct messages excepted: a
 *     DM to the hub is private); a hit becomes one alert message per post
 *     and workspace (watch_hits, in the alert's transaction), posted like
 *     any message: linked rooms and internal links at once, members by
 *     their plan;
 *   - a post in a linked timeline whose direction has "in" becomes a
 *     workspace message by the member whose --stream handle wrote it, else
 *     marked external; its origin is the post's key, so it is bridged once.
 * The plugin emits a page of posts in one burst: the messages are queued
 * and stored together (rt_hub_accept_batch: one transaction, a savepoint
 * each) from a 0 ms timeout, or at once when BATCH_MAX are waiting, in the
 * order they came; deliveries start after the commit.
 * rt-bridge.c ignores stream chats' chat lines: this signal is the one way
 * in. The outcome signals of posts go to rt-stream-out.c. */
#include "rt-glue.h"
#include "rt-clock.h"
#include "../../protocols/stream/plugin/rt-stream-ipc.h"
#include "../../protocols/stream/core/rt-stream-post.h"

static PurplePlugin *core_plugin;
static gboolean connected;
static GHashTable *watchlists;   /* gint64 ws_id -> GPtrArray of RtWatchTerm; NULL: reload */

/* A message waiting for the batch, with what its extras point to and what
 * the log says about it. */
typedef struct {
  RtMessage *msg;
  char      *hit_key;     /* an alert's watch_hits row; NULL for a post */
  char      *hit_terms;
  char      *hit_url;
  char      *from;        /* a post's timeline, for the log */
} Queued;

/* A bound on one transaction (a page is 40 posts, plus alerts): the event
 * loop waits for at most this many messages at a time. */
#define BATCH_MAX 64
static GPtrArray *queue;   /* of Queued */
static guint flush_id;

static void
queued_free (Queued *q)
{
  rt_message_free (q->msg);
  g_free (q->hit_key);
  g_free (q->hit_terms);
  g_free (q->hit_url);
  g_free (q->from);
  g_free (q);
}

/* Stores the queued messages, BATCH_MAX at a time, in order. */
static void
flush_queue (void)
{
  RtGlue *glue = rt_glue ();
  if (flush_id != 0)
    purple_timeout_remove (flush_id);
  flush_id = 0;
  if (queue == NULL || queue->len == 0)
    return;
  g_autoptr(GPtrArray) taken = g_steal_pointer (&queue);
  if (glue == NULL || glue->store == NULL)
    {
      purple_debug_error (RT_DEBUG_CAT, "%u stream messages dropped: no store\n", taken->len);
      return;
    }
  guint stored = 0;
  for (guint start = 0; start < taken->len; start += BATCH_MAX)
    {
      guint n = MIN (BATCH_MAX, taken->len - start);
      RtHubItem items[BATCH_MAX];
      RtMessageExtras extras[BATCH_MAX];
      for (guint i = 0; i < n; i++)
        {
          Queued *q = g_ptr_array_index (taken, start + i);
          extras[i] = (RtMessageExtras) { .hit_key = q->hit_key, .hit_terms = q->hit_terms, .hit_url = q->hit_url };
          items[i] = (RtHubItem) { q->msg, q->hit_key != NULL ? &extras[i] : NULL, NULL };
        }
      g_autoptr(GError) error = NULL;
      if (!rt_hub_accept_batch (glue->store, &glue->world, &glue->policy, items, n, &error))
        purple_debug_error (RT_DEBUG_CAT, "%u stream messages not stored: %s\n", n, error->message);
      for (guint i = 0; i < n; i++)
        {
          Queued *q = g_ptr_array_index (taken, start + i);
          g_autoptr(GError) why = g_steal_pointer (&items[i].error);
          stored += q->msg->id > 0;
          if (q->hit_key != NULL && q->msg->id > 0)
            purple_debug_info (RT_DEBUG_CAT, "watchlist hit %s: alert message %" G_GINT64_FORMAT "\n",
                               q->hit_key, q->msg->id);
          else if (q->hit_key != NULL && why != NULL)
            purple_debug_error (RT_DEBUG_CAT, "watchlist alert %s not stored: %s\n", q->hit_key, why->message);
          else if (q->msg->id > 0)   /* never held: stream posts skip public links */
            purple_debug_info (RT_DEBUG_CAT, "post %s from %s bridged as message %" G_GINT64_FORMAT "\n",
                               q->msg->origin, q->from, q->msg->id);
          else if (why != NULL)
            purple_debug_error (RT_DEBUG_CAT, "post %s not bridged: %s\n", q->msg->origin, why->message);
        }
    }
  if (stored > 0)
    {
      rt_pump_kick ();
      rt_digester_note_message ();   /* items kept, mentions waiting */
    }
}

static gboolean
on_flush (gpointer data)
{
  flush_id = 0;
  flush_queue ();
  return FALSE;
}

/* Queues msg (taking it and the strings); stored before the loop goes on
 * to other work, or now if the batch is full. */
static void
enqueue (RtMessage *msg, char *hit_key, char *hit_terms, char *hit_url, char *from)
{
  Queued *q = g_new0 (Queued, 1);
  *q = (Queued) { msg, hit_key, hit_terms, hit_url, from };
  if (queue == NULL)
    queue = g_ptr_array_new_with_free_func ((GDestroyNotify) queued_free);
  g_ptr_array_add (queue, q);
  if (queue->len >= BATCH_MAX)
    flush_queue ();
  else if (flush_id == 0)
    flush_id = purple_timeout_add (0, on_flush, NULL);
}

const char *
rt_stream_hub_label (void)
{
  /* TRANSLATORS: the author of messages the hub itself makes (watchlist
   * alerts, notices), as shown in rooms: "Roundtable: Watchlist: …". */
  return _("Roundtable");
}

void
rt_stream_watch_changed (void)
{
  g_clear_pointer (&watchlists, g_hash_table_destroy);
}

static GHashTable *
watch_cache (RtStore *store)
{
  if (watchlists != NULL)
    return watchlists;
  watchlists = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                      (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GArray) ids = rt_store_watch_workspaces (store);
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_hash_table_insert (watchlists, g_memdup2 (&id, sizeof id), rt_store_watch_terms (store, id));
    }
  return watchlists;
}

/* The server a post was read from: the account's server URL, or for a
 * feed timeline "feed:N" the N-th feed URL. (transfer full) */
static char *
post_server (PurpleAccount *account, const RtStreamPostRead *read)
{
  if (g_strcmp0 (read->service, "feed") == 0)
    {
      const char *tl = read->timeline != NULL ? read->timeline : "";
      guint64 n = 0;
      if (!g_str_has_prefix (tl, "feed:") || !g_ascii_string_to_unsigned (tl + 5, 10, 1, 1000, &n, NULL))
        return NULL;
      g_auto(GStrv) urls = g_strsplit_set (purple_account_get_string (account, "feed_urls", ""), " \t\n", -1);
      for (guint i = 0, k = 0; urls[i] != NULL; i++)
        if (*urls[i] != '\0' && ++k == n)
          return g_strdup (urls[i]);
      return NULL;
    }
  return g_strstrip (g_strdup (purple_account_get_string (account, "server_url", "")));
}

/* The text of a bridged post: content warning first, title, text,
 * attachments as links, the link to the original. */
static char *
post_text (const RtStreamPost *post)
{
  GString *out = g_string_new (NULL);
  if (post->boosted_by != NULL)
    {
      const char *by = *post->boosted_by->display_name ? post->boosted_by->display_name : post->boosted_by->handle;
      /* TRANSLATORS: first line of a boosted post bridged into a workspace. */
      g_string_append_printf (out, _("(boosted by %s)"), by ? by : "?");
      g_string_append_c (out, '\n');
    }
  if (post->spoiler != NULL && *post->spoiler != '\0')
    {
      /* TRANSLATORS: shown before a post's text, which the author hid behind it. */
      g_string_append_printf (out, _("Content warning: %s"), post->spoiler);
      g_string_append_c (out, '\n');
    }
  if (post->title != NULL && *post->title != '\0')
    g_string_append_printf (out, "%s\n", post->title);
  if (post->text != NULL && *post->text != '\0')
    g_string_append_printf (out, "%s\n", post->text);
  for (guint i = 0; post->attachments != NULL && i < post->attachments->len; i++)
    {
      const RtStreamAttachment *a = g_ptr_array_index (post->attachments, i);
      if (a->url == NULL)
        continue;
      if (a->description != NULL && *a->description != '\0')
        g_string_append_printf (out, "%s: %s\n", a->description, a->url);
      else
        g_string_append_printf (out, "%s\n", a->url);
    }
  if (post->url != NULL)
    g_string_append (out, post->url);
  while (out->len > 0 && out->str[out->len - 1] == '\n')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

/* One alert per matching workspace. */
static void
run_watchlists (RtGlue *glue, const RtStreamPostRead *read, const RtStreamPost *post,
                const RtWatchPost *wp, const char *server, const char *post_id)
{
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init (&iter, watch_cache (glue->store));
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 ws_id = *(gint64 *) key;
      g_autoptr(GPtrArray) matched = rt_watch_match (value, wp);
      if (matched->len == 0)
        continue;
      g_autofree char *hit_key = rt_watch_hit_key (read->service, server, post_id, ws_id);
      /* Read again (a restart, a second timeline, a boost): alerted once.
       * Twice in one batch: the second is a duplicate in the store. */
      if (hit_key == NULL || rt_store_watch_hit_seen (glue->store, hit_key))
        continue;
      GString *terms = g_string_new (NULL);
      for (guint i = 0; i < matched->len; i++)
        {
          g_autofree char *typed = rt_watch_term_format (g_ptr_array_index (matched, i));
          g_string_append_printf (terms, "%s%s", i > 0 ? "\n" : "", typed);
        }
      RtMessage *msg = rt_message_new ();
      msg->ws_id = ws_id;
      msg->kind = RT_MESSAGE_HUB;
      msg->author_label = g_strdup (rt_stream_hub_label ());
      msg->text = rt_watch_alert_text (wp, matched);
      msg->origin = g_strconcat ("watch/", hit_key, NULL);
      msg->created_us = rt_clock_now ();
      enqueue (msg, g_steal_pointer (&hit_key), g_string_free (terms, FALSE), g_strdup (post->url), NULL);
    }
}

/* A post in a linked timeline (direction in or both) into its workspace. */
static void
bridge_post (RtGlue *glue, PurpleAccount *account, const RtStreamPostRead *read,
             const RtStreamPost *post, const char *server, const char *post_id)
{
  if (read->is_dm || read->chat_name == NULL)
    return;
  g_autoptr(RtLink) link = rt_store_link_find (glue->store, RT_STREAM_ACCOUNT_PROTOCOL,
                                               purple_account_get_username (account), read->chat_name);
  if (link == NULL || !(link->direction & RT_DIRECTION_IN))
    return;
  RtMessage *msg = rt_message_new ();
  msg->ws_id = link->ws_id;
  msg->source_link = link->id;
  msg->kind = RT_MESSAGE_PERSON;
  msg->origin = rt_watch_post_origin (read->service, server, post_id);
  msg->created_us = rt_clock_now ();
  msg->text = post_text (post);

  /* The author: the member whose --stream handle wrote it, else external.
   * Feed authors (an e-mail or a name) are never a member's handle. */
  g_autofree char *handle = g_strcmp0 (read->service, "feed") != 0
                            ? rt_watch_qualify_handle (post->author.handle, server) : NULL;
  g_autoptr(GPtrArray) members = handle != NULL
    ? rt_store_members_by_endpoint (glue->store, RT_STREAM_SCHEME, handle) : NULL;
  for (guint i = 0; members != NULL && i < members->len && msg->author_member == 0; i++)
    {
      const RtMember *m = g_ptr_array_index (members, i);
      if (m->ws_id == link->ws_id)
        {
          msg->author_member = m->id;
          msg->author_label = rt_member_label (m);
        }
    }
  if (msg->author_member == 0)
    {
      const char *name = post->author.display_name;
      if (handle != NULL && name != NULL && *name != '\0')
        /* TRANSLATORS: the author of a bridged post who is no member:
         * display name, then the handle "@name@server". */
        msg->author_label = g_strdup_printf (_("%s (@%s, external)"), name, handle);
      else if (handle != NULL)
        /* TRANSLATORS: the author of a bridged post who is no member, by handle. */
        msg->author_label = g_strdup_printf (_("@%s (external)"), handle);
      else
        /* TRANSLATORS: the author of a feed entry (a name or an address). */
        msg->author_label = g_strdup_printf (_("%s (external)"),
                                             name != NULL && *name != '\0' ? name
                                             : post->author.handle != NULL ? post->author.handle : "?");
    }
  enqueue (msg, NULL, NULL, NULL, g_strdup (read->chat_name));
}

static void
on_post (PurpleAccount *account, const RtStreamPostRead *read, gpointer data)
{
  RtGlue *glue = rt_glue ();
  if (glue == NULL || read == NULL || account == NULL || !RT_STREAM_POST_READ_HAS (read, markup)
      || read->post == NULL || read->service == NULL)
    return;
  const RtStreamPost *post = read->post;
  g_autofree char *server = post_server (account, read);
  /* A boost is its original: ten boosts of a post raise one alert. */
  const char *post_id = post->boost_of_id != NULL ? post->boost_of_id : post->id;
  gboolean feed = g_strcmp0 (read->service, "feed") == 0;
  RtWatchPost wp = {
    .server = server,
    .author = feed ? NULL : post->author.handle,
    .author_name = feed && (post->author.display_name == NULL || *post->author.display_name == '\0')
                   ? post->author.handle : post->author.display_name,
    .title = post->title,
    .spoiler = post->spoiler,
    .text = post->text,
    .tags = (const char *const *) post->hashtags,
    .mentions = (const char *const *) post->mentions,
    .url = post->url,
  };
  if (server == NULL || post_id == NULL)
    {
      purple_debug_warning (RT_DEBUG_CAT, "stream post without server or id ignored\n");
      return;
    }
  /* Direct messages are private: never quoted into a workspace alert. */
  if (!read->is_dm)
    run_watchlists (glue, read, post, &wp, server, post_id);
  bridge_post (glue, account, read, post, server, post_id);
}

static void
connect_stream_plugin (PurplePlugin *stream)
{
  if (connected || core_plugin == NULL || stream == NULL || !purple_plugin_is_loaded (stream))
    return;
  gulong a = purple_signal_connect (stream, RT_STREAM_SIGNAL_POST, core_plugin, PURPLE_CALLBACK (on_post), NULL);
  gulong b = purple_signal_connect (stream, RT_STREAM_SIGNAL_POSTED, core_plugin,
                                    PURPLE_CALLBACK (rt_stream_out_posted), NULL);
  gulong c = purple_signal_connect (stream, RT_STREAM_SIGNAL_POST_FAILED, core_plugin,
                                    PURPLE_CALLBACK (rt_stream_out_failed), NULL);
  connected = a != 0 && b != 0 && c != 0;
  purple_debug_info (RT_DEBUG_CAT, "stream plugin signals: %s\n", connected ? "connected" : "missing");
}

static void
on_plugin_load (PurplePlugin *plugin, gpointer data)
{
  if (g_strcmp0 (purple_plugin_get_id (plugin), RT_STREAM_IPC_PLUGIN_ID) == 0)
    connect_stream_plugin (plugin);
}

static void
on_plugin_unload (PurplePlugin *plugin, gpointer data)
{
  if (g_strcmp0 (purple_plugin_get_id (plugin), RT_STREAM_IPC_PLUGIN_ID) != 0)
    return;
  /* Its signals go with it; posts it still held get no outcome. */
  connected = FALSE;
  rt_stream_out_reset ();
}

static void
on_signed_off (PurpleConnection *gc, gpointer data)
{
  PurpleAccount *account = purple_connection_get_account (gc);
  if (g_strcmp0 (purple_account_get_protocol_id (account), RT_STREAM_ACCOUNT_PROTOCOL) == 0)
    rt_stream_out_account_gone (account);
}

void
rt_stream_in_connect (PurplePlugin *plugin)
{
  core_plugin = plugin;
  purple_signal_connect (purple_plugins_get_handle (), "plugin-load", plugin,
                         PURPLE_CALLBACK (on_plugin_load), NULL);
  purple_signal_connect (purple_plugins_get_handle (), "plugin-unload", plugin,
                         PURPLE_CALLBACK (on_plugin_unload), NULL);
  purple_signal_connect (purple_connections_get_handle (), "signed-off", plugin,
                         PURPLE_CALLBACK (on_signed_off), NULL);
  connect_stream_plugin (purple_plugins_find_with_id (RT_STREAM_IPC_PLUGIN_ID));
}

void
rt_stream_in_disconnect (void)
{
  /* The handlers go with purple_signals_disconnect_by_handle in the
   * plugin's unload. */
  connected = FALSE;
  flush_queue ();   /* the store closes after this */
  rt_stream_watch_changed ();
  rt_stream_out_reset ();
  core_plugin = NULL;
}
