/* rt-store-stream.c: what social streams add to the store (schema v6,
 * docs/stream-workspace.md): link modes, watchlists and their hits, held
 * messages with every decision logged, and stream posts in flight.
 *
 * The same rules as the rest of the store: statements (store_stmt, static
 * SQL) reset right after use, every public write one transaction. A held
 * message is decided on the row read inside the transaction, so two
 * decisions in a row cannot both succeed. */
#include "config.h"
#include <sqlite3.h>
#include <glib/gi18n-lib.h>
#include "rt-store-private.h"
#include "rt-clock.h"
#include "rt-error.h"

#define HELD_COLS "SELECT id, msg_id, link_id, state, held_us, decided_by, decided_us, posted_us FROM held "

/* ---- link modes ------------------------------------------------------- */

gboolean
rt_store_link_set_mode (RtStore *store, gint64 link_id, RtLinkDirection direction,
                        RtLinkAudience audience, GError **error)
{
  static const char sql[] = "UPDATE links SET direction = ?2, audience = ?3 WHERE id = ?1";
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return store_error (store, error);
  sqlite3_bind_int64 (st, 1, link_id);
  bind_text (st, 2, rt_link_direction_name (direction));
  bind_text (st, 3, rt_link_audience_name (audience));
  if (run (st) != SQLITE_DONE)
    return store_error (store, error);
  if (sqlite3_changes (store->db) == 0)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("No such link."));
      return FALSE;
    }
  return TRUE;
}

/* ---- watchlists ------------------------------------------------------- */

static void
bind_term (sqlite3_stmt *st, gint64 ws_id, const RtWatchTerm *term)
{
  sqlite3_bind_int64 (st, 1, ws_id);
  bind_text (st, 2, rt_watch_kind_name (term->kind));
  bind_text (st, 3, term->key);
}

gboolean
rt_store_watch_add (RtStore *store, gint64 ws_id, const GPtrArray *terms,
                    GPtrArray **added, GError **error)
{
  static const char sql[] = "INSERT OR IGNORE INTO watch_terms (ws_id, kind, key, text, added_us) "
                            "VALUES (?1, ?2, ?3, ?4, ?5)";
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return store_error (store, error);
  if (!tx_begin (store, error))
    return FALSE;
  gboolean ok = TRUE;
  gint64 now = rt_clock_now ();
  for (guint i = 0; ok && i < terms->len; i++)
    {
      const RtWatchTerm *term = g_ptr_array_index (terms, i);
      bind_term (st, ws_id, term);
      bind_text (st, 4, term->text);
      sqlite3_bind_int64 (st, 5, now);
      if (run (st) != SQLITE_DONE)
        {
          if (constraint (store) == SQLITE_CONSTRAINT_FOREIGNKEY)
            g_set_error_literal (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("No such workspace."));
          else
            store_error (store, error);
          ok = FALSE;
        }
      else if (sqlite3_changes (store->db) > 0)
        g_ptr_array_add (fresh, (gpointer) term);
    }
  if (!tx_end (store, ok, error))
    return FALSE;
  if (added != NULL)
    *added = g_steal_pointer (&fresh);
  return TRUE;
}

gboolean
rt_store_watch_remove (RtStore *store, gint64 ws_id, const GPtrArray *terms, GError **error)
{
  static const char sql[] = "DELETE FROM watch_terms WHERE ws_id = ?1 AND kind = ?2 AND key = ?3";
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return store_error (store, error);
  if (!tx_begin (store, error))
    return FALSE;
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < terms->len; i++)
    {
      const RtWatchTerm *term = g_ptr_array_index (terms, i);
      bind_term (st, ws_id, term);
      ok = run (st) == SQLITE_DONE || store_error (store, error);
      if (ok && sqlite3_changes (store->db) == 0)
        {
          g_autofree char *typed = rt_watch_term_format (term);
          g_set_error (error, RT_ERROR, RT_ERROR_NOT_FOUND,
                       _("%s is not on the watchlist; nothing was removed."), typed);
          ok = FALSE;
        }
    }
  return tx_end (store, ok, error);
}

