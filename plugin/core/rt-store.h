/* rt-store.h: the durable store (SQLite, WAL, versioned schema).
 *
 * Durability: WAL with synchronous=NORMAL survives a killed process (SIGKILL)
 * without losing a committed transaction; each public write call is one
 * transaction. The outbox ("deliveries") is keyed by message first.
 *
 * Ownership: returned structs and arrays are transfer full unless noted;
 * arrays carry their element free function. Errors: RT_ERROR_* (translated
 * message for NOT_FOUND/EXISTS/INVALID, SQLite text for STORE). */
#pragma once
#include "rt-model.h"
#include "rt-plan.h"

G_BEGIN_DECLS

#define RT_STORE_SCHEMA_VERSION 4

typedef struct _RtStore RtStore;

/* Opens or creates path (":memory:" allowed), migrates the schema. */
RtStore  *rt_store_open (const char *path, GError **error);
void      rt_store_close (RtStore *store);
int       rt_store_schema_version (RtStore *store);

/* Workspaces; names are unique, compared case-insensitively. */
gint64       rt_store_workspace_create (RtStore *store, const char *name, GError **error);
RtWorkspace *rt_store_workspace_find (RtStore *store, const char *name, GError **error);
RtWorkspace *rt_store_workspace_get (RtStore *store, gint64 id);   /* NULL if none */
GPtrArray   *rt_store_workspaces (RtStore *store);                 /* RtWorkspace*, by name */
gboolean     rt_store_workspace_delete (RtStore *store, gint64 id, GError **error);
/* Link the hub's mailbox (a prpl-roundtable-mail account username; NULL or
 * "" clears it) and set immediate mail for the workspace. */
gboolean     rt_store_workspace_set_mail (RtStore *store, gint64 id, const char *mailbox,
                                          gboolean immediate, GError **error);

/* Members. save inserts (id == 0: sets member->id) or updates (id != 0), and
 * replaces the member's endpoints. Handles are unique per workspace. */
gboolean   rt_store_member_save (RtStore *store, RtMember *member, GError **error);
RtMember  *rt_store_member_find (RtStore *store, gint64 ws_id, const char *handle, GError **error);
RtMember  *rt_store_member_get (RtStore *store, gint64 member_id);  /* NULL if none */
/* All members of a workspace, by handle. (transfer none: a cached array that
 * stays valid until the next write to members of any workspace) */
GPtrArray *rt_store_members (RtStore *store, gint64 ws_id);
gboolean   rt_store_member_remove (RtStore *store, gint64 ws_id, const char *handle, GError **error);
/* Members (of any workspace) with an endpoint scheme:address (address compared
 * case-insensitively), the member who most recently received an IM delivery
 * first. (transfer full: RtMember*) */
GPtrArray *rt_store_members_by_endpoint (RtStore *store, const char *scheme, const char *address);

/* Links: one workspace per (protocol, account, room). */
gint64    rt_store_link_add (RtStore *store, gint64 ws_id, const char *protocol,
                             const char *account, const char *room, GError **error);
RtLink   *rt_store_link_find (RtStore *store, const char *protocol,
                              const char *account, const char *room);  /* NULL if none */
GPtrArray *rt_store_links (RtStore *store, gint64 ws_id);  /* ws_id 0: all; RtLink* */
gboolean  rt_store_link_remove (RtStore *store, gint64 link_id, GError **error);

/* One planned delivery of a message. kind 'L' = a linked room (target = link
 * id), 'M' = a member (target = member id). */
typedef struct {
  char    kind;
  gint64  target;
  RtRoute route;      /* IM or MAIL for members sent now, PENDING kept for
                         the digest; links always IM */
  gint    endpoint;   /* endpoint index for members, -1 otherwise */
} RtDeliveryRow;

/* Stores msg and its deliveries in one transaction; sets msg->id.
 * Returns FALSE without error if a message with the same non-NULL origin
 * already exists in the workspace (a duplicate: nothing stored, msg->id = 0). */
gboolean  rt_store_message_add (RtStore *store, RtMessage *msg,
                                const RtDeliveryRow *rows, guint n_rows,
                                GError **error);
RtMessage *rt_store_message_get (RtStore *store, gint64 msg_id);    /* NULL if none */
gint64     rt_store_message_count (RtStore *store, gint64 ws_id);

/* Outbox. */
typedef struct {
  gint64  msg_id;
  char    kind;
  gint64  target;
  RtRoute route;
  gint    endpoint;
  gint    attempts;
  gint64  next_at_us;
} RtOutboxItem;

/* Up to limit deliveries (route IM or MAIL) still to send whose next_at <= now,
 * oldest message first, then kind 'L' before 'M'. (GArray of RtOutboxItem) */
GArray   *rt_store_outbox_due (RtStore *store, gint64 now_us, guint limit);
/* Earliest next_at of a row still to send, or -1 if none. */
gint64    rt_store_outbox_next_due (RtStore *store);
/* Rows still to send whose next_at <= rt_clock_now (). */
gint64    rt_store_outbox_count_due (RtStore *store);
/* Mark one delivery sent (one short transaction, so a crash right after the
 * send leaves at most that one delivery uncertain). */
gboolean  rt_store_outbox_sent (RtStore *store, gint64 msg_id, char kind, gint64 target, GError **error);
/* Count an attempt; give_up turns the row into a PENDING one for members
 * (fallback to the digest) or failed for links; else retry at next_at_us.
 * error_text (may be NULL) is kept for /ws pending and diagnostics. */
gboolean  rt_store_outbox_retry (RtStore *store, gint64 msg_id, char kind, gint64 target,
                                 gint64 next_at_us, gboolean give_up,
                                 const char *error_text, GError **error);

/* Move one row still to send to next_at_us without counting an attempt
 * (the pump holds it back to keep a target's order). */
gboolean  rt_store_outbox_defer (RtStore *store, gint64 msg_id, char kind, gint64 target,
                                 gint64 next_at_us, GError **error);
/* Make every row still to send due now (at start: what waited before a
 * restart is retried at once, in message order). */
gboolean  rt_store_outbox_reschedule_all (RtStore *store, gint64 now_us, GError **error);

/* Messages kept for a member's next digest, oldest first. (RtMessage*) */
GPtrArray *rt_store_pending (RtStore *store, gint64 member_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtStore, rt_store_close)

G_END_DECLS
