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
#include "rt-watch.h"
#include "rt-audience.h"

G_BEGIN_DECLS

#define RT_STORE_SCHEMA_VERSION 6

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
 * replaces the member's endpoints (keeping each one's failing mark). Handles
 * are unique per workspace. When the member is new or its digest, quiet
 * hours, time zone, hours or days changed, the last digest slot becomes the
 * latest slot of the new schedule at or before now (never earlier than the
 * stored one): a new schedule does not send a digest for the past at once.
 * last_digest_slot and unsubscribed_us of member are not written. */
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

/* Links: one workspace per (protocol, account, room). rt_store_link_add
 * gives the defaults (direction both, audience internal). */
gint64    rt_store_link_add (RtStore *store, gint64 ws_id, const char *protocol,
                             const char *account, const char *room, GError **error);
gint64    rt_store_link_add_full (RtStore *store, gint64 ws_id, const char *protocol,
                                  const char *account, const char *room,
                                  RtLinkDirection direction, RtLinkAudience audience,
                                  GError **error);
/* Change a link's direction and audience (rt-store-stream.c). Messages
 * already planned keep their rows. */
gboolean  rt_store_link_set_mode (RtStore *store, gint64 link_id, RtLinkDirection direction,
                                  RtLinkAudience audience, GError **error);
RtLink   *rt_store_link_find (RtStore *store, const char *protocol,
                              const char *account, const char *room);  /* NULL if none */
GPtrArray *rt_store_links (RtStore *store, gint64 ws_id);  /* ws_id 0: all; RtLink* */
/* The note (and decider) of held messages rejected because their link
 * was removed: a stable key, translated where it is shown. */
#define RT_HELD_NOTE_LINK_REMOVED "link removed"
/* Removes the link with its rows still to send or held; its open held
 * messages become rejected (logged with the note RT_HELD_NOTE_LINK_REMOVED). */
gboolean  rt_store_link_remove (RtStore *store, gint64 link_id, GError **error);

/* One planned delivery of a message. kind 'L' = a linked room (target = link
 * id), 'M' = a member (target = member id). */
typedef struct {
  char    kind;
  gint64  target;
  RtRoute route;      /* IM or MAIL for members sent now, PENDING kept for
                         the digest; links always IM */
  gint    endpoint;   /* endpoint index for members, -1 otherwise */
  gint64  mention_due_us; /* members: > 0 adds a mentions row due then (a
                             mention mail unless they are live before) */
  gboolean hold;      /* links: held for approval (a public link, an author
                         without the spokesperson role): the row waits in
                         RT_DELIVERY_HELD and a held row is made with it */
} RtDeliveryRow;

/* Stores msg (with its thread_id) and its deliveries (and mentions rows) in
 * one transaction; sets msg->id.
 * Returns FALSE without error if a message with the same non-NULL origin
 * already exists in the workspace (a duplicate: nothing stored, msg->id = 0). */
gboolean  rt_store_message_add (RtStore *store, RtMessage *msg,
                                const RtDeliveryRow *rows, guint n_rows,
                                GError **error);
/* What else goes into the message's transaction (rt_store_message_add_full). */
typedef struct {
  /* A watchlist alert: a watch_hits row with this key (rt_watch_hit_key),
   * the matched terms (rt_watch_term_format, one per line) and the post's
   * URL. A key already there makes the whole message a duplicate. */
  const char *hit_key;
  const char *hit_terms;
  const char *hit_url;
  /* The author's roles, recorded with each held row's "hold" entry. */
  RtRoles     author_roles;
} RtMessageExtras;
/* rt_store_message_add with extras (may be NULL). FALSE without error for
 * a duplicate origin or hit key. */
gboolean  rt_store_message_add_full (RtStore *store, RtMessage *msg,
                                     const RtDeliveryRow *rows, guint n_rows,
                                     const RtMessageExtras *extras, GError **error);
/* One transaction around several store calls, which join it: all of
 * their writes are committed together by rt_store_end (commit TRUE and no
 * call inside failed), else rolled back. Reads inside need no lock of
 * their own (the batch accept plans in it). Not nested by callers. */
gboolean  rt_store_begin (RtStore *store, GError **error);
gboolean  rt_store_end (RtStore *store, gboolean commit, GError **error);
/* One message of a batch (rt_store_message_add_batch): in msg, its rows and
 * extras (may be NULL); out msg->id (> 0 stored, 0 not) and error (set when
 * it failed; 0 and no error: a duplicate). The caller frees error. */