GPtrArray *
rt_store_watch_terms (RtStore *store, gint64 ws_id)
{
  static const char sql[] = "SELECT kind, text FROM watch_terms WHERE ws_id = ?1 ORDER BY id";
  GPtrArray *terms = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_watch_term_free);
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return terms;
  sqlite3_bind_int64 (st, 1, ws_id);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      RtWatchKind kind;
      g_autoptr(GError) error = NULL;
      const char *text = (const char *) sqlite3_column_text (st, 1);
      RtWatchTerm *term = NULL;
      if (rt_watch_kind_from_name ((const char *) sqlite3_column_text (st, 0), &kind))
        term = rt_watch_term_new (kind, text, &error);
      if (term != NULL)
        g_ptr_array_add (terms, term);
      else   /* edited by hand, or an older, looser version: loud, not silent */
        g_warning ("rt-store: watch term “%s” of workspace %" G_GINT64_FORMAT " skipped: %s",
                   text ? text : "", ws_id, error ? error->message : "unknown kind");
    }
  sqlite3_reset (st);
  return terms;
}

GArray *
rt_store_watch_workspaces (RtStore *store)
{
  static const char sql[] = "SELECT DISTINCT ws_id FROM watch_terms ORDER BY ws_id";
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return ids;
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (st, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (st);
  return ids;
}

GHashTable *
rt_store_watch_hit_counts (RtStore *store, gint64 ws_id, gint64 since_us)
{
  static const char sql[] = "SELECT terms FROM watch_hits WHERE ws_id = ?1 AND seen_us >= ?2";
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return counts;
  sqlite3_bind_int64 (st, 1, ws_id);
  sqlite3_bind_int64 (st, 2, since_us);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      g_auto(GStrv) lines = g_strsplit ((const char *) sqlite3_column_text (st, 0), "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, lines[i]));
          g_hash_table_replace (counts, g_strdup (lines[i]), GUINT_TO_POINTER (n + 1));
        }
    }
  sqlite3_reset (st);
  return counts;
}

gboolean
rt_store_watch_hit_seen (RtStore *store, const char *key)
{
  static const char sql[] = "SELECT 1 FROM watch_hits WHERE key = ?1";
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL || key == NULL)
    return FALSE;
  bind_text (st, 1, key);
  gboolean seen = sqlite3_step (st) == SQLITE_ROW;
  sqlite3_reset (st);
  return seen;
}

gboolean
store_watch_hit_write (RtStore *store, gint64 ws_id, gint64 msg_id, const RtMessageExtras *extras,
                       gint64 now_us, gboolean *duplicate, GError **error)
{
  static const char sql[] = "INSERT INTO watch_hits (key, ws_id, msg_id, terms, url, seen_us) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return store_error (store, error);
  bind_text (st, 1, extras->hit_key);
  sqlite3_bind_int64 (st, 2, ws_id);
  sqlite3_bind_int64 (st, 3, msg_id);
  bind_text (st, 4, extras->hit_terms != NULL ? extras->hit_terms : "");
  bind_text (st, 5, extras->hit_url);
  sqlite3_bind_int64 (st, 6, now_us);
  if (run (st) == SQLITE_DONE)
    return TRUE;
  *duplicate = constraint (store) == SQLITE_CONSTRAINT_PRIMARYKEY
               || constraint (store) == SQLITE_CONSTRAINT_UNIQUE;
  if (!*duplicate)
    store_error (store, error);
  return FALSE;
}

/* ---- held messages ---------------------------------------------------- */

static RtHeld *
held_from_row (sqlite3_stmt *st)
{
  RtHeld *held = rt_held_new ();
  held->id = sqlite3_column_int64 (st, 0);
  held->message_id = sqlite3_column_int64 (st, 1);
  held->link_id = sqlite3_column_int64 (st, 2);
  rt_held_state_from_name ((const char *) sqlite3_column_text (st, 3), &held->state);
  held->held_us = sqlite3_column_int64 (st, 4);
  held->decided_by = col_text (st, 5);
  held->decided_us = sqlite3_column_int64 (st, 6);
  held->posted_us = sqlite3_column_int64 (st, 7);
  return held;
}

static RtHeld *
held_load (RtStore *store, const char *sql, gint64 a, gint64 b)
{
  sqlite3_stmt *st = store_stmt (store, sql);
  RtHeld *held = NULL;
  if (st == NULL)
    return NULL;
  sqlite3_bind_int64 (st, 1, a);
  if (sqlite3_bind_parameter_count (st) >= 2)
    sqlite3_bind_int64 (st, 2, b);
  if (sqlite3_step (st) == SQLITE_ROW)
    held = held_from_row (st);
  sqlite3_reset (st);
  return held;
}

static const char held_get_sql[] = HELD_COLS "WHERE id = ?1";
static const char held_find_sql[] = HELD_COLS "WHERE msg_id = ?1 AND link_id = ?2";

RtHeld *
rt_store_held_get (RtStore *store, gint64 held_id)
{
  return held_load (store, held_get_sql, held_id, 0);
}

