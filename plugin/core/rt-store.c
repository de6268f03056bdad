/* rt-store.c: the durable store (SQLite, WAL, versioned schema): open/close,
 * the statement table, workspaces, members and links. The schema and its
 * migrations are in rt-store-schema.c, messages and the outbox in
 * rt-store-outbox.c.
 *
 * Every statement is prepared once at open (SQLITE_PREPARE_PERSISTENT) and
 * reset right after use, so text bound with SQLITE_STATIC never outlives the
 * call that bound it. Every public write is one BEGIN IMMEDIATE..COMMIT. */
#include "config.h"
#include <string.h>
#include <sqlite3.h>
#include <glib/gi18n-lib.h>
#include "rt-store-private.h"
#include "rt-clock.h"
#include "rt-error.h"

#define MEMBER_COLS "SELECT id, ws_id, handle, name, site, country, tz, lang, " \
                    "hours_start, hours_end, days, offhours_im, immediate_mail, " \
                    "digest, quiet, last_digest_slot, unsubscribed_us, roles FROM members "
#define MSG_COLS "SELECT m.id, m.ws_id, m.origin, m.author_member, m.author_label, " \
                 "m.text, m.created_us, m.source_link, m.thread_id, m.kind FROM messages m "
#define EP_COLS "id, scheme, address, account, failing_us, failing_reason"
/* The schedule columns: a change of any of them restarts the member's
 * digest slots at the latest slot at or before now (?15). */
#define SCHEDULE_CHANGED "digest IS NOT ?13 OR quiet IS NOT ?14 OR tz IS NOT ?6 OR " \
                         "hours_start IS NOT ?8 OR hours_end IS NOT ?9 OR days IS NOT ?10"
#define WS_COLS "SELECT id, name, mailbox, immediate_mail FROM workspaces "
#define DELIVERY_KEY " WHERE msg_id = ?1 AND kind = ?2 AND target = ?3"
#define LINK_COLS "SELECT id, ws_id, protocol, account, room, direction, audience FROM links "

