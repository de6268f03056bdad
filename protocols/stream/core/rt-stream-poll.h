/* rt-stream-poll.h: how often to poll the timelines of one account so
 * that the service's documented rate limits are never reached. Pure
 * arithmetic; libpurple-free.
 *
 * Documented limits:
 *  - Mastodon: 300 requests per 5 minutes per account
 *    (docs.joinmastodon.org/api/rate-limits);
 *  - Viva Engage: message endpoints 10 requests per 30 s per user and app,
 *    and "do not exceed one poll per minute" when polling for messages
 *    (learn.microsoft.com/rest/api/yammer/rest-api-rate-limits);
 *  - feeds: no limit; polled at most every 15 minutes out of courtesy. */
#pragma once
#include "rt-stream-post.h"

G_BEGIN_DECLS

typedef struct {
  RtStreamService service;
  guint timelines;      /* followed timelines on this account */
  guint streamed;       /* Mastodon: of which a live streaming connection
                         * (user, list, hashtag) delivers; 0 elsewhere */
  gint64 latency_us;    /* how fresh a polled timeline should be (60 s) */
  double margin;        /* share of the limit left unused (0.2) */
} RtPollInput;

typedef struct {
  gint64 interval_us;       /* between two polls of one polled timeline
                             * (Viva: of the one combined feed request) */
  guint requests_per_round; /* requests in one round of polls */
  double requests_per_hour; /* all requests planned for the account */
  double budget_per_hour;   /* the limit, less the margin */
} RtPollPlan;

/* Streamed timelines cost one reconnect and one catch-up poll (since the
 * last id seen) per hour, which is what a stream that drops hourly costs;
 * a healthy stream costs less. */
#define RT_POLL_STREAM_REQUESTS_PER_HOUR 2.0
/* Viva Engage's smallest polling interval ("one poll per minute"). */
#define RT_POLL_VIVA_MIN_INTERVAL_US (60 * G_USEC_PER_SEC)
#define RT_POLL_FEED_MIN_INTERVAL_US (15 * 60 * G_USEC_PER_SEC)

/* Mastodon: each polled timeline is one request per round, at the wanted
 * latency unless that would pass the budget, then stretched to fit.
 * Viva Engage: one request to the user's combined feed per round serves
 * every followed group (each message carries its group_id, so the plugin
 * routes it); the round is never shorter than a minute.
 * Feeds: one request per feed per round, at least 15 minutes apart. */
void rt_poll_plan (const RtPollInput *in, RtPollPlan *out);

/* The same plan's requests per hour (the benchmark figure). */
double rt_poll_requests_per_hour (const RtPollInput *in);

/* The documented limit of a service as requests per window. */
void rt_poll_service_limit (RtStreamService service, guint *requests, gint64 *window_us);

G_END_DECLS