RtHeld *
rt_store_held_find (RtStore *store, gint64 msg_id, gint64 link_id)
{
  return held_load (store, held_find_sql, msg_id, link_id);
}

/* The held rows sql (one parameter: arg) selects. */
static GPtrArray *
held_query (RtStore *store, const char *sql, gint64 arg)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_held_free);
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return list;
  sqlite3_bind_int64 (st, 1, arg);
  while (sqlite3_step (st) == SQLITE_ROW)
    g_ptr_array_add (list, held_from_row (st));
  sqlite3_reset (st);
  return list;
}

GPtrArray *
rt_store_held_list (RtStore *store, gint64 ws_id, gboolean open_only)
{
  static const char open_sql[] = HELD_COLS "WHERE ws_id = ?1 AND state IN ('held', 'approved') ORDER BY id";
  static const char all_sql[] = HELD_COLS "WHERE ws_id = ?1 ORDER BY id";
  return held_query (store, open_only ? open_sql : all_sql, ws_id);
}

GPtrArray *
rt_store_held_of_message (RtStore *store, gint64 msg_id)
{
  static const char sql[] = HELD_COLS "WHERE msg_id = ?1 ORDER BY id";   /* UNIQUE (msg_id, link_id) */
  return held_query (store, sql, msg_id);
}

void
rt_held_log_entry_free (RtHeldLogEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->action);
  g_free (entry->who);
  g_free (entry->outcome);
  g_free (entry->note);
  g_free (entry);
}

GPtrArray *
rt_store_held_log (RtStore *store, gint64 ws_id, gint64 held_id, guint limit)
{
  static const char ws_sql[] =
    "SELECT l.held_id, l.at_us, l.action, l.who, l.roles, l.outcome, l.note FROM held_log l "
    "JOIN held h ON h.id = l.held_id WHERE h.ws_id = ?1 ORDER BY l.at_us DESC, l.rowid DESC LIMIT ?2";
  static const char one_sql[] =
    "SELECT held_id, at_us, action, who, roles, outcome, note FROM held_log "
    "WHERE held_id = ?1 ORDER BY at_us DESC, rowid DESC LIMIT ?2";
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_held_log_entry_free);
  sqlite3_stmt *st = store_stmt (store, held_id != 0 ? one_sql : ws_sql);
  if (st == NULL)
    return list;
  sqlite3_bind_int64 (st, 1, held_id != 0 ? held_id : ws_id);
  sqlite3_bind_int64 (st, 2, limit);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      RtHeldLogEntry *e = g_new0 (RtHeldLogEntry, 1);
      e->held_id = sqlite3_column_int64 (st, 0);
      e->at_us = sqlite3_column_int64 (st, 1);
      e->action = col_text (st, 2);
      e->who = col_text (st, 3);
      e->roles = sqlite3_column_int (st, 4);
      e->outcome = col_text (st, 5);
      e->note = col_text (st, 6);
      g_ptr_array_add (list, e);
    }
  sqlite3_reset (st);
  return list;
}

static gboolean
log_write (RtStore *store, gint64 held_id, gint64 at_us, const char *action, const char *who,
           RtRoles roles, const char *outcome, const char *note, GError **error)
{
  static const char sql[] = "INSERT INTO held_log (held_id, at_us, action, who, roles, outcome, note) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return store_error (store, error);
  sqlite3_bind_int64 (st, 1, held_id);
  sqlite3_bind_int64 (st, 2, at_us);
  bind_text (st, 3, action);
  bind_text (st, 4, who);
  sqlite3_bind_int (st, 5, roles);
  bind_text (st, 6, outcome);
  bind_text (st, 7, note);
  return run (st) == SQLITE_DONE || store_error (store, error);
}

gboolean
store_held_write (RtStore *store, gint64 ws_id, gint64 msg_id, gint64 link_id, const char *who,
                  RtRoles roles, gint64 now_us, GError **error)
{
  static const char sql[] = "INSERT INTO held (ws_id, msg_id, link_id, state, held_us) "
                            "VALUES (?1, ?2, ?3, 'held', ?4)";
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return store_error (store, error);
  sqlite3_bind_int64 (st, 1, ws_id);
  sqlite3_bind_int64 (st, 2, msg_id);
  sqlite3_bind_int64 (st, 3, link_id);
  sqlite3_bind_int64 (st, 4, now_us);
  if (run (st) != SQLITE_DONE)
    return store_error (store, error);
  return log_write (store, sqlite3_last_insert_rowid (store->db), now_us, "hold", who, roles,
                    "ok", NULL, error);
}

