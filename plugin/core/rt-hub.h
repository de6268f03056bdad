/* rt-hub.h: a message's way into the workspace: normalize, store, plan.
 * libpurple-free; the glue supplies what only libpurple knows through RtWorld. */
#pragma once
#include "rt-store.h"

G_BEGIN_DECLS

typedef struct {
  /* Presence of one endpoint right now. */
  RtPresence (*endpoint_presence) (const RtEndpoint *ep, gpointer data);
  /* Does the member sit in one of the workspace's linked rooms? */
  gboolean   (*member_in_room) (const RtMember *member, gint64 ws_id, gpointer data);
  gpointer data;
} RtWorld;

/* Reachability of a member now, asking world for each endpoint. */
RtReachability rt_hub_reach (const RtWorld *world, const RtMember *member, gint64 now_us);

/* Plan and store msg (ws_id, author, label, text, origin, source_link set by
 * the caller; created_us set to now if 0): one delivery row per linked room
 * other than the source, one per member whose plan is IM, MAIL or PENDING
 * (the workspace's mail settings are read from the store), and a mentions
 * row (due policy->mention_delay_us after the message) for each member kept
 * for the digest whom the text mentions and who has an email address. Long
 * text is stored whole; splitting happens when sending.
 * Returns FALSE without error for a duplicate origin. */
gboolean rt_hub_accept (RtStore *store, const RtWorld *world, const RtPolicy *policy,
                        RtMessage *msg, GError **error);

/* rt_hub_accept with extras (may be NULL; rt-store.h): a watchlist hit
 * stored in the message's transaction (a key seen before makes it a
 * duplicate: FALSE without error). Links are planned by
 * rt_audience_decide with the link's direction and audience, the author's
 * roles (a member's; none for guests and external authors) and msg->kind
 * (ECHO for the source link): SEND a row, HOLD a held row (state
 * RT_DELIVERY_HELD, a held record with its "hold" log entry), SKIP none.
 * Rooms with the defaults (both, internal) get every message but echoes,
 * as before. */
gboolean rt_hub_accept_full (RtStore *store, const RtWorld *world, const RtPolicy *policy,
                             RtMessage *msg, const RtMessageExtras *extras, GError **error);

/* One message of rt_hub_accept_batch: in msg and extras (may be NULL), out
 * msg->id (> 0 stored) and error (set when it failed; neither: a
 * duplicate). The caller frees error. */
typedef struct {
  RtMessage             *msg;
  const RtMessageExtras *extras;
  GError                *error;
} RtHubItem;

/* rt_hub_accept_full for n messages, planned each exactly as alone, stored
 * in order in one transaction (rt_store_message_add_batch: a savepoint per
 * message, so a duplicate or a failing row undoes only its own message),
 * committed before it returns. FALSE with error only if the transaction
 * failed as a whole (nothing stored, every item has a copy of the error).
 * The caller keeps n small (a page of posts): the store is locked while
 * it runs. */
gboolean rt_hub_accept_batch (RtStore *store, const RtWorld *world, const RtPolicy *policy,
                              RtHubItem *items, guint n, GError **error);

G_END_DECLS
