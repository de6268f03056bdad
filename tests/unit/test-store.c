/* test-store.c: the SQLite store: schema, CRUD, dedupe, outbox, cascades. */
#include "config.h"
#include <string.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include "rt-store.h"
#include "rt-clock.h"
#include "rt-error.h"
#include "test-store-fixture.h"

#define T0 G_GINT64_CONSTANT (1773046800000000)   /* 2026-03-09 09:00 UTC */

static gint64 fake_now = T0;

static gint64
fake_clock (gpointer data)
{
  return *(gint64 *) data;
}

typedef struct {
  char    *dir;
  char    *path;
  RtStore *store;
  gint64   ws;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  fake_now = T0;
  rt_clock_set (fake_clock, &fake_now);
  f->store = rt_test_store_open ("rt-store-XXXXXX", &f->dir, &f->path);
  g_assert_nonnull (f->store);
  f->ws = rt_store_workspace_create (f->store, "RFP Acme 2027", &error);
  g_assert_no_error (error);
  g_assert_cmpint (f->ws, >, 0);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  rt_test_store_remove (&f->store, &f->dir, &f->path, TRUE);
  rt_clock_set (NULL, NULL);
}

/* Count rows with a second, independent connection: what is on disk. */
static gint64
count_rows (Fixture *f, const char *sql)
{
  return rt_test_store_count (f->path, sql);
}

static RtMember *
add_member (Fixture *f, gint64 ws, const char *handle, const char *const *uris)
{
  return rt_test_store_add_member (f->store, ws, handle, uris);
}

static RtMessage *
add_message (Fixture *f, gint64 ws, const char *origin, const RtDeliveryRow *rows, guint n)
{
  return rt_test_store_add_message (f->store, ws, origin, rows, n);
}

static void
test_open (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (rt_store_schema_version (f->store), ==, RT_STORE_SCHEMA_VERSION);
  g_assert_cmpint (count_rows (f, "PRAGMA user_version"), ==, RT_STORE_SCHEMA_VERSION);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (st, 0), ==, "wal");
  sqlite3_finalize (st);
  sqlite3_close (db);

  g_autoptr (GError) error = NULL;
  g_autoptr (RtStore) mem = rt_store_open (":memory:", &error);
  g_assert_no_error (error);
  g_assert_cmpint (rt_store_schema_version (mem), ==, RT_STORE_SCHEMA_VERSION);
}

static void
test_reopen_keeps_data (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) m = add_member (f, f->ws, "alice", (const char *const[]) { "xmpp:alice@a.test", NULL });
  g_clear_pointer (&f->store, rt_store_close);
  f->store = rt_store_open (f->path, &error);
  g_assert_no_error (error);
  g_autoptr (RtWorkspace) ws = rt_store_workspace_find (f->store, "rfp acme 2027", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ws->id, ==, f->ws);
  g_autoptr (RtMember) back = rt_store_member_find (f->store, f->ws, "alice", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->endpoints->len, ==, 1);
}

/* Turn the (closed) store at f->path back into an older schema version by
 * undoing what the later migrations added. */
static void
downgrade (Fixture *f, int version)
{
  static const char *const undo[] = {
    [1] = "DROP INDEX deliveries_outbox;",                    /* v2 -> v1 */
    [2] = "ALTER TABLE workspaces DROP COLUMN mailbox;"       /* v3 -> v2 */
          "ALTER TABLE workspaces DROP COLUMN immediate_mail;"
          "ALTER TABLE members DROP COLUMN immediate_mail;",
    [3] = "DROP TABLE meta; DROP TABLE mentions; DROP TABLE mail_out;"   /* v4 -> v3 */
          "DROP TABLE mail_in; DROP TABLE explained;"
          "ALTER TABLE members DROP COLUMN digest;"
          "ALTER TABLE members DROP COLUMN quiet;"
          "ALTER TABLE members DROP COLUMN last_digest_slot;"
          "ALTER TABLE members DROP COLUMN unsubscribed_us;"
          "ALTER TABLE members DROP COLUMN last_live_us;"
          "ALTER TABLE endpoints DROP COLUMN failing_us;"
          "ALTER TABLE endpoints DROP COLUMN failing_reason;"
          "ALTER TABLE messages DROP COLUMN thread_id;",
    [4] = "DROP INDEX deliveries_kept;"                       /* v5 -> v4 */
          "ALTER TABLE mentions DROP COLUMN attempts;",
    [5] = "DROP TABLE held_log; DROP TABLE held;"             /* v6 -> v5 */
          "DROP TABLE watch_hits; DROP TABLE watch_terms;"
          "ALTER TABLE links DROP COLUMN direction;"
          "ALTER TABLE links DROP COLUMN audience;"
          "ALTER TABLE members DROP COLUMN roles;"
          "ALTER TABLE messages DROP COLUMN kind;",
  };
  G_STATIC_ASSERT (G_N_ELEMENTS (undo) == RT_STORE_SCHEMA_VERSION);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  for (int v = RT_STORE_SCHEMA_VERSION - 1; v >= version; v--)
    g_assert_cmpint (sqlite3_exec (db, undo[v], NULL, NULL, NULL), ==, SQLITE_OK);
  g_autofree char *set = g_strdup_printf ("PRAGMA user_version = %d", version);
  g_assert_cmpint (sqlite3_exec (db, set, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* A version 1 store (before the outbox index) is upgraded in place, data
 * kept; the due query then reads the index in order instead of sorting. */
static void
test_upgrade_from_v1 (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_clear_pointer (&f->store, rt_store_close);
  downgrade (f, 1);
  sqlite3 *db = NULL;
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'deliveries_outbox'"), ==, 0);

  f->store = rt_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rt_store_schema_version (f->store), ==, RT_STORE_SCHEMA_VERSION);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'deliveries_outbox'"), ==, 1);
  g_autoptr (RtWorkspace) ws = rt_store_workspace_find (f->store, "RFP Acme 2027", &error);
  g_assert_no_error (error);

  /* EXPLAIN QUERY PLAN of the due query: no temporary sort. */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "EXPLAIN QUERY PLAN SELECT msg_id FROM deliveries "
                                       "INDEXED BY deliveries_outbox WHERE state = 0 AND next_at <= 5 "
                                       "ORDER BY msg_id, kind, target LIMIT 10", -1, &st, NULL), ==, SQLITE_OK);
  GString *plan = g_string_new (NULL);
  while (sqlite3_step (st) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", (const char *) sqlite3_column_text (st, 3));
  sqlite3_finalize (st);
  sqlite3_close (db);
  g_assert_nonnull (strstr (plan->str, "deliveries_outbox"));
  g_assert_null (strstr (plan->str, "TEMP B-TREE"));
  g_string_free (plan, TRUE);
}

/* A version 2 store (before mail settings) is upgraded in place: members,
 * endpoints and the outbox kept; every workspace without a mailbox and
 * immediate mail off, every member following the workspace. */
static void
test_upgrade_from_v2 (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) bob = add_member (f, f->ws, "bob", (const char *const[]) { "xmpp:bob@a.test", "mailto:bob@b.test", NULL });
  RtDeliveryRow rows[] = { { 'M', bob->id, RT_ROUTE_IM, 0 } };
  g_autoptr (RtMessage) msg = add_message (f, f->ws, "before", rows, 1);
  g_clear_pointer (&f->store, rt_store_close);
  downgrade (f, 2);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM pragma_table_info('workspaces') WHERE name = 'mailbox'"), ==, 0);
  g_assert_cmpint (count_rows (f, "PRAGMA user_version"), ==, 2);

  f->store = rt_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rt_store_schema_version (f->store), ==, RT_STORE_SCHEMA_VERSION);
  g_assert_cmpint (count_rows (f, "PRAGMA user_version"), ==, RT_STORE_SCHEMA_VERSION);
  g_autoptr (RtWorkspace) ws = rt_store_workspace_get (f->store, f->ws);
  g_assert_cmpstr (ws->name, ==, "RFP Acme 2027");
  g_assert_null (ws->mailbox);
  g_assert_false (ws->immediate_mail);
  g_autoptr (RtMember) back = rt_store_member_find (f->store, f->ws, "bob", &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->immediate_mail, ==, RT_IMMEDIATE_FOLLOW);
  g_assert_cmpuint (back->endpoints->len, ==, 2);
  g_assert_cmpstr (((RtEndpoint *) back->endpoints->pdata[1])->scheme, ==, "mailto");
  g_autoptr (GArray) due = rt_store_outbox_due (f->store, fake_now, 10);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpint (g_array_index (due, RtOutboxItem, 0).msg_id, ==, msg->id);

  /* The new settings work on the upgraded store, and survive a reopen. */
  g_assert_true (rt_store_workspace_set_mail (f->store, f->ws, "hub@a.test", TRUE, &error));
  g_assert_no_error (error);
  back->immediate_mail = RT_IMMEDIATE_NO;
  g_assert_true (rt_store_member_save (f->store, back, &error));
  g_clear_pointer (&f->store, rt_store_close);
  f->store = rt_store_open (f->path, &error);
  g_assert_no_error (error);
  g_autoptr (RtWorkspace) ws2 = rt_store_workspace_find (f->store, "rfp acme 2027", &error);
  g_assert_cmpstr (ws2->mailbox, ==, "hub@a.test");
  g_assert_true (ws2->immediate_mail);
  g_autoptr (RtMember) back2 = rt_store_member_get (f->store, bob->id);
  g_assert_cmpint (back2->immediate_mail, ==, RT_IMMEDIATE_NO);
}

