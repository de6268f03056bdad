/* test-store-stream.c: streams in the store and the hub (schema v6):
 * link modes planned by the audience rule, watchlists, one alert per hit,
 * held messages with every decision logged, stream posts in flight. */
#include "config.h"
#include <string.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include "rt-hub.h"
#include "rt-clock.h"
#include "rt-error.h"
#include "test-store-fixture.h"

#define T0 G_GINT64_CONSTANT (1773046800000000)   /* 2026-03-09 09:00 UTC */

static gint64 fake_now = T0;

static gint64
fake_clock (gpointer data)
{
  return fake_now;
}

typedef struct {
  char    *dir;
  char    *path;
  RtStore *store;
  gint64   ws;
  gint64   room;     /* a room, defaults (both, internal) */
  gint64   pub;      /* a stream link: out, public */
  gint64   intern;   /* a stream link: both, internal */
  gint64   in_only;  /* a stream link: in, internal */
  gint64   alice;    /* spokesperson */
  gint64   bob;      /* no role */
  gint64   olga;     /* owner */
} Fixture;

static gint64
member (Fixture *f, const char *handle, RtRoles roles)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) m = rt_member_new (handle);
  m->ws_id = f->ws;
  m->roles = roles;
  g_assert_true (rt_store_member_save (f->store, m, &error));
  g_assert_no_error (error);
  return m->id;
}

static gint64
link (Fixture *f, const char *room, RtLinkDirection d, RtLinkAudience a)
{
  g_autoptr (GError) error = NULL;
  gint64 id = rt_store_link_add_full (f->store, f->ws, "prpl-roundtable-stream", "alice@social.test",
                                      room, d, a, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  fake_now = T0;
  rt_clock_set (fake_clock, NULL);
  f->store = rt_test_store_open ("rt-stream-XXXXXX", &f->dir, &f->path);
  f->ws = rt_store_workspace_create (f->store, "RFP", &error);
  g_assert_no_error (error);
  f->room = rt_store_link_add (f->store, f->ws, "prpl-jabber", "hub@a.test", "room@muc.a.test", &error);
  g_assert_no_error (error);
  f->pub = link (f, "tag:acme", RT_DIRECTION_OUT, RT_AUDIENCE_PUBLIC);
  f->intern = link (f, "list:7", RT_DIRECTION_BOTH, RT_AUDIENCE_INTERNAL);
  f->in_only = link (f, "tag:watch", RT_DIRECTION_IN, RT_AUDIENCE_INTERNAL);
  f->alice = member (f, "alice", RT_ROLE_SPOKESPERSON);
  f->bob = member (f, "bob", RT_ROLE_NONE);
  f->olga = member (f, "olga", RT_ROLE_OWNER);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  rt_test_store_remove (&f->store, &f->dir, &f->path, TRUE);
  rt_clock_set (NULL, NULL);
}

static gint64
count_rows (Fixture *f, const char *sql)
{
  return rt_test_store_count (f->path, sql);
}

/* State of delivery (msg, 'L', target), or -1. */
static gint64
link_state (Fixture *f, gint64 msg, gint64 target)
{
  g_autofree char *sql = g_strdup_printf ("SELECT COALESCE ((SELECT state FROM deliveries WHERE msg_id = %"
                                          G_GINT64_FORMAT " AND kind = 'L' AND target = %" G_GINT64_FORMAT "), -1)",
                                          msg, target);
  return count_rows (f, sql);
}

/* Accept a message by author (0: a guest) of kind from source (0: none). */
static gint64
accept (Fixture *f, gint64 author, RtMessageKind kind, gint64 source, const char *origin,
        const RtMessageExtras *extras)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMessage) msg = rt_message_new ();
  msg->ws_id = f->ws;
  msg->author_member = author;
  msg->author_label = g_strdup (author ? "Someone (Site)" : "carol (guest)");
  msg->text = g_strdup ("Our statement");
  msg->kind = kind;
  msg->source_link = source;
  msg->origin = g_strdup (origin);
  gboolean ok = rt_hub_accept_full (f->store, NULL, NULL, msg, extras, &error);
  g_assert_no_error (error);
  return ok ? msg->id : 0;
}

