/* rt-sse.h: an incremental server-sent events parser (the WHATWG
 * "text/event-stream" format, as served by Mastodon's streaming API).
 * Feed it any byte chunks as they arrive; complete events are reported
 * through a callback. libpurple-free.
 *
 *  - fields event, data, id and retry; other fields are ignored;
 *  - several data lines join with '\n'; an event without data is dropped;
 *  - lines starting with ':' are comments: Mastodon's heartbeats. They are
 *    counted (and reported) so the plugin can tell a live but quiet stream
 *    from a dead one;
 *  - CRLF, LF and CR end lines, also when a CRLF is split between chunks;
 *  - memory is bounded: a line longer than max_line, or an event whose data
 *    passes max_event, is an RT_STREAM_ERROR_TOO_LARGE error, after which
 *    the parser refuses input until rt_sse_reset (the plugin reconnects). */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

typedef struct RtSse RtSse;

/* event is "message" when the stream gave none; data is NUL-terminated and
 * valid only during the call; id is the last event id (or NULL). */
typedef void (*RtSseEventFunc) (const char *event, const char *data, gsize len,
                                const char *id, gpointer user_data);
/* comment is the text after ':' (for Mastodon ":thump" heartbeats). */
typedef void (*RtSseCommentFunc) (const char *comment, gpointer user_data);

#define RT_SSE_DEFAULT_MAX_LINE (1024 * 1024)
#define RT_SSE_DEFAULT_MAX_EVENT (4 * 1024 * 1024)

/* max_line / max_event 0: the defaults. Either callback may be NULL. */
RtSse *rt_sse_new (gsize max_line, gsize max_event, RtSseEventFunc on_event,
                   RtSseCommentFunc on_comment, gpointer user_data);
void rt_sse_free (RtSse *sse);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtSse, rt_sse_free)

/* Feed len bytes. FALSE with error on an overlong line or event (and on
 * every call after that until rt_sse_reset). */
gboolean rt_sse_feed (RtSse *sse, const char *data, gsize len, GError **error);

/* Forget a partial event and the error state for a new connection; the
 * last event id and the retry delay are kept (they serve the reconnect). */
void rt_sse_reset (RtSse *sse);

guint64 rt_sse_heartbeats (const RtSse *sse);   /* comment lines so far */
guint64 rt_sse_events (const RtSse *sse);       /* events dispatched so far */
const char *rt_sse_last_event_id (const RtSse *sse);  /* or NULL */
gint64 rt_sse_retry_ms (const RtSse *sse);      /* the last "retry", or -1 */

G_END_DECLS
