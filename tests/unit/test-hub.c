/* test-hub.c: accepting a message: plan for every member and room, store. */
#include "config.h"
#include <string.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include "rt-hub.h"
#include "rt-clock.h"
#include "rt-error.h"
#include "test-store-fixture.h"

static gint64 fake_now;

static gint64
fake_clock (gpointer data)
{
  return fake_now;
}

static gint64
utc (int y, int mo, int d, int h, int mi)
{
  g_autoptr (GDateTime) dt = g_date_time_new_utc (y, mo, d, h, mi, 0);
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

/* The world as the glue would see it: presence per "scheme:address",
 * handles sitting in a linked room. */
typedef struct {
  GHashTable *presence;   /* char* uri -> GINT_TO_POINTER (RtPresence + 1) */
  GHashTable *in_room;    /* char* handle */
  guint       presence_calls;
  guint       room_calls;
} World;

/* Keyed by address alone (the tests never reuse one across schemes), so the
 * fake world costs little next to the code under test. */
static RtPresence
world_presence (const RtEndpoint *ep, gpointer data)
{
  World *w = data;
  w->presence_calls++;
  gpointer v = g_hash_table_lookup (w->presence, ep->address);
  return v ? GPOINTER_TO_INT (v) - 1 : RT_PRESENCE_OFFLINE;
}

static gboolean
world_in_room (const RtMember *m, gint64 ws_id, gpointer data)
{
  World *w = data;
  w->room_calls++;
  return g_hash_table_contains (w->in_room, m->handle);
}

typedef struct {
  char     *dir;
  char     *path;
  RtStore  *store;
  gint64    ws;
  World     w;
  RtWorld   world;
  RtPolicy  policy;
} Fixture;

static void
set_presence (Fixture *f, const char *uri, RtPresence p)
{
  const char *address = strchr (uri, ':') + 1;
  g_hash_table_insert (f->w.presence, g_strdup (address), GINT_TO_POINTER (p + 1));
}

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  fake_now = utc (2026, 3, 9, 9, 0);   /* Monday 10:00 in Brussels */
  rt_clock_set (fake_clock, NULL);
  f->store = rt_test_store_open ("rt-hub-XXXXXX", &f->dir, &f->path);
  f->ws = rt_store_workspace_create (f->store, "RFP", &error);
  g_assert_no_error (error);
  f->w.presence = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->w.in_room = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->world = (RtWorld) { world_presence, world_in_room, &f->w };
  rt_policy_init_default (&f->policy);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  rt_test_store_remove (&f->store, &f->dir, &f->path, TRUE);
  g_hash_table_unref (f->w.presence);
  g_hash_table_unref (f->w.in_room);
  rt_clock_set (NULL, NULL);
}

static gint64
add_member (Fixture *f, const char *handle, const char *tz, gboolean offhours_im,
            const char *const *uris)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMember) m = rt_member_new (handle);
  m->ws_id = f->ws;
  g_free (m->tz);
  m->tz = g_strdup (tz);
  m->offhours_im = offhours_im;
  for (guint i = 0; uris && uris[i]; i++)
    g_ptr_array_add (m->endpoints, rt_endpoint_parse (uris[i], NULL));
  g_assert_true (rt_store_member_save (f->store, m, &error));
  g_assert_no_error (error);
  return m->id;
}

static RtMessage *
message (Fixture *f, gint64 author, const char *origin, gint64 source_link)
{
  RtMessage *msg = rt_message_new ();
  msg->ws_id = f->ws;
  msg->author_member = author;
  msg->author_label = g_strdup ("someone");
  msg->text = g_strdup ("Deadline moved to Friday.");
  msg->origin = g_strdup (origin);
  msg->source_link = source_link;
  return msg;
}

/* The due outbox row for (kind, target), or NULL. */
static const RtOutboxItem *
find_due (GArray *due, gint64 msg_id, char kind, gint64 target)
{
  for (guint i = 0; i < due->len; i++)
    {
      const RtOutboxItem *it = &g_array_index (due, RtOutboxItem, i);
      if (it->msg_id == msg_id && it->kind == kind && it->target == target)
        return it;
    }
  return NULL;
}

static gboolean
is_pending (Fixture *f, gint64 member_id, gint64 msg_id)
{
  g_autoptr (GPtrArray) pending = rt_store_pending (f->store, member_id);
  for (guint i = 0; i < pending->len; i++)
    if (((RtMessage *) pending->pdata[i])->id == msg_id)
      return TRUE;
  return FALSE;
}

