/* rt-hub.c: a message's way into the workspace: plan for every member and
 * linked room, then store message and deliveries in one transaction. */
#include "config.h"
#include "rt-hub.h"
#include "rt-clock.h"
#include "rt-mention.h"

RtReachability
rt_hub_reach (const RtWorld *world, const RtMember *member, gint64 now_us)
{
  RtPresence stack[8] = { RT_PRESENCE_OFFLINE };
  guint n = member->endpoints->len;
  RtPresence *presence = n <= G_N_ELEMENTS (stack) ? stack : g_new (RtPresence, n);

  for (guint i = 0; i < n; i++)
    presence[i] = world && world->endpoint_presence
      ? world->endpoint_presence (g_ptr_array_index (member->endpoints, i), world->data)
      : RT_PRESENCE_OFFLINE;
  RtReachability r = rt_reach_compute (member, presence, n, now_us);
  if (presence != stack)
    g_free (presence);
  return r;
}

gboolean
rt_hub_accept (RtStore *store, const RtWorld *world, const RtPolicy *policy,
               RtMessage *msg, GError **error)
{
  return rt_hub_accept_full (store, world, policy, msg, NULL, error);
}

/* The roles of the message's author: a member's, else none (guests and
 * external authors). */
static RtRoles
author_roles (const GPtrArray *members, const RtMessage *msg)
{
  for (guint i = 0; msg->author_member != 0 && i < members->len; i++)
    {
      const RtMember *m = g_ptr_array_index (members, i);
      if (m->id == msg->author_member)
        return m->roles;
    }
  return RT_ROLE_NONE;
}

/* The plan of msg: its delivery rows (returned) and the extras its store
 * call needs (*more: the caller's extras with the author's roles). Sets
 * msg->created_us to now if 0. */
static GArray *
plan_message (RtStore *store, const RtWorld *world, const RtPolicy *policy, RtMessage *msg,
              const RtMessageExtras *extras, RtMessageExtras *more)
{
  gint64 now = rt_clock_now ();

  if (!msg->created_us)
    msg->created_us = now;

  GPtrArray *members = rt_store_members (store, msg->ws_id);   /* transfer none */
  g_autoptr (RtWorkspace) ws = rt_store_workspace_get (store, msg->ws_id);  /* mail settings */
  g_autoptr (GPtrArray) links = rt_store_links (store, msg->ws_id);
  GArray *rows = g_array_sized_new (FALSE, FALSE, sizeof (RtDeliveryRow),
                                    members->len + links->len);

  *more = (RtMessageExtras) { 0 };
  if (extras != NULL)
    *more = *extras;
  more->author_roles = author_roles (members, msg);
  gboolean from_stream = FALSE;
  for (guint i = 0; msg->source_link != 0 && i < links->len; i++)
    {
      const RtLink *link = g_ptr_array_index (links, i);
      if (link->id == msg->source_link)
        from_stream = g_strcmp0 (link->protocol, RT_STREAM_LINK_PROTOCOL) == 0;
    }
  for (guint i = 0; i < links->len; i++)
    {
      const RtLink *link = g_ptr_array_index (links, i);
      /* Never back where it came from; public links only from
       * spokespersons (others held); no hub messages and no posts read
       * from streams to public links. */
      RtMessageKind kind = link->id == msg->source_link ? RT_MESSAGE_ECHO
                           : from_stream && msg->kind == RT_MESSAGE_PERSON ? RT_MESSAGE_STREAM_POST
                           : msg->kind;
      RtOutDecision out = rt_audience_decide (link->direction, link->audience, more->author_roles, kind);
      RtDeliveryRow row = { 'L', link->id, RT_ROUTE_IM, -1, 0, out == RT_OUT_HOLD };
      if (out != RT_OUT_SKIP)
        g_array_append_val (rows, row);
    }
  for (guint i = 0; i < members->len; i++)
    {
      const RtMember *m = g_ptr_array_index (members, i);
      gboolean author = msg->author_member != 0 && msg->author_member == m->id;
      /* The author needs no presence or room look-up: the plan says none. */
      RtReachability reach = { RT_REACH_ASYNC_ONLY, -1, FALSE };
      gboolean in_room = FALSE;

      if (!author)
        {
          in_room = world && world->member_in_room &&
                    world->member_in_room (m, msg->ws_id, world->data);
          if (!in_room)
            reach = rt_hub_reach (world, m, now);
        }
      RtPlan plan = rt_plan_for_member (msg, m, &reach, in_room, policy, ws);
      if (plan.route == RT_ROUTE_NONE)
        continue;
      RtDeliveryRow row = { 'M', m->id, plan.route, plan.endpoint_index, 0 };
      /* A member who waits for the digest and is mentioned gets a short mail
       * a little later, unless seen live meanwhile (rt-digester.c). */
      if (plan.route == RT_ROUTE_PENDING && rt_member_mail_endpoint (m) >= 0
          && rt_text_mentions (msg->text, m))
        row.mention_due_us = msg->created_us + MAX (policy->mention_delay_us, 0);
      g_array_append_val (rows, row);
    }
  return rows;
}

gboolean
rt_hub_accept_full (RtStore *store, const RtWorld *world, const RtPolicy *policy,
                    RtMessage *msg, const RtMessageExtras *extras, GError **error)
{
  RtPolicy default_policy;
  RtMessageExtras more;

  if (!policy)
    {
      rt_policy_init_default (&default_policy);
      policy = &default_policy;
    }
  g_autoptr (GArray) rows = plan_message (store, world, policy, msg, extras, &more);
  return rt_store_message_add_full (store, msg, (const RtDeliveryRow *) rows->data, rows->len,
                                    &more, error);
}

gboolean
rt_hub_accept_batch (RtStore *store, const RtWorld *world, const RtPolicy *policy,
                     RtHubItem *items, guint n, GError **error)
{
  RtPolicy default_policy;

  if (!policy)
    {
      rt_policy_init_default (&default_policy);
      policy = &default_policy;
    }
  /* One transaction: the plans first (their reads need no lock of their
   * own inside it, measured: a tenth of a post's cost), then the batch. */
  g_autofree RtMessageAdd *adds = g_new0 (RtMessageAdd, n);
  g_autofree RtMessageExtras *more = g_new0 (RtMessageExtras, n);
  g_autofree GArray **rows = g_new0 (GArray *, n);
  GError *why = NULL;
  if (!rt_store_begin (store, &why))
    {
      for (guint i = 0; i < n; i++)
        {
          g_clear_error (&items[i].error);
          items[i].msg->id = 0;
          items[i].error = g_error_copy (why);
        }
      g_propagate_error (error, why);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      g_clear_error (&items[i].error);
      rows[i] = plan_message (store, world, policy, items[i].msg, items[i].extras, &more[i]);
      adds[i] = (RtMessageAdd) { items[i].msg, (const RtDeliveryRow *) rows[i]->data,
                                 rows[i]->len, &more[i], NULL };
    }
  gboolean ok = rt_store_message_add_batch (store, adds, n, &why);
  if (!rt_store_end (store, ok, ok ? &why : NULL) && ok)
    {
      rt_store_batch_lost (adds, n, why);   /* the commit failed */
      ok = FALSE;
    }
  if (why != NULL)
    g_propagate_error (error, why);
  for (guint i = 0; i < n; i++)
    {
      items[i].error = g_steal_pointer (&adds[i].error);
      g_array_unref (rows[i]);
    }
  return ok;
}
