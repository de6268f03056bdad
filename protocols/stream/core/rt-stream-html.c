/* rt-stream-html.c: server HTML to plain text and safe libpurple markup, on
 * the shared tokenizer (no second HTML parser: rt-html-scan reports text,
 * decoded references, spaces and tags with their href; everything else about
 * a tag, including event handlers and styles, never reaches us). */
#include "rt-stream-html.h"
#include "rt-html-scan.h"

#include <string.h>

typedef struct {
  GString *text;
  GString *markup;
  gboolean space_pending;
  guint newlines;        /* line breaks at the end of the output */
  gboolean link_open;    /* an <a> is open in markup */
  char *href;            /* the open link's target (safe), or NULL */
  gsize text_link_start; /* where the link's text began in text */
} Sanitizer;

gboolean
rt_stream_url_is_safe (const char *url)
{
  gsize n;

  if (url == NULL)
    return FALSE;
  if (g_ascii_strncasecmp (url, "https://", 8) == 0)
    n = 8;
  else if (g_ascii_strncasecmp (url, "http://", 7) == 0)
    n = 7;
  else if (g_ascii_strncasecmp (url, "mailto:", 7) == 0)
    n = 7;
  else
    return FALSE;
  if (url[n] == '\0')
    return FALSE;
  for (const guchar *p = (const guchar *) url; *p != '\0'; p++, n++)
    if (*p <= 0x20 || *p == 0x7F || n > RT_HTML_HREF_MAX)
      return FALSE;
  return TRUE;
}

/* Text escaped for markup: & < > only (quotes are harmless outside tags). */
static void
append_escaped (GString *out, const char *s, gsize n)
{
  const char *run = s, *end = s + n;

  for (const char *p = s; p < end; p++)
    {
      const char *rep;

      switch (*p)
        {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        default: continue;
        }
      g_string_append_len (out, run, p - run);
      g_string_append (out, rep);
      run = p + 1;
    }
  g_string_append_len (out, run, end - run);
}

/* An attribute value: also the quotes. */
static void
append_attr (GString *out, const char *s)
{
  for (; *s != '\0'; s++)
    switch (*s)
      {
      case '&': g_string_append (out, "&amp;"); break;
      case '<': g_string_append (out, "&lt;"); break;
      case '>': g_string_append (out, "&gt;"); break;
      case '"': g_string_append (out, "&quot;"); break;
      case '\'': g_string_append (out, "&#39;"); break;
      default: g_string_append_c (out, *s);
      }
}

static void
put_visible (Sanitizer *z, const char *s, gsize n)
{
  if (n == 0)
    return;
  if (z->space_pending && z->newlines == 0 && z->text->len > 0)
    {
      g_string_append_c (z->text, ' ');
      if (z->markup != NULL)
        g_string_append_c (z->markup, ' ');
    }
  z->space_pending = FALSE;
  z->newlines = 0;
  g_string_append_len (z->text, s, (gssize) n);
  if (z->markup != NULL)
    append_escaped (z->markup, s, n);
}

/* Up to want line breaks at the end (never at the start of the output). */
static void
put_breaks (Sanitizer *z, guint want, gboolean force)
{
  if (z->text->len == 0)
    return;
  z->space_pending = FALSE;
  if (force && z->newlines < 2)
    want = z->newlines + 1;
  while (z->newlines < want)
    {
      g_string_append_c (z->text, '\n');
      if (z->markup != NULL)
        g_string_append (z->markup, "<br>");
      z->newlines++;
    }
}

static void
on_text (gpointer data, const char *s, gsize n)
{
  Sanitizer *z = data;
  const char *run = s, *end = s + n;

  /* C0 controls and DEL are dropped: they have no business in a post. */
  for (const char *p = s; p < end; p++)
    if ((guchar) *p < 0x20 || *p == 0x7F)
      {
        put_visible (z, run, (gsize) (p - run));
        run = p + 1;
      }
  put_visible (z, run, (gsize) (end - run));
}

static void
on_space (gpointer data, char c)
{
  ((Sanitizer *) data)->space_pending = TRUE;
}