static void
test_accept_routes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *bxl = "Europe/Brussels";
  gint64 author = add_member (f, "alice", bxl, FALSE, (const char *const[]) { "xmpp:alice@a.test", NULL });
  gint64 roomy = add_member (f, "bob", bxl, FALSE, (const char *const[]) { "xmpp:bob@a.test", NULL });
  gint64 live = add_member (f, "carol", bxl, FALSE,
                            (const char *const[]) { "irc:carol", "xmpp:carol@a.test", "prpl-sipe:carol@corp.test", NULL });
  gint64 away = add_member (f, "dave", bxl, FALSE, (const char *const[]) { "xmpp:dave@a.test", NULL });
  gint64 night = add_member (f, "eve", "Asia/Singapore", FALSE, (const char *const[]) { "xmpp:eve@a.test", NULL });
  gint64 night_im = add_member (f, "fay", "Asia/Singapore", TRUE, (const char *const[]) { "xmpp:fay@a.test", NULL });
  gint64 offline = add_member (f, "gus", bxl, TRUE, (const char *const[]) { "xmpp:gus@a.test", NULL });
  gint64 bare = add_member (f, "hal", bxl, FALSE, NULL);
  gint64 l1 = rt_store_link_add (f->store, f->ws, "prpl-jabber", "hub", "rfp@conf.a.test", &error);
  gint64 l2 = rt_store_link_add (f->store, f->ws, "prpl-irc", "hub", "#rfp", &error);
  gint64 other_ws = rt_store_workspace_create (f->store, "Other", &error);
  rt_store_link_add (f->store, other_ws, "prpl-irc", "hub", "#other", &error);
  g_assert_no_error (error);

  g_hash_table_add (f->w.in_room, g_strdup ("bob"));
  set_presence (f, "xmpp:alice@a.test", RT_PRESENCE_AVAILABLE);
  set_presence (f, "xmpp:bob@a.test", RT_PRESENCE_AVAILABLE);
  set_presence (f, "irc:carol", RT_PRESENCE_AWAY);
  set_presence (f, "xmpp:carol@a.test", RT_PRESENCE_AVAILABLE);
  set_presence (f, "prpl-sipe:carol@corp.test", RT_PRESENCE_AVAILABLE);
  set_presence (f, "xmpp:dave@a.test", RT_PRESENCE_AWAY);
  set_presence (f, "xmpp:eve@a.test", RT_PRESENCE_AVAILABLE);   /* 17:00 in Singapore */
  set_presence (f, "xmpp:fay@a.test", RT_PRESENCE_AWAY);

  g_autoptr (RtMessage) msg = message (f, author, "xmpp:rfp/1", l1);
  g_assert_true (rt_hub_accept (f->store, &f->world, &f->policy, msg, &error));
  g_assert_no_error (error);
  g_assert_cmpint (msg->id, >, 0);
  g_assert_cmpint (msg->created_us, ==, fake_now);

  g_autoptr (GArray) due = rt_store_outbox_due (f->store, fake_now, 100);
  g_assert_cmpuint (due->len, ==, 4);   /* l2, carol, dave, fay */
  g_assert_null (find_due (due, msg->id, 'L', l1));   /* the source room */
  g_assert_nonnull (find_due (due, msg->id, 'L', l2));
  g_assert_cmpint (g_array_index (due, RtOutboxItem, 0).kind, ==, 'L');
  g_assert_null (find_due (due, msg->id, 'M', author));
  g_assert_null (find_due (due, msg->id, 'M', roomy));
  g_assert_cmpint (find_due (due, msg->id, 'M', live)->endpoint, ==, 1);
  g_assert_cmpint (find_due (due, msg->id, 'M', away)->endpoint, ==, 0);
  g_assert_cmpint (find_due (due, msg->id, 'M', night_im)->endpoint, ==, 0);
  g_assert_null (find_due (due, msg->id, 'M', night));
  g_assert_true (is_pending (f, night, msg->id));
  g_assert_true (is_pending (f, offline, msg->id));
  g_assert_true (is_pending (f, bare, msg->id));
  g_assert_false (is_pending (f, author, msg->id));
  g_assert_false (is_pending (f, roomy, msg->id));
  g_assert_false (is_pending (f, live, msg->id));
  /* No presence look-up for the author or a member in the room. */
  g_assert_cmpuint (f->w.room_calls, ==, 7);
  g_assert_cmpuint (f->w.presence_calls, ==, 3 + 1 + 1 + 1 + 1);

  /* Away members wait for the digest when the policy says so. */
  f->policy.im_when_away = FALSE;
  g_autoptr (RtMessage) msg2 = message (f, 0, NULL, 0);
  g_assert_true (rt_hub_accept (f->store, &f->world, &f->policy, msg2, &error));
  g_assert_no_error (error);
  g_autoptr (GArray) due2 = rt_store_outbox_due (f->store, fake_now, 100);
  g_assert_nonnull (find_due (due2, msg2->id, 'L', l1));   /* no source: every room */
  g_assert_nonnull (find_due (due2, msg2->id, 'L', l2));
  g_assert_nonnull (find_due (due2, msg2->id, 'M', author));
  g_assert_nonnull (find_due (due2, msg2->id, 'M', live));
  g_assert_null (find_due (due2, msg2->id, 'M', away));
  g_assert_true (is_pending (f, away, msg2->id));
  g_assert_cmpint (find_due (due2, msg2->id, 'M', night_im)->endpoint, ==, 0);   /* off hours, not away */
  g_assert_cmpint (rt_store_message_count (f->store, f->ws), ==, 2);
}

