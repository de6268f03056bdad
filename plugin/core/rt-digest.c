/* rt-digest.c: one member's digest: order and group the items, then write
 * the plain text and the HTML side by side (the Out helpers below), all
 * inside the member's language scope. */
#include "config.h"
#include <string.h>
#include <libintl.h>
#include <glib/gi18n-lib.h>
#include "rt-digest.h"
#include "rt-lang.h"

/* Lookups straight from libintl, not GLib's g_dgettext() family: GLib may
 * switch translation off for the whole process (see rt-lang.h), and a
 * digest is in the member's language whatever the hub's own. */
#undef _
#undef C_
#define _(String) dgettext (GETTEXT_PACKAGE, String)
#define C_(Context, String) rt_lang_pgettext (Context "\004" String, sizeof (Context))

#define TEXT_WIDTH   72
#define LINE_INDENT  2     /* "  14:05 Alice: ..." */
#define CONT_INDENT  8     /* continuation lines, under the text */
#define NAME_CLIP    120   /* workspace, thread and author names */

/* ---- text clean-up ------------------------------------------------------ */

/* TRUE if text is valid UTF-8 with no control character but '\n' (when
 * allowed) and at most max_chars characters: nothing to clean. */
static gboolean
already_clean (const char *text, gboolean keep_newlines, glong max_chars)
{
  gsize len = 0;
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++, len++)
    if ((*p < 0x20 && !(*p == '\n' && keep_newlines)) || *p == 0x7f
        || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))   /* C1 controls */
      return FALSE;
  if (!g_utf8_validate_len (text, len, NULL))
    return FALSE;
  return len <= (gsize) max_chars || g_utf8_strlen (text, len) <= max_chars;
}

/* Valid UTF-8 without control characters: "\r\n" and '\r' become '\n' when
 * keep_newlines (else a space, like tabs); other controls are dropped.
 * Clipped to max_chars characters plus an ellipsis. (transfer full) */
static char *
clean_text (const char *text, gboolean keep_newlines, glong max_chars)
{
  if (text == NULL)
    return g_strdup ("");
  if (already_clean (text, keep_newlines, max_chars))
    return g_strdup (text);
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_sized_new (strlen (valid));
  glong n = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (n == max_chars)
        {
          while (out->len > 0 && g_ascii_isspace (out->str[out->len - 1]))
            g_string_truncate (out, out->len - 1);
          g_string_append (out, "\u2026");
          break;
        }
      if (c == '\r' && p[1] == '\n')
        continue;
      if (c == '\r' || c == '\n')
        c = keep_newlines ? '\n' : ' ';
      else if (c == '\t')
        c = ' ';
      else if (g_unichar_iscntrl (c))
        continue;
      g_string_append_unichar (out, c);
      n++;
    }
  return g_string_free (out, FALSE);
}

/* A one-line name: clean_text without newlines, white space runs made one
 * space, none at either end. (transfer full) */
