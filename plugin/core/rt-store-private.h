/* rt-store-private.h: what the files of the store share (rt-store.c,
 * rt-store-outbox.c); not for use outside them.
 *
 * rt-store.c owns the connection, the schema and the statement table;
 * rt-store-outbox.c keeps messages and their deliveries; rt-store-digest.c
 * digests, mention mails and hub values; rt-store-flight.c mails handed to
 * the mail plugin and waiting for its outcome; rt-store-stream.c watchlists,
 * watch hits, held messages and stream posts in flight. Files added later may keep their
 * SQL to themselves with store_stmt() instead of growing the table. */
#pragma once
#include <sqlite3.h>
#include "rt-store.h"

G_BEGIN_DECLS

/* deliveries.state (the SQL in the statement table spells these as numbers) */
enum {
  STATE_SEND = 0,     /* still to send (route 'im' or 'mail') */
  STATE_PENDING = 1,  /* kept for the member's next digest (route 'pending') */
  STATE_SENT = 2,
  STATE_FAILED = 3,   /* a link delivery given up */
  STATE_IN_DIGEST = 4, /* went out in a digest (RT_DELIVERY_IN_DIGEST) */
  STATE_MAIL_IN_FLIGHT = 5,   /* RT_DELIVERY_MAIL_IN_FLIGHT */
  STATE_DIGEST_IN_FLIGHT = 6, /* RT_DELIVERY_DIGEST_IN_FLIGHT */
  STATE_HELD = 7,     /* RT_DELIVERY_HELD */
};

/* The prepared statements; their SQL is statement_sql in rt-store.c. */
typedef enum {
  S_BEGIN, S_COMMIT, S_ROLLBACK,
  S_WS_INSERT, S_WS_FIND, S_WS_GET, S_WS_LIST, S_WS_SET_MAIL, S_WS_DELETE,
  S_MEMBER_INSERT, S_MEMBER_UPDATE, S_MEMBER_FIND, S_MEMBER_GET, S_MEMBER_LIST,
  S_MEMBER_DELETE, S_MEMBER_DROP_DELIVERIES, S_MEMBERS_BY_EP, S_MEMBER_LAST_IM,
  S_EP_DELETE, S_EP_INSERT, S_EP_OF_MEMBER, S_EP_OF_WS,
  S_LINK_INSERT, S_LINK_FIND, S_LINK_LIST_WS, S_LINK_LIST_ALL, S_LINK_DELETE,
  S_LINK_DROP_DELIVERIES,
  S_MSG_INSERT, S_MSG_GET, S_MSG_COUNT_WS, S_MSG_COUNT_ALL,
  S_DELIV_INSERT, S_DELIV_STATE, S_DELIV_SENT, S_DELIV_RETRY, S_DELIV_GIVE_UP, S_DELIV_DEFER, S_RESCHEDULE,
  S_DUE, S_NEXT_DUE, S_COUNT_DUE, S_PENDING,
  N_STATEMENTS
} StmtId;

struct _RtStore {
  sqlite3      *db;
  sqlite3_stmt *stmt[N_STATEMENTS];
  GHashTable   *members_cache;   /* gint64 ws_id -> GPtrArray of RtMember* */
  GHashTable   *more_stmts;      /* const char *sql (static) -> sqlite3_stmt* */
  gint64        last_im;         /* largest members.last_im handed out */
  guint         tx_depth;        /* tx_begin calls not ended yet */
  gboolean      tx_failed;       /* an inner tx_end said not ok */
};

/* Sets error to RT_ERROR_STORE with SQLite's last message; returns FALSE. */
G_GNUC_INTERNAL gboolean      store_error (RtStore *store, GError **error);
/* The prepared statement id (reset; reset it again after use). */
G_GNUC_INTERNAL sqlite3_stmt *S (RtStore *store, StmtId id);
/* The statement for sql, a string with static storage (its address is the
 * key), prepared on first use and kept until close; reset like S(). NULL
 * (and an error log) only if SQLite cannot prepare it: a programming error. */
G_GNUC_INTERNAL sqlite3_stmt *store_stmt (RtStore *store, const char *sql);
/* Forget the cached member arrays (after any write to members or endpoints). */
G_GNUC_INTERNAL void          store_members_changed (RtStore *store);
/* Step a statement that returns no rows; reset it. Returns the SQLite code. */
G_GNUC_INTERNAL int           run (sqlite3_stmt *st);
/* The extended code of the last failure (SQLITE_CONSTRAINT_UNIQUE, ...). */
G_GNUC_INTERNAL int           constraint (RtStore *store);

/* INSERT OR IGNORE one mail_out row (rt_store_mail_out_add), inside the
 * caller's transaction. */
G_GNUC_INTERNAL gboolean      store_mail_out_write (RtStore *store, const char *message_id,
                                                    const char *kind, gint64 ws_id,
                                                    gint64 member_id, gint64 msg_id,
                                                    GError **error);

/* rt-store-stream.c, inside the caller's transaction: a held row (state
 * held) and its "hold" log entry for the row (msg_id, 'L', link_id); */
G_GNUC_INTERNAL gboolean      store_held_write (RtStore *store, gint64 ws_id, gint64 msg_id,
                                                gint64 link_id, const char *who, RtRoles roles,
                                                gint64 now_us, GError **error);
/* the watch_hits row of an alert (FALSE without error on a duplicate key:
 * *duplicate set); */
G_GNUC_INTERNAL gboolean      store_watch_hit_write (RtStore *store, gint64 ws_id, gint64 msg_id,
                                                     const RtMessageExtras *extras, gint64 now_us,
                                                     gboolean *duplicate, GError **error);
/* a removed link's open held messages become rejected, logged. */
G_GNUC_INTERNAL gboolean      store_held_link_removed (RtStore *store, gint64 link_id,
                                                       GError **error);

/* rt-store-schema.c: the schema version of db (-1 if unreadable), and
 * the migrations from it to RT_STORE_SCHEMA_VERSION. */
G_GNUC_INTERNAL int           store_user_version (sqlite3 *db);
G_GNUC_INTERNAL gboolean      store_migrate (sqlite3 *db, GError **error);
/* sqlite3_exec of sql (several statements), error RT_ERROR_STORE. */
G_GNUC_INTERNAL gboolean      store_exec_sql (sqlite3 *db, const char *sql, GError **error);

/* BEGIN IMMEDIATE; FALSE with error if it fails. Inside a transaction
 * (rt_store_begin, or a public write that calls another) it joins it. */
G_GNUC_INTERNAL gboolean      tx_begin (RtStore *store, GError **error);
/* Commit if ok, else roll back; returns whether the work is committed.
 * Joined: returns ok, and a not-ok makes the outermost end roll back. */
G_GNUC_INTERNAL gboolean      tx_end (RtStore *store, gboolean ok, GError **error);

/* Binds text with SQLITE_STATIC (NULL binds NULL). */
G_GNUC_INTERNAL void          bind_text (sqlite3_stmt *st, int i, const char *text);
/* Column i of the current row as a newly allocated string (NULL for NULL). */
G_GNUC_INTERNAL char         *col_text (sqlite3_stmt *st, int i);

G_END_DECLS