/* With the hub's mailbox linked and immediate mail on, an async member
 * with an email address gets a mail row; the others are as before. The
 * workspace's settings are read at accept time. */
static void
test_accept_mail (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *bxl = "Europe/Brussels";
  gint64 author = add_member (f, "alice", bxl, FALSE, (const char *const[]) { "xmpp:alice@a.test", NULL });
  gint64 mail_only = add_member (f, "bob", bxl, FALSE, (const char *const[]) { "mailto:bob@b.test", NULL });
  gint64 both = add_member (f, "carol", bxl, FALSE,
                            (const char *const[]) { "xmpp:carol@a.test", "mailto:carol@b.test", NULL });
  gint64 no_mail = add_member (f, "dave", bxl, FALSE, (const char *const[]) { "xmpp:dave@a.test", NULL });
  set_presence (f, "xmpp:carol@a.test", RT_PRESENCE_AVAILABLE);

  /* No mailbox yet: the digest. */
  g_autoptr (RtMessage) m1 = message (f, author, NULL, 0);
  g_assert_true (rt_hub_accept (f->store, &f->world, &f->policy, m1, &error));
  g_assert_true (is_pending (f, mail_only, m1->id));

  g_assert_true (rt_store_workspace_set_mail (f->store, f->ws, "hub@a.test", TRUE, &error));
  g_autoptr (RtMessage) m2 = message (f, author, NULL, 0);
  g_assert_true (rt_hub_accept (f->store, &f->world, &f->policy, m2, &error));
  g_assert_no_error (error);
  g_autoptr (GArray) due = rt_store_outbox_due (f->store, fake_now, 100);
  const RtOutboxItem *bob = find_due (due, m2->id, 'M', mail_only);
  g_assert_nonnull (bob);
  g_assert_cmpint (bob->route, ==, RT_ROUTE_MAIL);
  g_assert_cmpint (bob->endpoint, ==, 0);
  const RtOutboxItem *carol = find_due (due, m2->id, 'M', both);
  g_assert_nonnull (carol);
  g_assert_cmpint (carol->route, ==, RT_ROUTE_IM);   /* online: IM, not mail */
  g_assert_true (is_pending (f, no_mail, m2->id));   /* no address: the digest */
  g_assert_null (find_due (due, m2->id, 'M', author));

  /* Carol goes offline: mailed to her address (endpoint 1). */
  set_presence (f, "xmpp:carol@a.test", RT_PRESENCE_OFFLINE);
  g_autoptr (RtMessage) m3 = message (f, author, NULL, 0);
  g_assert_true (rt_hub_accept (f->store, &f->world, &f->policy, m3, &error));
  g_autoptr (GArray) due3 = rt_store_outbox_due (f->store, fake_now, 100);
  carol = find_due (due3, m3->id, 'M', both);
  g_assert_nonnull (carol);
  g_assert_cmpint (carol->route, ==, RT_ROUTE_MAIL);
  g_assert_cmpint (carol->endpoint, ==, 1);

  /* Immediate mail off for the workspace: the digest again. */
  g_assert_true (rt_store_workspace_set_mail (f->store, f->ws, "hub@a.test", FALSE, &error));
  g_autoptr (RtMessage) m4 = message (f, author, NULL, 0);
  g_assert_true (rt_hub_accept (f->store, &f->world, &f->policy, m4, &error));
  g_assert_true (is_pending (f, mail_only, m4->id));
  g_assert_true (is_pending (f, both, m4->id));
}

static void
test_duplicate_origin (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  add_member (f, "alice", "UTC", FALSE, (const char *const[]) { "xmpp:alice@a.test", NULL });
  set_presence (f, "xmpp:alice@a.test", RT_PRESENCE_AVAILABLE);
  g_autoptr (RtMessage) msg = message (f, 0, "origin-1", 0);
  g_assert_true (rt_hub_accept (f->store, &f->world, NULL, msg, &error));
  g_assert_no_error (error);
  g_autoptr (RtMessage) again = message (f, 0, "origin-1", 0);
  g_assert_false (rt_hub_accept (f->store, &f->world, NULL, again, &error));
  g_assert_no_error (error);
  g_assert_cmpint (again->id, ==, 0);
  g_assert_cmpint (rt_store_message_count (f->store, f->ws), ==, 1);
  g_assert_cmpint (rt_store_outbox_count_due (f->store), ==, 1);
}