typedef struct {
  RtMessage             *msg;
  const RtDeliveryRow   *rows;
  guint                  n_rows;
  const RtMessageExtras *extras;
  GError                *error;
} RtMessageAdd;
/* Stores the n messages in order in ONE transaction, each under its own
 * savepoint: a duplicate origin or hit key, or a row that fails, undoes
 * only that message (all of it), the others are stored. Committed before
 * it returns. FALSE (with error) only if the transaction itself failed
 * (begin, commit, or an error that ended it): then nothing is stored and
 * every item has msg->id 0 and a copy of the error. The caller bounds n:
 * the store is locked while it runs. */
gboolean  rt_store_message_add_batch (RtStore *store, RtMessageAdd *items, guint n,
                                      GError **error);
/* Marks every item lost (msg->id 0, a copy of why). */
void      rt_store_batch_lost (RtMessageAdd *items, guint n, const GError *why);
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
 * send leaves at most that one delivery uncertain); also a mail in flight. */
gboolean  rt_store_outbox_sent (RtStore *store, gint64 msg_id, char kind, gint64 target, GError **error);
/* The mail plugin accepted the mail of member delivery (msg_id, 'M',
 * member_id): in one transaction the row becomes RT_DELIVERY_MAIL_IN_FLIGHT
 * and message_id goes to mail_out (kind "immediate"). The row then waits for
 * rt_store_outbox_sent (the mail plugin's "sent" signal) or
 * rt_store_outbox_retry ("failed"). */
gboolean  rt_store_outbox_mail_queued (RtStore *store, gint64 msg_id, gint64 member_id,
                                       const char *message_id, gint64 ws_id, GError **error);
/* Count an attempt of a row still to send or a mail in flight; give_up
 * turns the row into a PENDING one for members (fallback to the digest;
 * next_at_us then says since when it is kept: pass now) or failed for
 * links; else it is to send again at next_at_us.
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

/* After a restart: every mail that was in flight when the hub stopped is
 * sent again (at least once: the recipient may get it twice, with the same
 * Message-ID). In one transaction: RT_DELIVERY_MAIL_IN_FLIGHT rows become to
 * send, due now; RT_DELIVERY_DIGEST_IN_FLIGHT rows kept again (their slot
 * was never recorded, so the next look sends that digest again); mentions
 * in flight waiting, due now. *n_reset (may be NULL) counts them. */
gboolean  rt_store_in_flight_reset (RtStore *store, gint64 now_us, guint *n_reset, GError **error);

/* Messages kept for a member's next digest, oldest first. (RtMessage*) */
GPtrArray *rt_store_pending (RtStore *store, gint64 member_id);
/* Members (ids) for whom msg_id is kept for the digest (state 1). (gint64) */
GArray    *rt_store_message_pending_members (RtStore *store, gint64 msg_id);

/* ---- digests, mention mails, hub values (rt-store-digest.c) ---------- */

/* deliveries.state (docs/architecture.md, Store schema): 0 to send, 1 kept
 * for the digest, 2 sent, 3 failed (links), and: */
/* A row that went out in a digest (the mail plugin said it was sent). */
#define RT_DELIVERY_IN_DIGEST 4
/* A mail (route mail) the mail plugin accepted, waiting for its
 * "roundtable-mail-sent" (then 2) or "roundtable-mail-failed" (then 0
 * again, with backoff) signal. */
#define RT_DELIVERY_MAIL_IN_FLIGHT 5
/* A kept row put into a digest mail that waits for its signal: sent, then
 * RT_DELIVERY_IN_DIGEST; failed, then kept again (1). */
#define RT_DELIVERY_DIGEST_IN_FLIGHT 6
/* A link row held for approval (public link, author without the
 * spokesperson role): never due; approved, it becomes 0 (to send, due
 * now); rejected, 3 (failed, error "rejected by WHO"). A stream post
 * handed to the stream plugin waits in RT_DELIVERY_MAIL_IN_FLIGHT (5) like
 * a mail, until its "posted" (2) or "post-failed" (3) signal. */
#define RT_DELIVERY_HELD 7

/* The hub's reply-token key (meta "token_key"), made with
 * rt_token_key_generate and stored on first use. Never log it.
 * (transfer full: *key, free with g_free after wiping) */
gboolean  rt_store_token_key (RtStore *store, guint8 **key, gsize *key_len, GError **error);

/* Of these members, those with messages kept for their digest: member id
 * and when the oldest of them was kept (deliveries.next_at of state 1
 * rows). One index seek per member (deliveries_kept).
 * (GArray of RtPendingSince, in the order of member_ids) */
typedef struct {
  gint64 member_id;
  gint64 since_us;
} RtPendingSince;
GArray   *rt_store_pending_since (RtStore *store, const gint64 *member_ids, guint n);

