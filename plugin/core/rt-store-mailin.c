/* rt-store-mailin.c: the store's side of mail taken in from a workspace's
 * mailbox (rt-mailin.h): mail_in, explained, failing endpoints and
 * unsubscribes (schema v4, rt-store.c). The reply-token key and mail_out
 * rows are rt-store-digest.c's.
 *
 * Mail arrives at human rates, so these statements are prepared on use
 * and finalized at once instead of joining the table in rt-store.c. */
#include "config.h"
#include <string.h>
#include <sqlite3.h>
#include "rt-store-private.h"
#include "rt-mailin.h"
#include "rt-clock.h"
#include "rt-error.h"

/* One explanation mail per address per this period. */
#define EXPLAIN_PERIOD_US (G_GINT64_CONSTANT (24) * 3600 * G_USEC_PER_SEC)

static sqlite3_stmt *
prepare (RtStore *store, const char *sql, GError **error)
{
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (store->db, sql, -1, &st, NULL) != SQLITE_OK)
    {
      store_error (store, error);
      return NULL;
    }
  return st;
}

/* Runs a write; SQLITE_DONE or an error. Finalizes st. */
static gboolean
exec_stmt (RtStore *store, sqlite3_stmt *st, GError **error)
{
  int rc = sqlite3_step (st);
  sqlite3_finalize (st);
  return rc == SQLITE_DONE || store_error (store, error);
}

gboolean
rt_store_mailin_seen (RtStore *store, const char *key)
{
  sqlite3_stmt *st = prepare (store, "SELECT 1 FROM mail_in WHERE message_id = ?1", NULL);
  if (st == NULL)
    return FALSE;
  bind_text (st, 1, key);
  gboolean seen = sqlite3_step (st) == SQLITE_ROW;
  sqlite3_finalize (st);
  return seen;
}

gint64
rt_store_mailin_thread_of (RtStore *store, gint64 ws_id, const char *message_id)
{
  if (message_id == NULL || *message_id == '\0')
    return 0;
  /* The answered message, or the root of its own thread: threads stay one
   * level deep. message_id comes without <>; mail_out may keep them. */
  sqlite3_stmt *st = prepare (store,
    "SELECT CASE WHEN m.thread_id != 0 THEN m.thread_id ELSE m.id END "
    "FROM mail_out o JOIN messages m ON m.id = o.msg_id "
    "WHERE o.message_id IN (?1, '<' || ?1 || '>') AND o.ws_id = ?2 AND m.ws_id = ?2", NULL);
  if (st == NULL)
    return 0;
  bind_text (st, 1, message_id);
  sqlite3_bind_int64 (st, 2, ws_id);
  gint64 id = sqlite3_step (st) == SQLITE_ROW ? sqlite3_column_int64 (st, 0) : 0;
  sqlite3_finalize (st);
  return id;
}

static gboolean
claim_explanation (RtStore *store, const char *address, gint64 now, gboolean *explain, GError **error)
{
  sqlite3_stmt *st = prepare (store, "SELECT last_us FROM explained WHERE address = ?1", error);
  if (st == NULL)
    return FALSE;
  bind_text (st, 1, address);
  gint64 last = sqlite3_step (st) == SQLITE_ROW ? sqlite3_column_int64 (st, 0) : G_MININT64;
  sqlite3_finalize (st);
  if (last != G_MININT64 && now - last < EXPLAIN_PERIOD_US)
    return TRUE;
  st = prepare (store, "INSERT INTO explained (address, last_us) VALUES (?1, ?2) "
                       "ON CONFLICT (address) DO UPDATE SET last_us = excluded.last_us", error);
  if (st == NULL)
    return FALSE;
  bind_text (st, 1, address);
  sqlite3_bind_int64 (st, 2, now);
  if (!exec_stmt (store, st, error))
    return FALSE;
  *explain = TRUE;
  return TRUE;
}