static void
test_created_kept_and_unknown_ws (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMessage) msg = message (f, 0, NULL, 0);
  msg->created_us = 12345;
  g_assert_true (rt_hub_accept (f->store, &f->world, &f->policy, msg, &error));
  g_autoptr (RtMessage) back = rt_store_message_get (f->store, msg->id);
  g_assert_cmpint (back->created_us, ==, 12345);

  g_autoptr (RtMessage) lost = message (f, 0, NULL, 0);
  lost->ws_id = 4242;
  g_assert_false (rt_hub_accept (f->store, &f->world, &f->policy, lost, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
}

static void
test_reach_many_endpoints (Fixture *f, gconstpointer data)
{
  g_autoptr (RtMember) m = rt_member_new ("multi");
  for (int i = 0; i < 20; i++)
    {
      g_autofree char *addr = g_strdup_printf ("m%d@a.test", i);
      g_ptr_array_add (m->endpoints, rt_endpoint_new ("xmpp", addr, NULL));
    }
  set_presence (f, "xmpp:m13@a.test", RT_PRESENCE_AWAY);
  set_presence (f, "xmpp:m17@a.test", RT_PRESENCE_AVAILABLE);
  RtReachability r = rt_hub_reach (&f->world, m, fake_now);   /* Monday 09:00 UTC */
  g_assert_cmpint (r.reach, ==, RT_REACH_LIVE);
  g_assert_cmpint (r.best_endpoint, ==, 17);
  g_assert_cmpuint (f->w.presence_calls, ==, 20);

  /* A world that knows nothing: everyone offline. */
  RtWorld empty = { NULL, NULL, NULL };
  r = rt_hub_reach (&empty, m, fake_now);
  g_assert_cmpint (r.reach, ==, RT_REACH_ASYNC_ONLY);
  g_assert_false (r.online);
}

static const char *const zones[] = {
  "Europe/Brussels", "America/Sao_Paulo", "Asia/Singapore", "Australia/Sydney",
  "America/New_York", "UTC",
};

static void
add_many (Fixture *f, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *handle = g_strdup_printf ("m%04u", i);
      g_autofree char *xmpp = g_strdup_printf ("xmpp:%s@a.test", handle);
      g_autofree char *irc = g_strdup_printf ("irc:%s", handle);
      add_member (f, handle, zones[i % G_N_ELEMENTS (zones)], i % 5 == 0,
                  (const char *const[]) { xmpp, irc, NULL });
      if (i % 3 == 0)
        set_presence (f, xmpp, RT_PRESENCE_AVAILABLE);
      else if (i % 3 == 1)
        set_presence (f, irc, RT_PRESENCE_AWAY);
    }
}

static void
test_thousand_members (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  add_many (f, 1000);
  gint64 first = rt_store_members (f->store, f->ws)->len ?
    ((RtMember *) rt_store_members (f->store, f->ws)->pdata[0])->id : 0;
  g_autoptr (RtMessage) msg = message (f, first, NULL, 0);
  g_assert_true (rt_hub_accept (f->store, &f->world, &f->policy, msg, &error));
  g_assert_no_error (error);
  g_autoptr (GArray) due = rt_store_outbox_due (f->store, fake_now, 2000);
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM deliveries WHERE msg_id = %"
                                          G_GINT64_FORMAT, msg->id);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (st, 0), ==, 999);   /* everyone but the author */
  sqlite3_finalize (st);
  sqlite3_close (db);
  g_assert_cmpuint (due->len, >, 100);
  g_assert_cmpuint (due->len, <, 999);
}

/* Raw SQLite baseline: the same number of delivery rows, one transaction. */
static double
raw_inserts (const char *path, gint64 msg_id, guint n)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_exec (db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", NULL, NULL, NULL);
  gint64 start = g_get_monotonic_time ();
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO deliveries (msg_id, kind, target, route, "
                                       "endpoint, state, attempts, next_at) VALUES (?1, 'M', ?2, 'im', 0, 0, 0, ?3)",
                                       -1, &st, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < n; i++)
    {
      sqlite3_bind_int64 (st, 1, msg_id);
      sqlite3_bind_int64 (st, 2, i + 1);
      sqlite3_bind_int64 (st, 3, 0);
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
      sqlite3_reset (st);
    }
  sqlite3_finalize (st);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  gint64 elapsed = g_get_monotonic_time () - start;
  sqlite3_close (db);
  return elapsed;
}

