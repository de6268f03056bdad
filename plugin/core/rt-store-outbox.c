/* rt-store-outbox.c: the store's messages and their deliveries (the outbox
 * the pump sends from, and the rows kept for members' digests).
 *
 * Statements come from the table in rt-store.c; the same rules hold: reset
 * right after use, every public write one transaction. */
#include "config.h"
#include <sqlite3.h>
#include <glib/gi18n-lib.h>
#include "rt-store-private.h"
#include "rt-clock.h"
#include "rt-error.h"

/* ---- helpers --------------------------------------------------------- */

static void
bind_kind (sqlite3_stmt *st, int i, const char *kind)
{
  sqlite3_bind_text (st, i, kind, 1, SQLITE_STATIC);
}

static gint64
query_int64 (RtStore *store, StmtId id, gint64 arg, gint64 fallback)
{
  sqlite3_stmt *st = S (store, id);
  gint64 v = fallback;
  if (sqlite3_bind_parameter_count (st) > 0)
    sqlite3_bind_int64 (st, 1, arg);
  if (sqlite3_step (st) == SQLITE_ROW && sqlite3_column_type (st, 0) != SQLITE_NULL)
    v = sqlite3_column_int64 (st, 0);
  sqlite3_reset (st);
  return v;
}

/* ---- messages -------------------------------------------------------- */

static RtMessage *
message_from_row (sqlite3_stmt *st)
{
  RtMessage *msg = rt_message_new ();
  msg->id = sqlite3_column_int64 (st, 0);
  msg->ws_id = sqlite3_column_int64 (st, 1);
  msg->origin = col_text (st, 2);
  msg->author_member = sqlite3_column_int64 (st, 3);
  msg->author_label = col_text (st, 4);
  msg->text = col_text (st, 5);
  msg->created_us = sqlite3_column_int64 (st, 6);
  msg->source_link = sqlite3_column_int64 (st, 7);
  msg->thread_id = sqlite3_column_int64 (st, 8);
  msg->kind = sqlite3_column_int (st, 9) == RT_MESSAGE_HUB ? RT_MESSAGE_HUB : RT_MESSAGE_PERSON;
  return msg;
}

static const char mention_insert_sql[] =
  "INSERT OR IGNORE INTO mentions (msg_id, member_id, due_us, state) VALUES (?1, ?2, ?3, 0)";

static gboolean
mention_write (RtStore *store, gint64 msg_id, const RtDeliveryRow *row, GError **error)
{
  sqlite3_stmt *st = store_stmt (store, mention_insert_sql);
  if (st == NULL)
    return store_error (store, error);
  sqlite3_bind_int64 (st, 1, msg_id);
  sqlite3_bind_int64 (st, 2, row->target);
  sqlite3_bind_int64 (st, 3, row->mention_due_us);
  return run (st) == SQLITE_DONE || store_error (store, error);
}

