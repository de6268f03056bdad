/* rt-stream-http.c: pagination, rate limits, Retry-After, dates, backoff. */
#include "rt-stream-http.h"
#include "rt-stream-html.h"
#include "rt-stream-post.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
rt_link_header_clear (RtLinkHeader *link)
{
  g_clear_pointer (&link->next_url, g_free);
  g_clear_pointer (&link->prev_url, g_free);
  g_clear_pointer (&link->next_max_id, g_free);
  g_clear_pointer (&link->prev_min_id, g_free);
  g_clear_pointer (&link->prev_since_id, g_free);
}

/* The value of query parameter name in url, or NULL. (transfer full) */
static char *
query_param (const char *url, const char *name)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED_QUERY, NULL);
  g_autoptr (GHashTable) params = NULL;
  const char *query = uri != NULL ? g_uri_get_query (uri) : NULL;
  const char *v;

  if (query == NULL)
    return NULL;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  v = params != NULL ? g_hash_table_lookup (params, name) : NULL;
  return v != NULL && *v != '\0' ? g_strdup (v) : NULL;
}

/* Does the rel parameter's value (space-separated relation types) hold want? */
static gboolean
rel_has (const char *rel, gsize n, const char *want)
{
  gsize wl = strlen (want);
  const char *p = rel, *end = rel + n;

  while (p < end)
    {
      const char *q = p;

      while (q < end && *q != ' ')
        q++;
      if ((gsize) (q - p) == wl && g_ascii_strncasecmp (p, want, wl) == 0)
        return TRUE;
      p = q + 1;
    }
  return FALSE;
}

gboolean
rt_link_header_parse (const char *value, RtLinkHeader *out)
{
  const char *p = value;

  memset (out, 0, sizeof *out);
  while (p != NULL && *p != '\0')
    {
      const char *url, *url_end;
      gboolean next = FALSE, prev = FALSE;

      while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
      if (*p != '<')
        {
          p = strchr (p, ',');  /* malformed part: skip to the next */
          continue;
        }
      url = p + 1;
      if ((url_end = strchr (url, '>')) == NULL)
        break;
      p = url_end + 1;
      /* Parameters up to the next ',' outside quotes. */
      while (*p != '\0' && *p != ',')
        {
          const char *name, *val;
          gsize name_len, val_len;

          while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
          name = p;
          while (*p != '\0' && *p != '=' && *p != ';' && *p != ',')
            p++;
          name_len = (gsize) (p - name);
          while (name_len > 0 && name[name_len - 1] == ' ')
            name_len--;
          if (*p != '=')
            continue;
          p++;
          while (*p == ' ')
            p++;
          if (*p == '"')
            {
              val = ++p;
              while (*p != '\0' && *p != '"')
                p++;
              val_len = (gsize) (p - val);
              if (*p == '"')
                p++;
            }
          else
            {
              val = p;
              while (*p != '\0' && *p != ';' && *p != ',' && *p != ' ')
                p++;
              val_len = (gsize) (p - val);
            }
          if (name_len == 3 && g_ascii_strncasecmp (name, "rel", 3) == 0)
            {
              next = next || rel_has (val, val_len, "next");
              prev = prev || rel_has (val, val_len, "prev") || rel_has (val, val_len, "previous");
            }
        }
      if (next || prev)
        {
          g_autofree char *u = g_strndup (url, (gsize) (url_end - url));

          if (!rt_stream_url_is_safe (u) || g_ascii_strncasecmp (u, "mailto:", 7) == 0)
            continue;
          if (next && out->next_url == NULL)
            {
              out->next_url = g_strdup (u);
              out->next_max_id = query_param (u, "max_id");
            }
          if (prev && out->prev_url == NULL)
            {
              out->prev_url = g_strdup (u);
              out->prev_min_id = query_param (u, "min_id");
              out->prev_since_id = query_param (u, "since_id");
            }
        }
    }
  return out->next_url != NULL || out->prev_url != NULL;
}

static gboolean
parse_count (const char *s, gint64 *out)
{
  char *end;
  gint64 v;

  if (s == NULL)
    return FALSE;
  while (*s == ' ')
    s++;
  if (!g_ascii_isdigit (*s))
    return FALSE;
  v = g_ascii_strtoll (s, &end, 10);
  while (*end == ' ')
    end++;
  if (*end != '\0' || v < 0 || v == G_MAXINT64)
    return FALSE;
  *out = v;
  return TRUE;
}

gboolean
rt_rate_limit_parse (const char *limit, const char *remaining, const char *reset,
                     RtRateLimit *out)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = NULL;
  gint64 l, r;

  if (!parse_count (limit, &l) || !parse_count (remaining, &r) || reset == NULL
      || (dt = g_date_time_new_from_iso8601 (reset, utc)) == NULL)
    return FALSE;
  out->limit = l;
  out->remaining = MIN (r, l);
  out->reset_us = rt_stream_datetime_us (dt);
  return TRUE;
}

gint64
rt_rate_limit_next_allowed (const RtRateLimit *rl, gint64 now_us, double margin)
{
  gint64 reserve, usable;

  if (rl->reset_us <= now_us)
    return now_us;
  reserve = (gint64) (CLAMP (margin, 0.0, 1.0) * (double) rl->limit + 0.999);
  usable = rl->remaining - reserve;
  if (usable <= 0)
    return rl->reset_us;
  return now_us + (rl->reset_us - now_us) / usable;
}

static int
month_number (const char *m)
{
  static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun",
    "jul", "aug", "sep", "oct", "nov", "dec" };

  for (int i = 0; i < 12; i++)
    if (g_ascii_strncasecmp (m, months[i], 3) == 0)
      return i + 1;
  return 0;
}

