/* rt-store-flight.c: mails handed to the mail plugin ("send-mail" accepted
 * them) that wait for its "roundtable-mail-sent" or "roundtable-mail-failed"
 * signal: a workspace message mailed at once (deliveries state 5), the rows
 * of a digest (state 6) and a mention mail (mentions state 1). Sent and
 * failed move them on (rt-store-outbox.c, rt-store-digest.c and below); a
 * hub that stopped with mails in flight sends them again at start
 * (rt_store_in_flight_reset): at least once, never lost.
 *
 * The same rules as the rest of the store: statements reset right after
 * use, every public write one transaction. */
#include "config.h"
#include <sqlite3.h>
#include "rt-store-private.h"

static const char mail_queued_sql[] =
  "UPDATE deliveries SET state = 5 WHERE msg_id = ?1 AND kind = 'M' AND target = ?2 AND state = 0";
static const char digest_flight_sql[] =
  "UPDATE deliveries SET state = 6 WHERE msg_id = ?1 AND kind = 'M' AND target = ?2 AND state = 1";
/* next_at of the row is untouched: it still says since when it is kept. */
static const char digest_failed_sql[] =
  "UPDATE deliveries SET state = 1 WHERE msg_id = ?1 AND kind = 'M' AND target = ?2 AND state = 6";
static const char mention_flight_sql[] =
  "UPDATE mentions SET state = 1 WHERE msg_id = ?1 AND member_id = ?2 AND state = 0";
static const char mention_failed_sql[] =
  "UPDATE mentions SET state = ?3, due_us = ?4, attempts = attempts + 1 "
  "WHERE msg_id = ?1 AND member_id = ?2 AND state = 1";
static const char reset_mail_sql[] =
  "UPDATE deliveries SET state = 0, next_at = ?1 WHERE state = 5";
static const char reset_digest_sql[] = "UPDATE deliveries SET state = 1 WHERE state = 6";
static const char reset_mention_sql[] =
  "UPDATE mentions SET state = 0, due_us = MIN (due_us, ?1) WHERE state = 1";

/* Runs sql (a static string) with ?1 = a and ?2 = b; adds the rows it
 * changed to *changes when not NULL. */
static gboolean
exec2 (RtStore *store, const char *sql, gint64 a, gint64 b, guint *changes, GError **error)
{
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return store_error (store, error);
  if (sqlite3_bind_parameter_count (st) >= 1)
    sqlite3_bind_int64 (st, 1, a);
  if (sqlite3_bind_parameter_count (st) >= 2)
    sqlite3_bind_int64 (st, 2, b);
  if (run (st) != SQLITE_DONE)
    return store_error (store, error);
  if (changes != NULL)
    *changes += sqlite3_changes (store->db);
  return TRUE;
}

gboolean
rt_store_outbox_mail_queued (RtStore *store, gint64 msg_id, gint64 member_id,
                             const char *message_id, gint64 ws_id, GError **error)
{
  if (!tx_begin (store, error))
    return FALSE;
  gboolean ok = exec2 (store, mail_queued_sql, msg_id, member_id, NULL, error)
                && store_mail_out_write (store, message_id, "immediate", ws_id, member_id, msg_id, error);
  return tx_end (store, ok, error);
}

/* Runs a two-parameter statement over every (msg_id, member_id) of rows. */
static gboolean
each_row (RtStore *store, const char *sql, const RtPendingRow *rows, guint n_rows, GError **error)
{
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < n_rows; i++)
    ok = exec2 (store, sql, rows[i].msg_id, rows[i].member_id, NULL, error);
  return ok;
}

gboolean
rt_store_digest_in_flight (RtStore *store, const RtPendingRow *rows, guint n_rows,
                           const char *message_id, gint64 ws_id, gint64 member_id, GError **error)
{
  if (!tx_begin (store, error))
    return FALSE;
  gboolean ok = each_row (store, digest_flight_sql, rows, n_rows, error)
                && store_mail_out_write (store, message_id, "digest", ws_id, member_id, 0, error);
  return tx_end (store, ok, error);
}

gboolean
rt_store_digest_failed (RtStore *store, const RtPendingRow *rows, guint n_rows, GError **error)
{
  if (!tx_begin (store, error))
    return FALSE;
  return tx_end (store, each_row (store, digest_failed_sql, rows, n_rows, error), error);
}

gboolean
rt_store_mention_in_flight (RtStore *store, gint64 msg_id, gint64 member_id,
                            const char *message_id, gint64 ws_id, GError **error)
{
  if (!tx_begin (store, error))
    return FALSE;
  gboolean ok = exec2 (store, mention_flight_sql, msg_id, member_id, NULL, error)
                && store_mail_out_write (store, message_id, "mention", ws_id, member_id, msg_id, error);
  return tx_end (store, ok, error);
}

gboolean
rt_store_mention_failed (RtStore *store, gint64 msg_id, gint64 member_id, gint64 due_us,
                         gboolean give_up, GError **error)
{
  /* One statement: its own transaction. */
  sqlite3_stmt *st = store_stmt (store, mention_failed_sql);
  if (st == NULL)
    return store_error (store, error);
  sqlite3_bind_int64 (st, 1, msg_id);
  sqlite3_bind_int64 (st, 2, member_id);
  sqlite3_bind_int (st, 3, give_up ? RT_MENTION_DROPPED : RT_MENTION_WAITING);
  sqlite3_bind_int64 (st, 4, due_us);
  return run (st) == SQLITE_DONE || store_error (store, error);
}

gboolean
rt_store_in_flight_reset (RtStore *store, gint64 now_us, guint *n_reset, GError **error)
{
  guint n = 0;
  if (!tx_begin (store, error))
    return FALSE;
  gboolean ok = exec2 (store, reset_mail_sql, now_us, 0, &n, error)
                && exec2 (store, reset_digest_sql, 0, 0, &n, error)
                && exec2 (store, reset_mention_sql, now_us, 0, &n, error);
  if (!tx_end (store, ok, error))
    return FALSE;
  if (n_reset != NULL)
    *n_reset = n;
  return TRUE;
}
