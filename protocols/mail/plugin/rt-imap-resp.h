/* rt-imap-resp.h: the few IMAP untagged responses the mail account reads
 * (EXAMINE's UIDVALIDITY and UIDNEXT, UID SEARCH's list). libcurl hands the
 * untagged lines of a custom request to the write callback; these parse
 * them. No libpurple, no libcurl. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint32 uidvalidity;   /* 0: not seen */
  guint32 uidnext;       /* 0: not seen */
  guint32 exists;        /* messages in the folder */
} RtImapFolderState;

/* Reads "* OK [UIDVALIDITY n]", "* OK [UIDNEXT n]" and "* n EXISTS" from the
 * untagged lines of an EXAMINE or SELECT (len bytes, CRLF or LF). Returns
 * FALSE if UIDVALIDITY is missing. */
gboolean rt_imap_parse_examine (const char *data, gsize len, RtImapFolderState *out);

/* The UIDs of "* SEARCH ..." lines strictly greater than after, sorted
 * ascending, without duplicates. (transfer full) GArray of guint32. */
GArray *rt_imap_parse_search (const char *data, gsize len, guint32 after);

/* "EXAMINE \"folder\"" with \ and " escaped; NULL if folder holds CR, LF or
 * NUL-like control characters (it could add a command). (transfer full) */
char *rt_imap_examine_command (const char *folder);

G_END_DECLS