/* Run with -m perf: accept+plan+persist to 1,000 members against raw inserts. */
static void
test_perf (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const guint rounds = 20;
  add_many (f, 1000);
  double hub = 0, raw = 0;

  for (guint r = 0; r < rounds; r++)
    {
      g_autoptr (RtMessage) msg = message (f, 0, NULL, 0);
      gint64 start = g_get_monotonic_time ();
      g_assert_true (rt_hub_accept (f->store, &f->world, &f->policy, msg, &error));
      hub += g_get_monotonic_time () - start;

      /* A bare message row for the baseline's deliveries to belong to. */
      g_autoptr (RtMessage) bare = message (f, 0, NULL, 0);
      g_assert_true (rt_store_message_add (f->store, bare, NULL, 0, &error));
      raw += raw_inserts (f->path, bare->id, 1000);
    }
  g_test_minimized_result (hub / rounds / 1000.0, "hub accept: %.0f µs per message to 1000 members",
                           hub / rounds);
  g_test_message ("raw inserts: %.0f µs per 1000 rows; ratio raw/hub %.2f", raw / rounds, raw / hub);
  g_assert_cmpfloat (raw / hub, >=, 0.5);
}

/* ---- batch accept ------------------------------------------------------ */

/* Everything stored for msg_id, as one comparable string: its deliveries
 * (kind, target, route, endpoint, state), held rows and mentions rows,
 * read through a second connection. */
static char *
stored_plan (Fixture *f, gint64 msg_id)
{
  static const char *const sql[] = {
    "SELECT kind || ':' || target || ':' || route || ':' || endpoint || ':' || state "
    "FROM deliveries WHERE msg_id = ?1 ORDER BY kind, target",
    "SELECT 'held:' || link_id || ':' || state FROM held WHERE msg_id = ?1 ORDER BY link_id",
    "SELECT 'mention:' || member_id || ':' || due_us FROM mentions WHERE msg_id = ?1 ORDER BY member_id",
  };
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    {
      sqlite3_stmt *st = NULL;
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql[i], -1, &st, NULL), ==, SQLITE_OK);
      sqlite3_bind_int64 (st, 1, msg_id);
      while (sqlite3_step (st) == SQLITE_ROW)
        g_string_append_printf (out, "%s\n", sqlite3_column_text (st, 0));
      sqlite3_finalize (st);
    }
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

static gint64
count_rows (Fixture *f, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  gint64 n = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return n;
}

/* A workspace with every kind of plan: in the room, online, away, off
 * hours, kept for the digest with a mention, a public link that holds. */
static gint64
batch_world (Fixture *f, gint64 *link)
{
  g_autoptr (GError) error = NULL;
  const char *bxl = "Europe/Brussels";
  gint64 author = add_member (f, "alice", bxl, FALSE, (const char *const[]) { "xmpp:alice@a.test", NULL });
  add_member (f, "bob", bxl, FALSE, (const char *const[]) { "xmpp:bob@a.test", NULL });
  add_member (f, "carol", bxl, FALSE, (const char *const[]) { "irc:carol", "xmpp:carol@a.test", NULL });
  add_member (f, "dave", bxl, FALSE, (const char *const[]) { "xmpp:dave@a.test", NULL });
  add_member (f, "eve", "Asia/Singapore", FALSE, (const char *const[]) { "xmpp:eve@a.test", NULL });
  add_member (f, "gus", bxl, TRUE, (const char *const[]) { "xmpp:gus@a.test", "mailto:gus@a.test", NULL });
  *link = rt_store_link_add (f->store, f->ws, "prpl-jabber", "hub", "rfp@conf.a.test", &error);
  rt_store_link_add_full (f->store, f->ws, "prpl-stream", "hub", "public", RT_DIRECTION_BOTH,
                          RT_AUDIENCE_PUBLIC, &error);
  g_assert_no_error (error);
  g_hash_table_add (f->w.in_room, g_strdup ("bob"));
  set_presence (f, "xmpp:alice@a.test", RT_PRESENCE_AVAILABLE);
  set_presence (f, "xmpp:bob@a.test", RT_PRESENCE_AVAILABLE);
  set_presence (f, "xmpp:carol@a.test", RT_PRESENCE_AVAILABLE);
  set_presence (f, "xmpp:dave@a.test", RT_PRESENCE_AWAY);
  set_presence (f, "xmpp:eve@a.test", RT_PRESENCE_AVAILABLE);
  f->policy.mention_delay_us = 600 * G_USEC_PER_SEC;
  return author;
}

/* Each message of a batch is planned and stored exactly as it would be
 * alone: same rows, held rows and mentions. */
