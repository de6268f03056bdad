/* rt-html-scan.c: HTML tokens with a small linear state machine (not a full
 * HTML5 parser: enough for mail bodies and social posts, and safe on hostile
 * input because every byte is looked at a bounded number of times). */
#define _GNU_SOURCE
#include "rt-html-scan.h"
#include "rt-html-entity.h"

#include <string.h>

typedef struct {
  const RtHtmlScanner *s;
  gpointer data;
} Scan;

static gboolean
is_raw_text (const char *name)
{
  static const char *const raw[] = { "script", "style", "title", "textarea",
    "iframe", "noembed", "noframes", "xmp", NULL };

  for (const char *const *r = raw; *r != NULL; r++)
    if (strcmp (name, *r) == 0)
      return TRUE;
  return FALSE;
}

/* Decode references in an attribute value. (transfer full) */
static char *
decode_attr (const char *p, const char *end)
{
  GString *s = g_string_sized_new ((gsize) (end - p));

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

/* The next "<needle" (case-insensitive, not followed by a name character). */
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

/* Past the end tag of the raw-text element name, or end. */
static const char *
skip_raw_text (const char *p, const char *end, const char *name)
{
  char needle[20];
  const char *close;

  g_snprintf (needle, sizeof needle, "</%s", name);
  close = find_ci (p, end, needle);
  if (close == NULL)
    return end;
  close = memchr (close, '>', (gsize) (end - close));
  return close != NULL ? close + 1 : end;
}

/* Parse a tag at p ('<' followed by a letter, or by '/' and a letter).
 * Returns where the text continues. */
static const char *
parse_tag (Scan *sc, const char *p, const char *end)
{
  char name[16];
  gsize n = 0;
  gboolean closing = FALSE;
  g_autofree char *href = NULL;

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
      gboolean is_href;

      while (p < end && (g_ascii_isspace (*p) || *p == '/'))
        p++;
      if (p >= end)
        return end;  /* unterminated tag: the text ends */
      if (*p == '>')
        break;
      an = p;
      while (p < end && !g_ascii_isspace (*p) && *p != '=' && *p != '>' && *p != '/')
        p++;
      is_href = (p - an == 4 && g_ascii_strncasecmp (an, "href", 4) == 0);
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
                return end;  /* unterminated quote: the text ends */
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
      if (is_href && vs != NULL && href == NULL && ve - vs <= RT_HTML_HREF_MAX)
        href = decode_attr (vs, ve);
    }
  p++;
  if (!closing && is_raw_text (name))
    return skip_raw_text (p, end, name);
  if (sc->s->tag != NULL)
    sc->s->tag (sc->data, name, closing, href);
  return p;
}

static gboolean
starts_tag (const char *p, const char *end)
{
  return p + 1 < end && (g_ascii_isalpha (p[1])
                         || (p[1] == '/' && p + 2 < end && g_ascii_isalpha (p[2])));
}

static gboolean
ordinary (char c)
{
  return c != '<' && c != '&' && !g_ascii_isspace (c);
}

void
rt_html_scan (const char *html, gssize len, const RtHtmlScanner *scanner,
              gpointer user_data)
{
  Scan sc = { scanner, user_data };
  g_autofree char *valid = NULL;
  const char *p, *end;

  if (html == NULL)
    return;
  if (len < 0)
    len = (gssize) strlen (html);
  if (g_utf8_validate_len (html, (gsize) len, NULL))
    {
      p = html;
      end = html + len;
    }
  else
    {
      valid = g_utf8_make_valid (html, len);
      p = valid;
      end = valid + strlen (valid);
    }

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
      else if (*p == '<' && starts_tag (p, end))
        p = parse_tag (&sc, p, end);
      else if (*p == '&')
        {
          gunichar c;
          gsize used = rt_html_decode_entity (p, end, &c);

          if (c != 0 && scanner->character != NULL)
            scanner->character (user_data, c);
          else if (c == 0 && scanner->text != NULL)
            scanner->text (user_data, p, 1);
          p += used;
        }
      else if (g_ascii_isspace (*p))
        {
          if (scanner->space != NULL)
            scanner->space (user_data, *p);
          p++;
        }
      else
        {
          /* A run of ordinary bytes; a lone '<' that starts no tag counts. */
          const char *q = p + 1;

          while (q < end && ordinary (*q))
            q++;
          if (scanner->text != NULL)
            scanner->text (user_data, p, (gsize) (q - p));
          p = q;
        }
    }
}