static const char *const statement_sql[N_STATEMENTS] = {
  [S_BEGIN] = "BEGIN IMMEDIATE",
  [S_COMMIT] = "COMMIT",
  [S_ROLLBACK] = "ROLLBACK",
  [S_WS_INSERT] = "INSERT INTO workspaces (name, created_us) VALUES (?1, ?2)",
  [S_WS_FIND] = WS_COLS "WHERE name = ?1",
  [S_WS_GET] = WS_COLS "WHERE id = ?1",
  [S_WS_LIST] = WS_COLS "ORDER BY name",
  [S_WS_SET_MAIL] = "UPDATE workspaces SET mailbox = ?2, immediate_mail = ?3 WHERE id = ?1",
  [S_WS_DELETE] = "DELETE FROM workspaces WHERE id = ?1",
  [S_MEMBER_INSERT] = "INSERT INTO members (ws_id, handle, name, site, country, tz, lang, "
    "hours_start, hours_end, days, offhours_im, immediate_mail, digest, quiet, last_digest_slot, roles) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?17)",
  /* SET expressions read the old values: the CASE compares old and new. */
  [S_MEMBER_UPDATE] = "UPDATE members SET ws_id = ?1, handle = ?2, name = ?3, site = ?4, "
    "country = ?5, tz = ?6, lang = ?7, hours_start = ?8, hours_end = ?9, days = ?10, "
    "offhours_im = ?11, immediate_mail = ?12, digest = ?13, quiet = ?14, roles = ?17, "
    "last_digest_slot = CASE WHEN " SCHEDULE_CHANGED " THEN MAX (last_digest_slot, ?15) "
    "ELSE last_digest_slot END WHERE id = ?16",
  [S_MEMBER_FIND] = MEMBER_COLS "WHERE ws_id = ?1 AND handle = ?2",
  [S_MEMBER_GET] = MEMBER_COLS "WHERE id = ?1",
  [S_MEMBER_LIST] = MEMBER_COLS "WHERE ws_id = ?1 ORDER BY handle",
  [S_MEMBER_DELETE] = "DELETE FROM members WHERE id = ?1",
  [S_MEMBER_DROP_DELIVERIES] = "DELETE FROM deliveries WHERE kind = 'M' AND target = ?1 "
    "AND state IN (0, 1, 5, 6)",
  [S_MEMBERS_BY_EP] = "SELECT DISTINCT m.id, m.last_im, m.ws_id FROM endpoints e "
    "JOIN members m ON m.id = e.member_id "
    "WHERE e.scheme = ?1 AND e.address = ?2 COLLATE NOCASE ORDER BY m.last_im DESC, m.id",
  [S_MEMBER_LAST_IM] = "UPDATE members SET last_im = ?2 WHERE id = ?1",
  [S_EP_DELETE] = "DELETE FROM endpoints WHERE member_id = ?1",
  [S_EP_INSERT] = "INSERT INTO endpoints (member_id, pos, scheme, address, account, "
    "failing_us, failing_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [S_EP_OF_MEMBER] = "SELECT member_id, " EP_COLS " FROM endpoints "
    "WHERE member_id = ?1 ORDER BY pos",
  [S_EP_OF_WS] = "SELECT e.member_id, e.id, e.scheme, e.address, e.account, e.failing_us, "
    "e.failing_reason FROM endpoints e "
    "JOIN members m ON m.id = e.member_id WHERE m.ws_id = ?1 ORDER BY e.member_id, e.pos",
  [S_LINK_INSERT] = "INSERT INTO links (ws_id, protocol, account, room, direction, audience) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  [S_LINK_FIND] = LINK_COLS "WHERE protocol = ?1 AND account = ?2 AND room = ?3",
  [S_LINK_LIST_WS] = LINK_COLS "WHERE ws_id = ?1 ORDER BY id",
  [S_LINK_LIST_ALL] = LINK_COLS "ORDER BY id",
  [S_LINK_DELETE] = "DELETE FROM links WHERE id = ?1",
  [S_LINK_DROP_DELIVERIES] = "DELETE FROM deliveries WHERE kind = 'L' AND target = ?1 "
    "AND state IN (0, 7)",
  [S_MSG_INSERT] = "INSERT INTO messages (ws_id, origin, author_member, author_label, text, "
    "created_us, source_link, thread_id, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
  [S_MSG_GET] = MSG_COLS "WHERE m.id = ?1",
  [S_MSG_COUNT_WS] = "SELECT COUNT(*) FROM messages WHERE ws_id = ?1",
  [S_MSG_COUNT_ALL] = "SELECT COUNT(*) FROM messages",
  [S_DELIV_INSERT] = "INSERT INTO deliveries (msg_id, kind, target, route, endpoint, state, "
    "attempts, next_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)",
  [S_DELIV_STATE] = "SELECT state FROM deliveries" DELIVERY_KEY,
  [S_DELIV_SENT] = "UPDATE deliveries SET state = 2, sent_at = ?4" DELIVERY_KEY,
  /* A mail in flight (5) that failed is to send again (0). */
  [S_DELIV_RETRY] = "UPDATE deliveries SET state = 0, attempts = attempts + 1, next_at = ?4, "
    "error = ?5" DELIVERY_KEY,
  /* next_at of a row kept for the digest says since when it waits (the
   * digest scheduler needs the oldest per member). */
  [S_DELIV_GIVE_UP] = "UPDATE deliveries SET attempts = attempts + 1, state = ?4, route = ?5, "
    "error = ?6, next_at = ?7" DELIVERY_KEY,
  [S_DELIV_DEFER] = "UPDATE deliveries SET next_at = ?4" DELIVERY_KEY " AND state = 0",
  [S_RESCHEDULE] = "UPDATE deliveries SET next_at = ?1 WHERE state = 0 AND next_at > ?1",
  [S_DUE] = "SELECT msg_id, kind, target, route, endpoint, attempts, next_at FROM deliveries "
    "INDEXED BY deliveries_outbox "
    "WHERE state = 0 AND next_at <= ?1 ORDER BY msg_id, kind, target LIMIT ?2",
  [S_NEXT_DUE] = "SELECT MIN(next_at) FROM deliveries WHERE state = 0",
  [S_COUNT_DUE] = "SELECT COUNT(*) FROM deliveries WHERE state = 0 AND next_at <= ?1",
  [S_PENDING] = MSG_COLS "JOIN deliveries d INDEXED BY deliveries_kept ON d.msg_id = m.id "
    "WHERE d.kind = 'M' AND d.target = ?1 AND d.state = 1 ORDER BY d.msg_id",
};

