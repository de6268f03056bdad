/* rt-stream-timeline.h: one timeline read by an account: a joined chat
 * (home, list, hashtag, Viva Engage group or feed, an RSS/Atom feed) or the
 * account's direct messages (delivered as IMs). It polls from the position
 * kept in the account's positions file (rt-account-positions.h; nothing is
 * skipped across restarts), takes posts from a live stream when there is one
 * (rt-stream-live.c), and delivers each new post once, in order.
 * Viva Engage group and feed chats do not read: the account's one combined
 * read of my_feed (sa->viva_feed, a timeline without a chat) delivers each
 * message to the chat of its group, or of the feed. */
#pragma once
#include "rt-stream-account.h"

G_BEGIN_DECLS

typedef enum {
  RT_TL_HOME,         /* Mastodon "home" */
  RT_TL_LIST,         /* Mastodon "list:ID" */
  RT_TL_TAG,          /* Mastodon "tag:NAME" */
  RT_TL_VIVA_GROUP,   /* Viva Engage "group:ID" */
  RT_TL_VIVA_FEED,    /* Viva Engage "feed" (my_feed) */
  RT_TL_FEED,         /* feed service "feed:N" (N from 1) */
  RT_TL_DM,           /* direct messages: IMs, no chat */
} RtTimelineKind;

typedef struct _RtStreamLive RtStreamLive;

struct _RtStreamTimeline {
  RtStreamAccount *sa;
  RtTimelineKind kind;
  char *spec;            /* the chat's name, normalized ("tag:acme") */
  char *arg;             /* list id, tag, group id, feed URL; or NULL */
  int chat_id;           /* 0 for RT_TL_DM */
  char *visibility;      /* chat setting for posts, or NULL: the account's */
  char *pos;             /* newest id delivered; NULL before the first read */
  GHashTable *feed_seen; /* feeds: entry ids already delivered (or skipped) */
  char *etag;            /* feeds: for If-None-Match */
  RtStreamRequest *req;  /* the read in flight */
  char *next_url;        /* Mastodon: a Link "prev" page still to read */
  GPtrArray *gap;        /* Viva: pages of a catch-up, newest first */
  char *gap_older_than;
  guint gap_pages;
  gboolean settling;     /* Viva's combined read: its first read waits
                          * for the chats to be joined */
  guint timer;
  guint failures;
  gboolean trouble_shown;   /* a read failure was shown in the chat */
  RtStreamLive *live;       /* owned, or NULL */
  GPtrArray *pending;       /* RtStreamPost from the stream during a read */
  GHashTable *last_by_author;  /* handle -> newest post id (reply targets) */
  GHashTable *own_ids;      /* ids of our own posts already shown */
};

/* Reads a chat name for the account's service. TRUE with kind, arg and a
 * normalized spec; FALSE with a translated sentence in *why. */
gboolean rt_stream_timeline_parse (RtStreamAccount *sa, const char *spec, RtTimelineKind *kind,
                                   char **arg, char **norm, char **why);

RtStreamTimeline *rt_stream_timeline_new (RtStreamAccount *sa, RtTimelineKind kind,
                                          const char *spec, const char *arg, int chat_id);
/* The first read (and the live stream when the server has one). */
void rt_stream_timeline_start (RtStreamTimeline *tl);
void rt_stream_timeline_free (RtStreamTimeline *tl);

/* A system line in the timeline's chat (nothing for RT_TL_DM). */
void rt_stream_timeline_notice (RtStreamTimeline *tl, const char *markup);

/* From rt-stream-live.c: a post read from the stream. */
void rt_stream_timeline_stream_post (RtStreamTimeline *tl, const RtStreamPost *post);
/* From rt-stream-live.c: the stream is up (stop polling, catch up once) or
 * down (poll now and on schedule). */
void rt_stream_timeline_stream_changed (RtStreamTimeline *tl, gboolean up);

/* Our own post, accepted by the server: shown as ours (once). */
void rt_stream_timeline_own_post (RtStreamTimeline *tl, const RtStreamPost *post);

/* The id of the newest post by the author this text starts with ("@handle
 * ..." or "@user ..."), for in_reply_to_id; NULL when none. */
const char *rt_stream_timeline_reply_target (RtStreamTimeline *tl, const char *text);

/* Mastodon timelines that a stream can serve, and the path of that stream
 * (transfer full; NULL when none). */
char *rt_stream_timeline_stream_path (RtStreamTimeline *tl);

G_END_DECLS
