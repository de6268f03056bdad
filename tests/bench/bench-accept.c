/* bench-accept.c: messages accepted, persisted and planned per second by the
 * core (rt_hub_accept on an RtStore), against raw SQLite inserts of the same
 * rows with the same durability settings, measured in the same run.
 *
 * Usage: bench-accept DIR [SECONDS_PER_ROUND [ROUNDS [MEMBERS...]]]
 *   defaults: 0.25 s, 8 rounds (store and raw alternate), 30 and 1000 members.
 *
 * For each workspace size N:
 *   store: rt_store_open (DIR/store-N.db), one workspace, N members with one
 *          IM endpoint each, working hours 00:00-24:00 every day in a mix of
 *          time zones; an RtWorld whose endpoint_presence says AVAILABLE for
 *          even-numbered members and OFFLINE for the others (routes: half IM,
 *          half PENDING) and member_in_room FALSE; then rt_hub_accept of guest
 *          lines, one transaction each (the store's own).
 *   raw:   plain sqlite3 on DIR/raw-N.db with the store's own DDL for the
 *          workspaces, messages and deliveries tables (copied from the store
 *          file made above, so the shape follows the store), the same pragmas
 *          (journal_mode=WAL, synchronous=NORMAL, foreign_keys=ON), prepared
 *          statements, and per message: BEGIN IMMEDIATE, one message row, one
 *          delivery row per member with the same values, COMMIT.
 * Rounds alternate store, raw, store, raw... so drift (page cache, WAL size,
 * CPU frequency) hits both; each side's figure is the median of its rounds.
 *
 * Prints tab-separated lines on stdout:
 *   accept_rate_N  V  msg/s  raw_sqlite_rate_N  B  V/B   (B in msg/s too)
 * Diagnostics on stderr. Exit status 1 on any store or SQLite error. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <glib.h>
#include "rt-hub.h"
#include "bench-util.h"
#include "bench-raw-store.h"
#include "rt-store.h"

static const char *const zones[] = {
  "Europe/Brussels", "America/Sao_Paulo", "Asia/Tokyo", "UTC", "America/New_York",
};

static const char text[] = "We send the revised pricing annex to Acme tomorrow, 10:00 CET.";
static const char label[] = "carol (guest)";

/* ---- the store side -------------------------------------------------- */

/* Even-numbered members ("m0", "m2", ...) are available, the others offline. */
static RtPresence
half_available (const RtEndpoint *ep, gpointer data)
{
  long n = strtol (ep->address + 1, NULL, 10);
  return n % 2 == 0 ? RT_PRESENCE_AVAILABLE : RT_PRESENCE_OFFLINE;
}

static gboolean
never_in_room (const RtMember *member, gint64 ws_id, gpointer data)
{
  return FALSE;
}

typedef struct {
  RtStore *store;
  gint64   ws;
  RtWorld  world;
  RtPolicy policy;
  guint    n_members;
} StoreSide;

static gboolean
store_setup (StoreSide *s, const char *path, guint n_members)
{
  g_autoptr (GError) error = NULL;

  s->store = rt_store_open (path, &error);
  if (s->store == NULL)
    {
      g_printerr ("bench-accept: %s\n", error->message);
      return FALSE;
    }
  s->ws = rt_store_workspace_create (s->store, "Bench", &error);
  if (s->ws <= 0)
    {
      g_printerr ("bench-accept: workspace: %s\n", error ? error->message : "?");
      return FALSE;
    }
  for (guint i = 0; i < n_members; i++)
    {
      g_autofree char *handle = g_strdup_printf ("m%u", i);
      g_autofree char *address = g_strdup_printf ("m%u@site-a.test", i);
      g_autoptr (RtMember) m = rt_member_new (handle);
      m->ws_id = s->ws;
      m->name = g_strdup_printf ("Member %u", i);
      m->site = g_strdup ("Brussels");
      g_free (m->tz);
      m->tz = g_strdup (zones[i % G_N_ELEMENTS (zones)]);
      m->hours.start_min = 0;
      m->hours.end_min = 1440;
      m->hours.days = RT_DAYS_ALL;
      g_ptr_array_add (m->endpoints, rt_endpoint_new ("xmpp", address, NULL));
      if (!rt_store_member_save (s->store, m, &error))
        {
          g_printerr ("bench-accept: member: %s\n", error->message);
          return FALSE;
        }
    }
  s->world.endpoint_presence = half_available;
  s->world.member_in_room = never_in_room;
  s->world.data = NULL;
  rt_policy_init_default (&s->policy);
  s->n_members = n_members;
  return TRUE;
}

static gboolean
store_one (StoreSide *s)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMessage) msg = rt_message_new ();
  msg->ws_id = s->ws;
  msg->author_label = g_strdup (label);
  msg->text = g_strdup (text);
  if (!rt_hub_accept (s->store, &s->world, &s->policy, msg, &error) || msg->id <= 0)
    {
      g_printerr ("bench-accept: accept: %s\n", error ? error->message : "not stored");
      return FALSE;
    }
  return TRUE;
}