gboolean
rt_store_mailin_record (RtStore *store, const char *key, gint64 ws_id, gint64 msg_id,
                        gint64 thread_id, const char *outcome, const char *explain_to,
                        gboolean *explain, GError **error)
{
  gint64 now = rt_clock_now ();
  if (explain != NULL)
    *explain = FALSE;
  if (!tx_begin (store, error))
    return FALSE;
  sqlite3_stmt *st = prepare (store, "INSERT OR IGNORE INTO mail_in (message_id, ws_id, msg_id, outcome, "
                                     "received_us) VALUES (?1, ?2, ?3, ?4, ?5)", error);
  gboolean ok = st != NULL;
  if (ok)
    {
      bind_text (st, 1, key);
      sqlite3_bind_int64 (st, 2, ws_id);
      sqlite3_bind_int64 (st, 3, msg_id);
      bind_text (st, 4, outcome);
      sqlite3_bind_int64 (st, 5, now);
      ok = exec_stmt (store, st, error);
    }
  if (ok && msg_id != 0 && thread_id != 0)
    {
      st = prepare (store, "UPDATE messages SET thread_id = ?2 WHERE id = ?1 AND thread_id = 0", error);
      ok = st != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (st, 1, msg_id);
          sqlite3_bind_int64 (st, 2, thread_id);
          ok = exec_stmt (store, st, error);
        }
    }
  gboolean may = FALSE;
  if (ok && explain_to != NULL)
    ok = claim_explanation (store, explain_to, now, &may, error);
  if (!tx_end (store, ok, error))
    return FALSE;
  if (explain != NULL)
    *explain = may;
  return TRUE;
}

gboolean
rt_store_mailin_unsubscribe (RtStore *store, gint64 member_id, gboolean *changed, GError **error)
{
  *changed = FALSE;
  if (!tx_begin (store, error))
    return FALSE;
  sqlite3_stmt *st = prepare (store, "UPDATE members SET unsubscribed_us = ?2 "
                                     "WHERE id = ?1 AND unsubscribed_us = 0", error);
  gboolean ok = st != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (st, 1, member_id);
      sqlite3_bind_int64 (st, 2, MAX (rt_clock_now (), 1));
      ok = exec_stmt (store, st, error);
    }
  int n = ok ? sqlite3_changes (store->db) : 0;
  if (!tx_end (store, ok, error))
    return FALSE;
  g_hash_table_remove_all (store->members_cache);   /* members carry unsubscribed_us */
  *changed = n > 0;
  return TRUE;
}

gint
rt_store_mailin_set_failing (RtStore *store, const char *mailbox, const char *address,
                             const char *reason, GError **error)
{
  if (mailbox == NULL || address == NULL)
    return 0;
  if (!tx_begin (store, error))
    return -1;
  /* Marking keeps the first time; clearing touches failing rows only. */
  sqlite3_stmt *st = prepare (store, reason != NULL
    ? "UPDATE endpoints SET failing_us = CASE WHEN failing_us = 0 THEN ?3 ELSE failing_us END, "
      "failing_reason = ?4 "
      "WHERE scheme = 'mailto' AND address = ?2 COLLATE NOCASE AND member_id IN "
      "(SELECT m.id FROM members m JOIN workspaces w ON w.id = m.ws_id WHERE w.mailbox = ?1 COLLATE NOCASE)"
    : "UPDATE endpoints SET failing_us = 0, failing_reason = NULL "
      "WHERE failing_us != 0 AND scheme = 'mailto' AND address = ?2 COLLATE NOCASE AND member_id IN "
      "(SELECT m.id FROM members m JOIN workspaces w ON w.id = m.ws_id WHERE w.mailbox = ?1 COLLATE NOCASE)",
    error);
  gboolean ok = st != NULL;
  if (ok)
    {
      bind_text (st, 1, mailbox);
      bind_text (st, 2, address);
      if (reason != NULL)
        {
          sqlite3_bind_int64 (st, 3, MAX (rt_clock_now (), 1));
          bind_text (st, 4, reason);
        }
      ok = exec_stmt (store, st, error);
    }
  int n = ok ? sqlite3_changes (store->db) : 0;
  if (!tx_end (store, ok, error))
    return -1;
  if (n > 0)
    g_hash_table_remove_all (store->members_cache);   /* endpoints carry failing_us */
  return n;
}

char *
rt_store_mailin_failing (RtStore *store, gint64 endpoint_id, gint64 *since_us)
{
  sqlite3_stmt *st = prepare (store, "SELECT failing_us, failing_reason FROM endpoints "
                                     "WHERE id = ?1 AND failing_us != 0", NULL);
  if (st == NULL)
    return NULL;
  sqlite3_bind_int64 (st, 1, endpoint_id);
  char *reason = NULL;
  if (sqlite3_step (st) == SQLITE_ROW)
    {
      if (since_us != NULL)
        *since_us = sqlite3_column_int64 (st, 0);
      reason = g_strdup (sqlite3_column_text (st, 1) ? (const char *) sqlite3_column_text (st, 1) : "");
    }
  sqlite3_finalize (st);
  return reason;
}