static void
on_character (gpointer data, gunichar c)
{
  char buf[8];

  if (c == 0xA0 || g_unichar_isspace (c))
    on_space (data, ' ');
  else if (c >= 0x20 && c != 0x7F && !(c >= 0x80 && c < 0xA0))
    put_visible (data, buf, (gsize) g_unichar_to_utf8 (c, buf));
}

static void
link_close (Sanitizer *z)
{
  const char *shown;

  if (z->href == NULL)
    return;
  shown = z->text->str + MIN (z->text_link_start, z->text->len);
  while (*shown == ' ' || *shown == '\n')
    shown++;
  if (*shown == '\0')
    {
      /* An empty link (an image, say): its target becomes its text. */
      g_string_append (z->text, z->href);
      if (z->markup != NULL)
        append_escaped (z->markup, z->href, strlen (z->href));
      z->newlines = 0;
    }
  else if (*shown != '@' && *shown != '#' && strcmp (shown, z->href) != 0
           && !(g_ascii_strncasecmp (z->href, "mailto:", 7) == 0
                && strcmp (shown, z->href + 7) == 0))
    /* Only in text: in markup the link itself carries the target. */
    g_string_append_printf (z->text, " (%s)", z->href);
  if (z->markup != NULL)
    g_string_append (z->markup, "</a>");
  g_clear_pointer (&z->href, g_free);
}

static void
link_open (Sanitizer *z, const char *href)
{
  link_close (z);
  if (!rt_stream_url_is_safe (href))
    return;  /* the text stays, the link goes */
  /* A pending space belongs before the link, not inside it. */
  if (z->space_pending && z->newlines == 0 && z->text->len > 0)
    {
      g_string_append_c (z->text, ' ');
      if (z->markup != NULL)
        g_string_append_c (z->markup, ' ');
    }
  z->space_pending = FALSE;
  if (z->markup != NULL)
    {
      g_string_append (z->markup, "<a href=\"");
      append_attr (z->markup, href);
      g_string_append (z->markup, "\">");
    }
  z->href = g_strdup (href);
  z->text_link_start = z->text->len;
}

static gboolean
name_in (const char *name, const char *const *list)
{
  for (; *list != NULL; list++)
    if (strcmp (name, *list) == 0)
      return TRUE;
  return FALSE;
}