/* The routes the store planned for one message: IM and PENDING rows. */
static void
store_check_routes (StoreSide *s, const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT route, COUNT(*) FROM deliveries WHERE msg_id = "
                          "(SELECT MAX(id) FROM messages) GROUP BY route ORDER BY route",
                          -1, &st, NULL) == SQLITE_OK)
    {
      GString *out = g_string_new (NULL);
      while (sqlite3_step (st) == SQLITE_ROW)
        g_string_append_printf (out, " %s=%d", sqlite3_column_text (st, 0),
                                sqlite3_column_int (st, 1));
      g_printerr ("bench-accept: %u members, rows of the last message:%s\n",
                  s->n_members, out->str);
      g_string_free (out, TRUE);
    }
  sqlite3_finalize (st);
  sqlite3_close (db);
}

/* ---- the raw side ---------------------------------------------------- */

typedef struct {
  RawStore  store;
  GArray   *rows;   /* RawRow: one per member, as the store plans them */
} RawSide;

static gboolean
raw_setup (RawSide *r, const char *path, const char *store_path, StoreSide *s)
{
  if (!raw_store_open (&r->store, "bench-accept", path, store_path))
    return FALSE;
  r->rows = g_array_new (FALSE, FALSE, sizeof (RawRow));
  GPtrArray *members = rt_store_members (s->store, s->ws);
  for (guint i = 0; i < members->len; i++)
    {
      const RtMember *m = g_ptr_array_index (members, i);
      gboolean im = half_available (g_ptr_array_index (m->endpoints, 0), NULL) == RT_PRESENCE_AVAILABLE;
      RawRow row = { 'M', m->id, im ? "im" : "pending", im ? 0 : -1, im ? 0 : 1 };
      g_array_append_val (r->rows, row);
    }
  return TRUE;
}

static gboolean
raw_one (RawSide *r)
{
  return raw_store_begin (&r->store)
         && raw_store_message (&r->store, FALSE, NULL, label, text, g_get_real_time (), 0,
                               (const RawRow *) r->rows->data, r->rows->len)
         && raw_store_commit (&r->store);
}

static void
raw_close (RawSide *r)
{
  raw_store_close (&r->store);
  if (r->rows)
    g_array_unref (r->rows);
}

/* ---- timing ------------------------------------------------------------ */

/* A pass is a few messages: the clock is read once per pass. */
#define MSGS_PER_PASS 4

static gint64
store_pass (gpointer side)
{
  for (int k = 0; k < MSGS_PER_PASS; k++)
    if (!store_one (side))
      return -1;
  return MSGS_PER_PASS;
}

static gint64
raw_pass (gpointer side)
{
  for (int k = 0; k < MSGS_PER_PASS; k++)
    if (!raw_one (side))
      return -1;
  return MSGS_PER_PASS;
}

static void
report_round (int round, const double *rates, gpointer n_members)
{
  g_printerr ("bench-accept: %u members, round %d: store %.0f msg/s, raw %.0f msg/s\n",
              GPOINTER_TO_UINT (n_members), round, rates[0], rates[1]);
}

static gboolean
bench_size (const char *dir, guint n_members, double seconds, int rounds)
{
  g_autofree char *store_path = g_strdup_printf ("%s/store-%u.db", dir, n_members);
  g_autofree char *raw_path = g_strdup_printf ("%s/raw-%u.db", dir, n_members);
  StoreSide s = { 0 };
  RawSide r = { 0 };
  gboolean ok = FALSE;
  const BenchSide sides[] = { { store_pass, &s }, { raw_pass, &r } };
  double med[2];

  if (!store_setup (&s, store_path, n_members) || !raw_setup (&r, raw_path, store_path, &s))
    goto out;
  /* Warm up both (statement caches, the members cache, time zones). */
  for (int i = 0; i < 20; i++)
    if (!store_one (&s) || !raw_one (&r))
      goto out;
  if (!bench_rounds (sides, 2, rounds, seconds, report_round, GUINT_TO_POINTER (n_members), med))
    goto out;
  store_check_routes (&s, store_path);
  {
    /* In a block: the goto above must not jump into these names' scope. */
    g_autofree char *name = g_strdup_printf ("accept_rate_%u", n_members);
    g_autofree char *baseline = g_strdup_printf ("raw_sqlite_rate_%u", n_members);
    bench_print_figure (name, med[0], 0, "msg/s", baseline, med[1], 2);
  }
  fflush (stdout);
  ok = TRUE;
out:
  raw_close (&r);
  rt_store_close (s.store);
  return ok;
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      g_printerr ("usage: %s DIR [SECONDS_PER_ROUND [ROUNDS [MEMBERS...]]]\n", argv[0]);
      return 2;
    }
  double seconds = argc > 2 ? g_ascii_strtod (argv[2], NULL) : 0.25;
  int rounds = argc > 3 ? atoi (argv[3]) : 8;
  if (seconds <= 0 || rounds <= 0)
    {
      g_printerr ("bench-accept: bad SECONDS_PER_ROUND or ROUNDS\n");
      return 2;
    }
  guint sizes_default[] = { 30, 1000 };
  guint n_sizes = argc > 4 ? (guint) (argc - 4) : G_N_ELEMENTS (sizes_default);
  gboolean ok = TRUE;
  for (guint i = 0; i < n_sizes; i++)
    {
      guint n = argc > 4 ? (guint) atoi (argv[4 + i]) : sizes_default[i];
      if (n == 0)
        continue;
      ok = bench_size (argv[1], n, seconds, rounds) && ok;
    }
  return ok ? 0 : 1;
}