/* The digest rows of these members: (member id, message id) of each state 1
 * delivery, by member then message. One index range per member.
 * (GArray of RtPendingRow) */
typedef struct {
  gint64 member_id;
  gint64 msg_id;
} RtPendingRow;
GArray   *rt_store_pending_rows (RtStore *store, const gint64 *member_ids, guint n);

/* The mail plugin accepted a digest: in one transaction the rows still in
 * state 1 become RT_DELIVERY_DIGEST_IN_FLIGHT and message_id is recorded in
 * mail_out (kind "digest", ws_id and member_id of the member the digest
 * was for). The slot is not recorded yet. */
gboolean  rt_store_digest_in_flight (RtStore *store, const RtPendingRow *rows, guint n_rows,
                                     const char *message_id, gint64 ws_id, gint64 member_id,
                                     GError **error);
/* A digest was sent: in one transaction the rows still kept or in flight
 * become RT_DELIVERY_IN_DIGEST, each (member, slot) of slots (n_slots
 * pairs, member id then slot) becomes that member's last digest slot, and
 * message_id (may be NULL) is recorded in mail_out as above. */
gboolean  rt_store_digest_sent (RtStore *store, const RtPendingRow *rows, guint n_rows,
                                const gint64 *slots, guint n_slots,
                                const char *message_id, gint64 ws_id, gint64 member_id,
                                GError **error);
/* A digest mail failed: its rows in flight are kept again (state 1, with
 * their kept-since time); no slot is recorded, so the next look sends it
 * again. */
gboolean  rt_store_digest_failed (RtStore *store, const RtPendingRow *rows, guint n_rows,
                                  GError **error);

/* Record a mail the hub sent (mail_out): kind "digest", "mention",
 * "immediate" or "explain". A message_id already there is left as it is. */
gboolean  rt_store_mail_out_add (RtStore *store, const char *message_id, const char *kind,
                                 gint64 ws_id, gint64 member_id, gint64 msg_id,
                                 GError **error);

/* The member was seen live now (an IM endpoint available in working hours,
 * or in a linked room): members.last_live_us = MAX (stored, now_us). */
gboolean  rt_store_member_seen_live (RtStore *store, gint64 member_id, gint64 now_us,
                                     GError **error);
/* members.last_live_us (0: never, or no such member). */
gint64    rt_store_member_last_live (RtStore *store, gint64 member_id);

/* Mentions rows (mention mails). state: */
enum {
  RT_MENTION_WAITING = 0,
  RT_MENTION_IN_FLIGHT = 1, /* the mail plugin accepted it: waiting for its
                               "sent" (then 2) or "failed" (then 0) signal */
  RT_MENTION_SENT = 2,
  RT_MENTION_DROPPED = 5,   /* seen live meanwhile, nowhere to mail it, or
                               failed too often */
};
typedef struct {
  gint64 msg_id;
  gint64 member_id;
  gint64 due_us;
  gint   attempts;          /* failed sends so far */
} RtMentionRow;
/* Up to limit waiting mentions due at or before now_us, earliest first.
 * (GArray of RtMentionRow) */
GArray   *rt_store_mentions_due (RtStore *store, gint64 now_us, guint limit);
/* Earliest due_us of a waiting mention, or -1 if none. */
gint64    rt_store_mentions_next (RtStore *store);
/* Move a waiting mention to due_us (its mailbox is offline: try later). */
gboolean  rt_store_mention_defer (RtStore *store, gint64 msg_id, gint64 member_id,
                                  gint64 due_us, GError **error);
/* A waiting or in-flight mention is done: state RT_MENTION_SENT (then
 * message_id, if not NULL, goes to mail_out as kind "mention" in the same
 * transaction) or RT_MENTION_DROPPED. */
gboolean  rt_store_mention_done (RtStore *store, gint64 msg_id, gint64 member_id, int state,
                                 const char *message_id, gint64 ws_id, GError **error);
/* The mail plugin accepted a waiting mention's mail: RT_MENTION_IN_FLIGHT,
 * and message_id to mail_out (kind "mention"), in one transaction. */
gboolean  rt_store_mention_in_flight (RtStore *store, gint64 msg_id, gint64 member_id,
                                      const char *message_id, gint64 ws_id, GError **error);
/* An in-flight mention's mail failed: one more attempt counted; waiting
 * again, due at due_us, or RT_MENTION_DROPPED if give_up. */
gboolean  rt_store_mention_failed (RtStore *store, gint64 msg_id, gint64 member_id,
                                   gint64 due_us, gboolean give_up, GError **error);