/* Returns 1 stored, 0 duplicate, -1 error. */
static int
message_write (RtStore *store, RtMessage *msg, const RtDeliveryRow *rows, guint n_rows,
               const RtMessageExtras *extras, gint64 *id, GError **error)
{
  sqlite3_stmt *st = S (store, S_MSG_INSERT);
  gint64 now = rt_clock_now ();

  sqlite3_bind_int64 (st, 1, msg->ws_id);
  bind_text (st, 2, msg->origin);
  sqlite3_bind_int64 (st, 3, msg->author_member);
  bind_text (st, 4, msg->author_label);
  bind_text (st, 5, msg->text ? msg->text : "");
  sqlite3_bind_int64 (st, 6, msg->created_us);
  sqlite3_bind_int64 (st, 7, msg->source_link);
  sqlite3_bind_int64 (st, 8, msg->thread_id);
  sqlite3_bind_int (st, 9, msg->kind == RT_MESSAGE_HUB ? RT_MESSAGE_HUB : RT_MESSAGE_PERSON);
  if (run (st) != SQLITE_DONE)
    {
      int code = constraint (store);
      if (code == SQLITE_CONSTRAINT_UNIQUE)
        return 0;
      if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
        g_set_error_literal (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("No such workspace."));
      else
        store_error (store, error);
      return -1;
    }
  *id = sqlite3_last_insert_rowid (store->db);
  if (extras != NULL && extras->hit_key != NULL)
    {
      gboolean duplicate = FALSE;
      if (!store_watch_hit_write (store, msg->ws_id, *id, extras, now, &duplicate, error))
        return duplicate ? 0 : -1;
    }

  st = S (store, S_DELIV_INSERT);
  for (guint i = 0; i < n_rows; i++)
    {
      const RtDeliveryRow *row = &rows[i];
      /* Links are always sent; members get an IM or a mail now, or wait
       * for the digest. */
      RtRoute route = row->kind == 'L' ? RT_ROUTE_IM : row->route;
      gboolean send = route == RT_ROUTE_IM || route == RT_ROUTE_MAIL;
      gboolean hold = row->kind == 'L' && row->hold;

      if (row->kind == 'M' && row->route == RT_ROUTE_NONE)
        continue;
      sqlite3_bind_int64 (st, 1, *id);
      bind_kind (st, 2, &row->kind);
      sqlite3_bind_int64 (st, 3, row->target);
      sqlite3_bind_text (st, 4, rt_route_to_string (send ? route : RT_ROUTE_PENDING),
                         -1, SQLITE_STATIC);
      sqlite3_bind_int (st, 5, row->kind == 'M' ? row->endpoint : -1);
      sqlite3_bind_int (st, 6, hold ? STATE_HELD : send ? STATE_SEND : STATE_PENDING);
      sqlite3_bind_int64 (st, 7, now);
      if (run (st) != SQLITE_DONE)
        {
          store_error (store, error);
          return -1;
        }
      if (hold && !store_held_write (store, msg->ws_id, *id, row->target, msg->author_label,
                                     extras != NULL ? extras->author_roles : RT_ROLE_NONE,
                                     now, error))
        return -1;
      if (row->kind == 'M' && row->mention_due_us > 0 && !mention_write (store, *id, row, error))
        return -1;
    }
  return 1;
}

gboolean
rt_store_message_add (RtStore *store, RtMessage *msg, const RtDeliveryRow *rows,
                      guint n_rows, GError **error)
{
  return rt_store_message_add_full (store, msg, rows, n_rows, NULL, error);
}

gboolean
rt_store_message_add_full (RtStore *store, RtMessage *msg, const RtDeliveryRow *rows,
                           guint n_rows, const RtMessageExtras *extras, GError **error)
{
  gint64 id = 0;

  msg->id = 0;
  if (!msg->created_us)
    msg->created_us = rt_clock_now ();
  if (!tx_begin (store, error))
    return FALSE;
  int stored = message_write (store, msg, rows, n_rows, extras, &id, error);
  if (!tx_end (store, stored == 1, stored == 1 ? error : NULL))
    return FALSE;
  msg->id = id;
  return TRUE;
}

/* A named savepoint statement (SAVEPOINT, RELEASE, ROLLBACK TO). */
static gboolean
savepoint (RtStore *store, const char *sql, GError **error)
{
  sqlite3_stmt *st = store_stmt (store, sql);
  return (st != NULL && run (st) == SQLITE_DONE) || store_error (store, error);
}

/* Every item of a batch that failed as a whole gets id 0 and why. */
void
rt_store_batch_lost (RtMessageAdd *items, guint n, const GError *why)
{
  for (guint i = 0; i < n; i++)
    {
      items[i].msg->id = 0;
      g_clear_error (&items[i].error);
      items[i].error = g_error_copy (why);
    }
}

/* The batch failed as a whole: nothing of it is stored (its transaction,
 * begun, is ended). */
static gboolean
batch_lost (RtStore *store, RtMessageAdd *items, guint n, GError *why, GError **error)
{
  tx_end (store, FALSE, NULL);
  rt_store_batch_lost (items, n, why);
  g_propagate_error (error, why);
  return FALSE;
}