/* A version 3 store (before digests and replies by email) is upgraded in
 * place: members keep their data and get the default schedule and quiet
 * hours; the new tables exist and are empty. */
static void
test_upgrade_from_v3 (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) bob = add_member (f, f->ws, "bob", (const char *const[]) { "mailto:bob@b.test", NULL });
  RtDeliveryRow rows[] = { { 'M', bob->id, RT_ROUTE_PENDING, -1 } };
  g_autoptr (RtMessage) msg = add_message (f, f->ws, "kept for the digest", rows, 1);
  g_clear_pointer (&f->store, rt_store_close);
  downgrade (f, 3);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'mentions'"), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM pragma_table_info('members') WHERE name = 'digest'"), ==, 0);

  f->store = rt_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rt_store_schema_version (f->store), ==, RT_STORE_SCHEMA_VERSION);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM members WHERE digest = 'daily 08:00' "
                                  "AND quiet = '22:00-07:00' AND last_digest_slot = 0"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                                  "('meta', 'mentions', 'mail_out', 'mail_in', 'explained')"), ==, 5);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM messages WHERE thread_id = 0"), ==, 1);
  g_autoptr (GPtrArray) pending = rt_store_pending (f->store, bob->id);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpint (((RtMessage *) pending->pdata[0])->id, ==, msg->id);
}

/* The query plan of sql (EXPLAIN QUERY PLAN, one detail per line), read
 * with a second connection. */
static char *
query_plan (Fixture *f, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, explain, -1, &st, NULL), ==, SQLITE_OK);
  GString *plan = g_string_new (NULL);
  while (sqlite3_step (st) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", (const char *) sqlite3_column_text (st, 3));
  sqlite3_finalize (st);
  sqlite3_close (db);
  return g_string_free (plan, FALSE);
}

/* A version 4 store (before the index of kept rows) is upgraded in place:
 * deliveries_kept holds the rows kept for digests, mentions get attempts;
 * the digest queries (as rt-store-digest.c and rt_store_pending write them)
 * search that index by member instead of scanning the kept rows. */
static void
test_upgrade_from_v4 (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) bob = add_member (f, f->ws, "bob", (const char *const[]) { "mailto:bob@b.test", NULL });
  g_autoptr (RtMember) al = add_member (f, f->ws, "al", (const char *const[]) { "xmpp:al@a.test", NULL });
  RtDeliveryRow rows[] = { { 'M', bob->id, RT_ROUTE_PENDING, -1, T0 + 60 }, { 'M', al->id, RT_ROUTE_IM, 0, 0 } };
  g_autoptr (RtMessage) m1 = add_message (f, f->ws, "one", rows, 2);
  fake_now = T0 + 10;
  g_autoptr (RtMessage) m2 = add_message (f, f->ws, "two", rows, 1);
  g_clear_pointer (&f->store, rt_store_close);
  downgrade (f, 4);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'deliveries_kept'"), ==, 0);
  g_assert_cmpint (count_rows (f, "PRAGMA user_version"), ==, 4);

  f->store = rt_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rt_store_schema_version (f->store), ==, RT_STORE_SCHEMA_VERSION);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'deliveries_kept' "
                                  "AND sql LIKE '%WHERE state = 1'"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM mentions WHERE attempts = 0"), ==, 2);
  /* The index holds the kept rows only (the IM row is not in it). */
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries INDEXED BY deliveries_kept "
                                  "WHERE state = 1 AND target > 0"), ==, 2);
  gint64 ids[] = { bob->id, al->id };
  g_autoptr (GArray) since = rt_store_pending_since (f->store, ids, 2);
  g_assert_cmpuint (since->len, ==, 1);
  g_assert_cmpint (g_array_index (since, RtPendingSince, 0).member_id, ==, bob->id);
  g_assert_cmpint (g_array_index (since, RtPendingSince, 0).since_us, ==, T0);
  g_autoptr (GArray) kept = rt_store_pending_rows (f->store, ids, 2);
  g_assert_cmpuint (kept->len, ==, 2);
  g_assert_cmpint (g_array_index (kept, RtPendingRow, 0).msg_id, ==, m1->id);
  g_assert_cmpint (g_array_index (kept, RtPendingRow, 1).msg_id, ==, m2->id);
  g_autoptr (GPtrArray) pending = rt_store_pending (f->store, bob->id);
  g_assert_cmpuint (pending->len, ==, 2);
  g_assert_cmpint (((RtMessage *) pending->pdata[0])->id, ==, m1->id);

  /* The plans: a search of deliveries_kept by member, never a scan. */
  static const char *const queries[] = {
    "SELECT MIN (next_at) FROM deliveries INDEXED BY deliveries_kept "
    "WHERE state = 1 AND kind = 'M' AND target = ?1",
    "SELECT msg_id FROM deliveries INDEXED BY deliveries_kept "
    "WHERE state = 1 AND kind = 'M' AND target = ?1",
    "SELECT m.id, m.text FROM messages m JOIN deliveries d INDEXED BY deliveries_kept ON d.msg_id = m.id "
    "WHERE d.kind = 'M' AND d.target = ?1 AND d.state = 1 ORDER BY d.msg_id",
  };
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *plan = query_plan (f, queries[i]);
      g_test_message ("plan %u: %s", i, plan);
      g_assert_nonnull (strstr (plan, "SEARCH"));
      g_assert_nonnull (strstr (plan, "deliveries_kept (target=?)"));
      g_assert_null (strstr (plan, "SCAN"));
    }
  /* Without INDEXED BY the planner picks it too (no surprise if the hint
   * were dropped). */
  g_autofree char *plain = query_plan (f, "SELECT MIN (next_at) FROM deliveries "
                                          "WHERE state = 1 AND kind = 'M' AND target = ?1");
  g_test_message ("plan without hint: %s", plain);
}