/* The audience rule decides every link row; a held row comes with its
 * record and "hold" log entry in the message's transaction. */
static void
test_plan_by_audience (Fixture *f, gconstpointer data)
{
  gint64 by_alice = accept (f, f->alice, RT_MESSAGE_PERSON, f->room, NULL, NULL);
  g_assert_cmpint (link_state (f, by_alice, f->room), ==, -1);      /* echo */
  g_assert_cmpint (link_state (f, by_alice, f->pub), ==, 0);        /* spokesperson: send */
  g_assert_cmpint (link_state (f, by_alice, f->intern), ==, 0);
  g_assert_cmpint (link_state (f, by_alice, f->in_only), ==, -1);   /* no out */

  gint64 by_bob = accept (f, f->bob, RT_MESSAGE_PERSON, f->room, NULL, NULL);
  g_assert_cmpint (link_state (f, by_bob, f->pub), ==, RT_DELIVERY_HELD);
  g_assert_cmpint (link_state (f, by_bob, f->intern), ==, 0);
  gint64 by_olga = accept (f, f->olga, RT_MESSAGE_PERSON, 0, NULL, NULL);   /* owner: held too */
  g_assert_cmpint (link_state (f, by_olga, f->pub), ==, RT_DELIVERY_HELD);
  g_assert_cmpint (link_state (f, by_olga, f->room), ==, 0);
  gint64 by_guest = accept (f, 0, RT_MESSAGE_PERSON, f->room, NULL, NULL);
  g_assert_cmpint (link_state (f, by_guest, f->pub), ==, RT_DELIVERY_HELD);
  gint64 alert = accept (f, 0, RT_MESSAGE_HUB, 0, NULL, NULL);
  g_assert_cmpint (link_state (f, alert, f->pub), ==, -1);          /* hub: never public */
  g_assert_cmpint (link_state (f, alert, f->intern), ==, 0);
  g_assert_cmpint (link_state (f, alert, f->room), ==, 0);
  g_autoptr (RtMessage) back = rt_store_message_get (f->store, alert);
  g_assert_cmpint (back->kind, ==, RT_MESSAGE_HUB);

  /* Held rows are never due. */
  g_autoptr (GArray) due = rt_store_outbox_due (f->store, T0 + 1, 100);
  for (guint i = 0; i < due->len; i++)
    g_assert_false (g_array_index (due, RtOutboxItem, i).target == f->pub
                    && g_array_index (due, RtOutboxItem, i).kind == 'L'
                    && g_array_index (due, RtOutboxItem, i).msg_id != by_alice);
  g_autoptr (GPtrArray) open = rt_store_held_list (f->store, f->ws, TRUE);
  g_assert_cmpuint (open->len, ==, 3);
  const RtHeld *h = open->pdata[0];
  g_assert_cmpint (h->message_id, ==, by_bob);
  g_assert_cmpint (h->link_id, ==, f->pub);
  g_assert_cmpint (h->state, ==, RT_HELD_HELD);
  g_assert_cmpint (h->held_us, ==, T0);
  g_autoptr (GPtrArray) log = rt_store_held_log (f->store, 0, h->id, 10);
  g_assert_cmpuint (log->len, ==, 1);
  const RtHeldLogEntry *e = log->pdata[0];
  g_assert_cmpstr (e->action, ==, "hold");
  g_assert_cmpstr (e->who, ==, "Someone (Site)");
  g_assert_cmpstr (e->outcome, ==, "ok");
  g_autoptr (GPtrArray) olga_log = rt_store_held_log (f->store, 0, ((RtHeld *) open->pdata[1])->id, 10);
  g_assert_cmpint (((RtHeldLogEntry *) olga_log->pdata[0])->roles, ==, RT_ROLE_OWNER);

  /* A message whose held row cannot be written is not stored at all. */
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TRIGGER no_held BEFORE INSERT ON held "
                                     "BEGIN SELECT RAISE (ABORT, 'held refused'); END", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  gint64 before = rt_store_message_count (f->store, f->ws);
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMessage) msg = rt_message_new ();
  msg->ws_id = f->ws;
  msg->author_member = f->bob;
  msg->text = g_strdup ("never half stored");
  g_assert_false (rt_hub_accept_full (f->store, NULL, NULL, msg, NULL, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_STORE);
  g_assert_cmpint (rt_store_message_count (f->store, f->ws), ==, before);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries WHERE msg_id NOT IN (SELECT id FROM messages)"), ==, 0);
}

