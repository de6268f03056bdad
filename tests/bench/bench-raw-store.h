/* bench-raw-store.h: the raw SQLite baseline of the store benches: the same
 * tables and indexes as a real Roundtable store (its DDL copied from one),
 * written with plain prepared INSERTs and nothing else (no planning, no
 * checks, no extras). What storing a message durably costs at the least. */
#pragma once
#include <sqlite3.h>
#include <glib.h>

G_BEGIN_DECLS

/* One delivery row as the store writes it. */
typedef struct {
  char        kind;       /* 'L' link, 'M' member */
  gint64      target;
  const char *route;      /* "im", "pending", ... */
  int         endpoint;
  int         state;      /* 0 to send, 1 kept */
} RawRow;

typedef struct {
  sqlite3      *db;
  sqlite3_stmt *begin, *commit, *savepoint, *release, *msg_insert, *deliv_insert;
  gint64        ws;
  const char   *who;      /* for error lines */
} RawStore;

/* A new database at path with store_path's tables for workspaces, messages
 * and deliveries (WAL, synchronous=NORMAL, foreign keys, as the store) and
 * one workspace (r->ws). FALSE with a line on stderr. */
gboolean raw_store_open (RawStore *r, const char *who, const char *path, const char *store_path);
gboolean raw_store_begin (RawStore *r);
gboolean raw_store_commit (RawStore *r);
/* One message and its rows; inside a batch (savepoint TRUE) under its own
 * savepoint, as the store's batch does. */
gboolean raw_store_message (RawStore *r, gboolean savepoint, const char *origin, const char *label,
                            const char *text, gint64 now, gint64 source_link,
                            const RawRow *rows, guint n_rows);
void     raw_store_close (RawStore *r);

G_END_DECLS
