/* rt-store-schema.c: the store's schema, one migration per version
 * (PRAGMA user_version), each in its own transaction. A new version adds
 * schema_vN and migrate_to_N, raises RT_STORE_SCHEMA_VERSION, and
 * test-store.c checks the upgrade from the version before with data. */
#include "config.h"
#include <sqlite3.h>
#include <glib/gi18n-lib.h>
#include "rt-store-private.h"
#include "rt-error.h"

static const char schema_v1[] =
  "CREATE TABLE workspaces ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
  "  created_us INTEGER NOT NULL);"
  "CREATE TABLE members ("
  "  id INTEGER PRIMARY KEY,"
  "  ws_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,"
  "  handle TEXT NOT NULL COLLATE NOCASE,"
  "  name TEXT, site TEXT, country TEXT,"
  "  tz TEXT NOT NULL, lang TEXT NOT NULL,"
  "  hours_start INTEGER NOT NULL, hours_end INTEGER NOT NULL, days INTEGER NOT NULL,"
  "  offhours_im INTEGER NOT NULL DEFAULT 0,"
  "  last_im INTEGER NOT NULL DEFAULT 0,"   /* orders members_by_endpoint */
  "  UNIQUE (ws_id, handle));"
  "CREATE TABLE endpoints ("
  "  id INTEGER PRIMARY KEY,"
  "  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,"
  "  pos INTEGER NOT NULL,"
  "  scheme TEXT NOT NULL, address TEXT NOT NULL, account TEXT);"
  "CREATE INDEX endpoints_member ON endpoints (member_id, pos);"
  "CREATE INDEX endpoints_address ON endpoints (scheme, address COLLATE NOCASE);"
  "CREATE TABLE links ("
  "  id INTEGER PRIMARY KEY,"
  "  ws_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,"
  "  protocol TEXT NOT NULL,"
  "  account TEXT NOT NULL COLLATE NOCASE,"
  "  room TEXT NOT NULL COLLATE NOCASE,"
  "  UNIQUE (protocol, account, room));"
  "CREATE INDEX links_ws ON links (ws_id);"
  "CREATE TABLE messages ("
  "  id INTEGER PRIMARY KEY,"
  "  ws_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,"
  "  origin TEXT,"   /* NULLs never collide in UNIQUE */
  "  author_member INTEGER NOT NULL DEFAULT 0,"
  "  author_label TEXT,"
  "  text TEXT NOT NULL,"
  "  created_us INTEGER NOT NULL,"
  "  source_link INTEGER NOT NULL DEFAULT 0,"
  "  UNIQUE (ws_id, origin));"
  /* Keyed by message first: a message's rows are written together and sit
   * together; the due index serves the pump. */
  "CREATE TABLE deliveries ("
  "  msg_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL CHECK (kind IN ('L', 'M')),"
  "  target INTEGER NOT NULL,"
  "  route TEXT NOT NULL,"
  "  endpoint INTEGER NOT NULL,"
  "  state INTEGER NOT NULL,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_at INTEGER NOT NULL,"
  "  sent_at INTEGER,"
  "  error TEXT,"
  "  PRIMARY KEY (msg_id, kind, target)) WITHOUT ROWID;"
  "CREATE INDEX deliveries_due ON deliveries (state, next_at);";
/* No full index leads with target on purpose: each message would then touch
 * a page per member of such an index, doubling the cost of accepting it.
 * Only the rows kept for digests are indexed by member (v5,
 * deliveries_kept). */

gboolean
store_exec_sql (sqlite3 *db, const char *sql, GError **error)
{
  char *msg = NULL;
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) == SQLITE_OK)
    return TRUE;
  g_set_error (error, RT_ERROR, RT_ERROR_STORE, "%s", msg ? msg : sqlite3_errmsg (db));
  sqlite3_free (msg);
  return FALSE;
}

static gboolean
migrate_to_1 (sqlite3 *db, GError **error)
{
  return store_exec_sql (db, schema_v1, error);
}

/* v2: the pump reads undelivered rows in message order. Through
 * deliveries_due SQLite had to sort every due row (20-30 ms per slice with
 * 40,000 due rows, measured in tests/bench). This partial index holds only
 * rows still to send, in message order; since message ids only grow, rows
 * are appended at its end, so accepting stays cheap. */
static const char schema_v2[] =
  "CREATE INDEX deliveries_outbox ON deliveries (msg_id, kind, target) WHERE state = 0;";

static gboolean
migrate_to_2 (sqlite3 *db, GError **error)
{
  return store_exec_sql (db, schema_v2, error);
}

/* v3: the hub's mailbox linked to a workspace (the username of a
 * prpl-roundtable-mail account, NULL for none) and immediate mail for async
 * members, per workspace and per member (NULL: follow the workspace). Email
 * endpoints need nothing new: scheme "mailto" in endpoints. */