/* Approve and reject: only a spokesperson or an owner; the first decision
 * wins, every attempt is logged; the delivery row moves with it. */
static void
test_decide (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 m1 = accept (f, f->bob, RT_MESSAGE_PERSON, f->room, NULL, NULL);
  gint64 m2 = accept (f, f->bob, RT_MESSAGE_PERSON, f->room, NULL, NULL);
  g_autoptr (RtHeld) h1 = rt_store_held_find (f->store, m1, f->pub);
  g_autoptr (RtHeld) h2 = rt_store_held_find (f->store, m2, f->pub);
  g_assert_nonnull (h1);
  g_assert_nonnull (h2);
  /* A message's held records (the held notice looks them up this way). */
  g_autoptr (GPtrArray) of_m1 = rt_store_held_of_message (f->store, m1);
  g_assert_cmpuint (of_m1->len, ==, 1);
  g_assert_cmpint (((RtHeld *) of_m1->pdata[0])->id, ==, h1->id);
  g_autoptr (GPtrArray) of_none = rt_store_held_of_message (f->store, m2 + 1000);
  g_assert_cmpuint (of_none->len, ==, 0);

  /* A plain member: refused, recorded, nothing moves. */
  fake_now = T0 + 10;
  g_assert_false (rt_store_held_decide (f->store, h1->id, RT_HELD_APPROVE, "bob", RT_ROLE_NONE, NULL,
                                        fake_now, NULL, &error));
  g_assert_error (error, RT_HELD_ERROR, RT_HELD_ERROR_DENIED);
  g_clear_error (&error);
  g_assert_cmpint (link_state (f, m1, f->pub), ==, RT_DELIVERY_HELD);

  /* Two approvals in a row: the second is refused. */
  fake_now = T0 + 20;
  g_autoptr (RtHeld) after = NULL;
  g_assert_true (rt_store_held_decide (f->store, h1->id, RT_HELD_APPROVE, "alice", RT_ROLE_SPOKESPERSON, NULL,
                                       fake_now, &after, &error));
  g_assert_no_error (error);
  g_assert_cmpint (after->state, ==, RT_HELD_APPROVED);
  g_assert_cmpstr (after->decided_by, ==, "alice");
  g_assert_cmpint (link_state (f, m1, f->pub), ==, 0);
  g_autoptr (GArray) due = rt_store_outbox_due (f->store, fake_now, 100);
  gboolean found = FALSE;
  for (guint i = 0; i < due->len; i++)
    found |= g_array_index (due, RtOutboxItem, i).msg_id == m1 && g_array_index (due, RtOutboxItem, i).target == f->pub;
  g_assert_true (found);
  g_assert_false (rt_store_held_decide (f->store, h1->id, RT_HELD_APPROVE, "olga", RT_ROLE_OWNER, NULL,
                                        fake_now, NULL, &error));
  g_assert_error (error, RT_HELD_ERROR, RT_HELD_ERROR_DECIDED);
  g_clear_error (&error);
  g_assert_false (rt_store_held_decide (f->store, h1->id, RT_HELD_REJECT, "olga", RT_ROLE_OWNER, "too late",
                                        fake_now, NULL, &error));
  g_assert_error (error, RT_HELD_ERROR, RT_HELD_ERROR_DECIDED);
  g_clear_error (&error);
  g_autoptr (RtHeld) still = rt_store_held_get (f->store, h1->id);
  g_assert_cmpint (still->state, ==, RT_HELD_APPROVED);
  g_assert_cmpstr (still->decided_by, ==, "alice");

  /* Reject the other one, by an owner, with a reason; then nothing more. */
  g_assert_true (rt_store_held_decide (f->store, h2->id, RT_HELD_REJECT, "operator (hub@a.test)", RT_ROLE_OWNER,
                                       "off message", fake_now, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (link_state (f, m2, f->pub), ==, 3);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries WHERE state = 3 AND "
                                  "error = 'rejected by operator (hub@a.test): off message'"), ==, 1);
  g_assert_false (rt_store_held_decide (f->store, h2->id, RT_HELD_APPROVE, "alice", RT_ROLE_SPOKESPERSON, NULL,
                                        fake_now, NULL, &error));
  g_assert_error (error, RT_HELD_ERROR, RT_HELD_ERROR_DECIDED);
  g_clear_error (&error);
  g_assert_false (rt_store_held_decide (f->store, 999, RT_HELD_APPROVE, "alice", RT_ROLE_SPOKESPERSON, NULL,
                                        fake_now, NULL, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Every attempt is in the log: h1 hold, denied, approve, approve again, reject. */
  g_autoptr (GPtrArray) log = rt_store_held_log (f->store, 0, h1->id, 10);
  g_assert_cmpuint (log->len, ==, 5);
  const char *actions[] = { "reject", "approve", "approve", "approve", "hold" };
  for (guint i = 0; i < 5; i++)
    g_assert_cmpstr (((RtHeldLogEntry *) log->pdata[i])->action, ==, actions[i]);
  g_assert_cmpstr (((RtHeldLogEntry *) log->pdata[2])->outcome, ==, "ok");
  g_assert_cmpstr (((RtHeldLogEntry *) log->pdata[3])->who, ==, "bob");
  g_assert_cmpstr (((RtHeldLogEntry *) log->pdata[3])->outcome, !=, "ok");
  g_assert_cmpstr (((RtHeldLogEntry *) log->pdata[0])->note, ==, "too late");
  g_autoptr (GPtrArray) ws_log = rt_store_held_log (f->store, f->ws, 0, 3);
  g_assert_cmpuint (ws_log->len, ==, 3);
  g_assert_cmpint (((RtHeldLogEntry *) ws_log->pdata[0])->held_id, ==, h2->id);   /* newest first */
  g_autoptr (GPtrArray) open = rt_store_held_list (f->store, f->ws, TRUE);
  g_assert_cmpuint (open->len, ==, 1);   /* h1: approved, not posted yet */

  /* Posted: in flight, then posted; the held message too, with its URL. */
  g_assert_true (rt_store_stream_queued (f->store, m1, f->pub, &error));
  g_assert_cmpint (link_state (f, m1, f->pub), ==, RT_DELIVERY_MAIL_IN_FLIGHT);
  g_assert_true (rt_store_stream_posted (f->store, m1, f->pub, "https://social.test/@alice/5", &error));
  g_assert_no_error (error);
  g_assert_cmpint (link_state (f, m1, f->pub), ==, 2);
  g_autoptr (RtHeld) posted = rt_store_held_get (f->store, h1->id);
  g_assert_cmpint (posted->state, ==, RT_HELD_POSTED);
  g_assert_cmpint (posted->posted_us, ==, fake_now);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM held WHERE post_url = 'https://social.test/@alice/5'"), ==, 1);
  g_autoptr (GPtrArray) open2 = rt_store_held_list (f->store, f->ws, TRUE);
  g_assert_cmpuint (open2->len, ==, 0);
  /* The signal twice: nothing changes, the second is noted. */
  g_assert_true (rt_store_stream_posted (f->store, m1, f->pub, NULL, &error));
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM held_log WHERE action = 'post'"), ==, 2);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM held_log WHERE action = 'post' AND outcome = 'ok'"), ==, 1);
}

