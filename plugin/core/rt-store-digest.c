/* rt-store-digest.c: the store's side of digests and mention mails: which
 * members have messages kept for their digest and since when, marking a
 * digest sent, the mentions table, the mails the hub sent (mail_out), when
 * members were last seen live, and the hub's reply-token key (meta).
 *
 * The SQL lives here (store_stmt); the same rules as the rest of the store
 * hold: statements reset right after use, every public write one
 * transaction. */
#include "config.h"
#include <string.h>
#include <sqlite3.h>
#include "rt-store-private.h"
#include "rt-clock.h"
#include "rt-error.h"
#include "rt-token.h"

/* ---- the reply-token key --------------------------------------------- */

static const char meta_get_sql[] = "SELECT value FROM meta WHERE key = ?1";
static const char meta_set_sql[] = "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)";

/* meta[key] as a new buffer (NULL if absent). */
static guint8 *
meta_get (RtStore *store, const char *key, gsize *len)
{
  sqlite3_stmt *st = store_stmt (store, meta_get_sql);
  guint8 *value = NULL;
  if (st == NULL)
    return NULL;
  bind_text (st, 1, key);
  if (sqlite3_step (st) == SQLITE_ROW)
    {
      *len = sqlite3_column_bytes (st, 0);
      value = g_memdup2 (sqlite3_column_blob (st, 0), *len);
    }
  sqlite3_reset (st);
  return value;
}

gboolean
rt_store_token_key (RtStore *store, guint8 **key, gsize *key_len, GError **error)
{
  gsize len = 0;
  guint8 *value;

  /* The usual case, without a write transaction. */
  value = meta_get (store, "token_key", &len);
  if (value != NULL && len >= RT_TOKEN_KEY_MIN)
    {
      *key = value;
      *key_len = len;
      return TRUE;
    }
  g_free (value);

  if (!tx_begin (store, error))
    return FALSE;
  /* Another connection may have made it since the read above. */
  value = meta_get (store, "token_key", &len);
  gboolean ok = TRUE;
  if (value == NULL || len < RT_TOKEN_KEY_MIN)
    {
      g_free (value);
      value = g_malloc (RT_TOKEN_KEY_LEN);
      len = RT_TOKEN_KEY_LEN;
      ok = rt_token_key_generate (value, error);
      sqlite3_stmt *st = ok ? store_stmt (store, meta_set_sql) : NULL;
      if (ok && st == NULL)
        ok = store_error (store, error);
      if (ok)
        {
          bind_text (st, 1, "token_key");
          sqlite3_bind_blob (st, 2, value, (int) len, SQLITE_STATIC);
          ok = run (st) == SQLITE_DONE || store_error (store, error);
        }
    }
  if (!tx_end (store, ok, error))
    {
      if (value != NULL)
        memset (value, 0, len);
      g_free (value);
      return FALSE;
    }
  *key = value;
  *key_len = len;
  return TRUE;
}

/* ---- what waits for a digest ----------------------------------------- */

/* Both read deliveries_kept (v5: state 1 rows by member, then kept-since
 * time), one member at a time: the cost follows the members asked about and
 * their items, not every row kept for anybody. */
static const char pending_since_sql[] =
  "SELECT MIN (next_at) FROM deliveries INDEXED BY deliveries_kept "
  "WHERE state = 1 AND kind = 'M' AND target = ?1";
static const char pending_rows_sql[] =
  "SELECT msg_id FROM deliveries INDEXED BY deliveries_kept "
  "WHERE state = 1 AND kind = 'M' AND target = ?1";

GArray *
rt_store_pending_since (RtStore *store, const gint64 *member_ids, guint n)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (RtPendingSince));
  sqlite3_stmt *st = store_stmt (store, pending_since_sql);
  if (st == NULL)
    return out;
  for (guint i = 0; i < n; i++)
    {
      sqlite3_bind_int64 (st, 1, member_ids[i]);
      if (sqlite3_step (st) == SQLITE_ROW && sqlite3_column_type (st, 0) != SQLITE_NULL)
        {
          RtPendingSince p = { member_ids[i], sqlite3_column_int64 (st, 0) };
          g_array_append_val (out, p);
        }
      sqlite3_reset (st);
    }
  return out;
}

static gint
pending_row_cmp (gconstpointer a, gconstpointer b)
{
  const RtPendingRow *x = a, *y = b;
  if (x->member_id != y->member_id)
    return x->member_id < y->member_id ? -1 : 1;
  return x->msg_id < y->msg_id ? -1 : x->msg_id > y->msg_id;
}