static const char schema_v3[] =
  "ALTER TABLE workspaces ADD COLUMN mailbox TEXT;"
  "ALTER TABLE workspaces ADD COLUMN immediate_mail INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE members ADD COLUMN immediate_mail INTEGER;";

static gboolean
migrate_to_3 (sqlite3 *db, GError **error)
{
  return store_exec_sql (db, schema_v3, error);
}

/* v4: digests and replies by email (docs/digests.md, docs/reply-tokens.md).
 * members: the mail schedule ("daily 08:00", rt-schedule.h), quiet hours
 *   ("22:00-07:00"), the last digest slot sent (UTC us; at most one digest
 *   per slot), when the member unsubscribed by mail (0: never) and when the
 *   member was last seen live (mention mails are dropped if they were).
 * endpoints: an email endpoint that bounces is marked failing (when, why).
 * messages: thread_id, the id of the message a message answers (0: none).
 * deliveries: state 4 = put into a digest (see rt-store.h).
 * meta: hub-wide values, such as the reply-token key ("token_key", a BLOB).
 * mentions: one short mail per (message, member) due at due_us; state
 *   0 waiting, 2 sent, 5 dropped (seen live meanwhile).
 * mail_out: every Message-ID the hub mailed (digest, mention, immediate), so
 *   a reply's In-Reply-To finds its workspace, member and message.
 * mail_in: every Message-ID taken in from the mailbox, so a mail is never
 *   posted twice.
 * explained: when an explanation mail last went to an address (at most one
 *   per address per day, never to automatic senders). */
static const char schema_v4[] =
  "ALTER TABLE members ADD COLUMN digest TEXT NOT NULL DEFAULT 'daily 08:00';"
  "ALTER TABLE members ADD COLUMN quiet TEXT NOT NULL DEFAULT '22:00-07:00';"
  "ALTER TABLE members ADD COLUMN last_digest_slot INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE members ADD COLUMN unsubscribed_us INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE members ADD COLUMN last_live_us INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE endpoints ADD COLUMN failing_us INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE endpoints ADD COLUMN failing_reason TEXT;"
  "ALTER TABLE messages ADD COLUMN thread_id INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE meta ("
  "  key TEXT PRIMARY KEY,"
  "  value BLOB NOT NULL);"
  "CREATE TABLE mentions ("
  "  msg_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,"
  "  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,"
  "  due_us INTEGER NOT NULL,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (msg_id, member_id)) WITHOUT ROWID;"
  "CREATE INDEX mentions_due ON mentions (state, due_us);"
  "CREATE TABLE mail_out ("
  "  message_id TEXT PRIMARY KEY,"
  "  kind TEXT NOT NULL CHECK (kind IN ('digest', 'mention', 'immediate', 'explain')),"
  "  ws_id INTEGER NOT NULL DEFAULT 0,"
  "  member_id INTEGER NOT NULL DEFAULT 0,"
  "  msg_id INTEGER NOT NULL DEFAULT 0,"
  "  sent_us INTEGER NOT NULL);"
  "CREATE TABLE mail_in ("
  "  message_id TEXT PRIMARY KEY,"
  "  ws_id INTEGER NOT NULL DEFAULT 0,"
  "  msg_id INTEGER NOT NULL DEFAULT 0,"
  "  outcome TEXT NOT NULL,"
  "  received_us INTEGER NOT NULL);"
  "CREATE TABLE explained ("
  "  address TEXT PRIMARY KEY COLLATE NOCASE,"
  "  last_us INTEGER NOT NULL);";

static gboolean
migrate_to_4 (sqlite3 *db, GError **error)
{
  return store_exec_sql (db, schema_v4, error);
}

/* v5: the digest look without a scan of every kept row. deliveries_kept
 * holds only rows kept for a digest (state 1), by member then kept-since
 * time: a member's oldest item is its first entry (one seek), and its
 * items follow (msg_id and kind are in every entry: the primary key of a
 * WITHOUT ROWID table). A message accepted for N members who wait for
 * their digest adds N entries here.
 * mentions.attempts: failed sends of a mention mail (retried with backoff,
 * dropped after a few; the message is in the digest anyway).
 * New state values need no DDL: deliveries.state 5 = a mail in flight, 6 =
 * in a digest mail in flight; mentions.state 1 = in flight (rt-store.h). */
static const char schema_v5[] =
  "CREATE INDEX deliveries_kept ON deliveries (target, next_at) WHERE state = 1;"
  "ALTER TABLE mentions ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;";

static gboolean
migrate_to_5 (sqlite3 *db, GError **error)
{
  return store_exec_sql (db, schema_v5, error);
}