/* ---- helpers --------------------------------------------------------- */

/* Shared with rt-store-outbox.c and rt-store-digest.c: see
 * rt-store-private.h. */

sqlite3_stmt *
store_stmt (RtStore *store, const char *sql)
{
  sqlite3_stmt *st = g_hash_table_lookup (store->more_stmts, sql);
  if (st != NULL)
    return st;
  if (sqlite3_prepare_v3 (store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
    {
      g_critical ("rt-store: cannot prepare “%s”: %s", sql, sqlite3_errmsg (store->db));
      return NULL;
    }
  g_hash_table_insert (store->more_stmts, (gpointer) sql, st);
  return st;
}

gboolean
store_error (RtStore *store, GError **error)
{
  g_set_error (error, RT_ERROR, RT_ERROR_STORE, "%s", sqlite3_errmsg (store->db));
  return FALSE;
}

sqlite3_stmt *
S (RtStore *store, StmtId id)
{
  return store->stmt[id];
}

int
run (sqlite3_stmt *st)
{
  int rc = sqlite3_step (st);
  sqlite3_reset (st);
  return rc;
}

int
constraint (RtStore *store)
{
  return sqlite3_extended_errcode (store->db);
}

void
bind_text (sqlite3_stmt *st, int i, const char *text)
{
  if (text)
    sqlite3_bind_text (st, i, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (st, i);
}

char *
col_text (sqlite3_stmt *st, int i)
{
  return g_strdup ((const char *) sqlite3_column_text (st, i));
}

gboolean
tx_begin (RtStore *store, GError **error)
{
  if (store->tx_depth > 0)
    {
      store->tx_depth++;
      return TRUE;
    }
  if (run (S (store, S_BEGIN)) != SQLITE_DONE)
    return store_error (store, error);
  store->tx_depth = 1;
  store->tx_failed = FALSE;
  return TRUE;
}

gboolean
tx_end (RtStore *store, gboolean ok, GError **error)
{
  g_return_val_if_fail (store->tx_depth > 0, FALSE);
  if (--store->tx_depth > 0)
    {
      store->tx_failed = store->tx_failed || !ok;
      return ok;
    }
  ok = ok && !store->tx_failed;
  store->tx_failed = FALSE;
  /* An error such as disk full may have ended the transaction already. */
  if (ok && sqlite3_get_autocommit (store->db) == 0 && run (S (store, S_COMMIT)) == SQLITE_DONE)
    return TRUE;
  if (ok)
    store_error (store, error);
  if (sqlite3_get_autocommit (store->db) == 0)
    run (S (store, S_ROLLBACK));
  return FALSE;
}

gboolean
rt_store_begin (RtStore *store, GError **error)
{
  return tx_begin (store, error);
}

gboolean
rt_store_end (RtStore *store, gboolean commit, GError **error)
{
  return tx_end (store, commit, error);
}

void
store_members_changed (RtStore *store)
{
  g_hash_table_remove_all (store->members_cache);
}


/* In one transaction: deletes row id with statement del, then runs statement
 * also (none if N_STATEMENTS), each with id as ?1. Fails with
 * RT_ERROR_NOT_FOUND and not_found (a translated message) if del removed no
 * row. Returns whether the work is committed. */
static gboolean
delete_by_id (RtStore *store, StmtId del, StmtId also, gint64 id,
              const char *not_found, GError **error)
{
  sqlite3_stmt *st = S (store, del);
  gboolean ok;

  if (!tx_begin (store, error))
    return FALSE;
  sqlite3_bind_int64 (st, 1, id);
  ok = run (st) == SQLITE_DONE || store_error (store, error);
  if (ok && sqlite3_changes (store->db) == 0)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_NOT_FOUND, not_found);
      ok = FALSE;
    }
  if (ok && also != N_STATEMENTS)
    {
      st = S (store, also);
      sqlite3_bind_int64 (st, 1, id);
      ok = run (st) == SQLITE_DONE || store_error (store, error);
    }
  return tx_end (store, ok, error);
}

/* ---- open/close ------------------------------------------------------ */

static void
stmt_finalize (gpointer st)
{
  sqlite3_finalize (st);
}

RtStore *
rt_store_open (const char *path, GError **error)
{
  g_autoptr (RtStore) store = g_new0 (RtStore, 1);
  int rc;

  store->members_cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                (GDestroyNotify) g_ptr_array_unref);
  store->more_stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, stmt_finalize);
  rc = sqlite3_open_v2 (path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_STORE, "%s: %s", path,
                   store->db ? sqlite3_errmsg (store->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (store->db, 1);
  sqlite3_busy_timeout (store->db, 5000);
  if (!store_exec_sql (store->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                 "PRAGMA foreign_keys=ON;", error) ||
      !store_migrate (store->db, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  for (int i = 0; i < N_STATEMENTS; i++)
    if (sqlite3_prepare_v3 (store->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                            &store->stmt[i], NULL) != SQLITE_OK)
      {
        g_set_error (error, RT_ERROR, RT_ERROR_STORE, "%s: %s", path,
                     sqlite3_errmsg (store->db));
        return NULL;
      }
  store->last_im = 0;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (store->db, "SELECT MAX(last_im) FROM members", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step (st) == SQLITE_ROW)
    store->last_im = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  return g_steal_pointer (&store);
}

void
rt_store_close (RtStore *store)
{
  if (!store)
    return;
  for (int i = 0; i < N_STATEMENTS; i++)
    sqlite3_finalize (store->stmt[i]);
  g_hash_table_unref (store->more_stmts);   /* finalizes them */
  sqlite3_close (store->db);
  g_hash_table_unref (store->members_cache);
  g_free (store);
}

int
rt_store_schema_version (RtStore *store)
{
  return store_user_version (store->db);
}

/* ---- workspaces ------------------------------------------------------ */

static RtWorkspace *
workspace_from_row (sqlite3_stmt *st)
{
  RtWorkspace *ws = g_new0 (RtWorkspace, 1);
  ws->id = sqlite3_column_int64 (st, 0);
  ws->name = col_text (st, 1);
  ws->mailbox = col_text (st, 2);
  ws->immediate_mail = sqlite3_column_int (st, 3) != 0;
  return ws;
}

gint64
rt_store_workspace_create (RtStore *store, const char *name, GError **error)
{
  g_autofree char *clean = g_strstrip (g_strdup (name ? name : ""));
  sqlite3_stmt *st = S (store, S_WS_INSERT);

  if (!*clean)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID,
                           _("A workspace needs a name."));
      return 0;
    }
  if (!tx_begin (store, error))
    return 0;
  bind_text (st, 1, clean);
  sqlite3_bind_int64 (st, 2, rt_clock_now ());
  if (run (st) != SQLITE_DONE)
    {
      if (constraint (store) == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, RT_ERROR, RT_ERROR_EXISTS,
                     _("A workspace named “%s” already exists."), clean);
      else
        store_error (store, error);
      tx_end (store, FALSE, NULL);
      return 0;
    }
  gint64 id = sqlite3_last_insert_rowid (store->db);
  return tx_end (store, TRUE, error) ? id : 0;
}

RtWorkspace *
rt_store_workspace_find (RtStore *store, const char *name, GError **error)
{
  g_autofree char *clean = g_strstrip (g_strdup (name ? name : ""));
  sqlite3_stmt *st = S (store, S_WS_FIND);
  RtWorkspace *ws = NULL;

  bind_text (st, 1, clean);
  if (sqlite3_step (st) == SQLITE_ROW)
    ws = workspace_from_row (st);
  sqlite3_reset (st);
  if (!ws)
    g_set_error (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("No workspace named “%s”."), clean);
  return ws;
}

RtWorkspace *
rt_store_workspace_get (RtStore *store, gint64 id)
{
  sqlite3_stmt *st = S (store, S_WS_GET);
  RtWorkspace *ws = NULL;

  sqlite3_bind_int64 (st, 1, id);
  if (sqlite3_step (st) == SQLITE_ROW)
    ws = workspace_from_row (st);
  sqlite3_reset (st);
  return ws;
}

GPtrArray *
rt_store_workspaces (RtStore *store)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_workspace_free);
  sqlite3_stmt *st = S (store, S_WS_LIST);

  while (sqlite3_step (st) == SQLITE_ROW)
    g_ptr_array_add (list, workspace_from_row (st));
  sqlite3_reset (st);
  return list;
}

