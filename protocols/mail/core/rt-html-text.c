/* rt-html-text.c: HTML to plain text, on the shared tokenizer rt-html-scan. */
#include "rt-html-text.h"
#include "rt-html-scan.h"

#include <string.h>

typedef struct {
  GString *out;
  gboolean space_pending;
  guint newlines;      /* newlines at the end of out */
  gboolean pre;
  gboolean in_head;
  char *href;          /* open <a>'s target, or NULL */
  gsize link_start;    /* where its text began in out */
} Html;

static void
put_chars (Html *h, const char *s, gsize n)
{
  if (h->in_head || n == 0)
    return;
  if (h->space_pending && h->out->len > 0 && h->newlines == 0)
    g_string_append_c (h->out, ' ');
  h->space_pending = FALSE;
  g_string_append_len (h->out, s, (gssize) n);
  h->newlines = 0;
}

static void
put_break (Html *h, guint want, gboolean force)
{
  if (h->in_head || h->out->len == 0)
    return;
  h->space_pending = FALSE;
  if (force && h->newlines < 2)
    {
      g_string_append_c (h->out, '\n');
      h->newlines++;
    }
  while (h->newlines < want)
    {
      g_string_append_c (h->out, '\n');
      h->newlines++;
    }
}

static void
put_space (Html *h, char c)
{
  if (!h->pre)
    h->space_pending = TRUE;
  else if (c == '\n')
    put_break (h, 0, TRUE);
  else if (c != '\r')
    put_chars (h, " ", 1);
}

static void
put_unichar (Html *h, gunichar c)
{
  char buf[8];

  if (c == 0xA0 || g_unichar_isspace (c))
    put_space (h, c == '\n' ? '\n' : ' ');
  else
    put_chars (h, buf, (gsize) g_unichar_to_utf8 (c, buf));
}

static void
link_open (Html *h, const char *href)
{
  g_free (h->href);
  h->href = g_strdup (href);
  h->link_start = h->out->len;
}

static void
link_close (Html *h)
{
  g_autofree char *text = NULL;
  const char *href = h->href;

  if (href == NULL)
    return;
  text = g_strstrip (g_strdup (h->out->str + MIN (h->link_start, h->out->len)));
  if (*href != '\0' && *href != '#'
      && g_ascii_strncasecmp (href, "javascript:", 11) != 0
      && strlen (href) <= RT_HTML_HREF_MAX
      && g_strcmp0 (text, href) != 0
      && !(g_ascii_strncasecmp (href, "mailto:", 7) == 0
           && g_strcmp0 (text, href + 7) == 0))
    {
      g_autofree char *shown = *text != '\0' ? g_strdup_printf ("(%s)", href)
                                             : g_strdup (href);
      h->space_pending = *text != '\0';
      put_chars (h, shown, strlen (shown));
    }
  g_clear_pointer (&h->href, g_free);
}

static gboolean
name_is (const char *name, const char *const *list)
{
  for (; *list != NULL; list++)
    if (strcmp (name, *list) == 0)
      return TRUE;
  return FALSE;
}

static void
on_tag (gpointer data, const char *name, gboolean closing, const char *href)
{
  static const char *const para[] = { "p", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "table", "ul", "ol", "hr", "pre", "dl", NULL };
  static const char *const line[] = { "div", "li", "tr", "dt", "dd",
    "section", "article", "header", "footer", "address", "center", NULL };
  static const char *const head_only[] = { "html", "meta", "link", "base",
    "noscript", "template", NULL };
  Html *h = data;

  if (strcmp (name, "head") == 0)
    h->in_head = !closing;
  else if (h->in_head && !name_is (name, head_only))
    h->in_head = FALSE;  /* a body element: the head was never closed */
  if (strcmp (name, "head") == 0)
    ;  /* done above */
  else if (strcmp (name, "br") == 0)
    put_break (h, 0, TRUE);
  else if (strcmp (name, "a") == 0)
    {
      link_close (h);
      if (!closing && href != NULL)
        link_open (h, href);
    }
  else if (name_is (name, para))
    put_break (h, 2, FALSE);
  else if (name_is (name, line))
    put_break (h, 1, FALSE);
  else if (strcmp (name, "td") == 0 || strcmp (name, "th") == 0)
    h->space_pending = TRUE;
  if (strcmp (name, "pre") == 0)
    h->pre = !closing;
}

static void
on_text (gpointer data, const char *s, gsize n)
{
  put_chars (data, s, n);
}

static void
on_character (gpointer data, gunichar c)
{
  put_unichar (data, c);
}

static void
on_space (gpointer data, char c)
{
  put_space (data, c);
}

char *
rt_html_to_text (const char *html, gssize len)
{
  static const RtHtmlScanner scanner = { on_text, on_character, on_space, on_tag };
  Html h = { 0 };

  if (html == NULL)
    return g_strdup ("");
  if (len < 0)
    len = (gssize) strlen (html);
  h.out = g_string_sized_new (MIN ((gsize) len, 65536));
  rt_html_scan (html, len, &scanner, &h);
  link_close (&h);
  while (h.out->len > 0 && g_ascii_isspace (h.out->str[h.out->len - 1]))
    g_string_truncate (h.out, h.out->len - 1);
  return g_string_free (h.out, FALSE);
}
