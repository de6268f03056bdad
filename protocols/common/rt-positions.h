/* rt-positions.h: the read positions of one account (key -> string: the
 * last IMAP UID of a folder, the newest post id of a timeline, ...) in a
 * small file of their own, written off the event loop.
 *
 * Why not account settings: libpurple rewrites the whole accounts.xml
 * synchronously (temporary file, fsync, rename) on the event loop 5 s after
 * any setting changes, so a position saved per mail or post stalls the
 * client every 5 s of a long sync (docs/libpurple-notes.md).
 *
 * Here: the file is read once when opened (a small synchronous read, at
 * login); every change is made in memory and marks the state dirty; the
 * first change arms a short timer (RT_POSITIONS_DELAY_MS); when it fires a
 * snapshot is written in GLib's thread pool (g_file_set_contents_full:
 * temporary file, fsync, rename: the file is always either the old or the
 * new snapshot). At most one write is in flight; changes made meanwhile are
 * written by the next one. rt_positions_close writes what is still dirty
 * synchronously, after the write in flight (if any) is done, so a clean
 * quit keeps the newest positions and an older snapshot can never replace
 * a newer one.
 *
 * Callers advance a position only after the item was handed over (the
 * at-least-once order): a crash loses at most the changes of the last delay
 * (the items are read again, never skipped).
 *
 * Legacy values (migration from account settings): a key that the file does
 * not hold is looked up once through the legacy function, and the value
 * found is kept (and written to the file). A key the file holds never asks
 * the legacy source again.
 *
 * A file that cannot be read or parsed is renamed to FILE.corrupt, a warning
 * is logged (g_warning-level, domain "roundtable-positions") and the state
 * starts empty, so every key falls back to its legacy value, else to the
 * caller's first-use rule: positions can only go back (items read again),
 * and the warning says so. GLib only (no libpurple): unit-tested with a
 * GMainLoop. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

#define RT_POSITIONS_DELAY_MS 1000

typedef struct _RtPositions RtPositions;

/* The legacy value of key, or NULL (transfer full). */
typedef char *(*RtPositionsLegacyFunc) (const char *key, gpointer data);

/* Opens the positions kept in path (its directory is created at the first
 * write). legacy may be NULL; legacy_data must stay valid until
 * rt_positions_close. (transfer full) */
RtPositions *rt_positions_open (const char *path, RtPositionsLegacyFunc legacy, gpointer legacy_data);

/* The value of key (the file's, else the legacy one), or NULL. Valid until
 * the next rt_positions_set of that key. */
const char *rt_positions_get (RtPositions *p, const char *key);

/* Sets key to value (NULL removes it); no write when nothing changes. */
void rt_positions_set (RtPositions *p, const char *key, const char *value);

/* Writes what is dirty now, synchronously, and frees the state; a write in
 * flight finishes first and its result is then ignored. NULL is a no-op. */
void rt_positions_close (RtPositions *p);

/* For tests and debug lines. */
const char *rt_positions_path (RtPositions *p);
/* Writes started (asynchronous and synchronous) since open. */
guint rt_positions_writes (RtPositions *p);
/* TRUE while changes are not on disk yet (dirty or a write in flight). */
gboolean rt_positions_pending (RtPositions *p);
/* Sets the delay before an asynchronous write (default RT_POSITIONS_DELAY_MS;
 * after failed writes it doubles per failure, up to 60 s). */
void rt_positions_set_delay (RtPositions *p, guint ms);
/* States opened and not freed yet (a state closed while a write is in
 * flight is freed by that write's callback on the main loop). */
guint rt_positions_alive (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtPositions, rt_positions_close)

G_END_DECLS