gboolean
rt_store_workspace_set_mail (RtStore *store, gint64 id, const char *mailbox,
                             gboolean immediate, GError **error)
{
  sqlite3_stmt *st = S (store, S_WS_SET_MAIL);

  if (!tx_begin (store, error))
    return FALSE;
  sqlite3_bind_int64 (st, 1, id);
  bind_text (st, 2, mailbox && *mailbox ? mailbox : NULL);
  sqlite3_bind_int (st, 3, immediate ? 1 : 0);
  gboolean ok = run (st) == SQLITE_DONE || store_error (store, error);
  if (ok && sqlite3_changes (store->db) == 0)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("No such workspace."));
      ok = FALSE;
    }
  return tx_end (store, ok, error);
}

gboolean
rt_store_workspace_delete (RtStore *store, gint64 id, GError **error)
{
  if (!delete_by_id (store, S_WS_DELETE, N_STATEMENTS, id, _("No such workspace."), error))
    return FALSE;
  store_members_changed (store);
  return TRUE;
}

/* ---- members --------------------------------------------------------- */

static RtMember *
member_from_row (sqlite3_stmt *st)
{
  g_autofree char *handle = col_text (st, 2);
  RtMember *m = rt_member_new (handle);

  m->id = sqlite3_column_int64 (st, 0);
  m->ws_id = sqlite3_column_int64 (st, 1);
  m->name = col_text (st, 3);
  m->site = col_text (st, 4);
  m->country = col_text (st, 5);
  g_free (m->tz);
  m->tz = col_text (st, 6);
  g_free (m->lang);
  m->lang = col_text (st, 7);
  m->hours.start_min = sqlite3_column_int (st, 8);
  m->hours.end_min = sqlite3_column_int (st, 9);
  m->hours.days = sqlite3_column_int (st, 10);
  m->offhours_im = sqlite3_column_int (st, 11) != 0;
  if (sqlite3_column_type (st, 12) == SQLITE_NULL)
    m->immediate_mail = RT_IMMEDIATE_FOLLOW;
  else
    m->immediate_mail = sqlite3_column_int (st, 12) ? RT_IMMEDIATE_YES : RT_IMMEDIATE_NO;
  /* Written only by member_save through the parsers: a value that does not
   * parse (edited by hand) leaves the default. */
  rt_schedule_parse ((const char *) sqlite3_column_text (st, 13), &m->digest, NULL);
  rt_quiet_parse ((const char *) sqlite3_column_text (st, 14), &m->quiet, NULL);
  m->last_digest_slot = sqlite3_column_int64 (st, 15);
  m->unsubscribed_us = sqlite3_column_int64 (st, 16);
  m->roles = sqlite3_column_int (st, 17) & RT_ROLES_KNOWN;
  return m;
}