/* A version 5 store (before streams) is upgraded in place: links keep
 * working as before (both, internal), members have no roles, messages are
 * a person's; the watchlist and held tables exist, empty, and work. */
static void
test_upgrade_from_v5 (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) bob = add_member (f, f->ws, "bob", (const char *const[]) { "xmpp:bob@b.test", NULL });
  gint64 link = rt_store_link_add (f->store, f->ws, "prpl-jabber", "hub@a.test", "room@muc.a.test", &error);
  g_assert_no_error (error);
  RtDeliveryRow rows[] = { { 'L', link, RT_ROUTE_IM, -1 }, { 'M', bob->id, RT_ROUTE_IM, 0 } };
  g_autoptr (RtMessage) msg = add_message (f, f->ws, "before v6", rows, 2);
  g_clear_pointer (&f->store, rt_store_close);
  downgrade (f, 5);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'held'"), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM pragma_table_info('links') WHERE name = 'direction'"), ==, 0);
  g_assert_cmpint (count_rows (f, "PRAGMA user_version"), ==, 5);

  f->store = rt_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rt_store_schema_version (f->store), ==, RT_STORE_SCHEMA_VERSION);
  g_autoptr (GPtrArray) links = rt_store_links (f->store, f->ws);
  g_assert_cmpuint (links->len, ==, 1);
  const RtLink *l = links->pdata[0];
  g_assert_cmpint (l->direction, ==, RT_DIRECTION_BOTH);
  g_assert_cmpint (l->audience, ==, RT_AUDIENCE_INTERNAL);
  g_autoptr (RtMember) back = rt_store_member_get (f->store, bob->id);
  g_assert_cmpint (back->roles, ==, RT_ROLE_NONE);
  g_autoptr (RtMessage) m = rt_store_message_get (f->store, msg->id);
  g_assert_cmpint (m->kind, ==, RT_MESSAGE_PERSON);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                                  "('watch_terms', 'watch_hits', 'held', 'held_log')"), ==, 4);
  /* The rows to send are still due, in order. */
  g_autoptr (GArray) due = rt_store_outbox_due (f->store, T0 + 1, 10);
  g_assert_cmpuint (due->len, ==, 2);

  /* The new columns take values and keep them. */
  g_assert_true (rt_store_link_set_mode (f->store, link, RT_DIRECTION_OUT, RT_AUDIENCE_PUBLIC, &error));
  g_assert_no_error (error);
  back->roles = RT_ROLE_SPOKESPERSON;
  g_assert_true (rt_store_member_save (f->store, back, &error));
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM links WHERE direction = 'out' AND audience = 'public'"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT roles FROM members WHERE handle = 'bob'"), ==, RT_ROLE_SPOKESPERSON);
  /* The CHECKs hold what the parsers would refuse. */
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE links SET direction = 'sideways'", NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE links SET audience = 'everyone'", NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  sqlite3_close (db);
}

/* Mails in flight (rows the mail plugin accepted, waiting for its outcome):
 * sent, failed (to send again with an attempt counted, or kept for the
 * digest when given up), and after a restart sent again. */
static void
test_mail_in_flight (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) bob = add_member (f, f->ws, "bob", (const char *const[]) { "mailto:bob@b.test", NULL });
  RtDeliveryRow rows[] = { { 'M', bob->id, RT_ROUTE_MAIL, 0, 0 } };
  g_autoptr (RtMessage) m1 = add_message (f, f->ws, "one", rows, 1);
  g_autoptr (RtMessage) m2 = add_message (f, f->ws, "two", rows, 1);
  g_autoptr (RtMessage) m3 = add_message (f, f->ws, "three", rows, 1);
  const char *ids[] = { "<rt-mail-1-1@a.test>", "<rt-mail-2-1@a.test>", "<rt-mail-3-1@a.test>" };
  const RtMessage *msgs[] = { m1, m2, m3 };
  for (guint i = 0; i < 3; i++)
    g_assert_true (rt_store_outbox_mail_queued (f->store, msgs[i]->id, bob->id, ids[i], f->ws, &error));
  g_assert_no_error (error);
  /* In flight: not due, recorded in mail_out as immediate mails. */
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries WHERE state = 5"), ==, 3);
  g_autoptr (GArray) due = rt_store_outbox_due (f->store, T0 + G_GINT64_CONSTANT (3600000000), 10);
  g_assert_cmpuint (due->len, ==, 0);
  g_assert_cmpint (rt_store_outbox_next_due (f->store), ==, -1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM mail_out WHERE kind = 'immediate' AND msg_id > 0"), ==, 3);

  /* Sent. */
  g_assert_true (rt_store_outbox_sent (f->store, m1->id, 'M', bob->id, &error));
  /* Failed: to send again later, one attempt counted. */
  g_assert_true (rt_store_outbox_retry (f->store, m2->id, 'M', bob->id, T0 + 4, FALSE, "disconnected", &error));
  g_assert_no_error (error);
  g_autoptr (GArray) again = rt_store_outbox_due (f->store, T0 + 4, 10);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_cmpint (g_array_index (again, RtOutboxItem, 0).msg_id, ==, m2->id);
  g_assert_cmpint (g_array_index (again, RtOutboxItem, 0).attempts, ==, 1);
  g_assert_cmpint (g_array_index (again, RtOutboxItem, 0).route, ==, RT_ROUTE_MAIL);
  /* The hub stops with m3 in flight: at start it is to send again, now. */
  fake_now = T0 + 50;
  guint n = 0;
  g_assert_true (rt_store_in_flight_reset (f->store, fake_now, &n, &error));
  g_assert_cmpuint (n, ==, 1);
  g_autoptr (GArray) restarted = rt_store_outbox_due (f->store, fake_now, 10);
  g_assert_cmpuint (restarted->len, ==, 2);
  g_assert_cmpint (g_array_index (restarted, RtOutboxItem, 1).msg_id, ==, m3->id);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries WHERE state = 2"), ==, 1);
  /* Failed for good: kept for the digest, since now. */
  g_assert_true (rt_store_outbox_mail_queued (f->store, m3->id, bob->id, ids[2], f->ws, &error));
  g_assert_true (rt_store_outbox_retry (f->store, m3->id, 'M', bob->id, fake_now, TRUE, "550", &error));
  g_autoptr (GPtrArray) pending = rt_store_pending (f->store, bob->id);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpint (((RtMessage *) pending->pdata[0])->id, ==, m3->id);
  /* Removing the member drops what is in flight too. */
  g_assert_true (rt_store_outbox_mail_queued (f->store, m2->id, bob->id, ids[1], f->ws, &error));
  g_assert_true (rt_store_member_remove (f->store, f->ws, "bob", &error));
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries WHERE state IN (0, 1, 5, 6)"), ==, 0);
}

