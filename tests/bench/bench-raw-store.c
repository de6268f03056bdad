/* bench-raw-store.c: the raw SQLite baseline (see the header). */
#include "bench-raw-store.h"

static gboolean
raw_fail (RawStore *r, const char *what)
{
  g_printerr ("%s: raw %s: %s\n", r->who, what, r->db ? sqlite3_errmsg (r->db) : "no db");
  return FALSE;
}

static gboolean
raw_exec (RawStore *r, const char *sql)
{
  char *msg = NULL;
  if (sqlite3_exec (r->db, sql, NULL, NULL, &msg) == SQLITE_OK)
    return TRUE;
  g_printerr ("%s: raw: %s: %s\n", r->who, sql, msg ? msg : "?");
  sqlite3_free (msg);
  return FALSE;
}

/* The store's DDL for the tables written per message (and their indexes). */
static GPtrArray *
store_ddl (const char *store_path)
{
  GPtrArray *ddl = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  if (sqlite3_open_v2 (store_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND "
                          "tbl_name IN ('workspaces', 'messages', 'deliveries') "
                          "ORDER BY CASE tbl_name WHEN 'workspaces' THEN 0 "
                          "WHEN 'messages' THEN 1 ELSE 2 END, type DESC, rowid",
                          -1, &st, NULL) == SQLITE_OK)
    while (sqlite3_step (st) == SQLITE_ROW)
      g_ptr_array_add (ddl, g_strdup ((const char *) sqlite3_column_text (st, 0)));
  sqlite3_finalize (st);
  sqlite3_close (db);
  return ddl;
}

static gboolean
prepare (RawStore *r, const char *sql, sqlite3_stmt **st)
{
  return sqlite3_prepare_v3 (r->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) == SQLITE_OK
         || raw_fail (r, "prepare");
}

gboolean
raw_store_open (RawStore *r, const char *who, const char *path, const char *store_path)
{
  g_autoptr (GPtrArray) ddl = store_ddl (store_path);
  r->who = who;
  if (ddl->len < 3)
    {
      g_printerr ("%s: could not read the store's schema from %s\n", who, store_path);
      return FALSE;
    }
  if (sqlite3_open_v2 (path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    return raw_fail (r, "open");
  if (!raw_exec (r, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
      || !raw_exec (r, "BEGIN"))
    return FALSE;
  for (guint i = 0; i < ddl->len; i++)
    if (!raw_exec (r, g_ptr_array_index (ddl, i)))
      return FALSE;
  if (!raw_exec (r, "INSERT INTO workspaces (name, created_us) VALUES ('Bench', 0)") ||
      !raw_exec (r, "COMMIT"))
    return FALSE;
  r->ws = sqlite3_last_insert_rowid (r->db);
  return prepare (r, "BEGIN IMMEDIATE", &r->begin) && prepare (r, "COMMIT", &r->commit)
         && prepare (r, "SAVEPOINT raw_msg", &r->savepoint) && prepare (r, "RELEASE raw_msg", &r->release)
         && prepare (r, "INSERT INTO messages (ws_id, origin, author_member, author_label, "
                     "text, created_us, source_link) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &r->msg_insert)
         && prepare (r, "INSERT INTO deliveries (msg_id, kind, target, route, endpoint, "
                     "state, attempts, next_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)", &r->deliv_insert);
}

static gboolean
raw_step (RawStore *r, sqlite3_stmt *st, const char *what)
{
  int rc = sqlite3_step (st);
  sqlite3_reset (st);
  return rc == SQLITE_DONE ? TRUE : raw_fail (r, what);
}

gboolean
raw_store_begin (RawStore *r)
{
  return raw_step (r, r->begin, "begin");
}

gboolean
raw_store_commit (RawStore *r)
{
  return raw_step (r, r->commit, "commit");
}

gboolean
raw_store_message (RawStore *r, gboolean savepoint, const char *origin, const char *label,
                   const char *text, gint64 now, gint64 source_link, const RawRow *rows, guint n_rows)
{
  if (savepoint && !raw_step (r, r->savepoint, "savepoint"))
    return FALSE;
  sqlite3_stmt *st = r->msg_insert;
  sqlite3_bind_int64 (st, 1, r->ws);
  if (origin != NULL)
    sqlite3_bind_text (st, 2, origin, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (st, 2);
  sqlite3_bind_int64 (st, 3, 0);
  sqlite3_bind_text (st, 4, label, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 5, text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 6, now);
  sqlite3_bind_int64 (st, 7, source_link);
  if (!raw_step (r, st, "message insert"))
    return FALSE;
  gint64 id = sqlite3_last_insert_rowid (r->db);
  st = r->deliv_insert;
  for (guint i = 0; i < n_rows; i++)
    {
      sqlite3_bind_int64 (st, 1, id);
      sqlite3_bind_text (st, 2, &rows[i].kind, 1, SQLITE_STATIC);
      sqlite3_bind_int64 (st, 3, rows[i].target);
      sqlite3_bind_text (st, 4, rows[i].route, -1, SQLITE_STATIC);
      sqlite3_bind_int (st, 5, rows[i].endpoint);
      sqlite3_bind_int (st, 6, rows[i].state);
      sqlite3_bind_int64 (st, 7, now);
      if (!raw_step (r, st, "delivery insert"))
        return FALSE;
    }
  return !savepoint || raw_step (r, r->release, "release");
}

void
raw_store_close (RawStore *r)
{
  sqlite3_finalize (r->begin);
  sqlite3_finalize (r->commit);
  sqlite3_finalize (r->savepoint);
  sqlite3_finalize (r->release);
  sqlite3_finalize (r->msg_insert);
  sqlite3_finalize (r->deliv_insert);
  sqlite3_close (r->db);
  r->db = NULL;
}