/* TRUE if msg_id's mention mail to member_id was sent (the digest says so). */
gboolean  rt_store_mention_mailed (RtStore *store, gint64 msg_id, gint64 member_id);

/* ---- streams in workspaces (rt-store-stream.c) ---------------------- */

/* Watchlists. Add terms (RtWatchTerm, e.g. from rt_watch_parse_terms) in
 * one transaction; *added (may be NULL) gets those that were new (borrowed
 * from terms), the others were watched already. */
gboolean   rt_store_watch_add (RtStore *store, gint64 ws_id, const GPtrArray *terms,
                               GPtrArray **added, GError **error);
/* Remove terms, all or nothing: a term that is not watched is an error
 * (RT_ERROR_NOT_FOUND, naming it) and nothing is removed. */
gboolean   rt_store_watch_remove (RtStore *store, gint64 ws_id, const GPtrArray *terms,
                                  GError **error);
/* The workspace's terms in the order they were added. (RtWatchTerm*) */
GPtrArray *rt_store_watch_terms (RtStore *store, gint64 ws_id);
/* Workspaces that watch at least one term. (GArray of gint64) */
GArray    *rt_store_watch_workspaces (RtStore *store);
/* Hits since since_us per term: rt_watch_term_format -> count
 * (GUINT_TO_POINTER). (transfer full) */
GHashTable *rt_store_watch_hit_counts (RtStore *store, gint64 ws_id, gint64 since_us);
/* Is there an alert for this hit key already? */
gboolean   rt_store_watch_hit_seen (RtStore *store, const char *key);

/* Held messages (the id is the ID of /ws approve ID). */
RtHeld    *rt_store_held_get (RtStore *store, gint64 held_id);          /* NULL if none */
/* The held message of (msg_id, link_id), or NULL. */
RtHeld    *rt_store_held_find (RtStore *store, gint64 msg_id, gint64 link_id);
/* Of a workspace, by id: open ones (held, or approved and not posted yet)
 * when open_only, else all. (RtHeld*) */
GPtrArray *rt_store_held_list (RtStore *store, gint64 ws_id, gboolean open_only);
/* The held records of one message, one per link it waits for. (RtHeld*) */
GPtrArray *rt_store_held_of_message (RtStore *store, gint64 msg_id);

/* One entry of held_log. */
typedef struct {
  gint64  held_id;
  gint64  at_us;
  char   *action;    /* "hold", "approve", "reject", "post", "fail" */
  char   *who;       /* who acted (NULL for post and fail) */
  RtRoles roles;
  char   *outcome;   /* "ok" or the refusal's message */
  char   *note;      /* a reject's reason, the post's URL, the error; or NULL */
} RtHeldLogEntry;
void       rt_held_log_entry_free (RtHeldLogEntry *entry);
/* The last limit entries of a workspace's held messages, newest first
 * (held_id 0: all of the workspace; else only that one's, ws_id ignored).
 * (RtHeldLogEntry*) */
GPtrArray *rt_store_held_log (RtStore *store, gint64 ws_id, gint64 held_id, guint limit);

/* Approve or reject held_id (action RT_HELD_APPROVE or RT_HELD_REJECT) by
 * who with roles, at now_us; note: a reject's reason (may be NULL). One
 * transaction reads the row, applies rt_held_apply and, when allowed,
 * records the decision and moves the delivery row (approve: due now;
 * reject: failed, "rejected by WHO"). Every attempt is logged, a refused
 * one too (then FALSE with rt_held_apply's error, the log committed).
 * *out (may be NULL) gets the record after the attempt. */
gboolean   rt_store_held_decide (RtStore *store, gint64 held_id, RtHeldAction action,
                                 const char *who, RtRoles roles, const char *note,
                                 gint64 now_us, RtHeld **out, GError **error);

/* Stream posts. The stream plugin accepted the post of row (msg_id, 'L',
 * link_id): the row waits in flight (5) for its outcome. */
gboolean   rt_store_stream_queued (RtStore *store, gint64 msg_id, gint64 link_id, GError **error);
/* The post was made: the row is sent (2); a held message becomes posted
 * (post_url kept, logged). */
gboolean   rt_store_stream_posted (RtStore *store, gint64 msg_id, gint64 link_id,
                                   const char *url, GError **error);
/* The stream plugin gave the post up: the row fails (3) with error_text; a
 * held message's log gets a "fail" entry. */
gboolean   rt_store_stream_failed (RtStore *store, gint64 msg_id, gint64 link_id,
                                   const char *error_text, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtHeldLogEntry, rt_held_log_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtStore, rt_store_close)

G_END_DECLS