/* Zone to seconds east of UTC: +hhmm, -hhmm, UT, GMT, Z, US zones. */
static gboolean
zone_offset (const char *z, int *secs)
{
  static const struct { const char *name; int hours; } zones[] = {
    { "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
    { "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
    { "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
  };

  if ((z[0] == '+' || z[0] == '-') && strlen (z) == 5
      && g_ascii_isdigit (z[1]) && g_ascii_isdigit (z[2])
      && g_ascii_isdigit (z[3]) && g_ascii_isdigit (z[4]))
    {
      int hh = (z[1] - '0') * 10 + (z[2] - '0'), mm = (z[3] - '0') * 10 + (z[4] - '0');

      if (hh > 23 || mm > 59)
        return FALSE;
      *secs = (z[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (zones); i++)
    if (g_ascii_strcasecmp (z, zones[i].name) == 0)
      {
        *secs = zones[i].hours * 3600;
        return TRUE;
      }
  return FALSE;
}

static gboolean
to_us (int year, int month, int day, int h, int mi, int s, int offset, gint64 *out)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = NULL;

  if (year < 100)
    year += year < 50 ? 2000 : 1900;  /* RFC 2822 obsolete two-digit years */
  if (month < 1 || h > 23 || mi > 59 || s > 60)
    return FALSE;
  dt = g_date_time_new (utc, year, month, day, h, mi, MIN (s, 59));
  if (dt == NULL)
    return FALSE;
  *out = rt_stream_datetime_us (dt) - (gint64) offset * G_USEC_PER_SEC;
  return TRUE;
}

gboolean
rt_http_date_parse (const char *value, gint64 *out_us)
{
  char mon[4] = "", zone[8] = "", wday[12];
  int day, year, h, mi, s = 0, n = 0, offset = 0;
  const char *p;

  if (value == NULL)
    return FALSE;
  p = value;
  while (*p == ' ')
    p++;
  /* asctime: "Sun Nov  6 08:49:37 1994" */
  if (sscanf (p, "%3s %3s %d %d:%d:%d %d%n", wday, mon, &day, &h, &mi, &s, &year, &n) == 7
      && g_ascii_isalpha (p[0]) && p[3] == ' ' && p[n] == '\0')
    return month_number (mon) > 0 && to_us (year, month_number (mon), day, h, mi, s, 0, out_us);
  /* Optional weekday ("Sun," or RFC 850 "Sunday,"). */
  if (g_ascii_isalpha (*p))
    {
      const char *comma = strchr (p, ',');

      if (comma == NULL || comma - p > 10)
        return FALSE;
      p = comma + 1;
      while (*p == ' ')
        p++;
    }
  /* RFC 850: "06-Nov-94 08:49:37 GMT" */
  if (sscanf (p, "%d-%3s-%d %d:%d:%d %7s%n", &day, mon, &year, &h, &mi, &s, zone, &n) == 7)
    ;
  /* RFC 822/1123: "06 Nov 1994 08:49:37 GMT", seconds optional */
  else if (s = 0, n = 0,
           sscanf (p, "%d %3s %d %d:%d:%d %7s%n", &day, mon, &year, &h, &mi, &s, zone, &n) == 7)
    ;
  else if (s = 0, n = 0, sscanf (p, "%d %3s %d %d:%d %7s%n", &day, mon, &year, &h, &mi, zone, &n) == 6)
    ;
  else
    return FALSE;
  if (p[n] != '\0' && !g_ascii_isspace (p[n]))
    return FALSE;
  if (month_number (mon) == 0 || !zone_offset (zone, &offset) || day < 1 || day > 31)
    return FALSE;
  return to_us (year, month_number (mon), day, h, mi, s, offset, out_us);
}

gboolean
rt_retry_after_parse (const char *value, gint64 now_us, gint64 *wait_us)
{
  gint64 secs, when;

  if (value == NULL)
    return FALSE;
  while (*value == ' ')
    value++;
  if (g_ascii_isdigit (*value))
    {
      if (!parse_count (value, &secs))
        return FALSE;
      *wait_us = secs > RT_RETRY_AFTER_MAX_US / G_USEC_PER_SEC ? RT_RETRY_AFTER_MAX_US
                                                                : secs * G_USEC_PER_SEC;
      return TRUE;
    }
  if (!rt_http_date_parse (value, &when))
    return FALSE;
  *wait_us = CLAMP (when - now_us, 0, RT_RETRY_AFTER_MAX_US);
  return TRUE;
}

gint64
rt_backoff_us (guint attempt, gint64 base_us, gint64 cap_us, double jitter01)
{
  gint64 d = MAX (base_us, 1);

  for (guint i = 1; i < attempt && d < cap_us; i++)
    d = d > G_MAXINT64 / 2 ? G_MAXINT64 : d * 2;
  d = MIN (d, cap_us);
  return d / 2 + (gint64) ((double) (d - d / 2) * CLAMP (jitter01, 0.0, 1.0));
}

RtHttpClass
rt_http_classify (long status)
{
  if (status >= 200 && status < 300)
    return RT_HTTP_OK;
  if (status == 429)
    return RT_HTTP_RATE_LIMITED;
  if (status == 0 || status == 408 || status >= 500)
    return RT_HTTP_RETRY;
  if (status == 401 || status == 403)
    return RT_HTTP_AUTH;
  if (status == 404 || status == 410)
    return RT_HTTP_GONE;
  return RT_HTTP_FAILED;
}