/* v6: social streams in workspaces (docs/stream-workspace.md).
 * links: direction (what flows) and audience (public links take messages
 *   only from spokespersons; others are held). Defaults keep every room as
 *   it was.
 * members.roles: RtRoles bits (1 owner, 2 spokesperson).
 * messages.kind: 0 written by a person, 1 made by the hub (a watchlist
 *   alert, a notice): never posted to public links.
 * watch_terms: a workspace's watchlist (RtWatchTerm: kind, text, folded
 *   key; one per kind and key).
 * watch_hits: one alert per post and workspace (key rt_watch_hit_key),
 *   written in the alert message's transaction.
 * held: a message held for a public link until a spokesperson or an owner
 *   decides (rt_held_apply); its delivery row waits in state 7. held_log:
 *   every attempt on it, refused ones too (who, with which roles, when,
 *   the outcome, and a note: a reason, the post's URL, the error). */
static const char schema_v6[] =
  "ALTER TABLE links ADD COLUMN direction TEXT NOT NULL DEFAULT 'both'"
  "  CHECK (direction IN ('in', 'out', 'both'));"
  "ALTER TABLE links ADD COLUMN audience TEXT NOT NULL DEFAULT 'internal'"
  "  CHECK (audience IN ('internal', 'public'));"
  "ALTER TABLE members ADD COLUMN roles INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE messages ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;"
  "CREATE TABLE watch_terms ("
  "  id INTEGER PRIMARY KEY,"
  "  ws_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL CHECK (kind IN ('keyword', 'hashtag', 'account')),"
  "  text TEXT NOT NULL,"
  "  key TEXT NOT NULL,"
  "  added_us INTEGER NOT NULL,"
  "  UNIQUE (ws_id, kind, key));"
  "CREATE TABLE watch_hits ("
  "  key TEXT PRIMARY KEY,"
  "  ws_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,"
  "  msg_id INTEGER NOT NULL,"
  "  terms TEXT NOT NULL,"
  "  url TEXT,"
  "  seen_us INTEGER NOT NULL) WITHOUT ROWID;"
  "CREATE INDEX watch_hits_ws ON watch_hits (ws_id, seen_us);"
  "CREATE TABLE held ("
  "  id INTEGER PRIMARY KEY,"
  "  ws_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,"
  "  msg_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,"
  "  link_id INTEGER NOT NULL,"
  "  state TEXT NOT NULL DEFAULT 'held'"
  "    CHECK (state IN ('held', 'approved', 'posted', 'rejected')),"
  "  held_us INTEGER NOT NULL,"
  "  decided_by TEXT, decided_us INTEGER NOT NULL DEFAULT 0,"
  "  posted_us INTEGER NOT NULL DEFAULT 0, post_url TEXT,"
  "  UNIQUE (msg_id, link_id));"
  "CREATE INDEX held_open ON held (ws_id, state);"
  "CREATE TABLE held_log ("
  "  held_id INTEGER NOT NULL REFERENCES held (id) ON DELETE CASCADE,"
  "  at_us INTEGER NOT NULL,"
  "  action TEXT NOT NULL CHECK (action IN ('hold', 'approve', 'reject', 'post', 'fail')),"
  "  who TEXT, roles INTEGER NOT NULL DEFAULT 0,"
  "  outcome TEXT NOT NULL,"
  "  note TEXT);"
  "CREATE INDEX held_log_held ON held_log (held_id, at_us);";

static gboolean
migrate_to_6 (sqlite3 *db, GError **error)
{
  return store_exec_sql (db, schema_v6, error);
}

/* migrations[v] takes the schema from version v to v + 1. */
static gboolean (*const migrations[RT_STORE_SCHEMA_VERSION]) (sqlite3 *, GError **) = {
  migrate_to_1,
  migrate_to_2,
  migrate_to_3,
  migrate_to_4,
  migrate_to_5,
  migrate_to_6,
};

int
store_user_version (sqlite3 *db)
{
  sqlite3_stmt *st = NULL;
  int v = -1;
  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step (st) == SQLITE_ROW)
    v = sqlite3_column_int (st, 0);
  sqlite3_finalize (st);
  return v;
}

gboolean
store_migrate (sqlite3 *db, GError **error)
{
  int v = store_user_version (db);

  if (v < 0)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_STORE, "%s", sqlite3_errmsg (db));
      return FALSE;
    }
  if (v > RT_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_STORE,
                   _("The database has schema version %d; this Roundtable knows up to %d. "
                     "Upgrade Roundtable."), v, RT_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  for (; v < RT_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);
      if (!store_exec_sql (db, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!migrations[v] (db, error) || !store_exec_sql (db, bump, error) ||
          !store_exec_sql (db, "COMMIT", error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          g_prefix_error (error, "schema version %d: ", v + 1);
          return FALSE;
        }
    }
  return TRUE;
}

