/* test-store-fixture.h: the store pieces several unit tests share: a store
 * in a fresh temporary directory, its removal, and small row helpers. */
#pragma once

#include <glib.h>
#include "rt-store.h"

/* Opens a new store at <tmp dir from dir_template>/rt.db; *dir and *path
 * receive the directory and file (free them with rt_test_store_remove). */
RtStore *rt_test_store_open (const char *dir_template, char **dir, char **path);

/* Closes *store and removes the file, its -wal and -shm, and the directory
 * (asserted empty and gone when check_rmdir); frees *dir and *path. */
void rt_test_store_remove (RtStore **store, char **dir, char **path, gboolean check_rmdir);

/* The first column of the first row of sql, read on a second, read-only
 * connection (what is on disk), or -1 when there is no row. */
gint64 rt_test_store_count (const char *path, const char *sql);

/* Saves a member of ws with the endpoints parsed from uris (NULL-ended). */
RtMember *rt_test_store_add_member (RtStore *store, gint64 ws, const char *handle,
                                    const char *const *uris);

/* Adds a message "hello" by "Alice (Brussels)" to ws with n delivery rows. */
RtMessage *rt_test_store_add_message (RtStore *store, gint64 ws, const char *origin,
                                      const RtDeliveryRow *rows, guint n);