/* In flight and failed, and a restart: posts in flight are due again. */
static void
test_post_flight (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 m = accept (f, f->alice, RT_MESSAGE_PERSON, f->room, NULL, NULL);
  g_assert_true (rt_store_stream_queued (f->store, m, f->pub, &error));
  g_assert_true (rt_store_stream_queued (f->store, m, f->intern, &error));
  g_assert_cmpint (rt_store_outbox_count_due (f->store), ==, 0);
  guint n = 0;
  g_assert_true (rt_store_in_flight_reset (f->store, T0 + 5, &n, &error));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (link_state (f, m, f->pub), ==, 0);
  g_assert_true (rt_store_stream_queued (f->store, m, f->pub, &error));
  g_assert_true (rt_store_stream_failed (f->store, m, f->pub, "The server refused the post.", &error));
  g_assert_no_error (error);
  g_assert_cmpint (link_state (f, m, f->pub), ==, 3);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries WHERE error = 'The server refused the post.'"), ==, 1);
  /* A late "posted" for a failed row changes nothing. */
  g_assert_true (rt_store_stream_posted (f->store, m, f->pub, NULL, &error));
  g_assert_cmpint (link_state (f, m, f->pub), ==, 3);
}

/* Removing a link rejects its open held messages ("link removed"), drops
 * their rows, and logs it. */
