/* rt-html-text.c: HTML to plain text with a small linear state machine. */
#define _GNU_SOURCE
#include "rt-html-text.h"
#include "rt-html-entity.h"

#include <string.h>

#define RT_HTML_HREF_MAX 2048

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

/* Decode references in an attribute value. (transfer full) */
static char *
decode_attr (const char *p, const char *end)
{
  GString *s = g_string_new (NULL);

  while (p < end)
    {
      gunichar c = 0;
      gsize used = (*p == '&') ? rt_html_decode_entity (p, end, &c) : 1;

      if (c != 0)
        g_string_append_unichar (s, c);
      else
        g_string_append_c (s, *p);
      p += used;
    }
  return g_strstrip (g_string_free (s, FALSE));
}

static const char *
find_ci (const char *p, const char *end, const char *needle)
{
  gsize n = strlen (needle);

  while ((p = memchr (p, '<', (gsize) (end - p))) != NULL)
    {
      if ((gsize) (end - p) >= n && g_ascii_strncasecmp (p, needle, n) == 0
          && (p + n == end || !g_ascii_isalnum (p[n])))
        return p;
      p++;
    }
  return NULL;
}

static void
link_open (Html *h, char *href)
{
  g_free (h->href);
  h->href = href;
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

/* Act on a tag. Returns where to continue (after a raw-text element). */
static const char *
handle_tag (Html *h, const char *name, gboolean closing, char *href,
            const char *p, const char *end)
{
  static const char *const para[] = { "p", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "table", "ul", "ol", "hr", "pre", "dl", NULL };
  static const char *const line[] = { "div", "li", "tr", "dt", "dd",
    "section", "article", "header", "footer", "address", "center", NULL };
  static const char *const head_only[] = { "html", "meta", "link", "base",
    "noscript", "template", NULL };

  if (!closing && (strcmp (name, "script") == 0 || strcmp (name, "style") == 0
                   || strcmp (name, "title") == 0 || strcmp (name, "textarea") == 0))
    {
      char needle[16];
      const char *close;

      g_free (href);
      g_snprintf (needle, sizeof needle, "</%s", name);
      close = find_ci (p, end, needle);
      if (close == NULL)
        return end;
      close = memchr (close, '>', (gsize) (end - close));
      return close != NULL ? close + 1 : end;
    }
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
        link_open (h, g_steal_pointer (&href));
    }
  else if (name_is (name, para))
    put_break (h, 2, FALSE);
  else if (name_is (name, line))
    put_break (h, 1, FALSE);
  else if (strcmp (name, "td") == 0 || strcmp (name, "th") == 0)
    h->space_pending = TRUE;
  if (strcmp (name, "pre") == 0)
    h->pre = !closing;
  g_free (href);
  return p;
}

/* Parse a tag at p ('<' followed by a letter or '/'). Returns where the
 * text continues. */
static const char *
parse_tag (Html *h, const char *p, const char *end)
{
  char name[16];
  gsize n = 0;
  gboolean closing = FALSE;
  char *href = NULL;

  p++;
  if (*p == '/')
    {
      closing = TRUE;
      p++;
    }
  while (p < end && (g_ascii_isalnum (*p) || *p == '-' || *p == ':'))
    {
      if (n < sizeof name - 1)
        name[n++] = g_ascii_tolower (*p);
      p++;
    }
  name[n] = '\0';
  for (;;)
    {
      const char *an, *vs = NULL, *ve = NULL;

      while (p < end && (g_ascii_isspace (*p) || *p == '/'))
        p++;
      if (p >= end)
        goto unterminated;
      if (*p == '>')
        break;
      an = p;
      while (p < end && !g_ascii_isspace (*p) && *p != '=' && *p != '>' && *p != '/')
        p++;
      if (p - an == 4 && g_ascii_strncasecmp (an, "href", 4) == 0)
        an = NULL;  /* remember: this is the href */
      while (p < end && g_ascii_isspace (*p))
        p++;
      if (p < end && *p == '=')
        {
          p++;
          while (p < end && g_ascii_isspace (*p))
            p++;
          if (p < end && (*p == '"' || *p == '\''))
            {
              vs = p + 1;
              ve = memchr (vs, *p, (gsize) (end - vs));
              if (ve == NULL)
                goto unterminated;
              p = ve + 1;
            }
          else
            {
              vs = p;
              while (p < end && !g_ascii_isspace (*p) && *p != '>')
                p++;
              ve = p;
            }
        }
      if (an == NULL && vs != NULL && href == NULL
          && ve - vs <= RT_HTML_HREF_MAX)
        href = decode_attr (vs, ve);
    }
  return handle_tag (h, name, closing, href, p + 1, end);

unterminated:
  g_free (href);
  return end;
}

char *
rt_html_to_text (const char *html, gssize len)
{
  Html h = { 0 };
  g_autofree char *valid = NULL;
  const char *p, *end;

  if (html == NULL)
    return g_strdup ("");
  if (len < 0)
    len = (gssize) strlen (html);
  valid = g_utf8_make_valid (html, len);
  p = valid;
  end = valid + strlen (valid);
  h.out = g_string_sized_new (MIN ((gsize) len, 65536));

  while (p < end)
    {
      if (*p == '<' && p + 1 < end && p[1] == '!')
        {
          gboolean comment = (end - p >= 4 && strncmp (p, "<!--", 4) == 0);
          const char *close = comment ? memmem (p + 4, (gsize) (end - p - 4), "-->", 3)
                                      : memchr (p, '>', (gsize) (end - p));
          p = close != NULL ? close + (comment ? 3 : 1) : end;
        }
      else if (*p == '<' && p + 1 < end && p[1] == '?')
        {
          const char *close = memchr (p, '>', (gsize) (end - p));
          p = close != NULL ? close + 1 : end;
        }
      else if (*p == '<' && p + 1 < end
               && (g_ascii_isalpha (p[1]) || (p[1] == '/' && p + 2 < end
                                              && g_ascii_isalpha (p[2]))))
        p = parse_tag (&h, p, end);
      else if (*p == '&')
        {
          gunichar c;
          gsize used = rt_html_decode_entity (p, end, &c);

          if (c != 0)
            put_unichar (&h, c);
          else
            put_chars (&h, p, 1);
          p += used;
        }
      else if (g_ascii_isspace (*p))
        put_space (&h, *p++);
      else
        {
          gsize n = (gsize) g_utf8_skip[*(const guchar *) p];

          n = MIN (n, (gsize) (end - p));
          put_chars (&h, p, n);
          p += n;
        }
    }
  link_close (&h);
  while (h.out->len > 0 && g_ascii_isspace (h.out->str[h.out->len - 1]))
    g_string_truncate (h.out, h.out->len - 1);
  return g_string_free (h.out, FALSE);
}
