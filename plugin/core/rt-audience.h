/* rt-audience.h: which workspace messages may leave through a link.
 *
 * Every link has a direction (what flows: in from the link, out to it, or
 * both) and an audience (internal: people of the company; public: anyone,
 * such as a public Mastodon account). A public link takes messages only
 * from members with the spokesperson role; anyone else's message for it is
 * held until a spokesperson or an owner approves it. Pure functions; the
 * store keeps the values (docs/stream-workspace.md). */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Bits: BOTH is IN | OUT. */
typedef enum {
  RT_DIRECTION_IN   = 1 << 0,   /* the link's messages come into the workspace */
  RT_DIRECTION_OUT  = 1 << 1,   /* the workspace's messages go out to it */
  RT_DIRECTION_BOTH = RT_DIRECTION_IN | RT_DIRECTION_OUT,
} RtLinkDirection;

typedef enum {
  RT_AUDIENCE_INTERNAL,
  RT_AUDIENCE_PUBLIC,
} RtLinkAudience;

/* What a link is when nothing was said: every room linked before links had
 * a direction keeps working as it did. */
#define RT_DIRECTION_DEFAULT RT_DIRECTION_BOTH
#define RT_AUDIENCE_DEFAULT  RT_AUDIENCE_INTERNAL

/* A member's roles, a bit set (the store keeps the integer). */
typedef enum {
  RT_ROLE_NONE         = 0,
  RT_ROLE_OWNER        = 1 << 0,
  RT_ROLE_SPOKESPERSON = 1 << 1,
} RtRoles;
#define RT_ROLES_KNOWN (RT_ROLE_OWNER | RT_ROLE_SPOKESPERSON)

/* Where a message comes from, as far as the audience rule cares. */
typedef enum {
  RT_MESSAGE_PERSON,   /* written by someone: a member, a guest in a room,
                        * an external stream author (roles 0) */
  RT_MESSAGE_HUB,      /* made by the hub: a watchlist alert, a notice */
  RT_MESSAGE_ECHO,     /* came into the workspace through this same link */
  RT_MESSAGE_STREAM_POST, /* someone's post read from a social stream (came
                        * through another, stream, link): public already
                        * where it was written, so never re-posted to a
                        * public link as the company's own words */
} RtMessageKind;

/* The protocol id of stream links (the "Roundtable Stream" plugin). */
#define RT_STREAM_LINK_PROTOCOL "prpl-roundtable-stream"

typedef enum {
  RT_OUT_SKIP,   /* nothing goes to this link */
  RT_OUT_SEND,   /* deliver it */
  RT_OUT_HOLD,   /* keep it until a spokesperson or owner approves */
} RtOutDecision;

/* "in", "out", "both" / "internal", "public" (any case, trimmed); anything
 * else: FALSE, *out untouched, RT_ERROR_INVALID naming the choices. */
gboolean     rt_link_direction_parse (const char *text, RtLinkDirection *out, GError **error);
gboolean     rt_link_audience_parse (const char *text, RtLinkAudience *out, GError **error);
/* The words above; NULL for a value outside the enum. (transfer none) */
const char  *rt_link_direction_name (RtLinkDirection direction);
const char  *rt_link_audience_name (RtLinkAudience audience);

/* "owner,spokesperson", "spokesperson, owner", "none" (any case, spaces
 * around commas, repeats allowed). Unknown names, an empty list or an empty
 * item, and "none" with others are errors (RT_ERROR_INVALID). */
gboolean     rt_roles_parse (const char *text, RtRoles *out, GError **error);
/* "owner,spokesperson" in that order, "none" for 0; unknown bits are left
 * out. (transfer full) */
char        *rt_roles_format (RtRoles roles);