static void
test_link_removed (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 m = accept (f, f->bob, RT_MESSAGE_PERSON, f->room, NULL, NULL);
  g_autoptr (RtHeld) h = rt_store_held_find (f->store, m, f->pub);
  g_assert_true (rt_store_link_remove (f->store, f->pub, &error));
  g_assert_no_error (error);
  g_autoptr (RtHeld) after = rt_store_held_get (f->store, h->id);
  g_assert_cmpint (after->state, ==, RT_HELD_REJECTED);
  g_assert_cmpstr (after->decided_by, ==, "link removed");
  g_assert_cmpint (link_state (f, m, f->pub), ==, -1);
  g_autoptr (GPtrArray) log = rt_store_held_log (f->store, 0, h->id, 10);
  g_assert_cmpstr (((RtHeldLogEntry *) log->pdata[0])->note, ==, "link removed");
  g_assert_false (rt_store_held_decide (f->store, h->id, RT_HELD_APPROVE, "alice", RT_ROLE_SPOKESPERSON, NULL,
                                        T0, NULL, &error));
  g_assert_error (error, RT_HELD_ERROR, RT_HELD_ERROR_DECIDED);
}

static GPtrArray *
terms (const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *t = rt_watch_parse_terms (argv, &error);
  g_assert_no_error (error);
  return t;
}

/* Watchlists: unique per kind and folded key; remove all or nothing. */
static void
test_watch_terms (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) first = terms ((const char *const[]) { "acme", "#AcmeFail", "@ceo@social.test", NULL });
  g_autoptr (GPtrArray) added = NULL;
  g_assert_true (rt_store_watch_add (f->store, f->ws, first, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added->len, ==, 3);
  g_clear_pointer (&added, g_ptr_array_unref);
  /* "ACME" folds to the same key: already watched. */
  g_autoptr (GPtrArray) second = terms ((const char *const[]) { "ACME", "\"acme outage\"", NULL });
  g_assert_true (rt_store_watch_add (f->store, f->ws, second, &added, &error));
  g_assert_cmpuint (added->len, ==, 1);
  g_assert_cmpstr (((RtWatchTerm *) added->pdata[0])->text, ==, "acme outage");

  g_autoptr (GPtrArray) all = rt_store_watch_terms (f->store, f->ws);
  g_assert_cmpuint (all->len, ==, 4);
  g_assert_cmpstr (((RtWatchTerm *) all->pdata[1])->text, ==, "AcmeFail");
  g_autoptr (GArray) wss = rt_store_watch_workspaces (f->store);
  g_assert_cmpuint (wss->len, ==, 1);

  /* Remove: one unknown term and nothing goes. */
  g_autoptr (GPtrArray) bad = terms ((const char *const[]) { "acme", "#unknown", NULL });
  g_assert_false (rt_store_watch_remove (f->store, f->ws, bad, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "#unknown"));
  g_clear_error (&error);
  g_autoptr (GPtrArray) still = rt_store_watch_terms (f->store, f->ws);
  g_assert_cmpuint (still->len, ==, 4);
  g_autoptr (GPtrArray) good = terms ((const char *const[]) { "Acme", "#acmefail", NULL });
  g_assert_true (rt_store_watch_remove (f->store, f->ws, good, &error));
  g_assert_no_error (error);
  g_autoptr (GPtrArray) left = rt_store_watch_terms (f->store, f->ws);
  g_assert_cmpuint (left->len, ==, 2);
  /* Deleting the workspace takes its terms. */
  g_assert_true (rt_store_workspace_delete (f->store, f->ws, &error));
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM watch_terms"), ==, 0);
}

