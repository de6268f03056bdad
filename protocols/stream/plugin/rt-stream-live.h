/* rt-stream-live.h: a Mastodon streaming connection (server-sent events)
 * for one timeline, read through libcurl's write callback and the stream
 * core's SSE parser. Events are queued in the callback and handled from a
 * 0 ms timer (libcurl forbids re-entrant calls, and a handler of
 * "roundtable-stream-post" may post). A stream that ends, fails, or stays
 * silent (no event and no ":thump" heartbeat) for the account's
 * stream_timeout is dropped: the timeline polls from its position (nothing
 * missed) and the stream is retried after stream_retry seconds, doubling
 * up to 10 minutes while it keeps failing. */
#pragma once
#include "rt-stream-timeline.h"

G_BEGIN_DECLS

RtStreamLive *rt_stream_live_new (RtStreamTimeline *tl, const char *path);
void rt_stream_live_start (RtStreamLive *live);
/* TRUE while connected (the server answered 200 and the stream is not
 * known dead). */
gboolean rt_stream_live_is_up (RtStreamLive *live);
void rt_stream_live_free (RtStreamLive *live);

G_END_DECLS
