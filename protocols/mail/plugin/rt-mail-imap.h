/* rt-mail-imap.h: the IMAP side of a mail account: EXAMINE the folder
 * (UIDVALIDITY, UIDNEXT), then up to UIDNEXT-1 in windows of at most 500
 * UIDs: "UID SEARCH UID a:b", fetch each UID by "FOLDER;UID=n", deliver it
 * as an IM; then wait poll_interval seconds. One IMAP transfer at a time,
 * all through the account's RtCurlLoop.
 *
 * State kept per account and folder (keys "imap_uidvalidity:FOLDER",
 * "imap_last_uid:FOLDER" in the account's positions file,
 * rt-account-positions.h; taken over once from the account settings of the
 * same names that earlier versions wrote): the last UID moves only after
 * its mail was handed over, so after a restart nothing is skipped, and after
 * a crash at most the mails of the last second are read again. With no state yet the account option
 * "initial_sync" decides: "new" (default) starts after the folder's current
 * last UID (mail already there is not delivered), "all" delivers the whole
 * folder, oldest first. A changed UIDVALIDITY always starts after the
 * current last UID (no duplicates). */
#pragma once
#include "rt-mail-account.h"

G_BEGIN_DECLS

/* Starts polling (or, for an "initial_sync" other than "new" or "all", sets
 * an INVALID_SETTINGS connection error); the connection is set CONNECTED
 * after the first EXAMINE
 * succeeds, or gets a connection error. Once connected, a failed poll is
 * retried after a backoff (2 s doubling to 60 s, reset on success); only a
 * refused login is then a connection error. */
void rt_mail_imap_start (RtMailAccount *ma);

/* Cancels the transfer in flight and the timer; frees the poll state. Safe
 * with NULL state. */
void rt_mail_imap_stop (RtMailAccount *ma);

G_END_DECLS