/* One alert per post and workspace: the hit and the message in one
 * transaction; the same key again is a duplicate, nothing stored. */
static void
test_watch_hit_once (Fixture *f, gconstpointer data)
{
  g_autofree char *key = rt_watch_hit_key ("mastodon", "https://social.test", "1098", f->ws);
  g_autofree char *origin = g_strconcat ("watch/", key, NULL);
  RtMessageExtras hit = { key, "acme\n#acmefail", "https://social.test/@x/1098", 0 };
  g_assert_false (rt_store_watch_hit_seen (f->store, key));
  gint64 alert = accept (f, 0, RT_MESSAGE_HUB, 0, origin, &hit);
  g_assert_cmpint (alert, >, 0);
  g_assert_true (rt_store_watch_hit_seen (f->store, key));
  g_assert_cmpint (accept (f, 0, RT_MESSAGE_HUB, 0, origin, &hit), ==, 0);
  /* Another origin but the same key (read again another way): still once. */
  g_assert_cmpint (accept (f, 0, RT_MESSAGE_HUB, 0, "watch/other", &hit), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM watch_hits"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM messages WHERE kind = 1"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries WHERE msg_id NOT IN (SELECT id FROM messages)"), ==, 0);

  g_autoptr (GHashTable) counts = rt_store_watch_hit_counts (f->store, f->ws, T0 - 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "acme")), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "#acmefail")), ==, 1);
  g_autoptr (GHashTable) none = rt_store_watch_hit_counts (f->store, f->ws, T0 + 1);
  g_assert_cmpuint (g_hash_table_size (none), ==, 0);
}

/* Members: roles and stream endpoints saved and found by handle. */
static void
test_roles_and_stream_endpoint (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) bob = rt_store_member_get (f->store, f->bob);
  bob->roles = RT_ROLE_OWNER | RT_ROLE_SPOKESPERSON;
  g_ptr_array_add (bob->endpoints, rt_endpoint_new (RT_STREAM_SCHEME, "bob@social.test", NULL));
  g_assert_true (rt_store_member_save (f->store, bob, &error));
  g_autoptr (GPtrArray) found = rt_store_members_by_endpoint (f->store, RT_STREAM_SCHEME, "Bob@Social.Test");
  g_assert_cmpuint (found->len, ==, 1);
  const RtMember *m = found->pdata[0];
  g_assert_cmpint (m->id, ==, f->bob);
  g_assert_cmpint (m->roles, ==, RT_ROLE_OWNER | RT_ROLE_SPOKESPERSON);
  GPtrArray *cached = rt_store_members (f->store, f->ws);
  for (guint i = 0; i < cached->len; i++)
    if (((RtMember *) cached->pdata[i])->id == f->alice)
      g_assert_cmpint (((RtMember *) cached->pdata[i])->roles, ==, RT_ROLE_SPOKESPERSON);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/store-stream/plan-by-audience", test_plan_by_audience);
  ADD ("/store-stream/decide", test_decide);
  ADD ("/store-stream/post-flight", test_post_flight);
  ADD ("/store-stream/link-removed", test_link_removed);
  ADD ("/store-stream/watch-terms", test_watch_terms);
  ADD ("/store-stream/watch-hit-once", test_watch_hit_once);
  ADD ("/store-stream/roles-and-stream-endpoint", test_roles_and_stream_endpoint);
  return g_test_run ();
}