static char *
clean_name (const char *text, glong max_chars)
{
  g_autofree char *t = clean_text (text, FALSE, max_chars);
  GString *out = g_string_sized_new (strlen (t));
  for (const char *p = t; *p != '\0'; p++)
    if (*p != ' ' || (out->len > 0 && out->str[out->len - 1] != ' '))
      g_string_append_c (out, *p);
  if (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

/* Columns a string takes in a fixed-width font. */
static guint
columns (const char *s, gssize len)
{
  const char *end = len < 0 ? s + strlen (s) : s + len;
  guint w = 0;
  for (const char *p = s; p < end; p = g_utf8_next_char (p))
    {
      if ((guchar) *p < 0x80)
        {
          w++;
          continue;
        }
      gunichar c = g_utf8_get_char (p);
      w += g_unichar_iszerowidth (c) ? 0 : g_unichar_iswide (c) ? 2 : 1;
    }
  return w;
}

static void
indent (GString *out, guint n)
{
  for (guint i = 0; i < n; i++)
    g_string_append_c (out, ' ');
}

/* Append the words of one line of prose, the cursor at column col, wrapping
 * at TEXT_WIDTH with continuation lines indented by cont. A word wider than
 * the line (a URL) stays whole. */
static void
wrap_words (GString *out, guint col, const char *line, gsize len, guint cont, gboolean space_first)
{
  const char *p = line, *end = line + len;
  gboolean need_space = space_first;

  while (p < end)
    {
      while (p < end && *p == ' ')
        p++;
      if (p == end)
        break;
      const char *w = p;
      while (p < end && *p != ' ')
        p++;
      guint ww = columns (w, p - w);
      if (col > cont && col + (need_space ? 1 : 0) + ww > TEXT_WIDTH)
        {
          g_string_append_c (out, '\n');
          indent (out, cont);
          col = cont;
        }
      else if (need_space)
        {
          g_string_append_c (out, ' ');
          col++;
        }
      g_string_append_len (out, w, p - w);
      col += ww;
      need_space = TRUE;
    }
}

/* Paragraph text after a prefix already written at column col: each of its
 * lines wrapped; a line that starts with a space or '>' (code, quotes) is
 * kept as it is. Ends with a newline. */
static void
wrap_text (GString *out, guint col, const char *text, guint cont)
{
  gboolean first = TRUE;

  for (const char *line = text; line != NULL;)
    {
      const char *nl = strchr (line, '\n');
      gsize len = nl ? (gsize) (nl - line) : strlen (line);
      if (!first)
        {
          g_string_append_c (out, '\n');
          col = 0;
          if (len > 0)
            {
              indent (out, cont);
              col = cont;
            }
        }
      if (len > 0 && (line[0] == ' ' || line[0] == '>'))
        {
          if (first)
            g_string_append_c (out, ' ');
          g_string_append_len (out, line, len);
        }
      else
        wrap_words (out, col, line, len, cont, first && col > 0);
      first = FALSE;
      line = nl ? nl + 1 : NULL;
    }
  g_string_append_c (out, '\n');
}

/* ---- the two outputs ---------------------------------------------------- */

typedef enum { KIND_PLAIN, KIND_MENTION, KIND_DECISION } Kind;

typedef struct {
  GString *text;
  GString *html;
} Out;

static void
html_escaped (GString *html, const char *s)
{
  g_autofree char *e = g_markup_escape_text (s, -1);
  g_string_append (html, e);
}

/* Escaped, with newlines as <br>. */
static void
html_lines (GString *html, const char *s)
{
  for (const char *line = s; line != NULL;)
    {
      const char *nl = strchr (line, '\n');
      g_autofree char *e = g_markup_escape_text (line, nl ? nl - line : -1);
      g_string_append (html, e);
      if (nl)
        g_string_append (html, "<br>");
      line = nl ? nl + 1 : NULL;
    }
}

/* A section (workspace, mentions and decisions) or a thread heading. */
static void
out_heading (Out *o, const char *title, gboolean section)
{
  g_string_append_c (o->text, '\n');
  g_string_append (o->text, title);
  g_string_append_c (o->text, '\n');
  for (guint i = columns (title, -1); i > 0; i--)
    g_string_append_c (o->text, section ? '=' : '-');
  g_string_append_c (o->text, '\n');

  g_string_append (o->html, section
    ? "<h2 style=\"font-size:17px;margin:24px 0 8px 0;padding-bottom:4px;border-bottom:1px solid #dddddd;\">"
    : "<h3 style=\"font-size:15px;margin:16px 0 6px 0;\">");
  html_escaped (o->html, title);
  g_string_append (o->html, section ? "</h2>\n" : "</h3>\n");
}

static void
out_day (Out *o, const char *day)
{
  g_string_append_printf (o->text, "\n%s\n", day);
  g_string_append (o->html, "<p style=\"margin:12px 0 6px 0;font-weight:bold;color:#444444;\">");
  html_escaped (o->html, day);
  g_string_append (o->html, "</p>\n");
}

/* Where a mention or decision was said: "RFP Acme 2027 › pricing". */
static void
out_context (Out *o, const char *context)
{
  indent (o->text, LINE_INDENT);
  g_string_append_printf (o->text, "[%s]\n", context);
  g_string_append (o->html, "<p style=\"margin:8px 0 2px 0;color:#6b6b6b;font-size:13px;\">");
  html_escaped (o->html, context);
  g_string_append (o->html, "</p>\n");
}

/* "  14:05 Alice Dubois (Brussels): text", and a note of ours after the
 * text when note is not NULL. */
static void
out_line (Out *o, const char *hhmm, const char *label, const char *text, Kind kind,
          const char *note)
{
  g_autofree char *with_note = note != NULL ? g_strconcat (text, " ", note, NULL) : NULL;
  indent (o->text, LINE_INDENT);
  g_string_append_printf (o->text, "%s %s:", hhmm, label);
  wrap_text (o->text, LINE_INDENT + columns (hhmm, -1) + 1 + columns (label, -1) + 1,
             with_note != NULL ? with_note : text, CONT_INDENT);

  static const char *const borders[] = {
    [KIND_PLAIN] = "",
    [KIND_MENTION] = "padding-left:8px;border-left:3px solid #d9822b;",
    [KIND_DECISION] = "padding-left:8px;border-left:3px solid #2b7bd9;",
  };
  g_string_append_printf (o->html, "<p style=\"margin:0 0 8px 0;%s\">"
                          "<span style=\"color:#6b6b6b;\">%s</span> <b>", borders[kind], hhmm);
  html_escaped (o->html, label);
  g_string_append (o->html, "</b>: ");
  html_lines (o->html, text);
  if (note != NULL)
    {
      g_string_append (o->html, " <span style=\"color:#6b6b6b;font-size:13px;\">");
      html_escaped (o->html, note);
      g_string_append (o->html, "</span>");
    }
  g_string_append (o->html, "</p>\n");
}

/* A paragraph of our own words (intro, "and 12 more messages"). */
static void
out_note (Out *o, const char *note)
{
  g_string_append_c (o->text, '\n');
  wrap_text (o->text, 0, note, 0);
  g_string_append (o->html, "<p style=\"margin:10px 0;color:#6b6b6b;\">");
  html_escaped (o->html, note);
  g_string_append (o->html, "</p>\n");
}

/* ---- ordering and grouping ---------------------------------------------- */

/* Newest first; the higher id first among equals, so the order is total. */
static gint
newest_first (gconstpointer a, gconstpointer b)
{
  const RtDigestItem *x = *(const RtDigestItem *const *) a;
  const RtDigestItem *y = *(const RtDigestItem *const *) b;
  if (x->created_us != y->created_us)
    return x->created_us > y->created_us ? -1 : 1;
  return x->msg_id > y->msg_id ? -1 : x->msg_id < y->msg_id ? 1 : 0;
}

typedef struct {
  gint64              ws_id;
  const char         *name;
  const RtDigestItem *newest;   /* of all its items */
  GPtrArray          *shown;    /* others, newest first, at most RT_DIGEST_PER_WORKSPACE */
  guint               more;     /* others beyond that */
} WsGroup;

static gint
group_newest_first (gconstpointer a, gconstpointer b)
{
  return newest_first (&((const WsGroup *) a)->newest, &((const WsGroup *) b)->newest);
}

/* Keep the newest RT_DIGEST_PER_WORKSPACE of g->shown, newest first, and
 * count the rest. */
static void
ws_group_trim (WsGroup *g)
{
  g_ptr_array_sort (g->shown, newest_first);
  if (g->shown->len > RT_DIGEST_PER_WORKSPACE)
    {
      g->more += g->shown->len - RT_DIGEST_PER_WORKSPACE;
      g_ptr_array_set_size (g->shown, RT_DIGEST_PER_WORKSPACE);
    }
}

static void
ws_group_clear (WsGroup *g)
{
  g_ptr_array_unref (g->shown);
}

typedef struct {
  const RtMember      *member;
  const RtDigestLinks *links;
  GTimeZone           *tz;
  gint                 now_year;
  Out                  out;
  gint64               day_key;       /* local day of the last line written */
  char                *last_context;  /* of the last mention or decision */
} Composer;

typedef struct {
  char   hhmm[8];
  gint64 day_key;    /* local days since the epoch */
  gint64 secs;       /* UTC seconds since the epoch */
} LocalTime;

/* Local "HH:MM" and day from the zone's offset at that instant: plain
 * arithmetic, no GDateTime per line (a digest may hold thousands). */
static void
local_time (Composer *c, gint64 created_us, LocalTime *lt)
{
  lt->secs = created_us / G_USEC_PER_SEC - (created_us % G_USEC_PER_SEC < 0 ? 1 : 0);
  gint interval = g_time_zone_find_interval (c->tz, G_TIME_TYPE_UNIVERSAL, lt->secs);
  gint64 local = lt->secs + (interval >= 0 ? g_time_zone_get_offset (c->tz, interval) : 0);
  gint64 day = local / 86400 - (local % 86400 < 0 ? 1 : 0);
  gint64 in_day = local - day * 86400;
  g_snprintf (lt->hhmm, sizeof lt->hhmm, "%02d:%02d", (int) (in_day / 3600), (int) (in_day % 3600 / 60));
  lt->day_key = day;
}

/* The date heading of lt's local day, in the scope's language. */
static char *
day_heading (Composer *c, const LocalTime *lt)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (lt->secs);
  g_autoptr (GDateTime) local = utc ? g_date_time_to_timezone (utc, c->tz) : NULL;
  if (local == NULL)
    return g_strdup ("?");
  const char *format;
  if (g_date_time_get_year (local) == c->now_year)
    /* TRANSLATORS: date heading in a digest, a g_date_time_format() format:
       %A weekday, %-d day of month, %B month name ("Tuesday 3 March").
       Reorder or punctuate as your language writes dates ("%A, %-d. %B"). */
    /* xgettext:no-c-format */
    format = _("%A %-d %B");
  else
    /* TRANSLATORS: date heading in a digest for another year than this
       one, a g_date_time_format() format ("Tuesday 3 March 2026"). */
    /* xgettext:no-c-format */
    format = _("%A %-d %B %Y");
  char *day = g_date_time_format (local, format);
  if (day == NULL)   /* a broken translation */
    day = g_date_time_format (local, "%Y-%m-%d");
  return day;
}

/* Write one item, with a day heading first when its local day is new (or
 * force_day), and, when context is given, a context line when it differs
 * from the last one or after a day heading. */
static void
write_item (Composer *c, const RtDigestItem *item, Kind kind, glong clip,
            const char *context, gboolean force_day)
{
  LocalTime lt;
  local_time (c, item->created_us, &lt);
  if (force_day || lt.day_key != c->day_key)
    {
      g_autofree char *day = day_heading (c, &lt);
      out_day (&c->out, day);
      c->day_key = lt.day_key;
      force_day = TRUE;
    }
  if (context != NULL && (force_day || g_strcmp0 (context, c->last_context) != 0))
    out_context (&c->out, context);
  if (context != NULL && g_strcmp0 (context, c->last_context) != 0)
    {
      g_free (c->last_context);
      c->last_context = g_strdup (context);
    }
  g_autofree char *label = clean_name (item->author_label, NAME_CLIP);
  g_autofree char *text = clean_text (item->text, TRUE, clip);
  g_strchomp (text);   /* trailing blank lines and spaces */
  /* TRANSLATORS: after a mention of the reader in a digest, when that
   * message was also mailed to them on its own a few minutes after it was
   * said (a mention mail). */
  const char *note = kind == KIND_MENTION && item->mailed ? _("(already sent to you by mail)") : NULL;
  out_line (&c->out, lt.hhmm, label, text, kind, note);
}

static char *
context_of (const RtDigestItem *item)
{
  g_autofree char *ws = clean_name (item->ws_name, NAME_CLIP);
  if (item->thread == NULL || *item->thread == '\0')
    return g_steal_pointer (&ws);
  g_autofree char *thread = clean_name (item->thread, NAME_CLIP);
  return g_strdup_printf ("%s \u203a %s", ws, thread);
}

static void
write_more (Composer *c, guint more)
{
  if (more == 0)
    return;
  g_autofree char *note = g_strdup_printf (dngettext (GETTEXT_PACKAGE,
                                                        "and %u more message",
                                                        "and %u more messages", more), more);
  out_note (&c->out, note);
}

static void
write_highlights (Composer *c, GPtrArray *highlights, guint n_mentions, guint n_decisions)
{
  if (highlights->len == 0)
    return;
  out_heading (&c->out,
               n_decisions == 0 ? _("Mentions of you")
               : n_mentions == 0 ? _("Decisions")
               : _("Mentions of you and decisions"), TRUE);

  guint n = MIN (highlights->len, RT_DIGEST_MAX_HIGHLIGHTS);
  for (guint i = 0; i < n; i++)
    {
      const RtDigestItem *item = highlights->pdata[i];
      g_autofree char *context = context_of (item);
      write_item (c, item, item->mention ? KIND_MENTION : KIND_DECISION,
                  RT_DIGEST_CLIP_HIGHLIGHT, context, i == 0);
    }
  write_more (c, highlights->len - n);
}

/* One workspace's other messages: by thread (threads in the order of
 * their newest message), each newest first with day headings. */
static void
write_workspace (Composer *c, const WsGroup *g)
{
  if (g->shown->len == 0)
    return;
  g_autofree char *name = clean_name (g->name, NAME_CLIP);
  out_heading (&c->out, name, TRUE);

  /* Threads in order of first appearance; shown holds at most
   * RT_DIGEST_PER_WORKSPACE items, so the quadratic walk stays small. */
  g_autoptr (GPtrArray) threads = g_ptr_array_new ();
  for (guint i = 0; i < g->shown->len; i++)
    {
      const char *t = ((const RtDigestItem *) g->shown->pdata[i])->thread;
      if (t != NULL && *t == '\0')
        t = NULL;
      gboolean seen = FALSE;
      for (guint j = 0; j < threads->len && !seen; j++)
        seen = g_strcmp0 (threads->pdata[j], t) == 0;
      if (!seen)
        g_ptr_array_add (threads, (gpointer) t);
    }

  gboolean headings = threads->len > 1 || threads->pdata[0] != NULL;
  for (guint j = 0; j < threads->len; j++)
    {
      const char *t = threads->pdata[j];
      if (headings)
        {
          g_autofree char *thread = t ? clean_name (t, NAME_CLIP) : NULL;
          /* TRANSLATORS: heading of a thread's messages in a digest. */
          g_autofree char *title = t ? g_strdup_printf (_("Thread: %s"), thread)
                                     : g_strdup (_("Not in a thread"));
          out_heading (&c->out, title, FALSE);
        }
      gboolean first = TRUE;
      for (guint i = 0; i < g->shown->len; i++)
        {
          const RtDigestItem *item = g->shown->pdata[i];
          const char *it = item->thread && *item->thread ? item->thread : NULL;
          if (g_strcmp0 (it, t) != 0)
            continue;
          write_item (c, item, KIND_PLAIN, RT_DIGEST_CLIP_OTHER, NULL, first);
          first = FALSE;
        }
    }
  write_more (c, g->more);
}

static const RtDigestLink *
link_for (const RtDigestLinks *links, gint64 ws_id)
{
  for (guint i = 0; links != NULL && i < links->n_links; i++)
    if (links->links[i].ws_id == ws_id)
      return &links->links[i];
  return NULL;
}

/* An href only for the schemes a mail client should open. */
static gboolean
linkable (const char *url)
{
  return g_str_has_prefix (url, "https://") || g_str_has_prefix (url, "http://")
      || g_str_has_prefix (url, "mailto:");
}

/* A footer sentence that ends up holding target (an address or URL). In
 * the HTML, the last occurrence of target becomes a link when it can be
 * one. */
static void
out_footer (Out *o, const char *sentence, const char *target, gboolean mailto)
{
  wrap_text (o->text, 0, sentence, 0);

  g_autofree char *e_sentence = g_markup_escape_text (sentence, -1);
  g_autofree char *e_target = g_markup_escape_text (target, -1);
  g_autofree char *anchor = NULL;
  if (mailto && strchr (target, '@') != NULL && strchr (target, ':') == NULL)
    anchor = g_strdup_printf ("<a href=\"mailto:%s\">%s</a>", e_target, e_target);
  else if (linkable (target))
    anchor = g_strdup_printf ("<a href=\"%s\">%s</a>", e_target, e_target);
  const char *at = anchor && *e_target ? g_strrstr (e_sentence, e_target) : NULL;

  g_string_append (o->html, "<p style=\"margin:0 0 6px 0;font-size:12px;color:#6b6b6b;\">");
  if (at == NULL)
    g_string_append (o->html, e_sentence);
  else
    {
      g_string_append_len (o->html, e_sentence, at - e_sentence);
      g_string_append (o->html, anchor);
      g_string_append (o->html, at + strlen (e_target));
    }
  g_string_append (o->html, "</p>\n");
}

static void
write_footer (Composer *c, GArray *groups)
{
  gboolean any = FALSE;
  for (guint i = 0; i < groups->len; i++)
    {
      const WsGroup *g = &g_array_index (groups, WsGroup, i);
      const RtDigestLink *link = link_for (c->links, g->ws_id);
      if (link == NULL || (!link->reply && !link->unsubscribe))
        continue;
      if (!any)
        {
          /* "-- " opens a signature: mail clients leave it out of replies. */
          g_string_append (c->out.text, "\n-- \n");
          g_string_append (c->out.html, "<hr style=\"border:0;border-top:1px solid #dddddd;margin:24px 0 12px 0;\">\n");
          any = TRUE;
        }
      g_autofree char *ws = clean_name (g->name, NAME_CLIP);
      if (link->reply != NULL && *link->reply != '\0')
        {
          g_autofree char *reply = clean_name (link->reply, 2000);
          g_autofree char *sentence = groups->len == 1
            /* TRANSLATORS: digest footer: workspace name, reply address. */
            ? g_strdup_printf (_("To post in %s, reply to this email or write to %s."), ws, reply)
            /* TRANSLATORS: digest footer: workspace name, address. */
            : g_strdup_printf (_("To post in %s, write to %s."), ws, reply);
          out_footer (&c->out, sentence, reply, TRUE);
        }
      if (link->unsubscribe != NULL && *link->unsubscribe != '\0')
        {
          g_autofree char *url = clean_name (link->unsubscribe, 2000);
          /* TRANSLATORS: digest footer: workspace name, a mailto: or web link. */
          g_autofree char *sentence = g_strdup_printf (_("To stop these emails for %s: %s"), ws, url);
          out_footer (&c->out, sentence, url, FALSE);
        }
    }
}

/* "RFP Acme 2027: 2 mentions, 1 decision, 14 messages" */
static char *
make_subject (GArray *groups, guint n_mentions, guint n_decisions, guint n_items)
{
  /* TRANSLATORS: between the counts of a digest's subject. */
  const char *sep = C_("digest subject", ", ");
  GString *counts = g_string_new (NULL);

  if (n_mentions > 0)
    g_string_append_printf (counts, dngettext (GETTEXT_PACKAGE, "%u mention", "%u mentions",
                                                 n_mentions), n_mentions);
  if (n_decisions > 0)
    {
      if (counts->len > 0)
        g_string_append (counts, sep);
      g_string_append_printf (counts, dngettext (GETTEXT_PACKAGE, "%u decision", "%u decisions",
                                                   n_decisions), n_decisions);
    }
  if (counts->len > 0)
    g_string_append (counts, sep);
  g_string_append_printf (counts, dngettext (GETTEXT_PACKAGE, "%u message", "%u messages",
                                               n_items), n_items);

  g_autofree char *summary = g_string_free (counts, FALSE);
  if (groups->len == 1)
    {
      g_autofree char *ws = clean_name (g_array_index (groups, WsGroup, 0).name, 80);
      /* TRANSLATORS: digest subject: workspace name, then the counts. */
      return g_strdup_printf (C_("digest subject", "%s: %s"), ws, summary);
    }
  /* TRANSLATORS: digest subject: number of workspaces, then the counts. */
  return g_strdup_printf (dngettext (GETTEXT_PACKAGE, "%u workspace: %s", "%u workspaces: %s",
                                       groups->len), groups->len, summary);
}

static void
html_open (Out *o, const char *lang, const char *subject)
{
  g_string_append_printf (o->html,
                          "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
                          "<meta charset=\"utf-8\">\n"
                          "<meta name=\"viewport\" content=\"width=device-width\">\n<title>",
                          lang);
  html_escaped (o->html, subject);
  g_string_append (o->html,
                   "</title>\n</head>\n"
                   "<body style=\"margin:0;padding:16px;background:#ffffff;color:#222222;"
                   "font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.45;\">\n"
                   "<div style=\"max-width:680px;word-wrap:break-word;overflow-wrap:break-word;\">\n"
                   "<h1 style=\"font-size:19px;margin:0 0 8px 0;\">");
  html_escaped (o->html, subject);
  g_string_append (o->html, "</h1>\n");
}

/* BCP 47 tag for <html lang>: "pt_BR" -> "pt-BR"; "en" when unusable. */
static char *
html_lang (const char *lang, gboolean fallback)
{
  if (fallback || lang == NULL || *lang == '\0' || strlen (lang) > 8)
    return g_strdup ("en");
  for (const char *p = lang; *p; p++)
    if (!g_ascii_isalpha (*p) && *p != '_' && *p != '-')
      return g_strdup ("en");
  return g_strdelimit (g_strdup (lang), "_", '-');
}

/* GLib forgets a zone with its last reference, so composing many digests
 * would read the same tzfile again and again: keep the zones seen. */
static GTimeZone *
zone_for (const char *tzid)
{
  G_LOCK_DEFINE_STATIC (zones);
  static GHashTable *zones;   /* tzid -> GTimeZone*, never freed */
  GTimeZone *tz = NULL;

  if (tzid == NULL || *tzid == '\0')
    return g_time_zone_new_utc ();
  G_LOCK (zones);
  if (zones == NULL)
    zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_time_zone_unref);
  tz = g_hash_table_lookup (zones, tzid);
  if (tz != NULL)
    g_time_zone_ref (tz);
  else
    {
      tz = g_time_zone_new_identifier (tzid);   /* NULL if unknown */
      if (tz != NULL && g_hash_table_size (zones) < 1024)
        g_hash_table_insert (zones, g_strdup (tzid), g_time_zone_ref (tz));
    }
  G_UNLOCK (zones);
  return tz != NULL ? tz : g_time_zone_new_utc ();
}

