/* rt-stream-render.c: one post as safe libpurple markup (see the header). */
#include "config.h"
#include "rt-stream-render.h"
#include "rt-stream-html.h"

#include <glib/gi18n-lib.h>

static void
append_escaped (GString *out, const char *text)
{
  g_autofree char *esc = g_markup_escape_text (text ? text : "", -1);
  g_string_append (out, esc);
}

/* <a href="url">label</a> when url is safe, else the escaped label. */
static void
append_link (GString *out, const char *url, const char *label)
{
  if (url != NULL && rt_stream_url_is_safe (url))
    {
      g_autofree char *href = g_markup_escape_text (url, -1);
      g_string_append_printf (out, "<a href=\"%s\">", href);
      append_escaped (out, label);
      g_string_append (out, "</a>");
    }
  else
    append_escaped (out, label);
}

static const char *
author_label (const RtStreamAuthor *a)
{
  return a->handle && *a->handle ? a->handle : a->display_name;
}

char *
rt_stream_render_markup (const RtStreamPost *post, GTimeZone *tz)
{
  GString *out = g_string_new (NULL);
  if (post->spoiler != NULL && *post->spoiler != '\0')
    {
      g_autofree char *cw = g_strdup_printf (_("[CW: %s]"), post->spoiler);
      g_string_append (out, "<b>");
      append_escaped (out, cw);
      g_string_append (out, "</b><br>");
    }
  g_string_append (out, post->markup ? post->markup : "");
  for (guint i = 0; post->attachments && i < post->attachments->len; i++)
    {
      const RtStreamAttachment *a = post->attachments->pdata[i];
      const char *label = a->description && *a->description ? a->description
                        : a->type && *a->type ? a->type : _("attachment");
      g_autofree char *line = g_strdup_printf (_("attachment: %s"), label);
      g_string_append (out, "<br>📎 ");
      append_link (out, a->url, line);
    }
  GString *marks = g_string_new (NULL);
  if (post->boosted_by != NULL)
    {
      g_autofree char *b = g_strdup_printf (_("↻ boosted by %s"), author_label (post->boosted_by));
      append_escaped (marks, b);
    }
  if (post->in_reply_to_id != NULL)
    {
      if (marks->len)
        g_string_append (marks, " · ");
      append_escaped (marks, _("↩ reply"));
    }
  if (marks->len)
    g_string_append_printf (out, "<br><i>%s</i>", marks->str);
  g_string_free (marks, TRUE);

  g_autoptr(GDateTime) utc = post->created_us > 0
    ? g_date_time_new_from_unix_utc (post->created_us / G_USEC_PER_SEC) : NULL;
  g_autoptr(GTimeZone) local = tz ? g_time_zone_ref (tz) : g_time_zone_new_local ();
  g_autoptr(GDateTime) when = utc ? g_date_time_to_timezone (utc, local) : NULL;
  g_autofree char *stamp = when ? g_date_time_format (when, "%Y-%m-%d %H:%M") : NULL;
  if (post->url != NULL || stamp != NULL)
    {
      g_string_append (out, "<br>");
      append_link (out, post->url, stamp ? stamp : _("original"));
    }
  return g_string_free (out, FALSE);
}
