/* rt-stream-out.c: workspace messages out to stream links (direction out
 * or both) through the stream plugin's IPC "post" (rt-stream-ipc.h).
 *
 * Each post carries the idempotency key rt_audience_post_key (link,
 * message), the same on every try and after a restart, so Mastodon drops
 * a duplicate. "Accepted" is not "posted": the row waits in flight (state
 * 5, like a mail) until the plugin's "roundtable-stream-posted" (then sent;
 * a held message becomes posted) or "roundtable-stream-post-failed" (then
 * failed, with a notice into the workspace). The plugin emits neither when
 * the account disconnects first: then its posts in flight are made due
 * again here, and at start every row in flight is (rt_store_in_flight_reset). */
#include "rt-glue.h"
#include "rt-clock.h"
#include "../../protocols/stream/plugin/rt-stream-ipc.h"

/* Keys of posts handed to the plugin -> the account's username, to make
 * them due again when that account signs off before an outcome. */
static GHashTable *in_flight;

static GHashTable *
flights (void)
{
  if (in_flight == NULL)
    in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return in_flight;
}

void
rt_stream_out_reset (void)
{
  g_clear_pointer (&in_flight, g_hash_table_destroy);
}

RtStreamOutResult
rt_stream_out_post (const RtLink *link, const RtMessage *msg, const char **why)
{
  PurplePlugin *plugin = purple_plugins_find_with_id (RT_STREAM_IPC_PLUGIN_ID);
  if (plugin == NULL || !purple_plugin_is_loaded (plugin))
    {
      *why = "stream plugin not loaded";
      return RT_STREAM_OUT_WAIT;
    }
  PurpleAccount *account = purple_accounts_find (link->account, link->protocol);
  if (account == NULL || !purple_account_is_connected (account))
    {
      *why = account == NULL ? "stream account missing" : "stream account offline";
      return RT_STREAM_OUT_WAIT;
    }
  /* Public links get the statement alone (it is the spokesperson's own);
   * internal ones say who wrote it, like a room. */
  g_autofree char *text = link->audience == RT_AUDIENCE_PUBLIC
    ? g_strdup (msg->text)
    : g_strdup_printf ("%s: %s", msg->author_label ? msg->author_label : "", msg->text);
  g_autofree char *key = rt_audience_post_key (link->id, msg->id);
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (fields, "text", text);
  g_hash_table_insert (fields, "idempotency-key", key);
  /* An internal link never becomes public through the account's default. */
  if (g_strcmp0 (purple_account_get_string (account, "service", "mastodon"), "mastodon") == 0)
    g_hash_table_insert (fields, "visibility", (gpointer) rt_link_audience_visibility (link->audience));

  gboolean ok = FALSE;
  gboolean accepted = GPOINTER_TO_INT (purple_plugin_ipc_call (plugin, RT_STREAM_IPC_POST, &ok,
                                                               account, link->room, fields));
  if (!ok || !accepted)
    {
      *why = ok ? "the stream plugin refused the post" : "the stream plugin has no IPC post";
      return RT_STREAM_OUT_REFUSED;
    }
  g_hash_table_replace (flights (), g_strdup (key), g_strdup (link->account));
  purple_debug_info (RT_DEBUG_CAT, "post %s to %s queued\n", key, link->room);
  return RT_STREAM_OUT_QUEUED;
}

/* The link of a key, or NULL (a line typed in the chat has another key). */
static RtLink *
key_link (const char *key, gint64 *msg_id)
{
  gint64 link_id = 0;
  if (key == NULL || !rt_audience_parse_post_key (key, &link_id, msg_id))
    return NULL;
  g_autoptr(GPtrArray) links = rt_store_links (rt_glue ()->store, 0);
  for (guint i = 0; i < links->len; i++)
    if (((RtLink *) g_ptr_array_index (links, i))->id == link_id)
      return g_ptr_array_steal_index (links, i);
  /* The link was removed meanwhile: only the row is left. */
  RtLink *gone = g_new0 (RtLink, 1);
  gone->id = link_id;
  return gone;
}

