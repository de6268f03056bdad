/* rt-sse.c: incremental server-sent events parser. */
#include "config.h"
#include "rt-sse.h"
#include "rt-stream-post.h"

#include <glib/gi18n-lib.h>
#include <string.h>

struct RtSse {
  gsize max_line, max_event;
  RtSseEventFunc on_event;
  RtSseCommentFunc on_comment;
  gpointer user_data;
  GString *line;         /* the current, unfinished line */
  GString *data;         /* data of the event being built */
  GString *event;        /* its type, or empty */
  gboolean has_data;
  char *last_id;
  gint64 retry_ms;
  gboolean after_cr;     /* the last byte was CR: skip a following LF */
  gboolean at_start;     /* nothing read yet: a UTF-8 BOM is skipped */
  gboolean failed;
  guint64 heartbeats, events;
};

RtSse *
rt_sse_new (gsize max_line, gsize max_event, RtSseEventFunc on_event,
            RtSseCommentFunc on_comment, gpointer user_data)
{
  RtSse *sse = g_new0 (RtSse, 1);

  sse->max_line = max_line > 0 ? max_line : RT_SSE_DEFAULT_MAX_LINE;
  sse->max_event = max_event > 0 ? max_event : RT_SSE_DEFAULT_MAX_EVENT;
  sse->on_event = on_event;
  sse->on_comment = on_comment;
  sse->user_data = user_data;
  sse->line = g_string_new (NULL);
  sse->data = g_string_new (NULL);
  sse->event = g_string_new (NULL);
  sse->retry_ms = -1;
  sse->at_start = TRUE;
  return sse;
}

void
rt_sse_free (RtSse *sse)
{
  if (sse == NULL)
    return;
  g_string_free (sse->line, TRUE);
  g_string_free (sse->data, TRUE);
  g_string_free (sse->event, TRUE);
  g_free (sse->last_id);
  g_free (sse);
}

void
rt_sse_reset (RtSse *sse)
{
  g_string_truncate (sse->line, 0);
  g_string_truncate (sse->data, 0);
  g_string_truncate (sse->event, 0);
  sse->has_data = FALSE;
  sse->after_cr = FALSE;
  sse->at_start = TRUE;
  sse->failed = FALSE;
}

static void
dispatch (RtSse *sse)
{
  if (sse->has_data)
    {
      /* The data buffer ends with the '\n' of its last line: drop it. */
      if (sse->data->len > 0)
        g_string_truncate (sse->data, sse->data->len - 1);
      sse->events++;
      if (sse->on_event != NULL)
        sse->on_event (sse->event->len > 0 ? sse->event->str : "message",
                       sse->data->str, sse->data->len, sse->last_id, sse->user_data);
    }
  g_string_truncate (sse->data, 0);
  g_string_truncate (sse->event, 0);
  sse->has_data = FALSE;
}

static gboolean
too_large (RtSse *sse, const char *what, gsize limit, GError **error)
{
  sse->failed = TRUE;
  g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_TOO_LARGE,
               _("Event stream: %s longer than %zu bytes"), what, limit);
  return FALSE;
}

static gboolean
process_line (RtSse *sse, const char *line, gsize len, GError **error)
{
  const char *colon, *value;
  gsize name_len, value_len;

  if (len == 0)
    {
      dispatch (sse);
      return TRUE;
    }
  if (line[0] == ':')
    {
      sse->heartbeats++;
      if (sse->on_comment != NULL)
        {
          g_autofree char *comment = g_strndup (line + 1, len - 1);
          sse->on_comment (comment, sse->user_data);
        }
      return TRUE;
    }
  colon = memchr (line, ':', len);
  name_len = colon != NULL ? (gsize) (colon - line) : len;
  value = colon != NULL ? colon + 1 : line + len;
  if (colon != NULL && value < line + len && *value == ' ')
    value++;
  value_len = (gsize) (line + len - value);
  if (name_len == 4 && memcmp (line, "data", 4) == 0)
    {
      if (sse->data->len + value_len + 1 > sse->max_event)
        return too_large (sse, _("an event"), sse->max_event, error);
      g_string_append_len (sse->data, value, (gssize) value_len);
      g_string_append_c (sse->data, '\n');
      sse->has_data = TRUE;
    }
  else if (name_len == 5 && memcmp (line, "event", 5) == 0)
    {
      g_string_truncate (sse->event, 0);
      g_string_append_len (sse->event, value, (gssize) value_len);
    }
  else if (name_len == 2 && memcmp (line, "id", 2) == 0)
    {
      if (memchr (value, '\0', value_len) == NULL)
        {
          g_free (sse->last_id);
          sse->last_id = value_len > 0 ? g_strndup (value, value_len) : NULL;
        }
    }
  else if (name_len == 5 && memcmp (line, "retry", 5) == 0)
    {
      gboolean digits = value_len > 0 && value_len <= 12;

      for (gsize i = 0; digits && i < value_len; i++)
        digits = g_ascii_isdigit (value[i]);
      if (digits)
        sse->retry_ms = g_ascii_strtoll (value, NULL, 10);
    }
  return TRUE;
}

gboolean
rt_sse_feed (RtSse *sse, const char *data, gsize len, GError **error)
{
  const char *p = data, *end = data + len;

  if (sse->failed)
    {
      g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_TOO_LARGE,
                   _("Event stream: stopped after an earlier error"));
      return FALSE;
    }
  while (p < end)
    {
      const char *q = p;

      if (sse->after_cr)
        {
          sse->after_cr = FALSE;
          if (*p == '\n')
            {
              p++;
              continue;
            }
        }
      if (sse->at_start)
        {
          /* A BOM may be split across chunks: hold bytes that could begin it. */
          static const char bom[] = "\xEF\xBB\xBF";
          gsize have = sse->line->len;

          while (q < end && have < 3 && *q == bom[have])
            {
              g_string_append_c (sse->line, *q++);
              have++;
            }
          if (have == 3)
            {
              g_string_truncate (sse->line, 0);
              sse->at_start = FALSE;
              p = q;
              continue;
            }
          if (q == end)
            return TRUE;  /* still a possible BOM prefix */
          sse->at_start = FALSE;
          p = q;
        }
      while (q < end && *q != '\n' && *q != '\r')
        q++;
      if (sse->line->len + (gsize) (q - p) > sse->max_line)
        return too_large (sse, _("a line"), sse->max_line, error);
      if (q == end)
        {
          g_string_append_len (sse->line, p, (gssize) (q - p));
          return TRUE;
        }
      if (sse->line->len > 0)
        {
          g_string_append_len (sse->line, p, (gssize) (q - p));
          if (!process_line (sse, sse->line->str, sse->line->len, error))
            return FALSE;
          g_string_truncate (sse->line, 0);
        }
      else if (!process_line (sse, p, (gsize) (q - p), error))
        return FALSE;
      if (*q == '\r')
        sse->after_cr = TRUE;
      p = q + 1;
    }
  return TRUE;
}

guint64
rt_sse_heartbeats (const RtSse *sse)
{
  return sse->heartbeats;
}

guint64
rt_sse_events (const RtSse *sse)
{
  return sse->events;
}

const char *
rt_sse_last_event_id (const RtSse *sse)
{
  return sse->last_id;
}

gint64
rt_sse_retry_ms (const RtSse *sse)
{
  return sse->retry_ms;
}