GArray *
rt_store_pending_rows (RtStore *store, const gint64 *member_ids, guint n)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (RtPendingRow));
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  sqlite3_stmt *st = store_stmt (store, pending_rows_sql);
  if (st == NULL)
    return out;
  for (guint i = 0; i < n; i++)
    {
      if (!g_hash_table_add (seen, (gpointer) &member_ids[i]))
        continue;   /* asked twice */
      sqlite3_bind_int64 (st, 1, member_ids[i]);
      while (sqlite3_step (st) == SQLITE_ROW)
        {
          RtPendingRow r = { member_ids[i], sqlite3_column_int64 (st, 0) };
          g_array_append_val (out, r);
        }
      sqlite3_reset (st);
    }
  g_array_sort (out, pending_row_cmp);
  return out;
}

/* ---- sent mail ------------------------------------------------------- */

static const char mail_out_sql[] =
  "INSERT OR IGNORE INTO mail_out (message_id, kind, ws_id, member_id, msg_id, sent_us) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

gboolean
store_mail_out_write (RtStore *store, const char *message_id, const char *kind, gint64 ws_id,
                gint64 member_id, gint64 msg_id, GError **error)
{
  sqlite3_stmt *st = store_stmt (store, mail_out_sql);
  if (st == NULL)
    return store_error (store, error);
  bind_text (st, 1, message_id);
  bind_text (st, 2, kind);
  sqlite3_bind_int64 (st, 3, ws_id);
  sqlite3_bind_int64 (st, 4, member_id);
  sqlite3_bind_int64 (st, 5, msg_id);
  sqlite3_bind_int64 (st, 6, rt_clock_now ());
  return run (st) == SQLITE_DONE || store_error (store, error);
}

gboolean
rt_store_mail_out_add (RtStore *store, const char *message_id, const char *kind,
                       gint64 ws_id, gint64 member_id, gint64 msg_id, GError **error)
{
  g_return_val_if_fail (message_id != NULL && kind != NULL, FALSE);
  if (!tx_begin (store, error))
    return FALSE;
  return tx_end (store, store_mail_out_write (store, message_id, kind, ws_id, member_id, msg_id, error),
                 error);
}

static const char in_digest_sql[] =
  "UPDATE deliveries SET state = 4, sent_at = ?3 "
  "WHERE msg_id = ?1 AND kind = 'M' AND target = ?2 AND state IN (1, 6)";
static const char digest_slot_sql[] =
  "UPDATE members SET last_digest_slot = MAX (last_digest_slot, ?2) WHERE id = ?1";

gboolean
rt_store_digest_sent (RtStore *store, const RtPendingRow *rows, guint n_rows,
                      const gint64 *slots, guint n_slots, const char *message_id,
                      gint64 ws_id, gint64 member_id, GError **error)
{
  gint64 now = rt_clock_now ();
  gboolean ok;

  if (!tx_begin (store, error))
    return FALSE;
  sqlite3_stmt *st = store_stmt (store, in_digest_sql);
  ok = st != NULL || store_error (store, error);
  for (guint i = 0; ok && i < n_rows; i++)
    {
      sqlite3_bind_int64 (st, 1, rows[i].msg_id);
      sqlite3_bind_int64 (st, 2, rows[i].member_id);
      sqlite3_bind_int64 (st, 3, now);
      ok = run (st) == SQLITE_DONE || store_error (store, error);
    }
  st = ok ? store_stmt (store, digest_slot_sql) : NULL;
  ok = ok && (st != NULL || store_error (store, error));
  for (guint i = 0; ok && i < n_slots; i++)
    {
      sqlite3_bind_int64 (st, 1, slots[2 * i]);
      sqlite3_bind_int64 (st, 2, slots[2 * i + 1]);
      ok = run (st) == SQLITE_DONE || store_error (store, error);
    }
  if (ok && message_id != NULL)
    ok = store_mail_out_write (store, message_id, "digest", ws_id, member_id, 0, error);
  ok = tx_end (store, ok, error);
  store_members_changed (store);   /* last_digest_slot is read with members */
  return ok;
}

/* ---- live ------------------------------------------------------------ */

static const char seen_live_sql[] =
  "UPDATE members SET last_live_us = ?2 WHERE id = ?1 AND last_live_us < ?2";
static const char last_live_sql[] = "SELECT last_live_us FROM members WHERE id = ?1";

gboolean
rt_store_member_seen_live (RtStore *store, gint64 member_id, gint64 now_us, GError **error)
{
  /* One statement: its own transaction. */
  sqlite3_stmt *st = store_stmt (store, seen_live_sql);
  if (st == NULL)
    return store_error (store, error);
  sqlite3_bind_int64 (st, 1, member_id);
  sqlite3_bind_int64 (st, 2, now_us);
  return run (st) == SQLITE_DONE || store_error (store, error);
}