void
rt_stream_out_posted (PurpleAccount *account, const char *key, const char *post_id,
                      const char *url, gpointer data)
{
  RtGlue *glue = rt_glue ();
  gint64 msg_id = 0;
  g_autoptr(RtLink) link = glue != NULL ? key_link (key, &msg_id) : NULL;
  if (link == NULL)
    return;
  if (in_flight != NULL)
    g_hash_table_remove (in_flight, key);
  g_autoptr(GError) error = NULL;
  if (!rt_store_stream_posted (glue->store, msg_id, link->id, url, &error))
    purple_debug_error (RT_DEBUG_CAT, "post %s: outcome not stored: %s\n", key, error->message);
  else
    purple_debug_info (RT_DEBUG_CAT, "post %s posted as %s\n", key, post_id ? post_id : "?");
}

void
rt_stream_out_failed (PurpleAccount *account, const char *key, const char *error_text,
                      gpointer data)
{
  RtGlue *glue = rt_glue ();
  gint64 msg_id = 0;
  g_autoptr(RtLink) link = glue != NULL ? key_link (key, &msg_id) : NULL;
  if (link == NULL)
    return;
  if (in_flight != NULL)
    g_hash_table_remove (in_flight, key);
  const char *why = error_text != NULL ? error_text : "failed";
  g_autoptr(GError) error = NULL;
  if (!rt_store_stream_failed (glue->store, msg_id, link->id, why, &error))
    {
      purple_debug_error (RT_DEBUG_CAT, "post %s: failure not stored: %s\n", key, error->message);
      return;
    }
  purple_debug_info (RT_DEBUG_CAT, "post %s failed: %s\n", key, why);
  if (link->room == NULL)
    return;
  /* The workspace hears of it; never posted back to the link that failed. */
  g_autoptr(RtMessage) notice = rt_message_new ();
  notice->ws_id = link->ws_id;
  notice->kind = RT_MESSAGE_HUB;
  notice->source_link = link->id;
  notice->author_label = g_strdup (rt_stream_hub_label ());
  /* TRANSLATORS: a notice in the workspace: the timeline ("tag:acme"),
   * then the stream plugin's sentence. */
  notice->text = g_strdup_printf (_("A post to %s failed: %s"), link->room, why);
  notice->origin = g_strdup_printf ("post-failed/%s", key);
  if (!rt_bridge_accept (notice, &error) && error != NULL)
    purple_debug_error (RT_DEBUG_CAT, "notice not stored: %s\n", error->message);
}

void
rt_stream_out_account_gone (PurpleAccount *account)
{
  RtGlue *glue = rt_glue ();
  if (glue == NULL || in_flight == NULL)
    return;
  const char *user = purple_account_get_username (account);
  GHashTableIter iter;
  gpointer key, value;
  guint n = 0;
  g_hash_table_iter_init (&iter, in_flight);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 link_id = 0, msg_id = 0;
      if (g_ascii_strcasecmp (value, user) != 0 || !rt_audience_parse_post_key (key, &link_id, &msg_id))
        continue;
      g_autoptr(GError) error = NULL;
      /* Due now; the pump waits for the account, then posts with the same key. */
      if (!rt_store_outbox_retry (glue->store, msg_id, 'L', link_id, rt_clock_now (), FALSE,
                                  "stream account signed off", &error))
        purple_debug_error (RT_DEBUG_CAT, "post %s not made due again: %s\n", (char *) key, error->message);
      g_hash_table_iter_remove (&iter);
      n++;
    }
  if (n > 0)
    {
      purple_debug_info (RT_DEBUG_CAT, "%u posts in flight on %s: to post again\n", n, user);
      rt_pump_kick ();
    }
}