RtDigest *
rt_digest_compose (const RtMember *member, const RtDigestItem *items, guint n_items,
                   const RtDigestLinks *links, gint64 now_us)
{
  g_return_val_if_fail (member != NULL, NULL);
  if (items == NULL || n_items == 0)
    return NULL;

  g_autoptr (RtLangScope) scope = rt_lang_scope_enter (member->lang, member->country);
  Composer c = { .member = member, .links = links, .day_key = G_MININT64 };
  c.tz = zone_for (member->tz);
  {
    g_autoptr (GDateTime) now = g_date_time_new_from_unix_utc (now_us / G_USEC_PER_SEC);
    g_autoptr (GDateTime) local = now ? g_date_time_to_timezone (now, c.tz) : NULL;
    c.now_year = local ? g_date_time_get_year (local) : 0;
  }

  /* One pass in input order. A digest can cover thousands of messages of
   * which it shows a few dozen, so instead of sorting them all each
   * workspace keeps candidates and trims them to the newest ones whenever
   * they pile up (O(n log k)); only the highlights are sorted in full. */
  g_autoptr (GPtrArray) highlights = g_ptr_array_new ();
  g_autoptr (GArray) groups = g_array_new (FALSE, TRUE, sizeof (WsGroup));
  g_array_set_clear_func (groups, (GDestroyNotify) ws_group_clear);
  g_autoptr (GHashTable) group_of = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint n_mentions = 0, n_decisions = 0, last = G_MAXUINT;

  for (guint i = 0; i < n_items; i++)
    {
      const RtDigestItem *item = &items[i];
      if (last == G_MAXUINT || g_array_index (groups, WsGroup, last).ws_id != item->ws_id)
        {
          gpointer index;
          if (!g_hash_table_lookup_extended (group_of, &item->ws_id, NULL, &index))
            {
              WsGroup g = { item->ws_id, item->ws_name, item, g_ptr_array_new (), 0 };
              index = GUINT_TO_POINTER (groups->len);
              g_array_append_val (groups, g);
              g_hash_table_insert (group_of, (gpointer) &item->ws_id, index);
            }
          last = GPOINTER_TO_UINT (index);
        }
      WsGroup *g = &g_array_index (groups, WsGroup, last);
      if (newest_first (&item, &g->newest) < 0)
        g->newest = item;
      n_mentions += item->mention ? 1 : 0;
      n_decisions += item->decision ? 1 : 0;
      if (item->mention || item->decision)
        g_ptr_array_add (highlights, (gpointer) item);
      else
        {
          g_ptr_array_add (g->shown, (gpointer) item);
          if (g->shown->len >= 8 * RT_DIGEST_PER_WORKSPACE)
            ws_group_trim (g);
        }
    }
  for (guint i = 0; i < groups->len; i++)
    ws_group_trim (&g_array_index (groups, WsGroup, i));
  /* Workspaces in the order of their newest item (the hash table's keys
   * point into items, not into groups, so sorting is safe). */
  g_array_sort (groups, group_newest_first);
  g_ptr_array_sort (highlights, newest_first);

  RtDigest *digest = g_new0 (RtDigest, 1);
  digest->subject = make_subject (groups, n_mentions, n_decisions, n_items);

  /* Size the outputs once: regrowing strings of 100 kB copies them. */
  gsize estimate = 1024;
  for (guint i = 0; i < MIN (highlights->len, RT_DIGEST_MAX_HIGHLIGHTS); i++)
    estimate += MIN (strlen (((RtDigestItem *) highlights->pdata[i])->text ?: ""),
                     RT_DIGEST_CLIP_HIGHLIGHT * 2) + 96;
  for (guint i = 0; i < groups->len; i++)
    {
      const WsGroup *g = &g_array_index (groups, WsGroup, i);
      for (guint j = 0; j < g->shown->len; j++)
        estimate += MIN (strlen (((RtDigestItem *) g->shown->pdata[j])->text ?: ""),
                         RT_DIGEST_CLIP_OTHER * 2) + 96;
    }
  c.out.text = g_string_sized_new (estimate);
  c.out.html = g_string_sized_new (estimate * 2 + estimate / 2);
  g_autofree char *lang = html_lang (member->lang, rt_lang_scope_is_fallback (scope));
  html_open (&c.out, lang, digest->subject);
  g_string_append_printf (c.out.text, "%s\n", digest->subject);
  g_autofree char *intro = g_strdup_printf (_("Newest first. Times are in your time zone, %s."),
                                            g_time_zone_get_identifier (c.tz));
  out_note (&c.out, intro);

  write_highlights (&c, highlights, n_mentions, n_decisions);
  for (guint i = 0; i < groups->len; i++)
    write_workspace (&c, &g_array_index (groups, WsGroup, i));
  write_footer (&c, groups);

  g_string_append (c.out.html, "</div>\n</body>\n</html>\n");
  digest->text = g_string_free (c.out.text, FALSE);
  digest->html = g_string_free (c.out.html, FALSE);
  g_time_zone_unref (c.tz);
  g_free (c.last_context);
  return digest;
}

void
rt_digest_free (RtDigest *digest)
{
  if (digest == NULL)
    return;
  g_free (digest->subject);
  g_free (digest->text);
  g_free (digest->html);
  g_free (digest);
}