/* Endpoint rows: member_id, id, scheme, address, account, failing_us,
 * failing_reason. */
static RtEndpoint *
endpoint_from_row (sqlite3_stmt *st)
{
  RtEndpoint *ep = g_new0 (RtEndpoint, 1);
  ep->id = sqlite3_column_int64 (st, 1);
  ep->scheme = col_text (st, 2);
  ep->address = col_text (st, 3);
  ep->account = col_text (st, 4);
  ep->failing_us = sqlite3_column_int64 (st, 5);
  ep->failing_reason = col_text (st, 6);
  return ep;
}

static RtMember *
member_load (RtStore *store, StmtId id, gint64 arg1, const char *arg2)
{
  sqlite3_stmt *st = S (store, id);
  RtMember *m = NULL;

  sqlite3_bind_int64 (st, 1, arg1);
  if (arg2)
    bind_text (st, 2, arg2);
  if (sqlite3_step (st) == SQLITE_ROW)
    m = member_from_row (st);
  sqlite3_reset (st);
  if (!m)
    return NULL;

  st = S (store, S_EP_OF_MEMBER);
  sqlite3_bind_int64 (st, 1, m->id);
  while (sqlite3_step (st) == SQLITE_ROW)
    g_ptr_array_add (m->endpoints, endpoint_from_row (st));
  sqlite3_reset (st);
  return m;
}

