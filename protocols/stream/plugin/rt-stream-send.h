/* rt-stream-send.h: posting: a line typed in a stream chat, an IM answering
 * a direct message, or the IPC "post" (rt-stream-ipc.h). Each post keeps
 * its Idempotency-Key for every retry, so a retry never posts twice. */
#pragma once
#include "rt-stream-account.h"
#include "rt-stream-timeline.h"

G_BEGIN_DECLS

typedef struct {
  const char *text;          /* plain text */
  const char *visibility;    /* or NULL */
  const char *in_reply_to;   /* or NULL */
  const char *key;           /* idempotency key, or NULL: a new one */
  const char *direct_to;     /* Mastodon DM: the handle to mention, or NULL */
} RtStreamPostArgs;

/* Queues the post to timeline kind/arg. chat_id: the chat to echo into and
 * report errors in (0: none; then the IM with args->direct_to). Returns
 * FALSE (nothing queued) with a translated *why when it cannot be posted. */
gboolean rt_stream_send (RtStreamAccount *sa, RtTimelineKind kind, const char *spec,
                         const char *arg, int chat_id, const RtStreamPostArgs *args, char **why);

/* Cancels every post in flight or waiting for a retry (account close). */
void rt_stream_sends_stop (RtStreamAccount *sa);

G_END_DECLS
