/* rt-held-notice.c: a message held for a public link is announced in its
 * workspace, so that the author knows it waits and a spokesperson or owner
 * knows what to approve (from the hub's client or by IM to the hub,
 * rt-im-commands.c). The notice is a hub message: it never goes to public
 * links, so it is never held itself. */
#include "rt-glue.h"

void
rt_held_notice (const RtMessage *msg)
{
  RtGlue *glue = rt_glue ();
  if (msg->id <= 0 || msg->kind == RT_MESSAGE_HUB)
    return;
  g_autoptr(GPtrArray) links = rt_store_links (glue->store, msg->ws_id);
  for (guint i = 0; i < links->len; i++)
    {
      const RtLink *link = g_ptr_array_index (links, i);
      if (link->audience != RT_AUDIENCE_PUBLIC)
        continue;
      g_autoptr(RtHeld) held = rt_store_held_find (glue->store, msg->id, link->id);
      if (held == NULL)
        continue;
      g_autofree char *num = g_strdup_printf ("%" G_GINT64_FORMAT, held->id);
      g_autoptr(RtMessage) notice = rt_message_new ();
      notice->ws_id = msg->ws_id;
      notice->kind = RT_MESSAGE_HUB;
      notice->author_label = g_strdup (rt_stream_hub_label ());
      /* TRANSLATORS: a notice in the workspace: the held number, the
       * author, the public timeline ("tag:acme"), the number twice more. */
      notice->text = g_strdup_printf (_("Message #%s from %s is held for %s (public): a spokesperson "
                                        "or owner posts it with /ws approve %s or drops it with "
                                        "/ws reject %s [reason]."),
                                      num, msg->author_label != NULL ? msg->author_label : "?",
                                      link->room, num, num);
      notice->origin = g_strdup_printf ("held/%s", num);
      g_autoptr(GError) error = NULL;
      if (!rt_bridge_accept (notice, &error) && error != NULL)
        purple_debug_error (RT_DEBUG_CAT, "held notice #%s not stored: %s\n", num, error->message);
    }
}