/* The hub's mailbox and immediate mail per workspace; immediate mail per
 * member, three states. */
static void
test_mail_settings (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 other = rt_store_workspace_create (f->store, "Other", &error);
  g_assert_true (rt_store_workspace_set_mail (f->store, f->ws, "hub@a.test", FALSE, &error));
  g_assert_no_error (error);
  g_autoptr (RtWorkspace) ws = rt_store_workspace_get (f->store, f->ws);
  g_assert_cmpstr (ws->mailbox, ==, "hub@a.test");
  g_assert_false (ws->immediate_mail);
  g_autoptr (RtWorkspace) untouched = rt_store_workspace_get (f->store, other);
  g_assert_null (untouched->mailbox);

  g_assert_true (rt_store_workspace_set_mail (f->store, f->ws, "", TRUE, &error));   /* "" clears */
  g_autoptr (GPtrArray) all = rt_store_workspaces (f->store);
  const RtWorkspace *listed = g_ptr_array_index (all, 1);
  g_assert_cmpint (listed->id, ==, f->ws);
  g_assert_null (listed->mailbox);
  g_assert_true (listed->immediate_mail);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM workspaces WHERE mailbox IS NULL"), ==, 2);

  g_assert_false (rt_store_workspace_set_mail (f->store, 4242, "hub@a.test", TRUE, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  const RtImmediate states[] = { RT_IMMEDIATE_YES, RT_IMMEDIATE_NO, RT_IMMEDIATE_FOLLOW };
  g_autoptr (RtMember) m = add_member (f, f->ws, "bob", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      m->immediate_mail = states[i];
      g_assert_true (rt_store_member_save (f->store, m, &error));
      g_autoptr (RtMember) back = rt_store_member_get (f->store, m->id);
      g_assert_cmpint (back->immediate_mail, ==, states[i]);
      const RtMember *cached = g_ptr_array_index (rt_store_members (f->store, f->ws), 0);
      g_assert_cmpint (cached->immediate_mail, ==, states[i]);
    }
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM members WHERE immediate_mail IS NULL"), ==, 1);
}

/* Mail rows are sent now like IMs, keep their route, and fall back to the
 * digest when given up. */
static void
test_outbox_mail_rows (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) b = add_member (f, f->ws, "bob", (const char *const[]) { "xmpp:bob@a.test", "mailto:bob@b.test", NULL });
  g_autoptr (RtMember) c = add_member (f, f->ws, "carol", (const char *const[]) { "mailto:carol@b.test", NULL });
  RtDeliveryRow rows[] = { { 'M', b->id, RT_ROUTE_MAIL, 1 }, { 'M', c->id, RT_ROUTE_MAIL, 0 } };
  g_autoptr (RtMessage) m1 = add_message (f, f->ws, "one", rows, 2);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries WHERE route = 'mail' AND state = 0"), ==, 2);

  g_autoptr (GArray) due = rt_store_outbox_due (f->store, fake_now, 10);
  g_assert_cmpuint (due->len, ==, 2);
  RtOutboxItem *it = (RtOutboxItem *) due->data;
  g_assert_cmpint (it[0].route, ==, RT_ROUTE_MAIL);
  g_assert_cmpint (it[0].target, ==, b->id);
  g_assert_cmpint (it[0].endpoint, ==, 1);
  g_assert_cmpint (it[1].route, ==, RT_ROUTE_MAIL);
  g_assert_cmpint (it[1].endpoint, ==, 0);

  g_assert_true (rt_store_outbox_sent (f->store, m1->id, 'M', b->id, &error));
  g_assert_no_error (error);
  /* Mail counts as the last reach for replies from a shared address. */
  g_autoptr (GPtrArray) by_ep = rt_store_members_by_endpoint (f->store, "mailto", "BOB@b.test");
  g_assert_cmpuint (by_ep->len, ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM members WHERE last_im > 0"), ==, 1);

  g_assert_true (rt_store_outbox_retry (f->store, m1->id, 'M', c->id, 0, TRUE, "refused", &error));
  g_autoptr (GPtrArray) pending = rt_store_pending (f->store, c->id);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries WHERE route = 'pending'"), ==, 1);
  g_assert_cmpint (rt_store_outbox_count_due (f->store), ==, 0);
}

static void
test_newer_schema_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_clear_pointer (&f->store, rt_store_close);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  RtStore *store = rt_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, RT_ERROR, RT_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "99"));
}

static void
test_not_a_database (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *junk = g_build_filename (f->dir, "junk.db", NULL);
  g_assert_true (g_file_set_contents (junk, "this is not sqlite, not at all, no no no no no no", -1, NULL));
  RtStore *store = rt_store_open (junk, &error);
  g_assert_null (store);
  g_assert_error (error, RT_ERROR, RT_ERROR_STORE);
  g_remove (junk);
}