static gboolean
held_update (RtStore *store, const RtHeld *held, const char *post_url, GError **error)
{
  static const char sql[] = "UPDATE held SET state = ?2, decided_by = ?3, decided_us = ?4, "
                            "posted_us = ?5, post_url = COALESCE (?6, post_url) WHERE id = ?1";
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return store_error (store, error);
  sqlite3_bind_int64 (st, 1, held->id);
  bind_text (st, 2, rt_held_state_name (held->state));
  bind_text (st, 3, held->decided_by);
  sqlite3_bind_int64 (st, 4, held->decided_us);
  sqlite3_bind_int64 (st, 5, held->posted_us);
  bind_text (st, 6, post_url);
  return run (st) == SQLITE_DONE || store_error (store, error);
}

/* The delivery row of a held message: approved, due now (0); rejected,
 * failed (3) with why. Only a row still held moves. */
static gboolean
held_row_move (RtStore *store, const RtHeld *held, gboolean approve, const char *why,
               gint64 now_us, GError **error)
{
  static const char approve_sql[] =
    "UPDATE deliveries SET state = 0, next_at = ?3 WHERE msg_id = ?1 AND kind = 'L' AND target = ?2 AND state = 7";
  static const char reject_sql[] =
    "UPDATE deliveries SET state = 3, error = ?4, next_at = ?3 WHERE msg_id = ?1 AND kind = 'L' AND target = ?2 AND state = 7";
  sqlite3_stmt *st = store_stmt (store, approve ? approve_sql : reject_sql);
  if (st == NULL)
    return store_error (store, error);
  sqlite3_bind_int64 (st, 1, held->message_id);
  sqlite3_bind_int64 (st, 2, held->link_id);
  sqlite3_bind_int64 (st, 3, now_us);
  if (!approve)
    bind_text (st, 4, why);
  return run (st) == SQLITE_DONE || store_error (store, error);
}

gboolean
rt_store_held_decide (RtStore *store, gint64 held_id, RtHeldAction action, const char *who,
                      RtRoles roles, const char *note, gint64 now_us, RtHeld **out,
                      GError **error)
{
  g_return_val_if_fail (action == RT_HELD_APPROVE || action == RT_HELD_REJECT, FALSE);
  if (!tx_begin (store, error))
    return FALSE;
  g_autoptr(RtHeld) held = rt_store_held_get (store, held_id);
  if (held == NULL)
    {
      tx_end (store, FALSE, NULL);
      g_autofree char *num = g_strdup_printf ("%" G_GINT64_FORMAT, held_id);
      g_set_error (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("There is no held message #%s."), num);
      return FALSE;
    }
  const char *action_name = action == RT_HELD_APPROVE ? "approve" : "reject";
  g_autoptr(GError) refused = NULL;
  gboolean ok;
  if (!rt_held_apply (held, action, who, roles, now_us, &refused))
    {
      /* Refused: the attempt is recorded all the same. */
      ok = log_write (store, held->id, now_us, action_name, who, roles, refused->message, note, error);
      if (tx_end (store, ok, error))
        g_propagate_error (error, g_steal_pointer (&refused));
      if (out != NULL)
        *out = g_steal_pointer (&held);
      return FALSE;
    }
  /* The delivery's error, shown to users as it is stored: translated now. */
  g_autofree char *why = action == RT_HELD_REJECT
    ? (note != NULL && *note != '\0'
       /* TRANSLATORS: why a held message was not posted: who rejected it, then the reason given. */
       ? g_strdup_printf (_("rejected by %s: %s"), who, note)
       : g_strdup_printf (_("rejected by %s"), who))
    : NULL;
  ok = held_update (store, held, NULL, error)
       && held_row_move (store, held, action == RT_HELD_APPROVE, why, now_us, error)
       && log_write (store, held->id, now_us, action_name, who, roles, "ok", note, error);
  if (!tx_end (store, ok, error))
    return FALSE;
  if (out != NULL)
    *out = g_steal_pointer (&held);
  return TRUE;
}