/* The latest slot of m's schedule at or before now, else now: what a new
 * or changed schedule starts from. */
static gint64
schedule_start (const RtMember *m)
{
  gint64 now = rt_clock_now ();
  gint64 slot = rt_schedule_due_slot (&m->digest, &m->hours, &m->quiet, m->tz, 0, now);
  return slot != 0 ? slot : now;
}

static void
bind_member (sqlite3_stmt *st, const RtMember *m)
{
  g_autofree char *digest = rt_schedule_format (&m->digest);
  g_autofree char *quiet = rt_quiet_format (&m->quiet);

  sqlite3_bind_int64 (st, 1, m->ws_id);
  bind_text (st, 2, m->handle);
  bind_text (st, 3, m->name);
  bind_text (st, 4, m->site);
  bind_text (st, 5, m->country);
  bind_text (st, 6, m->tz ? m->tz : "UTC");
  bind_text (st, 7, m->lang ? m->lang : "en");
  sqlite3_bind_int (st, 8, m->hours.start_min);
  sqlite3_bind_int (st, 9, m->hours.end_min);
  sqlite3_bind_int (st, 10, m->hours.days);
  sqlite3_bind_int (st, 11, m->offhours_im ? 1 : 0);
  if (m->immediate_mail == RT_IMMEDIATE_FOLLOW)
    sqlite3_bind_null (st, 12);
  else
    sqlite3_bind_int (st, 12, m->immediate_mail == RT_IMMEDIATE_YES);
  sqlite3_bind_text (st, 13, digest, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 14, quiet, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 15, schedule_start (m));
  sqlite3_bind_int (st, 17, m->roles & RT_ROLES_KNOWN);
}

static gboolean
member_write (RtStore *store, RtMember *m, gint64 *id, GError **error)
{
  sqlite3_stmt *st = S (store, m->id ? S_MEMBER_UPDATE : S_MEMBER_INSERT);

  bind_member (st, m);
  if (m->id)
    sqlite3_bind_int64 (st, 16, m->id);
  if (run (st) != SQLITE_DONE)
    {
      int code = constraint (store);
      if (code == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, RT_ERROR, RT_ERROR_EXISTS,
                     _("A member “%s” already exists in this workspace."), m->handle);
      else if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
        g_set_error_literal (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("No such workspace."));
      else
        store_error (store, error);
      return FALSE;
    }
  if (m->id && sqlite3_changes (store->db) == 0)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("No member “%s”."), m->handle);
      return FALSE;
    }
  *id = m->id ? m->id : sqlite3_last_insert_rowid (store->db);

  st = S (store, S_EP_DELETE);
  sqlite3_bind_int64 (st, 1, *id);
  if (run (st) != SQLITE_DONE)
    return store_error (store, error);
  st = S (store, S_EP_INSERT);
  for (guint i = 0; i < m->endpoints->len; i++)
    {
      const RtEndpoint *ep = g_ptr_array_index (m->endpoints, i);
      sqlite3_bind_int64 (st, 1, *id);
      sqlite3_bind_int (st, 2, i);
      bind_text (st, 3, ep->scheme);
      bind_text (st, 4, ep->address);
      bind_text (st, 5, ep->account);
      sqlite3_bind_int64 (st, 6, ep->failing_us);
      bind_text (st, 7, ep->failing_reason);
      if (run (st) != SQLITE_DONE)
        return store_error (store, error);
    }
  return TRUE;
}

gboolean
rt_store_member_save (RtStore *store, RtMember *member, GError **error)
{
  gint64 id = 0;

  if (!member->handle || !*member->handle)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID, _("A member needs a handle."));
      return FALSE;
    }
  if (!tx_begin (store, error))
    return FALSE;
  gboolean ok = tx_end (store, member_write (store, member, &id, error), error);
  store_members_changed (store);   /* even a rolled-back write may have been seen */
  if (!ok)
    return FALSE;
  member->id = id;
  /* Endpoint ids are renewed on every save: read them back in order. */
  sqlite3_stmt *st = S (store, S_EP_OF_MEMBER);
  sqlite3_bind_int64 (st, 1, id);
  for (guint i = 0; sqlite3_step (st) == SQLITE_ROW && i < member->endpoints->len; i++)
    ((RtEndpoint *) g_ptr_array_index (member->endpoints, i))->id = sqlite3_column_int64 (st, 1);
  sqlite3_reset (st);
  return TRUE;
}

