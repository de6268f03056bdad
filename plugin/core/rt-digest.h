/* rt-digest.h: compose one member's digest mail (subject, plain text, HTML)
 * from the messages they did not see live. Pure: no store, no I/O; the
 * caller picks the items, sends the mail and sets its headers. The layout is
 * described in docs/digest-format.md. */
#pragma once
#include <glib.h>
#include "rt-model.h"

G_BEGIN_DECLS

/* At most this many messages per workspace besides mentions and decisions;
 * the rest are counted ("and 12 more messages"). */
#define RT_DIGEST_PER_WORKSPACE 20
/* At most this many mentions and decisions in the first section. */
#define RT_DIGEST_MAX_HIGHLIGHTS 100
/* Texts are clipped to this many characters, with an ellipsis: mentions and
 * decisions nearly in full, the other messages shorter. */
#define RT_DIGEST_CLIP_HIGHLIGHT 2000
#define RT_DIGEST_CLIP_OTHER      500

/* One message for the digest. The strings are borrowed for the call. */
typedef struct {
  gint64      msg_id;
  gint64      ws_id;
  const char *ws_name;
  const char *thread;        /* may be NULL: not in a thread */
  const char *author_label;  /* "Alice Dubois (Brussels)" */
  const char *text;          /* plain text */
  gint64      created_us;
  gboolean    mention;       /* mentions this member (rt_text_mentions) */
  gboolean    decision;      /* rt_text_is_decision */
  gboolean    mailed;        /* a mention already mailed to the member on
                                its own (a mention mail): marked so */
} RtDigestItem;

/* How to answer and how to stop, for one workspace. */
typedef struct {
  gint64      ws_id;
  const char *reply;        /* address a reply goes to ("hub+tok@example.org"); may be NULL */
  const char *unsubscribe;  /* "mailto:..." or "https://..." URL; may be NULL */
} RtDigestLink;

typedef struct {
  const RtDigestLink *links;
  guint               n_links;
} RtDigestLinks;

typedef struct {
  char *subject;   /* one line, UTF-8, no control characters */
  char *text;      /* plain text, lines of at most 72 columns where prose */
  char *html;      /* a complete HTML document, inline styles only */
} RtDigest;

/* Compose member's digest of items (any order) in the member's language
 * (rt-lang scope for member->lang and member->country) and time zone
 * (member->tz; UTC if unknown). links may be NULL. now_us decides whether
 * date headings need the year. Returns NULL when there are no items.
 * (transfer full) */
RtDigest *rt_digest_compose (const RtMember      *member,
                             const RtDigestItem  *items,
                             guint                n_items,
                             const RtDigestLinks *links,
                             gint64               now_us);

void      rt_digest_free (RtDigest *digest);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtDigest, rt_digest_free)

G_END_DECLS