static void
test_batch_same_as_single (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 link;
  gint64 author = batch_world (f, &link);
  struct { gint64 author; gint64 source; RtMessageKind kind; const char *text; } cases[] = {
    { author, link, RT_MESSAGE_PERSON, "Deadline moved to Friday." },
    { 0, 0, RT_MESSAGE_PERSON, "please check the annex, @gus" },
    { 0, 0, RT_MESSAGE_HUB, "Watchlist: acme" },
    { author, 0, RT_MESSAGE_PERSON, "@gus the numbers" },
  };
  enum { N = G_N_ELEMENTS (cases) };
  RtMessage *single[N], *batched[N];
  RtHubItem items[N];
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *o1 = g_strdup_printf ("single/%u", i);
      g_autofree char *o2 = g_strdup_printf ("batch/%u", i);
      single[i] = message (f, cases[i].author, o1, cases[i].source);
      batched[i] = message (f, cases[i].author, o2, cases[i].source);
      single[i]->kind = batched[i]->kind = cases[i].kind;
      g_free (single[i]->text);
      g_free (batched[i]->text);
      single[i]->text = g_strdup (cases[i].text);
      batched[i]->text = g_strdup (cases[i].text);
      g_assert_true (rt_hub_accept (f->store, &f->world, &f->policy, single[i], &error));
      g_assert_no_error (error);
      items[i] = (RtHubItem) { batched[i], NULL, NULL };
    }
  g_assert_true (rt_hub_accept_batch (f->store, &f->world, &f->policy, items, N, &error));
  g_assert_no_error (error);
  guint mentions = 0, held = 0;
  for (guint i = 0; i < N; i++)
    {
      g_assert_no_error (items[i].error);
      g_assert_cmpint (batched[i]->id, >, single[N - 1]->id);
      g_assert_cmpint (batched[i]->created_us, ==, fake_now);
      g_autofree char *a = stored_plan (f, single[i]->id);
      g_autofree char *b = stored_plan (f, batched[i]->id);
      g_assert_cmpstr (a, ==, b);
      g_assert_cmpuint (strlen (a), >, 0);
      mentions += strstr (b, "mention:") != NULL;
      held += strstr (b, "held:") != NULL;
      rt_message_free (single[i]);
      rt_message_free (batched[i]);
    }
  /* The cases did cover mentions and held rows. */
  g_assert_cmpuint (mentions, ==, 2);
  g_assert_cmpuint (held, ==, 3);   /* hub messages never go to public links */
  g_assert_cmpint (rt_store_message_count (f->store, f->ws), ==, 2 * N);
}

/* Posts read from a stream go to the rooms, never to a public link (not
 * even held), whoever wrote them; a room line for the same link is held. */
static void
test_stream_posts_skip_public_links (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 olivia = add_member (f, "olivia", "UTC", FALSE, (const char *const[]) { "xmpp:olivia@a.test", NULL });
  g_autoptr (RtMember) m = rt_store_member_get (f->store, olivia);
  m->roles = RT_ROLE_SPOKESPERSON;
  g_assert_true (rt_store_member_save (f->store, m, &error));
  gint64 room = rt_store_link_add (f->store, f->ws, "prpl-jabber", "hub", "rfp@conf.a.test", &error);
  gint64 tag = rt_store_link_add_full (f->store, f->ws, RT_STREAM_LINK_PROTOCOL, "hub", "tag:acme",
                                       RT_DIRECTION_BOTH, RT_AUDIENCE_INTERNAL, &error);
  gint64 company = rt_store_link_add_full (f->store, f->ws, RT_STREAM_LINK_PROTOCOL, "hub", "home",
                                           RT_DIRECTION_OUT, RT_AUDIENCE_PUBLIC, &error);
  g_assert_no_error (error);
  g_autofree char *to_room = g_strdup_printf ("L:%" G_GINT64_FORMAT ":", room);
  g_autofree char *to_company = g_strdup_printf ("L:%" G_GINT64_FORMAT ":", company);
  g_autofree char *to_tag = g_strdup_printf ("L:%" G_GINT64_FORMAT ":", tag);

  struct { gint64 author; gint64 source; gboolean company_row; } cases[] = {
    { 0, tag, FALSE },        /* an external author on #acme */
    { olivia, tag, FALSE },   /* the spokesperson's own post on #acme */
    { 0, room, TRUE },        /* a guest in the room: held */
    { olivia, room, TRUE },   /* the spokesperson in the room: sent */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *origin = g_strdup_printf ("case/%u", i);
      g_autoptr (RtMessage) msg = message (f, cases[i].author, origin, cases[i].source);
      g_assert_true (rt_hub_accept (f->store, &f->world, &f->policy, msg, &error));
      g_autofree char *plan = stored_plan (f, msg->id);
      g_assert_true ((strstr (plan, to_room) != NULL) == (cases[i].source != room));
      g_assert_true ((strstr (plan, to_tag) != NULL) == (cases[i].source != tag));
      g_assert_true ((strstr (plan, to_company) != NULL) == cases[i].company_row);
      g_assert_true ((strstr (plan, "held:") != NULL) == (i == 2));
    }
}

/* Duplicates against the store and inside the batch are skipped (no
 * error), the others stored in order. */
