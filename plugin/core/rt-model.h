/* rt-model.h: workspaces, members, endpoints, links and messages.
 * Plain structs owned by whoever created them; free with the *_free functions
 * (g_autoptr works for each). */
#pragma once
#include <glib.h>
#include "rt-hours.h"
#include "rt-schedule.h"
#include "rt-audience.h"

G_BEGIN_DECLS

/* The scheme of email endpoints: "mailto:bob@example.org". */
#define RT_EMAIL_SCHEME "mailto"

typedef struct {
  gint64    id;
  char     *name;
  char     *mailbox;        /* username of the prpl-roundtable-mail account
                               the workspace mails from and reads; NULL: none */
  gboolean  immediate_mail; /* mail async members at once (members may override) */
} RtWorkspace;

/* A member's wish for immediate mail. */
typedef enum {
  RT_IMMEDIATE_FOLLOW = 0,  /* as the workspace says */
  RT_IMMEDIATE_YES,
  RT_IMMEDIATE_NO,
} RtImmediate;

/* One way to reach a member. For IM: scheme "xmpp", "irc" or a libpurple
 * protocol id such as "prpl-sipe"; address is the buddy name as that protocol
 * writes it. For email: scheme "mailto", address a plain addr-spec with a
 * lower-case domain (rt-email.h); email carries no presence. account (may be NULL) names the hub account to use,
 * "user@host/Resource" style username of a local libpurple account. */
typedef struct {
  gint64 id;
  char  *scheme;
  char  *address;
  char  *account;
  gint64 failing_us;      /* email: when it started bouncing (0: fine) */
  char  *failing_reason;  /* email: why (a bounce's status text), or NULL */
} RtEndpoint;

typedef struct {
  gint64    id;
  gint64    ws_id;
  char     *handle;     /* short unique name inside the workspace: "alice" */
  char     *name;       /* display name: "Alice Dubois" */
  char     *site;
  char     *country;    /* ISO 3166 alpha-2, upper case */
  char     *tz;         /* IANA time zone */
  char     *lang;       /* "fr", "nl", "de", "en", "pt_BR" */
  RtHours   hours;
  gboolean  offhours_im; /* IM even outside working hours */
  RtImmediate immediate_mail; /* mail at once when not reachable by IM */
  RtSchedule digest;    /* mail schedule (default daily 08:00) */
  RtQuiet    quiet;     /* no digest in these local hours (default 22:00-07:00) */
  /* State the store keeps; read with the member, never written by
   * rt_store_member_save (rt-store.h has the functions that change them). */
  gint64     last_digest_slot;  /* UTC µs of the last digest slot sent */
  gint64     unsubscribed_us;   /* when they unsubscribed by mail; 0: never */
  RtRoles    roles;     /* owner, spokesperson (rt-audience.h); written by
                           rt_store_member_save */
  GPtrArray *endpoints; /* RtEndpoint*, owned */
} RtMember;

typedef struct {
  gint64 id;
  gint64 ws_id;
  char  *protocol;  /* libpurple protocol id, "prpl-jabber" */
  char  *account;   /* account username */
  char  *room;      /* chat name as libpurple gives it: "room@conference.site-a.test",
                       or a stream timeline: "tag:acme" */
  RtLinkDirection direction;  /* what flows: in, out or both (default both) */
  RtLinkAudience  audience;   /* internal (default) or public: only
                                 spokespersons post, others are held */
} RtLink;

typedef struct {
  gint64 id;
  gint64 ws_id;
  char  *origin;        /* dedupe key, unique per workspace; may be NULL */
  gint64 author_member; /* member id, 0 for a guest or the hub */
  char  *author_label;  /* "Alice Dubois (Brussels)" or "carol (guest)" */
  char  *text;          /* plain text, never markup */
  gint64 created_us;
  gint64 source_link;   /* link the line came from, 0 if none */
  gint64 thread_id;     /* the message this one answers (a thread), 0 if none */
  RtMessageKind kind;   /* RT_MESSAGE_PERSON (0) or RT_MESSAGE_HUB (1: a
                           watchlist alert, a notice); never ECHO */
} RtMessage;

void        rt_workspace_free (RtWorkspace *ws);
RtEndpoint *rt_endpoint_new (const char *scheme, const char *address, const char *account);
void        rt_endpoint_free (RtEndpoint *ep);
/* Defaults: UTC, en, default hours, digest daily 08:00, quiet 22:00-07:00. */
RtMember   *rt_member_new (const char *handle);
RtMember   *rt_member_copy (const RtMember *m);
void        rt_member_free (RtMember *m);
void        rt_link_free (RtLink *link);
RtMessage  *rt_message_new (void);
void        rt_message_free (RtMessage *msg);

/* The scheme of social stream endpoints: "stream:alice@social.example"
 * (rt_watch_parse_stream_handle gives the address). */
#define RT_STREAM_SCHEME "stream"

/* Parse "xmpp:alice@site-a.test" or "prpl-irc:alice". The part before the
 * first ':' is the scheme. Returns NULL and sets error if malformed. */
RtEndpoint *rt_endpoint_parse (const char *uri, GError **error);
char       *rt_endpoint_format (const RtEndpoint *ep);   /* "xmpp:alice@site-a.test" */
/* libpurple protocol id for a scheme: xmpp -> prpl-jabber, irc -> prpl-irc,
 * prpl-* as is; NULL if unknown. (transfer none) */
const char *rt_endpoint_protocol (const RtEndpoint *ep);
/* Index of the member's first endpoint with this scheme, -1 if none. */
gint        rt_member_find_scheme (const RtMember *m, const char *scheme);
/* Index of the member's first email endpoint that is not failing, -1 if
 * none: where digests and mention mails go. */
gint        rt_member_mail_endpoint (const RtMember *m);
/* Does the member want messages mailed at once when they are not reachable
 * by IM: their own choice, else the workspace's (ws may be NULL: no). */
gboolean    rt_member_wants_immediate_mail (const RtMember *m, const RtWorkspace *ws);

/* "Alice Dubois (Brussels)"; without site just the name; guests:
 * "carol (guest)". (transfer full) */
char       *rt_member_label (const RtMember *m);
char       *rt_guest_label (const char *nick);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtWorkspace, rt_workspace_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtEndpoint, rt_endpoint_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtMember, rt_member_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtLink, rt_link_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtMessage, rt_message_free)

G_END_DECLS