static void
test_workspaces (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (rt_store_workspace_create (f->store, "rfp ACME 2027", &error), ==, 0);
  g_assert_error (error, RT_ERROR, RT_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_cmpint (rt_store_workspace_create (f->store, "   ", &error), ==, 0);
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
  g_clear_error (&error);

  gint64 b = rt_store_workspace_create (f->store, " Beta ", &error);
  g_assert_no_error (error);
  gint64 a = rt_store_workspace_create (f->store, "alpha", &error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) all = rt_store_workspaces (f->store);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpstr (((RtWorkspace *) all->pdata[0])->name, ==, "alpha");
  g_assert_cmpstr (((RtWorkspace *) all->pdata[1])->name, ==, "Beta");
  g_assert_cmpint (((RtWorkspace *) all->pdata[1])->id, ==, b);

  g_autoptr (RtWorkspace) got = rt_store_workspace_get (f->store, a);
  g_assert_cmpstr (got->name, ==, "alpha");
  g_assert_null (rt_store_workspace_get (f->store, 9999));
  g_autoptr (RtWorkspace) none = rt_store_workspace_find (f->store, "gamma", &error);
  g_assert_null (none);
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "gamma"));
  g_clear_error (&error);

  g_assert_true (rt_store_workspace_delete (f->store, a, &error));
  g_assert_no_error (error);
  g_assert_false (rt_store_workspace_delete (f->store, a, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_autoptr (GPtrArray) left = rt_store_workspaces (f->store);
  g_assert_cmpuint (left->len, ==, 2);
}

static void
test_members (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) bob = add_member (f, f->ws, "bob", NULL);
  g_autoptr (RtMember) alice = rt_member_new ("alice");
  alice->ws_id = f->ws;
  alice->name = g_strdup ("Alice Dubois");
  alice->site = g_strdup ("Brussels");
  alice->country = g_strdup ("BE");
  g_free (alice->tz);
  alice->tz = g_strdup ("Europe/Brussels");
  g_free (alice->lang);
  alice->lang = g_strdup ("fr");
  alice->hours = (RtHours) { 510, 1050, 0x0f };
  alice->offhours_im = TRUE;
  g_ptr_array_add (alice->endpoints, rt_endpoint_new ("xmpp", "alice@a.test", "hub@a.test/rt"));
  g_ptr_array_add (alice->endpoints, rt_endpoint_new ("irc", "alice", NULL));
  g_assert_true (rt_store_member_save (f->store, alice, &error));
  g_assert_no_error (error);
  g_assert_cmpint (alice->id, >, bob->id);
  g_assert_cmpint (((RtEndpoint *) alice->endpoints->pdata[0])->id, >, 0);

  g_autoptr (RtMember) got = rt_store_member_find (f->store, f->ws, "ALICE", &error);
  g_assert_no_error (error);
  g_assert_cmpint (got->id, ==, alice->id);
  g_assert_cmpstr (got->name, ==, "Alice Dubois");
  g_assert_cmpstr (got->site, ==, "Brussels");
  g_assert_cmpstr (got->country, ==, "BE");
  g_assert_cmpstr (got->tz, ==, "Europe/Brussels");
  g_assert_cmpstr (got->lang, ==, "fr");
  g_assert_cmpuint (got->hours.start_min, ==, 510);
  g_assert_cmpuint (got->hours.end_min, ==, 1050);
  g_assert_cmphex (got->hours.days, ==, 0x0f);
  g_assert_true (got->offhours_im);
  g_assert_cmpuint (got->endpoints->len, ==, 2);
  RtEndpoint *e0 = got->endpoints->pdata[0], *e1 = got->endpoints->pdata[1];
  g_assert_cmpstr (e0->scheme, ==, "xmpp");
  g_assert_cmpstr (e0->account, ==, "hub@a.test/rt");
  g_assert_cmpstr (e1->address, ==, "alice");
  g_assert_null (e1->account);

  /* Update: endpoints replaced, order kept. */
  g_ptr_array_remove_index (alice->endpoints, 0);
  g_ptr_array_add (alice->endpoints, rt_endpoint_new ("prpl-sipe", "alice@corp.test", NULL));
  g_clear_pointer (&alice->site, g_free);
  gint64 id = alice->id;
  g_assert_true (rt_store_member_save (f->store, alice, &error));
  g_assert_no_error (error);
  g_assert_cmpint (alice->id, ==, id);
  g_autoptr (RtMember) again = rt_store_member_get (f->store, id);
  g_assert_null (again->site);
  g_assert_cmpuint (again->endpoints->len, ==, 2);
  g_assert_cmpstr (((RtEndpoint *) again->endpoints->pdata[0])->scheme, ==, "irc");
  g_assert_cmpstr (((RtEndpoint *) again->endpoints->pdata[1])->scheme, ==, "prpl-sipe");

  /* Errors. */
  g_autoptr (RtMember) dup = rt_member_new ("Bob");
  dup->ws_id = f->ws;
  g_assert_false (rt_store_member_save (f->store, dup, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_EXISTS);
  g_assert_cmpint (dup->id, ==, 0);
  g_clear_error (&error);
  dup->ws_id = 4242;
  g_assert_false (rt_store_member_save (f->store, dup, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  dup->ws_id = f->ws;
  dup->id = 4242;
  g_assert_false (rt_store_member_save (f->store, dup, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_autoptr (RtMember) nameless = rt_member_new ("");
  nameless->ws_id = f->ws;
  g_assert_false (rt_store_member_save (f->store, nameless, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (rt_store_member_find (f->store, f->ws, "carol", &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "carol"));
  g_assert_null (rt_store_member_get (f->store, 4242));
  /* A failed save left nothing behind. */
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM members"), ==, 2);
}

static void
test_members_cache (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) c = add_member (f, f->ws, "carol", (const char *const[]) { "irc:carol", NULL });
  g_autoptr (RtMember) a = add_member (f, f->ws, "alice",
                                       (const char *const[]) { "xmpp:alice@a.test", "irc:alice", NULL });
  gint64 other = rt_store_workspace_create (f->store, "Other", &error);
  g_autoptr (RtMember) z = add_member (f, other, "zed", NULL);

  GPtrArray *list = rt_store_members (f->store, f->ws);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((RtMember *) list->pdata[0])->handle, ==, "alice");
  g_assert_cmpuint (((RtMember *) list->pdata[0])->endpoints->len, ==, 2);
  g_assert_cmpstr (((RtEndpoint *) ((RtMember *) list->pdata[0])->endpoints->pdata[1])->scheme, ==, "irc");
  g_assert_cmpuint (((RtMember *) list->pdata[1])->endpoints->len, ==, 1);
  g_assert_true (rt_store_members (f->store, f->ws) == list);   /* cached */
  g_assert_cmpuint (rt_store_members (f->store, other)->len, ==, 1);
  g_assert_cmpuint (rt_store_members (f->store, 4242)->len, ==, 0);

  /* A write to members of any workspace refreshes the cache. */
  g_free (z->name);
  z->name = g_strdup ("Zed");
  g_assert_true (rt_store_member_save (f->store, z, &error));
  g_autoptr (RtMember) b = add_member (f, f->ws, "bob", NULL);
  list = rt_store_members (f->store, f->ws);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (((RtMember *) list->pdata[1])->handle, ==, "bob");
  g_assert_true (rt_store_member_remove (f->store, f->ws, "carol", &error));
  g_assert_no_error (error);
  list = rt_store_members (f->store, f->ws);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((RtMember *) list->pdata[1])->handle, ==, "bob");
  g_assert_false (rt_store_member_remove (f->store, f->ws, "carol", &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM endpoints"), ==, 2);
}

static void
test_links (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 l1 = rt_store_link_add (f->store, f->ws, "prpl-jabber", "hub@a.test/rt", "rfp@conf.a.test", &error);
  g_assert_no_error (error);
  gint64 l2 = rt_store_link_add (f->store, f->ws, "prpl-irc", "hub@irc.test", "#rfp", &error);
  g_assert_no_error (error);
  gint64 other = rt_store_workspace_create (f->store, "Other", &error);
  gint64 l3 = rt_store_link_add (f->store, other, "prpl-jabber", "hub@a.test/rt", "other@conf.a.test", &error);
  g_assert_no_error (error);
  g_assert_cmpint (l1, >, 0);
  g_assert_cmpint (l2, >, l1);

  g_assert_cmpint (rt_store_link_add (f->store, other, "prpl-jabber", "hub@a.test/rt", "RFP@conf.a.test", &error), ==, 0);
  g_assert_error (error, RT_ERROR, RT_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_cmpint (rt_store_link_add (f->store, 4242, "prpl-irc", "x", "#y", &error), ==, 0);
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (rt_store_link_add (f->store, f->ws, "prpl-irc", "x", "", &error), ==, 0);
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
  g_clear_error (&error);

  g_autoptr (RtLink) found = rt_store_link_find (f->store, "prpl-jabber", "hub@a.test/rt", "rfp@conf.a.test");
  g_assert_nonnull (found);
  g_assert_cmpint (found->id, ==, l1);
  g_assert_cmpint (found->ws_id, ==, f->ws);
  g_assert_cmpstr (found->room, ==, "rfp@conf.a.test");
  g_assert_null (rt_store_link_find (f->store, "prpl-irc", "hub@a.test/rt", "rfp@conf.a.test"));
  g_autoptr (GPtrArray) mine = rt_store_links (f->store, f->ws);
  g_assert_cmpuint (mine->len, ==, 2);
  g_autoptr (GPtrArray) all = rt_store_links (f->store, 0);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpint (((RtLink *) all->pdata[2])->id, ==, l3);

  /* Removing a link drops the lines not yet bridged into it. */
  RtDeliveryRow rows[] = { { 'L', l1, RT_ROUTE_IM, -1 }, { 'L', l2, RT_ROUTE_IM, -1 } };
  g_autoptr (RtMessage) msg = add_message (f, f->ws, NULL, rows, 2);
  g_assert_true (rt_store_link_remove (f->store, l1, &error));
  g_assert_no_error (error);
  g_assert_false (rt_store_link_remove (f->store, l1, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_autoptr (GArray) due = rt_store_outbox_due (f->store, T0, 10);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpint (g_array_index (due, RtOutboxItem, 0).target, ==, l2);
}

static void
test_messages (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMessage) msg = rt_message_new ();
  msg->ws_id = f->ws;
  msg->origin = g_strdup ("xmpp:rfp@conf.a.test/alice#1");
  msg->author_member = 7;
  msg->author_label = g_strdup ("Alice (Brussels)");
  msg->text = g_strdup ("Bonjour <tout> le monde\nligne 2");
  msg->source_link = 3;
  g_assert_true (rt_store_message_add (f->store, msg, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (msg->id, >, 0);
  g_assert_cmpint (msg->created_us, ==, T0);   /* set from the clock */

  g_autoptr (RtMessage) got = rt_store_message_get (f->store, msg->id);
  g_assert_cmpint (got->ws_id, ==, f->ws);
  g_assert_cmpstr (got->origin, ==, msg->origin);
  g_assert_cmpint (got->author_member, ==, 7);
  g_assert_cmpstr (got->author_label, ==, "Alice (Brussels)");
  g_assert_cmpstr (got->text, ==, msg->text);
  g_assert_cmpint (got->created_us, ==, T0);
  g_assert_cmpint (got->source_link, ==, 3);
  g_assert_null (rt_store_message_get (f->store, 4242));

  /* Same origin in the same workspace: a duplicate, not an error. */
  g_autoptr (RtMessage) dup = rt_message_new ();
  dup->ws_id = f->ws;
  dup->origin = g_strdup (msg->origin);
  dup->text = g_strdup ("again");
  dup->created_us = 5;
  RtDeliveryRow row = { 'M', 1, RT_ROUTE_PENDING, -1 };
  g_assert_false (rt_store_message_add (f->store, dup, &row, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dup->id, ==, 0);
  g_assert_cmpint (rt_store_message_count (f->store, f->ws), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries"), ==, 0);

  /* NULL origins never collide; the same origin elsewhere is fine. */
  g_autoptr (RtMessage) n1 = add_message (f, f->ws, NULL, NULL, 0);
  g_autoptr (RtMessage) n2 = add_message (f, f->ws, NULL, NULL, 0);
  gint64 other = rt_store_workspace_create (f->store, "Other", &error);
  g_autoptr (RtMessage) o = add_message (f, other, msg->origin, NULL, 0);
  g_assert_cmpint (rt_store_message_count (f->store, f->ws), ==, 3);
  g_assert_cmpint (rt_store_message_count (f->store, other), ==, 1);
  g_assert_cmpint (rt_store_message_count (f->store, 0), ==, 4);

  /* Unknown workspace. */
  dup->ws_id = 4242;
  g_free (dup->origin);
  dup->origin = NULL;
  g_assert_false (rt_store_message_add (f->store, dup, NULL, 0, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Any failure rolls the whole message back. */
  RtDeliveryRow twice[] = { { 'M', 9, RT_ROUTE_IM, 0 }, { 'M', 9, RT_ROUTE_PENDING, -1 } };
  dup->ws_id = f->ws;
  g_assert_false (rt_store_message_add (f->store, dup, twice, 2, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_STORE);
  g_assert_cmpint (dup->id, ==, 0);
  g_assert_cmpint (rt_store_message_count (f->store, 0), ==, 4);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries"), ==, 0);
  /* ...and the store still works afterwards. */
  g_clear_error (&error);
  g_assert_true (rt_store_message_add (f->store, dup, twice, 1, &error));
  g_assert_no_error (error);
}

static void
test_outbox (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) a = add_member (f, f->ws, "alice", (const char *const[]) { "xmpp:alice@a.test", NULL });
  g_autoptr (RtMember) b = add_member (f, f->ws, "bob", (const char *const[]) { "irc:bob", "xmpp:bob@a.test", NULL });
  gint64 link = rt_store_link_add (f->store, f->ws, "prpl-irc", "hub", "#rfp", &error);

  g_assert_cmpint (rt_store_outbox_next_due (f->store), ==, -1);
  RtDeliveryRow rows1[] = {
    { 'M', b->id, RT_ROUTE_IM, 1 }, { 'M', a->id, RT_ROUTE_PENDING, -1 }, { 'L', link, RT_ROUTE_IM, -1 },
  };
  g_autoptr (RtMessage) m1 = add_message (f, f->ws, "one", rows1, 3);
  fake_now += 1000;
  RtDeliveryRow rows2[] = { { 'M', a->id, RT_ROUTE_IM, 0 }, { 'M', b->id, RT_ROUTE_NONE, -1 } };
  g_autoptr (RtMessage) m2 = add_message (f, f->ws, "two", rows2, 2);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries"), ==, 4);   /* NONE not stored */

  g_autoptr (GArray) due = rt_store_outbox_due (f->store, fake_now, 10);
  g_assert_cmpuint (due->len, ==, 3);
  RtOutboxItem *it = (RtOutboxItem *) due->data;
  g_assert_cmpint (it[0].msg_id, ==, m1->id);
  g_assert_cmpint (it[0].kind, ==, 'L');
  g_assert_cmpint (it[0].endpoint, ==, -1);
  g_assert_cmpint (it[1].kind, ==, 'M');
  g_assert_cmpint (it[1].target, ==, b->id);
  g_assert_cmpint (it[1].endpoint, ==, 1);
  g_assert_cmpint (it[1].route, ==, RT_ROUTE_IM);
  g_assert_cmpint (it[1].attempts, ==, 0);
  g_assert_cmpint (it[1].next_at_us, ==, T0);
  g_assert_cmpint (it[2].msg_id, ==, m2->id);
  g_autoptr (GArray) one = rt_store_outbox_due (f->store, fake_now, 1);
  g_assert_cmpuint (one->len, ==, 1);
  g_autoptr (GArray) early = rt_store_outbox_due (f->store, T0 - 1, 10);
  g_assert_cmpuint (early->len, ==, 0);
  g_assert_cmpint (rt_store_outbox_next_due (f->store), ==, T0);
  g_assert_cmpint (rt_store_outbox_count_due (f->store), ==, 3);

  /* Sent: gone from the due list. */
  g_assert_true (rt_store_outbox_sent (f->store, m1->id, 'L', link, &error));
  g_assert_no_error (error);
  g_assert_true (rt_store_outbox_sent (f->store, m1->id, 'L', link, &error));   /* idempotent */
  g_assert_cmpint (rt_store_outbox_count_due (f->store), ==, 2);
  g_assert_false (rt_store_outbox_sent (f->store, m1->id, 'L', 4242, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Retry later: not due until then, attempts counted, error kept. */
  g_assert_true (rt_store_outbox_retry (f->store, m1->id, 'M', b->id, fake_now + 60 * G_USEC_PER_SEC,
                                        FALSE, "not connected", &error));
  g_assert_no_error (error);
  g_autoptr (GArray) due2 = rt_store_outbox_due (f->store, fake_now, 10);
  g_assert_cmpuint (due2->len, ==, 1);
  g_assert_cmpint (g_array_index (due2, RtOutboxItem, 0).msg_id, ==, m2->id);
  g_assert_cmpint (rt_store_outbox_next_due (f->store), ==, T0 + 1000);
  g_autoptr (GArray) later = rt_store_outbox_due (f->store, fake_now + 60 * G_USEC_PER_SEC, 10);
  g_assert_cmpuint (later->len, ==, 2);
  g_assert_cmpint (g_array_index (later, RtOutboxItem, 0).attempts, ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries WHERE error = 'not connected'"), ==, 1);

  /* Give up on a member: falls back to the digest, oldest first. */
  g_assert_true (rt_store_outbox_retry (f->store, m1->id, 'M', b->id, 0, TRUE, "gone", &error));
  g_assert_no_error (error);
  g_autoptr (GPtrArray) pending_b = rt_store_pending (f->store, b->id);
  g_assert_cmpuint (pending_b->len, ==, 1);
  g_assert_cmpstr (((RtMessage *) pending_b->pdata[0])->origin, ==, "one");
  g_autoptr (GPtrArray) pending_a = rt_store_pending (f->store, a->id);
  g_assert_cmpuint (pending_a->len, ==, 1);
  g_assert_cmpstr (((RtMessage *) pending_a->pdata[0])->text, ==, "hello");
  g_assert_cmpint (rt_store_outbox_count_due (f->store), ==, 1);
  /* A retry of a row that is no longer to send changes nothing. */
  g_assert_true (rt_store_outbox_retry (f->store, m1->id, 'M', b->id, 0, FALSE, NULL, &error));
  g_assert_cmpint (rt_store_outbox_count_due (f->store), ==, 1);

  /* Give up on a link: failed, neither due nor pending. */
  g_autoptr (RtMessage) m3 = add_message (f, f->ws, "three", (RtDeliveryRow[]) { { 'L', link, RT_ROUTE_IM, -1 } }, 1);
  g_assert_cmpint (rt_store_outbox_count_due (f->store), ==, 2);
  g_assert_true (rt_store_outbox_retry (f->store, m3->id, 'L', link, 0, TRUE, "kicked", &error));
  g_assert_cmpint (rt_store_outbox_count_due (f->store), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries WHERE state = 3"), ==, 1);

  /* A digest row marked sent leaves the pending list. */
  g_assert_true (rt_store_outbox_sent (f->store, m1->id, 'M', a->id, &error));
  g_autoptr (GPtrArray) pending_a2 = rt_store_pending (f->store, a->id);
  g_assert_cmpuint (pending_a2->len, ==, 0);

  /* Digest rows come oldest first. */
  fake_now += 1000;
  g_autoptr (RtMessage) m4 = add_message (f, f->ws, "four", (RtDeliveryRow[]) { { 'M', b->id, RT_ROUTE_PENDING, -1 } }, 1);
  g_autoptr (GPtrArray) pending_b2 = rt_store_pending (f->store, b->id);
  g_assert_cmpuint (pending_b2->len, ==, 2);
  g_assert_cmpstr (((RtMessage *) pending_b2->pdata[0])->origin, ==, "one");
  g_assert_cmpstr (((RtMessage *) pending_b2->pdata[1])->origin, ==, "four");
  g_assert_cmpint (((RtMessage *) pending_b2->pdata[1])->created_us, ==, fake_now);
}

/* Members who share an address: the one who got the last IM first. */
/* defer moves a row without counting an attempt; reschedule_all makes every
 * waiting row due again so a restart resumes in message order. */
static void
test_outbox_defer_and_reschedule (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) a = add_member (f, f->ws, "alice", (const char *const[]) { "xmpp:alice@a.test", NULL });
  RtDeliveryRow rows[] = { { 'M', a->id, RT_ROUTE_IM, 0 } };
  g_autoptr (RtMessage) m1 = add_message (f, f->ws, "one", rows, 1);
  g_autoptr (RtMessage) m2 = add_message (f, f->ws, "two", rows, 1);
  gint64 later = fake_now + 10 * G_USEC_PER_SEC;

  g_assert_true (rt_store_outbox_defer (f->store, m1->id, 'M', a->id, later, &error));
  g_assert_no_error (error);
  g_autoptr (GArray) due = rt_store_outbox_due (f->store, fake_now, 10);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpint (g_array_index (due, RtOutboxItem, 0).msg_id, ==, m2->id);
  g_autoptr (GArray) at_later = rt_store_outbox_due (f->store, later, 10);
  g_assert_cmpuint (at_later->len, ==, 2);
  g_assert_cmpint (g_array_index (at_later, RtOutboxItem, 0).msg_id, ==, m1->id);
  g_assert_cmpint (g_array_index (at_later, RtOutboxItem, 0).attempts, ==, 0);

  /* A sent row is never moved back into the outbox. */
  g_assert_true (rt_store_outbox_sent (f->store, m2->id, 'M', a->id, &error));
  g_assert_true (rt_store_outbox_defer (f->store, m2->id, 'M', a->id, later, &error));
  g_assert_true (rt_store_outbox_reschedule_all (f->store, fake_now, &error));
  g_assert_no_error (error);
  g_autoptr (GArray) now_due = rt_store_outbox_due (f->store, fake_now, 10);
  g_assert_cmpuint (now_due->len, ==, 1);
  g_assert_cmpint (g_array_index (now_due, RtOutboxItem, 0).msg_id, ==, m1->id);
  g_assert_cmpint (g_array_index (now_due, RtOutboxItem, 0).next_at_us, ==, fake_now);
}

static void
test_members_by_endpoint (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 other = rt_store_workspace_create (f->store, "Other", &error);
  g_autoptr (RtMember) a = add_member (f, f->ws, "alice", (const char *const[]) { "xmpp:alice@a.test", NULL });
  g_autoptr (RtMember) a2 = add_member (f, other, "alice", (const char *const[]) { "irc:alice", "xmpp:Alice@A.test", NULL });
  g_autoptr (RtMember) b = add_member (f, f->ws, "bob", (const char *const[]) { "xmpp:bob@a.test", NULL });

  g_autoptr (GPtrArray) none = rt_store_members_by_endpoint (f->store, "xmpp", "carol@a.test");
  g_assert_cmpuint (none->len, ==, 0);
  g_autoptr (GPtrArray) wrong_scheme = rt_store_members_by_endpoint (f->store, "irc", "alice@a.test");
  g_assert_cmpuint (wrong_scheme->len, ==, 0);
  g_autoptr (GPtrArray) both = rt_store_members_by_endpoint (f->store, "xmpp", "ALICE@a.test");
  g_assert_cmpuint (both->len, ==, 2);
  g_assert_cmpint (((RtMember *) both->pdata[0])->id, ==, a->id);   /* no IM yet: by id */
  g_assert_cmpuint (((RtMember *) both->pdata[1])->endpoints->len, ==, 2);

  /* All at the same clock instant: the order of sending still counts. */
  RtDeliveryRow r2[] = { { 'M', a2->id, RT_ROUTE_IM, 1 } };
  RtDeliveryRow r1[] = { { 'M', a->id, RT_ROUTE_IM, 0 } };
  g_autoptr (RtMessage) m1 = add_message (f, f->ws, NULL, r1, 1);
  g_autoptr (RtMessage) m2 = add_message (f, other, NULL, r2, 1);
  g_autoptr (RtMessage) m3 = add_message (f, f->ws, NULL, r1, 1);
  g_assert_true (rt_store_outbox_sent (f->store, m1->id, 'M', a->id, &error));
  g_assert_true (rt_store_outbox_sent (f->store, m2->id, 'M', a2->id, &error));
  g_autoptr (GPtrArray) first = rt_store_members_by_endpoint (f->store, "xmpp", "alice@a.test");
  g_assert_cmpint (((RtMember *) first->pdata[0])->id, ==, a2->id);
  g_assert_true (rt_store_outbox_sent (f->store, m3->id, 'M', a->id, &error));
  g_autoptr (GPtrArray) second = rt_store_members_by_endpoint (f->store, "xmpp", "alice@a.test");
  g_assert_cmpint (((RtMember *) second->pdata[0])->id, ==, a->id);
  g_assert_cmpint (((RtMember *) second->pdata[1])->id, ==, a2->id);
  /* A digest row marked sent does not count as an IM. */
  RtDeliveryRow r4[] = { { 'M', a2->id, RT_ROUTE_PENDING, -1 } };
  g_autoptr (RtMessage) m4 = add_message (f, other, NULL, r4, 1);
  g_assert_true (rt_store_outbox_sent (f->store, m4->id, 'M', a2->id, &error));
  g_assert_no_error (error);
  g_autoptr (GPtrArray) third = rt_store_members_by_endpoint (f->store, "xmpp", "alice@a.test");
  g_assert_cmpint (((RtMember *) third->pdata[0])->id, ==, a->id);
  (void) b;
}

static void
test_member_remove_drops_deliveries (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) a = add_member (f, f->ws, "alice", NULL);
  g_autoptr (RtMember) b = add_member (f, f->ws, "bob", NULL);
  RtDeliveryRow rows1[] = { { 'M', a->id, RT_ROUTE_IM, 0 }, { 'M', b->id, RT_ROUTE_IM, 0 } };
  RtDeliveryRow rows2[] = { { 'M', a->id, RT_ROUTE_PENDING, -1 } };
  RtDeliveryRow rows3[] = { { 'M', a->id, RT_ROUTE_IM, 0 } };
  g_autoptr (RtMessage) m1 = add_message (f, f->ws, NULL, rows1, 2);
  g_autoptr (RtMessage) m2 = add_message (f, f->ws, NULL, rows2, 1);
  g_autoptr (RtMessage) m3 = add_message (f, f->ws, NULL, rows3, 1);
  g_assert_true (rt_store_outbox_sent (f->store, m3->id, 'M', a->id, &error));

  g_assert_true (rt_store_member_remove (f->store, f->ws, "alice", &error));
  g_assert_no_error (error);
  g_assert_null (rt_store_member_get (f->store, a->id));
  /* Sent history stays; what was still to send or pending is gone. */
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM deliveries WHERE target = %" G_GINT64_FORMAT, a->id);
  g_assert_cmpint (count_rows (f, sql), ==, 1);
  g_autoptr (GArray) due = rt_store_outbox_due (f->store, T0, 10);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpint (g_array_index (due, RtOutboxItem, 0).target, ==, b->id);
  g_autoptr (GPtrArray) pending = rt_store_pending (f->store, a->id);
  g_assert_cmpuint (pending->len, ==, 0);
}

static void
test_workspace_delete_cascades (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 other = rt_store_workspace_create (f->store, "Other", &error);
  g_autoptr (RtMember) a = add_member (f, f->ws, "alice", (const char *const[]) { "irc:alice", NULL });
  g_autoptr (RtMember) o = add_member (f, other, "olga", (const char *const[]) { "irc:olga", NULL });
  gint64 link = rt_store_link_add (f->store, f->ws, "prpl-irc", "hub", "#rfp", &error);
  rt_store_link_add (f->store, other, "prpl-irc", "hub", "#other", &error);
  RtDeliveryRow rows[] = { { 'M', a->id, RT_ROUTE_IM, 0 }, { 'L', link, RT_ROUTE_IM, -1 } };
  g_autoptr (RtMessage) m = add_message (f, f->ws, "x", rows, 2);
  RtDeliveryRow orow[] = { { 'M', o->id, RT_ROUTE_PENDING, -1 } };
  g_autoptr (RtMessage) om = add_message (f, other, "x", orow, 1);
  g_assert_cmpuint (rt_store_members (f->store, f->ws)->len, ==, 1);

  g_assert_true (rt_store_workspace_delete (f->store, f->ws, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rt_store_members (f->store, f->ws)->len, ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM members"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM endpoints"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM links"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM messages"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM deliveries"), ==, 1);
  g_assert_null (rt_store_message_get (f->store, m->id));
  g_autoptr (GPtrArray) pending = rt_store_pending (f->store, o->id);
  g_assert_cmpuint (pending->len, ==, 1);
}

static void
test_schema_shape (Fixture *f, gconstpointer data)
{
  /* The outbox is keyed by message first, without rowid, with a due index. */
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'deliveries' "
                                  "AND sql LIKE '%PRIMARY KEY (msg_id, kind, target)) WITHOUT ROWID%'"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM pragma_index_info('deliveries_due') "
                                  "WHERE (seqno = 0 AND name = 'state') OR (seqno = 1 AND name = 'next_at')"), ==, 2);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM pragma_index_list('messages') WHERE \"unique\" = 1"), ==, 1);
  /* The kept rows by member (v5): partial, leading with target. */
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM pragma_index_list('deliveries') "
                                  "WHERE name = 'deliveries_kept' AND partial = 1"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT COUNT(*) FROM pragma_index_info('deliveries_kept') "
                                  "WHERE (seqno = 0 AND name = 'target') OR (seqno = 1 AND name = 'next_at')"), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/store/open", test_open);
  ADD ("/store/reopen-keeps-data", test_reopen_keeps_data);
  ADD ("/store/upgrade-from-v1", test_upgrade_from_v1);
  ADD ("/store/upgrade-from-v2", test_upgrade_from_v2);
  ADD ("/store/upgrade-from-v3", test_upgrade_from_v3);
  ADD ("/store/upgrade-from-v4", test_upgrade_from_v4);
  ADD ("/store/upgrade-from-v5", test_upgrade_from_v5);
  ADD ("/store/mail-in-flight", test_mail_in_flight);
  ADD ("/store/mail-settings", test_mail_settings);
  ADD ("/store/outbox-mail-rows", test_outbox_mail_rows);
  ADD ("/store/newer-schema-refused", test_newer_schema_refused);
  ADD ("/store/not-a-database", test_not_a_database);
  ADD ("/store/schema-shape", test_schema_shape);
  ADD ("/store/workspaces", test_workspaces);
  ADD ("/store/members", test_members);
  ADD ("/store/members-cache", test_members_cache);
  ADD ("/store/links", test_links);
  ADD ("/store/messages", test_messages);
  ADD ("/store/outbox", test_outbox);
  ADD ("/store/outbox-defer-reschedule", test_outbox_defer_and_reschedule);
  ADD ("/store/members-by-endpoint", test_members_by_endpoint);
  ADD ("/store/member-remove-drops-deliveries", test_member_remove_drops_deliveries);
  ADD ("/store/workspace-delete-cascades", test_workspace_delete_cascades);
  return g_test_run ();
}
