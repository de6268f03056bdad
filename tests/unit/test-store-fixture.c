/* test-store-fixture.c: store helpers shared by the unit tests. */
#include "config.h"
#include <glib/gstdio.h>
#include <sqlite3.h>
#include "test-store-fixture.h"

RtStore *
rt_test_store_open (const char *dir_template, char **dir, char **path)
{
  g_autoptr (GError) error = NULL;
  *dir = g_dir_make_tmp (dir_template, &error);
  g_assert_no_error (error);
  *path = g_build_filename (*dir, "rt.db", NULL);
  RtStore *store = rt_store_open (*path, &error);
  g_assert_no_error (error);
  return store;
}

void
rt_test_store_remove (RtStore **store, char **dir, char **path, gboolean check_rmdir)
{
  g_clear_pointer (store, rt_store_close);
  const char *suffixes[] = { "", "-wal", "-shm" };
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (*path, suffixes[i], NULL);
      g_remove (p);
    }
  if (check_rmdir)
    g_assert_cmpint (g_rmdir (*dir), ==, 0);
  else
    g_rmdir (*dir);
  g_clear_pointer (path, g_free);
  g_clear_pointer (dir, g_free);
}

gint64
rt_test_store_count (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  gint64 n = -1;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  if (sqlite3_step (st) == SQLITE_ROW)
    n = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return n;
}

RtMember *
rt_test_store_add_member (RtStore *store, gint64 ws, const char *handle, const char *const *uris)
{
  g_autoptr (GError) error = NULL;
  RtMember *m = rt_member_new (handle);
  m->ws_id = ws;
  for (guint i = 0; uris && uris[i]; i++)
    g_ptr_array_add (m->endpoints, rt_endpoint_parse (uris[i], NULL));
  g_assert_true (rt_store_member_save (store, m, &error));
  g_assert_no_error (error);
  g_assert_cmpint (m->id, >, 0);
  return m;
}

RtMessage *
rt_test_store_add_message (RtStore *store, gint64 ws, const char *origin,
                           const RtDeliveryRow *rows, guint n)
{
  g_autoptr (GError) error = NULL;
  RtMessage *msg = rt_message_new ();
  msg->ws_id = ws;
  msg->origin = g_strdup (origin);
  msg->author_label = g_strdup ("Alice (Brussels)");
  msg->text = g_strdup ("hello");
  g_assert_true (rt_store_message_add (store, msg, rows, n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (msg->id, >, 0);
  return msg;
}
