/* rt-stream-account.h: one "Roundtable Stream" account (a PurpleConnection's
 * proto_data): settings, the libcurl loop, the joined timelines, the posts
 * being sent, and the shared rate-limit state. The account owns every
 * transfer and timer; rt_stream_account_free (from the prpl's close) cancels
 * them all. */
#pragma once
#include <purple.h>
#include <curl/curl.h>
#include "rt-curl-loop.h"
#include "rt-stream-post.h"

G_BEGIN_DECLS

#define RT_STREAM_PRPL_ID "prpl-roundtable-stream"
#define RT_STREAM_DEBUG "roundtable-stream"
/* The buddy list group of followed accounts. */
#define RT_STREAM_GROUP "Stream"

typedef struct _RtStreamTimeline RtStreamTimeline;
typedef struct _RtStreamRequest RtStreamRequest;
typedef struct _RtStreamBuddies RtStreamBuddies;

typedef struct {
  PurpleConnection *gc;       /* (transfer none) */
  PurpleAccount *account;     /* (transfer none) */
  RtStreamService service;
  char *label;                /* the account's user name (for debug lines) */
  char *base_url;             /* "https://host[:port]" without a trailing '/' */
  char *host;                 /* completes local handles: "bob" -> "bob@host" */
  gboolean loopback;          /* the server is on this machine (tests): the
                               * Viva/feed interval floors do not apply */
  int poll_interval;          /* seconds, >= 1 */
  int stream_timeout;         /* seconds of silence before a stream is dead */
  int stream_retry;           /* seconds before the first stream retry */
  char *default_visibility;   /* account option, else the server's, else NULL */
  GPtrArray *feed_urls;       /* char *: the feed service's URLs, in order */

  char *self_id;              /* Mastodon account id / Viva user id */
  char *self_handle;          /* own handle: the chats' nick */
  gboolean streaming;         /* the server offers SSE (streaming/health) */

  RtCurlLoop *loop;           /* owned: every transfer */
  GHashTable *timelines;      /* int chat id -> RtStreamTimeline* (owned) */
  RtStreamTimeline *dm;       /* owned: direct messages (not a chat) */
  RtStreamTimeline *viva_feed;  /* owned, Viva Engage only: the one read of
                               * my_feed that serves every group and feed
                               * chat (not a chat itself) */
  int next_chat_id;
  GList *sends;               /* owned RtStreamSend* */
  RtStreamBuddies *buddies;   /* owned */
  guint login_timer;
  guint login_tries;
  RtStreamRequest *login_req;

  /* Rate limits shared by every request of the account (the gate). */
  GQueue *waiting;            /* RtStreamRequest* not yet started */
  GList *running;             /* RtStreamRequest* in flight */
  gint64 not_before_us;       /* monotonic: no gated request before this */
  GQueue *viva_stamps;        /* monotonic times of recent Viva message requests */
  guint gate_timer;
  gboolean limited;           /* a rate-limit episode is being shown */
  gboolean failed;            /* a connection error was reported */
} RtStreamAccount;

/* A finished request. */
typedef struct {
  CURLcode result;            /* CURLE_OK when an HTTP answer came */
  long status;                /* HTTP status, 0 when none */
  const char *body;           /* NUL-terminated (may hold NULs before len) */
  gsize len;
  GHashTable *headers;        /* lower-case name -> value (last one wins) */
  const char *error;          /* libcurl's message when result != OK */
} RtStreamResponse;

typedef void (*RtStreamResponseFunc) (RtStreamAccount *sa, const RtStreamResponse *resp,
                                      gpointer data);

typedef enum {
  RT_STREAM_REQ_AUTH = 1 << 0,     /* send the token (Authorization: Bearer) */
  RT_STREAM_REQ_UNGATED = 1 << 1,  /* not subject to the rate-limit gate */
  RT_STREAM_REQ_FEED = 1 << 2,     /* a feed: redirects followed (https only) */
} RtStreamRequestFlags;

/* Queues a request through the gate (rate limits, Retry-After) and starts
 * it when allowed. method "GET" or "POST"; form (POST, url-encoded) and
 * extra_headers ("Name: value", NULL-terminated) may be NULL. done is
 * called once from the event loop unless the request is cancelled or the
 * account freed. Returns a handle valid until done runs or it is
 * cancelled. */
RtStreamRequest *rt_stream_request (RtStreamAccount *sa, const char *method, const char *url,
                                    const char *form, const char *const *extra_headers,
                                    RtStreamRequestFlags flags, RtStreamResponseFunc done,
                                    gpointer data);
void rt_stream_request_cancel (RtStreamAccount *sa, RtStreamRequest *req);

/* An easy handle for url with the account's TLS rules, timeouts, allowed
 * schemes and (with auth) the bearer token; verbose off. The caller sets
 * callbacks. headers_out receives the slist to free after the transfer.
 * (transfer full) */
CURL *rt_stream_account_easy (RtStreamAccount *sa, const char *url, gboolean auth,
                              struct curl_slist **headers_out);

/* TRUE when url may be used: https, or http on a loopback host. */
gboolean rt_stream_url_allowed (const char *url, gboolean *loopback);
/* TRUE when url is on the account's server (Link headers are only
 * followed there, so the token never goes elsewhere). */
gboolean rt_stream_account_same_origin (RtStreamAccount *sa, const char *url);

/* base_url + path (path starts with '/'). (transfer full) */
char *rt_stream_account_url (RtStreamAccount *sa, const char *path);

/* Reports the connection's error once (401/403: AUTHENTICATION_FAILED, no
 * reconnect; else NETWORK_ERROR). */
void rt_stream_account_fail (RtStreamAccount *sa, PurpleConnectionError reason, const char *msg);

/* A system line in every joined chat of the account. */
void rt_stream_account_notice (RtStreamAccount *sa, const char *markup);
/* The joined timeline (chat) of spec ("tag:acme", "group:42"), or NULL. */
RtStreamTimeline *rt_stream_account_joined (RtStreamAccount *sa, const char *spec);

/* "HH:MM:SS" local time of a real-time timestamp (transfer full). */
char *rt_stream_clock_text (gint64 real_us);

/* Frees everything (transfers, timers, timelines, sends). */
void rt_stream_account_free (RtStreamAccount *sa);

G_END_DECLS