static void
test_batch_duplicates_and_order (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  add_member (f, "alice", "UTC", FALSE, (const char *const[]) { "xmpp:alice@a.test", NULL });
  set_presence (f, "xmpp:alice@a.test", RT_PRESENCE_AVAILABLE);
  g_autoptr (RtMessage) first = message (f, 0, "o-1", 0);
  g_assert_true (rt_hub_accept (f->store, &f->world, NULL, first, &error));
  RtMessageExtras hit_old = { .hit_key = "k-old", .hit_terms = "acme" };
  g_autoptr (RtMessage) alert = message (f, 0, "watch/k-old", 0);
  g_assert_true (rt_hub_accept_full (f->store, &f->world, NULL, alert, &hit_old, &error));

  const char *origins[] = { "o-2", "o-1", "o-3", "o-2", NULL, "watch/k-new", "watch/k-new-again",
                            "watch/k-old-again", "o-4" };
  const gboolean stored[] = { TRUE, FALSE, TRUE, FALSE, TRUE, TRUE, FALSE, FALSE, TRUE };
  RtMessageExtras hit_new = { .hit_key = "k-new", .hit_terms = "acme", .hit_url = "https://s.test/1" };
  enum { N = G_N_ELEMENTS (origins) };
  RtHubItem items[N];
  for (guint i = 0; i < N; i++)
    {
      RtMessage *msg = message (f, 0, origins[i], 0);
      msg->created_us = 1000 + i;
      items[i] = (RtHubItem) { msg, NULL, NULL };
    }
  items[5].extras = items[6].extras = &hit_new;   /* the same hit twice: alerted once */
  items[7].extras = &hit_old;                     /* a hit already in the store */
  g_assert_true (rt_hub_accept_batch (f->store, &f->world, NULL, items, N, &error));
  g_assert_no_error (error);
  gint64 last = alert->id;
  for (guint i = 0; i < N; i++)
    {
      g_assert_no_error (items[i].error);
      if (stored[i])
        {
          g_assert_cmpint (items[i].msg->id, >, last);   /* in the batch's order */
          last = items[i].msg->id;
          g_autoptr (RtMessage) back = rt_store_message_get (f->store, last);
          g_assert_cmpstr (back->origin, ==, origins[i]);
          g_assert_cmpint (back->created_us, ==, 1000 + i);
        }
      else
        g_assert_cmpint (items[i].msg->id, ==, 0);
    }
  g_assert_cmpint (rt_store_message_count (f->store, f->ws), ==, 2 + 5);
  /* Skipped messages left no rows: one IM each for the 7 stored. */
  g_assert_cmpint (rt_store_outbox_count_due (f->store), ==, 7);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM watch_hits"), ==, 2);
  g_assert_cmpint (count_rows (f, "SELECT msg_id FROM watch_hits WHERE key = 'k-new'"), ==, items[5].msg->id);
  g_assert_true (rt_store_watch_hit_seen (f->store, "k-new"));
  for (guint i = 0; i < N; i++)
    rt_message_free (items[i].msg);

  /* An empty batch is no error. */
  g_assert_true (rt_hub_accept_batch (f->store, &f->world, NULL, NULL, 0, &error));
  g_assert_no_error (error);
}

/* A row that fails undoes its own message, all of it; the others stay. */
static void
test_batch_failing_row (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 member = add_member (f, "alice", "UTC", FALSE, (const char *const[]) { "xmpp:alice@a.test", NULL });
  gint64 link = rt_store_link_add (f->store, f->ws, "prpl-jabber", "hub", "rfp@conf.a.test", &error);
  const RtDeliveryRow good[] = { { 'L', link, RT_ROUTE_IM, -1, 0, FALSE },
                                 { 'M', member, RT_ROUTE_PENDING, -1, 5000, FALSE } };
  /* The second row repeats the first (a primary key violation) after the
   * message, a held row and a mentions row were written. */
  const RtDeliveryRow bad[] = { { 'M', member, RT_ROUTE_PENDING, -1, 5000, FALSE },
                                { 'L', link, RT_ROUTE_IM, -1, 0, TRUE },
                                { 'M', member, RT_ROUTE_IM, 0, 0, FALSE } };
  g_autoptr (RtMessage) a = message (f, 0, "a", 0);
  g_autoptr (RtMessage) b = message (f, 0, "b", 0);
  g_autoptr (RtMessage) c = message (f, 0, "c", 0);
  g_autoptr (RtMessage) d = message (f, 0, "d", 0);
  d->ws_id = 4242;   /* no such workspace */
  RtMessageExtras hit = { .hit_key = "k-b", .hit_terms = "acme" };
  RtMessageAdd items[] = {
    { a, good, G_N_ELEMENTS (good), NULL, NULL },
    { b, bad, G_N_ELEMENTS (bad), &hit, NULL },
    { d, good, 1, NULL, NULL },
    { c, good, G_N_ELEMENTS (good), NULL, NULL },
  };
  g_assert_true (rt_store_message_add_batch (f->store, items, G_N_ELEMENTS (items), &error));
  g_assert_no_error (error);
  g_assert_no_error (items[0].error);
  g_assert_no_error (items[3].error);
  g_assert_error (items[1].error, RT_ERROR, RT_ERROR_STORE);
  g_assert_error (items[2].error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_assert_cmpint (a->id, >, 0);
  g_assert_cmpint (b->id, ==, 0);
  g_assert_cmpint (d->id, ==, 0);
  g_assert_cmpint (c->id, >, a->id);
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    g_clear_error (&items[i].error);
  g_assert_cmpint (rt_store_message_count (f->store, 0), ==, 2);
  g_autofree char *plan_a = stored_plan (f, a->id);
  g_autofree char *plan_c = stored_plan (f, c->id);
  g_assert_cmpstr (plan_a, ==, plan_c);
  g_assert_nonnull (strstr (plan_a, "mention:"));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries"), ==, 4);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM mentions"), ==, 2);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM held"), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM watch_hits"), ==, 0);
  g_assert_false (rt_store_watch_hit_seen (f->store, "k-b"));

  /* The store goes on: b again, with good rows, is stored. */
  g_assert_true (rt_store_message_add_full (f->store, b, good, 1, &hit, &error));
  g_assert_no_error (error);
  g_assert_cmpint (b->id, >, c->id);
}