static void
on_tag (gpointer data, const char *name, gboolean closing, const char *href)
{
  static const char *const para[] = { "p", "blockquote", "pre", "ul", "ol", "table",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", NULL };
  static const char *const line[] = { "div", "li", "tr", "dt", "dd", "section",
    "article", "header", "footer", "figure", "figcaption", NULL };
  Sanitizer *z = data;

  if (strcmp (name, "a") == 0)
    {
      if (closing)
        link_close (z);
      else
        link_open (z, href);
    }
  else if (strcmp (name, "br") == 0)
    {
      link_close (z);
      put_breaks (z, 0, TRUE);
    }
  else if (name_in (name, para))
    {
      link_close (z);
      put_breaks (z, 2, FALSE);
    }
  else if (name_in (name, line))
    {
      link_close (z);
      put_breaks (z, 1, FALSE);
    }
  else if (strcmp (name, "td") == 0 || strcmp (name, "th") == 0)
    z->space_pending = TRUE;
}

static void
trim_end (Sanitizer *z)
{
  while (z->text->len > 0 && (z->text->str[z->text->len - 1] == '\n'
                              || z->text->str[z->text->len - 1] == ' '))
    g_string_truncate (z->text, z->text->len - 1);
  if (z->markup == NULL)
    return;
  for (;;)
    {
      gsize n = z->markup->len;

      if (n >= 4 && memcmp (z->markup->str + n - 4, "<br>", 4) == 0)
        g_string_truncate (z->markup, n - 4);
      else if (n >= 1 && z->markup->str[n - 1] == ' ')
        g_string_truncate (z->markup, n - 1);
      else
        break;
    }
}

void
rt_stream_html_sanitize (const char *html, gssize len, char **text, char **markup)
{
  static const RtHtmlScanner scanner = { on_text, on_character, on_space, on_tag };
  Sanitizer z = { 0 };
  gsize hint;

  if (html == NULL)
    html = "";
  if (len < 0)
    len = (gssize) strlen (html);
  hint = MIN ((gsize) len, 65536);
  z.text = g_string_sized_new (hint);
  z.markup = markup != NULL ? g_string_sized_new (hint + hint / 4) : NULL;
  rt_html_scan (html, len, &scanner, &z);
  link_close (&z);
  trim_end (&z);
  if (text != NULL)
    *text = g_string_free (z.text, FALSE);
  else
    g_string_free (z.text, TRUE);
  if (markup != NULL)
    *markup = g_string_free (z.markup, FALSE);
}

/* Length of an http(s) URL at p (0 if none), without trailing punctuation. */
static gsize
url_at (const char *p, const char *end)
{
  const char *q = p;

  if (!((end - p > 8 && g_ascii_strncasecmp (p, "https://", 8) == 0)
        || (end - p > 7 && g_ascii_strncasecmp (p, "http://", 7) == 0)))
    return 0;
  while (q < end && (guchar) *q > 0x20 && *q != 0x7F && *q != '<' && *q != '>'
         && *q != '"' && q - p < RT_HTML_HREF_MAX)
    q++;
  while (q > p && strchr (".,;:!?)]}'", q[-1]) != NULL)
    q--;
  return (gsize) (q - p);
}

char *
rt_stream_text_to_markup (const char *text, gssize len)
{
  g_autofree char *valid = NULL;
  const char *p, *end, *run;
  GString *out;

  if (text == NULL)
    return g_strdup ("");
  if (len < 0)
    len = (gssize) strlen (text);
  valid = g_utf8_make_valid (text, len);
  p = run = valid;
  end = valid + strlen (valid);
  out = g_string_sized_new ((gsize) (end - p) + 16);
  while (p < end)
    {
      gsize n;

      if (*p == '\n' || (*p == '\r' && !(p + 1 < end && p[1] == '\n')))
        {
          append_escaped (out, run, (gsize) (p - run));
          g_string_append (out, "<br>");
          run = ++p;
        }
      else if ((*p == 'h' || *p == 'H') && (p == valid || !g_ascii_isalnum (p[-1]))
               && (n = url_at (p, end)) > 0)
        {
          g_autofree char *url = g_strndup (p, n);

          append_escaped (out, run, (gsize) (p - run));
          g_string_append (out, "<a href=\"");
          append_attr (out, url);
          g_string_append (out, "\">");
          append_escaped (out, url, n);
          g_string_append (out, "</a>");
          run = p += n;
        }
      else if ((guchar) *p < 0x20 && *p != '\t')
        {
          append_escaped (out, run, (gsize) (p - run));
          run = ++p;
        }
      else
        p++;
    }
  append_escaped (out, run, (gsize) (end - run));
  return g_string_free (out, FALSE);
}

GStrv
rt_stream_text_hashtags (const char *text)
{
  GPtrArray *tags = g_ptr_array_new ();

  for (const char *p = text != NULL ? strchr (text, '#') : NULL; p != NULL; p = strchr (p, '#'))
    {
      const char *q = ++p;

      if (p - 1 > text && (g_unichar_isalnum (g_utf8_get_char (g_utf8_prev_char (p - 1)))
                           || p[-2] == '&'))
        continue;  /* "a#b" or "&#39;" is no hashtag */
      while (*q != '\0' && (g_unichar_isalnum (g_utf8_get_char (q)) || *q == '_'))
        q = g_utf8_next_char (q);
      if (q > p && q - p <= 100 && tags->len < 64)
        {
          char *tag = g_utf8_strdown (p, q - p);
          gboolean seen = FALSE;

          for (guint i = 0; i < tags->len && !seen; i++)
            seen = strcmp (g_ptr_array_index (tags, i), tag) == 0;
          if (seen)
            g_free (tag);
          else
            g_ptr_array_add (tags, tag);
        }
      p = q;
    }
  g_ptr_array_add (tags, NULL);
  return (GStrv) g_ptr_array_free (tags, FALSE);
}
