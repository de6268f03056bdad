/* rt-stream-poll.c: the poll planner. */
#include "rt-stream-poll.h"

#define HOUR_US ((double) G_TIME_SPAN_HOUR)

void
rt_poll_service_limit (RtStreamService service, guint *requests, gint64 *window_us)
{
  switch (service)
    {
    case RT_STREAM_SERVICE_MASTODON:
      *requests = 300;
      *window_us = 5 * G_TIME_SPAN_MINUTE;
      break;
    case RT_STREAM_SERVICE_VIVA:
      *requests = 10;
      *window_us = 30 * G_TIME_SPAN_SECOND;
      break;
    default:
      /* Feeds have no documented limit: one request per feed per minimum
       * interval is the whole budget. */
      *requests = 1;
      *window_us = RT_POLL_FEED_MIN_INTERVAL_US;
      break;
    }
}

void
rt_poll_plan (const RtPollInput *in, RtPollPlan *out)
{
  guint limit;
  gint64 window;
  double margin = CLAMP (in->margin, 0.0, 0.9);
  gint64 latency = MAX (in->latency_us, G_USEC_PER_SEC);
  guint streamed = in->service == RT_STREAM_SERVICE_MASTODON ? MIN (in->streamed, in->timelines) : 0;
  guint polled = in->timelines - streamed;
  double stream_cost = streamed * RT_POLL_STREAM_REQUESTS_PER_HOUR;
  gint64 interval;

  rt_poll_service_limit (in->service, &limit, &window);
  out->budget_per_hour = limit * (1.0 - margin) * (HOUR_US / (double) window);
  switch (in->service)
    {
    case RT_STREAM_SERVICE_VIVA:
      out->requests_per_round = in->timelines > 0 ? 1 : 0;
      interval = MAX (latency, RT_POLL_VIVA_MIN_INTERVAL_US);
      break;
    case RT_STREAM_SERVICE_MASTODON:
      {
        double room = MAX (out->budget_per_hour - stream_cost, 1.0);
        /* polled requests per hour at the wanted latency, else stretched */
        double wanted = polled * (HOUR_US / (double) latency);

        out->requests_per_round = polled;
        interval = wanted <= room ? latency : (gint64) (polled * (HOUR_US / room) + 0.5);
        break;
      }
    default:
      out->requests_per_round = in->timelines;
      interval = MAX (latency, RT_POLL_FEED_MIN_INTERVAL_US);
      break;
    }
  out->interval_us = interval;
  out->requests_per_hour = out->requests_per_round * (HOUR_US / (double) interval) + stream_cost;
}

double
rt_poll_requests_per_hour (const RtPollInput *in)
{
  RtPollPlan plan;

  rt_poll_plan (in, &plan);
  return plan.requests_per_hour;
}