gint64
rt_store_member_last_live (RtStore *store, gint64 member_id)
{
  sqlite3_stmt *st = store_stmt (store, last_live_sql);
  gint64 v = 0;
  if (st == NULL)
    return 0;
  sqlite3_bind_int64 (st, 1, member_id);
  if (sqlite3_step (st) == SQLITE_ROW)
    v = sqlite3_column_int64 (st, 0);
  sqlite3_reset (st);
  return v;
}

/* ---- mentions -------------------------------------------------------- */

static const char mentions_due_sql[] =
  "SELECT msg_id, member_id, due_us, attempts FROM mentions INDEXED BY mentions_due "
  "WHERE state = 0 AND due_us <= ?1 ORDER BY due_us, msg_id, member_id LIMIT ?2";
static const char mentions_next_sql[] = "SELECT MIN (due_us) FROM mentions WHERE state = 0";
static const char mention_defer_sql[] =
  "UPDATE mentions SET due_us = ?3 WHERE msg_id = ?1 AND member_id = ?2 AND state = 0";
static const char mention_state_sql[] =
  "UPDATE mentions SET state = ?3 WHERE msg_id = ?1 AND member_id = ?2 AND state IN (0, 1)";
static const char mention_mailed_sql[] =
  "SELECT 1 FROM mentions WHERE msg_id = ?1 AND member_id = ?2 AND state = 2";

GArray *
rt_store_mentions_due (RtStore *store, gint64 now_us, guint limit)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (RtMentionRow));
  sqlite3_stmt *st = store_stmt (store, mentions_due_sql);
  if (st == NULL)
    return out;
  sqlite3_bind_int64 (st, 1, now_us);
  sqlite3_bind_int64 (st, 2, limit);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      RtMentionRow r = { sqlite3_column_int64 (st, 0), sqlite3_column_int64 (st, 1),
                         sqlite3_column_int64 (st, 2), sqlite3_column_int (st, 3) };
      g_array_append_val (out, r);
    }
  sqlite3_reset (st);
  return out;
}

gint64
rt_store_mentions_next (RtStore *store)
{
  sqlite3_stmt *st = store_stmt (store, mentions_next_sql);
  gint64 v = -1;
  if (st == NULL)
    return -1;
  if (sqlite3_step (st) == SQLITE_ROW && sqlite3_column_type (st, 0) != SQLITE_NULL)
    v = sqlite3_column_int64 (st, 0);
  sqlite3_reset (st);
  return v;
}

gboolean
rt_store_mention_defer (RtStore *store, gint64 msg_id, gint64 member_id, gint64 due_us,
                        GError **error)
{
  sqlite3_stmt *st = store_stmt (store, mention_defer_sql);
  if (st == NULL)
    return store_error (store, error);
  sqlite3_bind_int64 (st, 1, msg_id);
  sqlite3_bind_int64 (st, 2, member_id);
  sqlite3_bind_int64 (st, 3, due_us);
  return run (st) == SQLITE_DONE || store_error (store, error);
}

gboolean
rt_store_mention_done (RtStore *store, gint64 msg_id, gint64 member_id, int state,
                       const char *message_id, gint64 ws_id, GError **error)
{
  g_return_val_if_fail (state == RT_MENTION_SENT || state == RT_MENTION_DROPPED, FALSE);
  if (!tx_begin (store, error))
    return FALSE;
  sqlite3_stmt *st = store_stmt (store, mention_state_sql);
  gboolean ok = st != NULL || store_error (store, error);
  if (ok)
    {
      sqlite3_bind_int64 (st, 1, msg_id);
      sqlite3_bind_int64 (st, 2, member_id);
      sqlite3_bind_int (st, 3, state);
      ok = run (st) == SQLITE_DONE || store_error (store, error);
    }
  if (ok && state == RT_MENTION_SENT && message_id != NULL)
    ok = store_mail_out_write (store, message_id, "mention", ws_id, member_id, msg_id, error);
  return tx_end (store, ok, error);
}

gboolean
rt_store_mention_mailed (RtStore *store, gint64 msg_id, gint64 member_id)
{
  sqlite3_stmt *st = store_stmt (store, mention_mailed_sql);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, msg_id);
  sqlite3_bind_int64 (st, 2, member_id);
  gboolean mailed = sqlite3_step (st) == SQLITE_ROW;
  sqlite3_reset (st);
  return mailed;
}