gboolean
rt_store_message_add_batch (RtStore *store, RtMessageAdd *items, guint n, GError **error)
{
  static const char sp_begin[] = "SAVEPOINT rt_batch_msg";
  static const char sp_release[] = "RELEASE rt_batch_msg";
  static const char sp_undo[] = "ROLLBACK TO rt_batch_msg";
  GError *why = NULL;

  for (guint i = 0; i < n; i++)
    {
      items[i].msg->id = 0;
      g_clear_error (&items[i].error);
      if (!items[i].msg->created_us)
        items[i].msg->created_us = rt_clock_now ();
    }
  if (n == 0)
    return TRUE;
  if (!tx_begin (store, &why))
    {
      rt_store_batch_lost (items, n, why);
      g_propagate_error (error, why);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      RtMessageAdd *it = &items[i];
      gint64 id = 0;
      if (!savepoint (store, sp_begin, &why))
        return batch_lost (store, items, n, why, error);
      int stored = message_write (store, it->msg, it->rows, it->n_rows, it->extras, &id, &it->error);
      /* Some errors (disk full, I/O) end the whole transaction: the
       * messages before this one are gone with it. */
      if (sqlite3_get_autocommit (store->db) != 0)
        {
          why = it->error != NULL ? g_error_copy (it->error)
                                  : g_error_new_literal (RT_ERROR, RT_ERROR_STORE, sqlite3_errmsg (store->db));
          return batch_lost (store, items, n, why, error);
        }
      if (stored != 1 && !savepoint (store, sp_undo, &why))
        return batch_lost (store, items, n, why, error);
      if (!savepoint (store, sp_release, &why))
        return batch_lost (store, items, n, why, error);
      it->msg->id = stored == 1 ? id : 0;
    }
  if (!tx_end (store, TRUE, &why))
    {
      /* Committed nothing: every item is lost with it. */
      rt_store_batch_lost (items, n, why);
      g_propagate_error (error, why);
      return FALSE;
    }
  return TRUE;
}

RtMessage *
rt_store_message_get (RtStore *store, gint64 msg_id)
{
  sqlite3_stmt *st = S (store, S_MSG_GET);
  RtMessage *msg = NULL;

  sqlite3_bind_int64 (st, 1, msg_id);
  if (sqlite3_step (st) == SQLITE_ROW)
    msg = message_from_row (st);
  sqlite3_reset (st);
  return msg;
}

gint64
rt_store_message_count (RtStore *store, gint64 ws_id)
{
  return query_int64 (store, ws_id ? S_MSG_COUNT_WS : S_MSG_COUNT_ALL, ws_id, 0);
}

/* ---- outbox ---------------------------------------------------------- */

GArray *
rt_store_outbox_due (RtStore *store, gint64 now_us, guint limit)
{
  GArray *items = g_array_new (FALSE, TRUE, sizeof (RtOutboxItem));
  sqlite3_stmt *st = S (store, S_DUE);

  sqlite3_bind_int64 (st, 1, now_us);
  sqlite3_bind_int64 (st, 2, limit);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      const char *kind = (const char *) sqlite3_column_text (st, 1);
      const char *route = (const char *) sqlite3_column_text (st, 3);
      RtOutboxItem item = {
        .msg_id = sqlite3_column_int64 (st, 0),
        .kind = kind ? kind[0] : '?',
        .target = sqlite3_column_int64 (st, 2),
        .route = rt_route_from_string (route) == RT_ROUTE_MAIL ? RT_ROUTE_MAIL : RT_ROUTE_IM,
        .endpoint = sqlite3_column_int (st, 4),
        .attempts = sqlite3_column_int (st, 5),
        .next_at_us = sqlite3_column_int64 (st, 6),
      };
      g_array_append_val (items, item);
    }
  sqlite3_reset (st);
  return items;
}

gint64
rt_store_outbox_next_due (RtStore *store)
{
  return query_int64 (store, S_NEXT_DUE, 0, -1);
}

gint64
rt_store_outbox_count_due (RtStore *store)
{
  return query_int64 (store, S_COUNT_DUE, rt_clock_now (), 0);
}

static void
bind_key (sqlite3_stmt *st, gint64 msg_id, const char *kind, gint64 target)
{
  sqlite3_bind_int64 (st, 1, msg_id);
  bind_kind (st, 2, kind);
  sqlite3_bind_int64 (st, 3, target);
}

/* State of one delivery, or -1 (with error) if there is none. */
static int
delivery_state (RtStore *store, gint64 msg_id, const char *kind, gint64 target, GError **error)
{
  sqlite3_stmt *st = S (store, S_DELIV_STATE);
  int state = -1;

  bind_key (st, msg_id, kind, target);
  if (sqlite3_step (st) == SQLITE_ROW)
    state = sqlite3_column_int (st, 0);
  sqlite3_reset (st);
  if (state < 0)
    g_set_error_literal (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("No such delivery."));
  return state;
}

