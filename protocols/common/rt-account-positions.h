/* rt-account-positions.h: the read positions (rt-positions.h) of one
 * libpurple account, in
 *   purple_user_dir()/roundtable/positions/PROTOCOL-USERNAME.ini
 * (the user name %-escaped), with the account's own settings of the same
 * keys as the legacy source (what the plugins kept there before): a key not
 * in the file yet is taken from the account once; the account settings are
 * never written again.
 *
 * When an account of the protocol is deleted ("account-removed", watched
 * from the first open on, with the protocol plugin as the handle, so
 * libpurple disconnects it at unload), its file is deleted too, as its
 * account settings went with it before: an account added again under the
 * same name starts as new.
 *
 * Shared per account: every user (the mail account's IMAP poll, each
 * timeline of a stream account) opens it and closes it; the last close
 * writes what is dirty synchronously (logout, quit). */
#pragma once
#include <purple.h>
#include "rt-positions.h"

G_BEGIN_DECLS

/* The account's positions, loaded at the first open (a small synchronous
 * read). (transfer full: one rt_account_positions_close each) */
RtPositions *rt_account_positions_open (PurpleAccount *account);

/* The positions of an account opened and not closed yet, or NULL.
 * (transfer none) */
RtPositions *rt_account_positions_lookup (PurpleAccount *account);

/* Drops one open; the last one flushes and frees. Safe with NULL. */
void rt_account_positions_close (PurpleAccount *account);

/* The file's path for an account (transfer full). */
char *rt_account_positions_path (PurpleAccount *account);

G_END_DECLS