/* Store calls between rt_store_begin and rt_store_end join one
 * transaction: rolled back together when the caller says so or when a
 * call inside failed, committed together otherwise. */
static void
test_store_transaction_joins (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMessage) a = message (f, 0, "join-a", 0);
  g_autoptr (RtMessage) b = message (f, 0, "join-b", 0);
  g_autoptr (RtMessage) lost = message (f, 0, "join-lost", 0);
  lost->ws_id = 4242;   /* no such workspace */

  g_assert_true (rt_store_begin (f->store, &error));
  g_assert_true (rt_store_message_add (f->store, a, NULL, 0, &error));
  g_assert_false (rt_store_end (f->store, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rt_store_message_count (f->store, f->ws), ==, 0);

  g_assert_true (rt_store_begin (f->store, &error));
  g_assert_true (rt_store_message_add (f->store, a, NULL, 0, &error));
  g_assert_false (rt_store_message_add (f->store, lost, NULL, 0, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (rt_store_end (f->store, TRUE, &error));
  g_assert_cmpint (rt_store_message_count (f->store, f->ws), ==, 0);

  g_assert_true (rt_store_begin (f->store, &error));
  g_assert_true (rt_store_message_add (f->store, a, NULL, 0, &error));
  g_assert_true (rt_store_message_add (f->store, b, NULL, 0, &error));
  g_assert_true (rt_store_end (f->store, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rt_store_message_count (f->store, f->ws), ==, 2);
  /* And the store's own transactions work as before afterwards. */
  g_autoptr (RtMessage) c = message (f, 0, "join-c", 0);
  g_assert_true (rt_store_message_add (f->store, c, NULL, 0, &error));
  g_assert_cmpint (rt_store_message_count (f->store, f->ws), ==, 3);
}

/* The transaction cannot start (another writer holds the database past
 * the busy timeout): nothing stored, every item says why. */
static void
test_batch_locked (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  sqlite3 *other = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  g_autoptr (RtMessage) a = message (f, 0, "a", 0);
  g_autoptr (RtMessage) b = message (f, 0, "b", 0);
  RtHubItem items[] = { { a, NULL, NULL }, { b, NULL, NULL } };
  g_assert_false (rt_hub_accept_batch (f->store, &f->world, NULL, items, 2, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_STORE);
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_assert_error (items[i].error, RT_ERROR, RT_ERROR_STORE);
      g_assert_cmpint (items[i].msg->id, ==, 0);
      g_clear_error (&items[i].error);
    }
  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);
  g_assert_cmpint (rt_store_message_count (f->store, 0), ==, 0);
  /* Free again, the same batch goes in. */
  g_clear_error (&error);
  g_assert_true (rt_hub_accept_batch (f->store, &f->world, NULL, items, 2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (a->id, >, 0);
  g_assert_cmpint (b->id, >, a->id);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/hub/accept-routes", test_accept_routes);
  ADD ("/hub/accept-mail", test_accept_mail);
  ADD ("/hub/duplicate-origin", test_duplicate_origin);
  ADD ("/hub/created-kept-and-unknown-ws", test_created_kept_and_unknown_ws);
  ADD ("/hub/reach-many-endpoints", test_reach_many_endpoints);
  ADD ("/hub/thousand-members", test_thousand_members);
  ADD ("/hub/batch/same-as-single", test_batch_same_as_single);
  ADD ("/hub/batch/duplicates-and-order", test_batch_duplicates_and_order);
  ADD ("/hub/batch/failing-row", test_batch_failing_row);
  ADD ("/hub/batch/locked", test_batch_locked);
  ADD ("/hub/batch/transaction-joins", test_store_transaction_joins);
  ADD ("/hub/stream-posts-skip-public-links", test_stream_posts_skip_public_links);
  if (g_test_perf ())
    ADD ("/hub/perf", test_perf);
  return g_test_run ();
}
