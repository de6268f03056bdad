/* rt-held-notice.c: a message held for a public link is announced in its
 * workspace, so that the author knows it waits and a spokesperson or owner
 * knows what to approve (from the hub's client or by IM to the hub,
 * rt-im-commands.c). The notice is a hub message: it never goes to public
 * links, so it is never held itself.
 *
 * At most one notice per link every NOTICE_QUIET_US: in a busy workspace
 * every line of a non-spokesperson is held, and a notice for each would
 * double the traffic in the rooms; the notice points to /ws held, which
 * lists them all. (In memory: after a restart the next one is announced.) */
#include "rt-glue.h"

#define NOTICE_QUIET_US (G_GINT64_CONSTANT (10) * 60 * G_USEC_PER_SEC)

static GHashTable *announced;   /* link id (gint64*) -> monotonic µs (gint64*) */

static gboolean
quiet_for (gint64 link_id)
{
  gint64 now = g_get_monotonic_time ();
  if (announced == NULL)
    announced = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  const gint64 *last = g_hash_table_lookup (announced, &link_id);
  if (last != NULL && now - *last < NOTICE_QUIET_US)
    return TRUE;
  g_hash_table_replace (announced, g_memdup2 (&link_id, sizeof link_id), g_memdup2 (&now, sizeof now));
  return FALSE;
}

void
rt_held_notice_reset (void)
{
  g_clear_pointer (&announced, g_hash_table_destroy);
}

void
rt_held_notice (const RtMessage *msg)
{
  RtGlue *glue = rt_glue ();
  if (msg->id <= 0 || msg->kind == RT_MESSAGE_HUB)
    return;
  /* One indexed look-up per accepted message; the links only when held. */
  g_autoptr(GPtrArray) held = rt_store_held_of_message (glue->store, msg->id);
  if (held->len == 0)
    return;
  g_autoptr(GPtrArray) links = rt_store_links (glue->store, msg->ws_id);
  for (guint i = 0; i < held->len; i++)
    {
      const RtHeld *h = g_ptr_array_index (held, i);
      const RtLink *link = NULL;
      for (guint j = 0; j < links->len && link == NULL; j++)
        if (((const RtLink *) g_ptr_array_index (links, j))->id == h->link_id)
          link = g_ptr_array_index (links, j);
      if (link == NULL)
        continue;
      if (quiet_for (link->id))
        {
          purple_debug_info (RT_DEBUG_CAT, "held #%" G_GINT64_FORMAT " for %s: announced recently\n",
                             h->id, link->room);
          continue;
        }
      g_autofree char *num = g_strdup_printf ("%" G_GINT64_FORMAT, h->id);
      g_autoptr(RtMessage) notice = rt_message_new ();
      notice->ws_id = msg->ws_id;
      notice->kind = RT_MESSAGE_HUB;
      notice->author_label = g_strdup (rt_stream_hub_label ());
      /* TRANSLATORS: a notice in the workspace: the held number, the
       * author, the public timeline ("tag:acme"), the number twice more. */
      notice->text = g_strdup_printf (_("Message #%s from %s is held for %s (public): a spokesperson "
                                        "or owner posts it with /ws approve %s or drops it with "
                                        "/ws reject %s [reason]; /ws held lists every message "
                                        "waiting."),
                                      num, msg->author_label != NULL ? msg->author_label : "?",
                                      link->room, num, num);
      notice->origin = g_strdup_printf ("held/%s", num);
      g_autoptr(GError) error = NULL;
      if (!rt_bridge_accept (notice, &error) && error != NULL)
        purple_debug_error (RT_DEBUG_CAT, "held notice #%s not stored: %s\n", num, error->message);
    }
}