/* Out to a link with this direction and audience, a message of kind by an
 * author with author_roles:
 *   direction without OUT          SKIP
 *   ECHO                           SKIP (never back where it came from)
 *   HUB, public link               SKIP (the hub speaks publicly for no
 *                                  one; alerts quote other people's posts)
 *   HUB or PERSON, internal link   SEND
 *   PERSON, public link            SEND with the spokesperson role, else HOLD
 *                                  (an owner who is no spokesperson too) */
RtOutDecision rt_audience_decide (RtLinkDirection direction, RtLinkAudience audience,
                                  RtRoles author_roles, RtMessageKind kind);
const char  *rt_out_decision_name (RtOutDecision decision);   /* "skip", "send", "hold" */

/* The Mastodon visibility a post to a link of this audience asks for:
 * "public" for public links, "private" (followers only) for internal ones,
 * so an account whose default is public cannot make an internal link
 * public. (transfer none) */
const char  *rt_link_audience_visibility (RtLinkAudience audience);

/* The idempotency key of a workspace message posted to a stream link,
 * "rt-l<LINK>-m<MESSAGE>" (at most 44 printable ASCII characters, as the
 * stream plugin's IPC "post" wants): the same on every retry and after a
 * restart, so a post is never made twice. (transfer full) */
char        *rt_audience_post_key (gint64 link_id, gint64 message_id);
/* Read such a key back (from the stream plugin's posted / post-failed
 * signals); FALSE for any other string, outputs untouched. */
gboolean     rt_audience_parse_post_key (const char *key, gint64 *link_id, gint64 *message_id);

/* May someone with these roles approve or reject held messages? */
gboolean     rt_audience_may_approve (RtRoles roles);

/* A held message: HELD, then APPROVED then POSTED, or REJECTED. */
typedef enum {
  RT_HELD_HELD,
  RT_HELD_APPROVED,
  RT_HELD_POSTED,
  RT_HELD_REJECTED,
} RtHeldState;

typedef enum {
  RT_HELD_APPROVE,   /* by a spokesperson or owner */
  RT_HELD_REJECT,    /* by a spokesperson or owner */
  RT_HELD_POST,      /* the outbox handed it to the stream plugin */
} RtHeldAction;

typedef struct {
  gint64      id;           /* the store's id, shown by /ws held */
  gint64      message_id;
  gint64      link_id;
  RtHeldState state;
  gint64      held_us;      /* when it was held */
  char       *decided_by;   /* who approved or rejected; NULL while held */
  gint64      decided_us;   /* when; 0 while held */
  gint64      posted_us;    /* when it was posted; 0 before */
} RtHeld;

RtHeld      *rt_held_new (void);   /* state HELD, everything else 0 / NULL */
void         rt_held_free (RtHeld *held);

/* "held", "approved", "posted", "rejected". */
const char  *rt_held_state_name (RtHeldState state);
gboolean     rt_held_state_from_name (const char *name, RtHeldState *out);

#define RT_HELD_ERROR (rt_held_error_quark ())
GQuark rt_held_error_quark (void);

typedef enum {
  RT_HELD_ERROR_DENIED,    /* who may not approve or reject */
  RT_HELD_ERROR_DECIDED,   /* already approved, rejected or posted */
  RT_HELD_ERROR_WAITING,   /* POST before an approval */
} RtHeldError;

/* Apply action at now_us, by who (a label for the record: a member's handle;
 * ignored for POST) with who_roles:
 *   HELD     + APPROVE  -> APPROVED (decided_by, decided_us)
 *   HELD     + REJECT   -> REJECTED (decided_by, decided_us)
 *   APPROVED + POST     -> POSTED   (posted_us)
 * Everything else fails with a translated error and leaves held as it was:
 * approve or reject without rt_audience_may_approve (or without who:
 * DENIED, checked first), approve twice, reject after an approval, anything
 * after a rejection or a post (DECIDED), POST while held (WAITING). */
gboolean     rt_held_apply (RtHeld *held, RtHeldAction action, const char *who,
                            RtRoles who_roles, gint64 now_us, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtHeld, rt_held_free)

G_END_DECLS