gboolean
store_held_link_removed (RtStore *store, gint64 link_id, GError **error)
{
  static const char sql[] = HELD_COLS "WHERE link_id = ?1 AND state IN ('held', 'approved')";
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return store_error (store, error);
  g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_held_free);
  sqlite3_bind_int64 (st, 1, link_id);
  while (sqlite3_step (st) == SQLITE_ROW)
    g_ptr_array_add (open, held_from_row (st));
  sqlite3_reset (st);
  gint64 now = rt_clock_now ();
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < open->len; i++)
    {
      RtHeld *held = g_ptr_array_index (open, i);
      /* Not a person's decision: rt_held_apply does not apply. */
      held->state = RT_HELD_REJECTED;
      g_free (held->decided_by);
      held->decided_by = g_strdup (RT_HELD_NOTE_LINK_REMOVED);
      held->decided_us = now;
      ok = held_update (store, held, NULL, error)
           && log_write (store, held->id, now, "reject", NULL, RT_ROLE_NONE, "ok", RT_HELD_NOTE_LINK_REMOVED, error);
    }
  return ok;
}

/* ---- stream posts ----------------------------------------------------- */

gboolean
rt_store_stream_queued (RtStore *store, gint64 msg_id, gint64 link_id, GError **error)
{
  static const char sql[] =
    "UPDATE deliveries SET state = 5 WHERE msg_id = ?1 AND kind = 'L' AND target = ?2 AND state = 0";
  sqlite3_stmt *st = store_stmt (store, sql);
  if (st == NULL)
    return store_error (store, error);
  sqlite3_bind_int64 (st, 1, msg_id);
  sqlite3_bind_int64 (st, 2, link_id);
  return run (st) == SQLITE_DONE || store_error (store, error);
}

/* In a transaction: the link row (msg_id, 'L', link_id) still to send or
 * in flight gets its outcome from sql (:msg, :link, and :now or :text where
 * it uses them; named, since each uses its own); returns the held record of that message and
 * link (NULL if none, or on error: *ok says). */
static RtHeld *
link_outcome (RtStore *store, const char *sql, gint64 msg_id, gint64 link_id, gint64 now,
              const char *text, gboolean *ok, GError **error)
{
  sqlite3_stmt *st = store_stmt (store, sql);
  *ok = st != NULL || store_error (store, error);
  if (!*ok)
    return NULL;
  sqlite3_bind_int64 (st, sqlite3_bind_parameter_index (st, ":msg"), msg_id);
  sqlite3_bind_int64 (st, sqlite3_bind_parameter_index (st, ":link"), link_id);
  /* A name the statement does not use has index 0: nothing is bound. */
  sqlite3_bind_int64 (st, sqlite3_bind_parameter_index (st, ":now"), now);
  bind_text (st, sqlite3_bind_parameter_index (st, ":text"), text);
  *ok = run (st) == SQLITE_DONE || store_error (store, error);
  return *ok ? rt_store_held_find (store, msg_id, link_id) : NULL;
}

gboolean
rt_store_stream_posted (RtStore *store, gint64 msg_id, gint64 link_id, const char *url,
                        GError **error)
{
  static const char sql[] =
    "UPDATE deliveries SET state = 2, sent_at = :now WHERE msg_id = :msg AND kind = 'L' "
    "AND target = :link AND state IN (0, 5)";
  gint64 now = rt_clock_now ();
  gboolean ok = FALSE;
  if (!tx_begin (store, error))
    return FALSE;
  g_autoptr(RtHeld) held = link_outcome (store, sql, msg_id, link_id, now, url, &ok, error);
  if (held != NULL)
    {
      g_autoptr(GError) refused = NULL;
      if (rt_held_apply (held, RT_HELD_POST, NULL, RT_ROLE_NONE, now, &refused))
        ok = held_update (store, held, url, error)
             && log_write (store, held->id, now, "post", NULL, RT_ROLE_NONE, "ok", url, error);
      else   /* posted twice (a duplicate signal): noted, nothing changes */
        ok = log_write (store, held->id, now, "post", NULL, RT_ROLE_NONE, refused->message, url, error);
    }
  return tx_end (store, ok, error);
}

gboolean
rt_store_stream_failed (RtStore *store, gint64 msg_id, gint64 link_id, const char *error_text,
                        GError **error)
{
  static const char sql[] =
    "UPDATE deliveries SET state = 3, attempts = attempts + 1, error = :text "
    "WHERE msg_id = :msg AND kind = 'L' AND target = :link AND state IN (0, 5)";
  gint64 now = rt_clock_now ();
  gboolean ok = FALSE;
  if (!tx_begin (store, error))
    return FALSE;
  g_autoptr(RtHeld) held = link_outcome (store, sql, msg_id, link_id, now, error_text, &ok, error);
  if (held != NULL)
    ok = log_write (store, held->id, now, "fail", NULL, RT_ROLE_NONE, "ok", error_text, error);
  return tx_end (store, ok, error);
}