RtMember *
rt_store_member_find (RtStore *store, gint64 ws_id, const char *handle, GError **error)
{
  RtMember *m = member_load (store, S_MEMBER_FIND, ws_id, handle ? handle : "");
  if (!m)
    g_set_error (error, RT_ERROR, RT_ERROR_NOT_FOUND,
                 _("No member “%s” in this workspace."), handle ? handle : "");
  return m;
}

RtMember *
rt_store_member_get (RtStore *store, gint64 member_id)
{
  return member_load (store, S_MEMBER_GET, member_id, NULL);
}

GPtrArray *
rt_store_members (RtStore *store, gint64 ws_id)
{
  GPtrArray *list = g_hash_table_lookup (store->members_cache, &ws_id);
  if (list)
    return list;

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_member_free);
  g_autoptr (GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  sqlite3_stmt *st = S (store, S_MEMBER_LIST);

  sqlite3_bind_int64 (st, 1, ws_id);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      RtMember *m = member_from_row (st);
      g_ptr_array_add (list, m);
      g_hash_table_insert (by_id, &m->id, m);
    }
  sqlite3_reset (st);

  st = S (store, S_EP_OF_WS);
  sqlite3_bind_int64 (st, 1, ws_id);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      gint64 member_id = sqlite3_column_int64 (st, 0);
      RtMember *m = g_hash_table_lookup (by_id, &member_id);
      if (m)
        g_ptr_array_add (m->endpoints, endpoint_from_row (st));
    }
  sqlite3_reset (st);

  g_hash_table_insert (store->members_cache, g_memdup2 (&ws_id, sizeof ws_id), list);
  return list;
}

gboolean
rt_store_member_remove (RtStore *store, gint64 ws_id, const char *handle, GError **error)
{
  g_autoptr (RtMember) m = rt_store_member_find (store, ws_id, handle, error);
  sqlite3_stmt *st;
  gboolean ok;

  if (!m || !tx_begin (store, error))
    return FALSE;
  st = S (store, S_MEMBER_DROP_DELIVERIES);
  sqlite3_bind_int64 (st, 1, m->id);
  ok = run (st) == SQLITE_DONE;
  if (ok)
    {
      st = S (store, S_MEMBER_DELETE);
      sqlite3_bind_int64 (st, 1, m->id);
      ok = run (st) == SQLITE_DONE;
    }
  if (!ok)
    store_error (store, error);
  ok = tx_end (store, ok, error);
  store_members_changed (store);
  return ok;
}

GPtrArray *
rt_store_members_by_endpoint (RtStore *store, const char *scheme, const char *address)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_member_free);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, 2 * sizeof (gint64));
  sqlite3_stmt *st = S (store, S_MEMBERS_BY_EP);

  bind_text (st, 1, scheme);
  bind_text (st, 2, address);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      gint64 id_ws[2] = { sqlite3_column_int64 (st, 0), sqlite3_column_int64 (st, 2) };
      g_array_append_val (ids, id_ws);
    }
  sqlite3_reset (st);
  /* Copies of the cached members (one query per workspace at most, none
   * once cached): every post and IM looks its author up here. */
  for (guint i = 0; i < ids->len; i++)
    {
      const gint64 *id_ws = &g_array_index (ids, gint64, 2 * i);
      GPtrArray *members = rt_store_members (store, id_ws[1]);
      for (guint j = 0; j < members->len; j++)
        {
          const RtMember *m = g_ptr_array_index (members, j);
          if (m->id == id_ws[0])
            {
              g_ptr_array_add (list, rt_member_copy (m));
              break;
            }
        }
    }
  return list;
}

/* ---- links ----------------------------------------------------------- */

