/* rt-stream-http.h: pure helpers for the stream plugin's HTTP layer:
 * pagination (Link), rate limits (X-RateLimit-*), Retry-After, dates
 * (HTTP-date / RFC 822) and backoff. No I/O, no clock: "now" is passed in.
 * libpurple-free. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Mastodon's Link header (docs.joinmastodon.org/api/guidelines/#pagination):
 *   <https://x/api/v1/timelines/home?max_id=7>; rel="next",
 *   <https://x/api/v1/timelines/home?min_id=9>; rel="prev" */
typedef struct {
  char *next_url;       /* older items */
  char *prev_url;       /* newer items */
  char *next_max_id;    /* max_id of next_url */
  char *prev_min_id;    /* min_id of prev_url */
  char *prev_since_id;  /* since_id of prev_url (older servers) */
} RtLinkHeader;

/* Parse a Link header value; links other than next/prev and malformed
 * parts are skipped. Returns TRUE if next or prev was found. Only absolute
 * http(s) URLs are taken. out is cleared first. */
gboolean rt_link_header_parse (const char *value, RtLinkHeader *out);
void rt_link_header_clear (RtLinkHeader *link);

/* Mastodon's rate-limit headers (docs.joinmastodon.org/api/rate-limits):
 * X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset (ISO 8601). */
typedef struct {
  gint64 limit;
  gint64 remaining;
  gint64 reset_us;      /* UTC microseconds since the epoch */
} RtRateLimit;

/* FALSE when a header is missing or malformed (then out is untouched). */
gboolean rt_rate_limit_parse (const char *limit, const char *remaining, const char *reset,
                              RtRateLimit *out);

/* The earliest time the next request may go so that at least margin (0..1)
 * of the limit is still unused when the window resets: the usable rest is
 * spread evenly over the time to the reset; none left means the reset time
 * itself; a reset in the past means now. */
gint64 rt_rate_limit_next_allowed (const RtRateLimit *rl, gint64 now_us, double margin);

/* An HTTP-date (RFC 9110: IMF-fixdate, RFC 850 and asctime forms) or an RFC
 * 822/2822 date as in RSS pubDate ("Tue, 10 Jun 2003 04:00:00 GMT",
 * "+0200", "EST", two-digit years, no seconds, no weekday) to UTC
 * microseconds. FALSE when it is none of these. */
gboolean rt_http_date_parse (const char *value, gint64 *out_us);

/* Retry-After: delta-seconds or an HTTP-date, as microseconds to wait from
 * now (never negative; capped at a day so that a silly value cannot park
 * an account for ever). FALSE when malformed. */
#define RT_RETRY_AFTER_MAX_US (24 * G_TIME_SPAN_HOUR)
gboolean rt_retry_after_parse (const char *value, gint64 now_us, gint64 *wait_us);

/* Exponential backoff after failure number attempt (1 = first failure):
 * base * 2^(attempt-1), at most cap. jitter01 in [0,1] picks a point in the
 * upper half of that delay ("equal jitter"): 1.0 gives the full delay. */
gint64 rt_backoff_us (guint attempt, gint64 base_us, gint64 cap_us, double jitter01);

typedef enum {
  RT_HTTP_OK,           /* 2xx */
  RT_HTTP_RATE_LIMITED, /* 429: wait Retry-After (or the rate-limit reset) */
  RT_HTTP_RETRY,        /* 5xx, 408 and transport failures: back off */
  RT_HTTP_AUTH,         /* 401, 403: the token is bad; tell the user */
  RT_HTTP_GONE,         /* 404, 410: the timeline is gone */
  RT_HTTP_FAILED,       /* any other 4xx: do not retry the same request */
} RtHttpClass;

/* status 0 means the transfer itself failed. */
RtHttpClass rt_http_classify (long status);

G_END_DECLS