gboolean
rt_store_outbox_sent (RtStore *store, gint64 msg_id, char kind, gint64 target, GError **error)
{
  gint64 now = rt_clock_now ();

  if (!tx_begin (store, error))
    return FALSE;
  int state = delivery_state (store, msg_id, &kind, target, error);
  gboolean ok = state >= 0;
  if (ok && state != STATE_SENT)
    {
      sqlite3_stmt *st = S (store, S_DELIV_SENT);
      bind_key (st, msg_id, &kind, target);
      sqlite3_bind_int64 (st, 4, now);
      ok = run (st) == SQLITE_DONE || store_error (store, error);
    }
  if (ok && (state == STATE_SEND || state == STATE_MAIL_IN_FLIGHT) && kind == 'M')
    {
      /* Remember who got an IM or mail last: replies from a shared address
       * go to them. */
      sqlite3_stmt *st = S (store, S_MEMBER_LAST_IM);
      gint64 stamp = MAX (now, store->last_im + 1);
      sqlite3_bind_int64 (st, 1, target);
      sqlite3_bind_int64 (st, 2, stamp);
      ok = run (st) == SQLITE_DONE || store_error (store, error);
      if (ok)
        store->last_im = stamp;
    }
  return tx_end (store, ok, error);
}

gboolean
rt_store_outbox_retry (RtStore *store, gint64 msg_id, char kind, gint64 target,
                       gint64 next_at_us, gboolean give_up, const char *error_text,
                       GError **error)
{
  if (!tx_begin (store, error))
    return FALSE;
  int state = delivery_state (store, msg_id, &kind, target, error);
  gboolean ok = state >= 0;
  /* Only a delivery still to send, or a mail in flight, can fail. */
  if (ok && (state == STATE_SEND || state == STATE_MAIL_IN_FLIGHT))
    {
      sqlite3_stmt *st;
      if (give_up)
        {
          gboolean member = kind == 'M';
          st = S (store, S_DELIV_GIVE_UP);
          bind_key (st, msg_id, &kind, target);
          sqlite3_bind_int (st, 4, member ? STATE_PENDING : STATE_FAILED);
          sqlite3_bind_text (st, 5, rt_route_to_string (member ? RT_ROUTE_PENDING : RT_ROUTE_IM),
                             -1, SQLITE_STATIC);
          bind_text (st, 6, error_text);
          sqlite3_bind_int64 (st, 7, next_at_us);   /* kept since */
        }
      else
        {
          st = S (store, S_DELIV_RETRY);
          bind_key (st, msg_id, &kind, target);
          sqlite3_bind_int64 (st, 4, next_at_us);
          bind_text (st, 5, error_text);
        }
      ok = run (st) == SQLITE_DONE || store_error (store, error);
    }
  return tx_end (store, ok, error);
}

gboolean
rt_store_outbox_defer (RtStore *store, gint64 msg_id, char kind, gint64 target,
                       gint64 next_at_us, GError **error)
{
  sqlite3_stmt *st = S (store, S_DELIV_DEFER);
  bind_key (st, msg_id, &kind, target);
  sqlite3_bind_int64 (st, 4, next_at_us);
  return run (st) == SQLITE_DONE || store_error (store, error);
}

gboolean
rt_store_outbox_reschedule_all (RtStore *store, gint64 now_us, GError **error)
{
  sqlite3_stmt *st = S (store, S_RESCHEDULE);
  sqlite3_bind_int64 (st, 1, now_us);
  return run (st) == SQLITE_DONE || store_error (store, error);
}

GPtrArray *
rt_store_pending (RtStore *store, gint64 member_id)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_message_free);
  sqlite3_stmt *st = S (store, S_PENDING);

  sqlite3_bind_int64 (st, 1, member_id);
  while (sqlite3_step (st) == SQLITE_ROW)
    g_ptr_array_add (list, message_from_row (st));
  sqlite3_reset (st);
  return list;
}

GArray *
rt_store_message_pending_members (RtStore *store, gint64 msg_id)
{
  static const char sql[] =
    "SELECT target FROM deliveries WHERE msg_id = ?1 AND kind = 'M' AND state = 1";
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return ids;
  sqlite3_bind_int64 (st, 1, msg_id);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (st, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (st);
  return ids;
}