static RtLink *
link_from_row (sqlite3_stmt *st)
{
  RtLink *link = g_new0 (RtLink, 1);
  link->id = sqlite3_column_int64 (st, 0);
  link->ws_id = sqlite3_column_int64 (st, 1);
  link->protocol = col_text (st, 2);
  link->account = col_text (st, 3);
  link->room = col_text (st, 4);
  link->direction = RT_DIRECTION_DEFAULT;
  link->audience = RT_AUDIENCE_DEFAULT;
  /* Written only through the parsers (the CHECKs hold the rest). */
  rt_link_direction_parse ((const char *) sqlite3_column_text (st, 5), &link->direction, NULL);
  rt_link_audience_parse ((const char *) sqlite3_column_text (st, 6), &link->audience, NULL);
  return link;
}

gint64
rt_store_link_add (RtStore *store, gint64 ws_id, const char *protocol,
                   const char *account, const char *room, GError **error)
{
  return rt_store_link_add_full (store, ws_id, protocol, account, room, RT_DIRECTION_DEFAULT,
                                 RT_AUDIENCE_DEFAULT, error);
}

gint64
rt_store_link_add_full (RtStore *store, gint64 ws_id, const char *protocol,
                        const char *account, const char *room, RtLinkDirection direction,
                        RtLinkAudience audience, GError **error)
{
  sqlite3_stmt *st = S (store, S_LINK_INSERT);

  if (!protocol || !*protocol || !room || !*room)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID,
                           _("A link needs a protocol and a room."));
      return 0;
    }
  if (!tx_begin (store, error))
    return 0;
  sqlite3_bind_int64 (st, 1, ws_id);
  bind_text (st, 2, protocol);
  bind_text (st, 3, account ? account : "");
  bind_text (st, 4, room);
  bind_text (st, 5, rt_link_direction_name (direction));
  bind_text (st, 6, rt_link_audience_name (audience));
  if (run (st) != SQLITE_DONE)
    {
      int code = constraint (store);
      if (code == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, RT_ERROR, RT_ERROR_EXISTS,
                     _("The room “%s” is already linked to a workspace."), room);
      else if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
        g_set_error_literal (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("No such workspace."));
      else
        store_error (store, error);
      tx_end (store, FALSE, NULL);
      return 0;
    }
  gint64 id = sqlite3_last_insert_rowid (store->db);
  return tx_end (store, TRUE, error) ? id : 0;
}

RtLink *
rt_store_link_find (RtStore *store, const char *protocol, const char *account, const char *room)
{
  sqlite3_stmt *st = S (store, S_LINK_FIND);
  RtLink *link = NULL;

  bind_text (st, 1, protocol);
  bind_text (st, 2, account ? account : "");
  bind_text (st, 3, room);
  if (sqlite3_step (st) == SQLITE_ROW)
    link = link_from_row (st);
  sqlite3_reset (st);
  return link;
}

GPtrArray *
rt_store_links (RtStore *store, gint64 ws_id)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_link_free);
  sqlite3_stmt *st = S (store, ws_id ? S_LINK_LIST_WS : S_LINK_LIST_ALL);

  if (ws_id)
    sqlite3_bind_int64 (st, 1, ws_id);
  while (sqlite3_step (st) == SQLITE_ROW)
    g_ptr_array_add (list, link_from_row (st));
  sqlite3_reset (st);
  return list;
}

gboolean
rt_store_link_remove (RtStore *store, gint64 link_id, GError **error)
{
  /* Lines not yet bridged into the room are dropped with it (also those
   * held for it); its open held messages become rejected, logged. */
  sqlite3_stmt *st = S (store, S_LINK_DELETE);
  if (!tx_begin (store, error))
    return FALSE;
  sqlite3_bind_int64 (st, 1, link_id);
  gboolean ok = run (st) == SQLITE_DONE || store_error (store, error);
  if (ok && sqlite3_changes (store->db) == 0)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("No such link."));
      ok = FALSE;
    }
  ok = ok && store_held_link_removed (store, link_id, error);
  if (ok)
    {
      st = S (store, S_LINK_DROP_DELIVERIES);
      sqlite3_bind_int64 (st, 1, link_id);
      ok = run (st) == SQLITE_DONE || store_error (store, error);
    }
  return tx_end (store, ok, error);
}
