/* rt-watch-alert.c: the text posted into a workspace when a watchlist
 * matches a post. Plain text: the glue escapes it on the way out like any
 * other message. Alerts go to the workspace, not to one member, so they are
 * written in the hub's own language with plain _(). */
#include "config.h"
#include <string.h>
#include <glib/gi18n-lib.h>
#include "rt-watch.h"

/* Bidi embeddings, overrides and isolates: a post could use them to make
 * the alert read differently from what it says. */
static gboolean
is_bidi_control (gunichar c)
{
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
         || c == 0x200e || c == 0x200f || c == 0x061c;
}

/* Append s on one line: white space, controls and bidi characters become
 * single spaces. */
static void
append_one_line (GString *out, const char *s)
{
  g_autofree char *valid = g_utf8_make_valid (s, -1);
  gboolean space = out->len > 0 && out->str[out->len - 1] == ' ';
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_isspace (c) || g_unichar_type (c) == G_UNICODE_CONTROL || is_bidi_control (c)
          || g_unichar_type (c) == G_UNICODE_LINE_SEPARATOR
          || g_unichar_type (c) == G_UNICODE_PARAGRAPH_SEPARATOR)
        {
          if (!space && out->len > 0)
            g_string_append_c (out, ' ');
          space = TRUE;
          continue;
        }
      g_string_append_unichar (out, c);
      space = FALSE;
    }
}

static gboolean
is_set (const char *s)
{
  return s != NULL && *s != '\0';
}

/* Cut to max characters with "…", at a space when one is in the last
 * sixth, so a word is not chopped. */
static void
cut (GString *s, glong max)
{
  while (s->len > 0 && s->str[s->len - 1] == ' ')
    g_string_truncate (s, s->len - 1);
  if (g_utf8_strlen (s->str, -1) <= max)
    return;
  const char *end = g_utf8_offset_to_pointer (s->str, max);
  const char *floor = g_utf8_offset_to_pointer (s->str, max - max / 6);
  const char *space = end;
  while (space > floor && *space != ' ')
    space--;
  if (*space == ' ')
    end = space;
  g_string_truncate (s, end - s->str);
  g_string_append (s, "…");
}

static char *
excerpt (const RtWatchPost *post)
{
  g_autoptr (GString) out = g_string_new (NULL);
  if (is_set (post->spoiler))
    {
      g_autofree char *cw = g_strdup_printf (_("(content warning: %s)"), post->spoiler);
      append_one_line (out, cw);
      g_string_append_c (out, ' ');
    }
  if (is_set (post->title))
    {
      append_one_line (out, post->title);
      if (is_set (post->text))
        /* TRANSLATORS: between a feed entry's title and its text in an alert. */
        g_string_append (out, C_("watch alert", ": "));
    }
  if (is_set (post->text))
    append_one_line (out, post->text);
  cut (out, RT_WATCH_ALERT_EXCERPT);
  if (out->len == 0)
    g_string_append (out, _("(no text)"));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
term_list (const GPtrArray *matched)
{
  g_autoptr (GString) out = g_string_new (NULL);
  guint shown = MIN (matched->len, RT_WATCH_ALERT_TERMS);
  for (guint i = 0; i < shown; i++)
    {
      g_autofree char *label = rt_watch_term_label (matched->pdata[i]);
      if (i > 0)
        /* TRANSLATORS: between the watchlist terms named in an alert. */
        g_string_append (out, C_("watch alert", ", "));
      g_string_append (out, label);
    }
  if (matched->len > shown)
    {
      guint more = matched->len - shown;
      /* TRANSLATORS: %s: the terms named ("“acme”, #acmefail"), %u: how
       * many more matched. */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s and %u other term",
                                           "%s and %u other terms", more),
                              out->str, more);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
rt_watch_alert_text (const RtWatchPost *post, const GPtrArray *matched)
{
  g_autofree char *terms = term_list (matched);
  g_autofree char *text = excerpt (post);
  g_autofree char *handle = rt_watch_qualify_handle (post->author, post->server);
  if (handle == NULL && is_set (post->author))
    handle = g_strdup (post->author[0] == '@' ? post->author + 1 : post->author);

  g_autoptr (GString) author = g_string_new (NULL);
  if (is_set (handle))
    {
      g_string_append_c (author, '@');
      append_one_line (author, handle);
    }
  else if (is_set (post->author_name))
    append_one_line (author, post->author_name);

  g_autofree char *line = author->len > 0
    /* TRANSLATORS: a watchlist alert: the terms that matched, who wrote the
     * post (@name@server), the start of the post. Its link follows. */
    ? g_strdup_printf (_("Watchlist: %s in a post by %s: %s"), terms, author->str, text)
    /* TRANSLATORS: a watchlist alert for a post without an author. */
    : g_strdup_printf (_("Watchlist: %s in a post: %s"), terms, text);
  if (!is_set (post->url))
    return g_steal_pointer (&line);
  g_autoptr (GString) out = g_string_new (line);
  g_string_append_c (out, ' ');
  append_one_line (out, post->url);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
