/* rt-mail-reply-html.c: the new text of an HTML-only reply. rt_html_to_text
 * turns a <blockquote> into an ordinary paragraph, so the quote markers the
 * mail clients leave in the HTML are acted on first: one linear scan over
 * the tags copies the HTML without the quoted blocks, the attribution and
 * signature containers, and without everything after Outlook's reply
 * header. The rest is the existing HTML-to-text conversion and the text
 * rules of rt-mail-reply.c. */
#define _GNU_SOURCE
#include "rt-mail-reply.h"
#include "rt-mail-reply-private.h"
#include "rt-html-text.h"

#include <string.h>

/* Put where a quoted block was: the text rules see a quoted line, so the
 * attribution above it goes and the new text around it stays apart. */
#define QUOTE_MARK "<div>&gt;</div>"
#define ATTR_VALUE_MAX 4096

typedef struct {
  char name[16];          /* lower case, clipped */
  gboolean closing;
  gboolean self_closing;
  const char *attrs;      /* after the name ... */
  const char *attrs_end;  /* ... up to the '>' */
} Tag;

typedef enum { KEEP, QUOTE, REMOVE, CUT } Action;

/* Read the tag at p ('<' then a letter, or "</" then a letter). Returns the
 * position after its '>', or NULL when the tag (or a quoted value in it) is
 * not terminated. Quotes count only after '=', as in rt-html-text.c. */
static const char *
read_tag (const char *p, const char *end, Tag *t)
{
  gsize n = 0;

  memset (t, 0, sizeof *t);
  p++;
  if (*p == '/')
    {
      t->closing = TRUE;
      p++;
    }
  while (p < end && (g_ascii_isalnum (*p) || *p == '-' || *p == ':'))
    {
      if (n < sizeof t->name - 1)
        t->name[n++] = g_ascii_tolower (*p);
      p++;
    }
  t->attrs = p;
  while (p < end && *p != '>')
    {
      if (*p == '=')
        {
          p++;
          while (p < end && g_ascii_isspace (*p))
            p++;
          if (p < end && (*p == '"' || *p == '\''))
            {
              const char *close = memchr (p + 1, *p, (gsize) (end - p - 1));

              if (close == NULL)
                return NULL;
              p = close + 1;
            }
          continue;
        }
      p++;
    }
  if (p >= end)
    return NULL;
  t->attrs_end = p;
  t->self_closing = p > t->attrs && p[-1] == '/';
  return p + 1;
}

/* The value of attribute name in the tag, or NULL. (transfer full) */
static char *
attr (const Tag *t, const char *name)
{
  const char *p = t->attrs, *end = t->attrs_end;
  gsize want = strlen (name);

  while (p < end)
    {
      const char *an, *vs = NULL, *ve = NULL;
      gsize alen;

      while (p < end && (g_ascii_isspace (*p) || *p == '/'))
        p++;
      an = p;
      while (p < end && !g_ascii_isspace (*p) && *p != '=' && *p != '/')
        p++;
      alen = (gsize) (p - an);
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
                ve = end;
              p = MIN (ve + 1, end);
            }
          else
            {
              vs = p;
              while (p < end && !g_ascii_isspace (*p))
                p++;
              ve = p;
            }
        }
      if (alen == want && g_ascii_strncasecmp (an, name, want) == 0)
        return vs != NULL && ve - vs <= ATTR_VALUE_MAX ? g_strndup (vs, (gsize) (ve - vs))
                                                       : g_strdup ("");
      if (alen == 0 && vs == NULL)
        p++;  /* a stray character: move on */
    }
  return NULL;
}

static gboolean
attr_is (const Tag *t, const char *name, const char *value)
{
  g_autofree char *v = attr (t, name);

  return v != NULL && g_ascii_strcasecmp (g_strstrip (v), value) == 0;
}

/* class="... token ..." */
static gboolean
has_class (const Tag *t, const char *token)
{
  g_autofree char *v = attr (t, "class");
  g_auto(GStrv) tokens = NULL;

  if (v == NULL)
    return FALSE;
  tokens = g_strsplit_set (v, " \t\r\n", -1);
  for (char **k = tokens; *k != NULL; k++)
    if (g_ascii_strcasecmp (*k, token) == 0)
      return TRUE;
  return FALSE;
}

/* Outlook desktop (Windows and Mac) sets its reply header apart with
 * style="border:none;border-top:solid #E1E1E1 1.0pt;..." (#B5C4DF before
 * Outlook 2013). */
static gboolean
is_outlook_rule (const Tag *t)
{
  g_autofree char *style = attr (t, "style");
  GString *packed;
  gboolean rule;

  if (style == NULL)
    return FALSE;
  packed = g_string_new (NULL);
  for (const char *c = style; *c != '\0'; c++)
    if (!g_ascii_isspace (*c))
      g_string_append_c (packed, g_ascii_tolower (*c));
  rule = strstr (packed->str, "border:none") != NULL
      && (strstr (packed->str, "border-top:solid#e1e1e1") != NULL
          || strstr (packed->str, "border-top:solid#b5c4df") != NULL);
  g_string_free (packed, TRUE);
  return rule;
}

static Action
classify (const Tag *t)
{
  if (strcmp (t->name, "blockquote") == 0)
    return attr_is (t, "type", "cite") || has_class (t, "gmail_quote") ? QUOTE : KEEP;
  if (strcmp (t->name, "div") == 0)
    {
      if (attr_is (t, "id", "divRplyFwdMsg") || attr_is (t, "id", "appendonsend")
          || attr_is (t, "id", "mail-editor-reference-message-container")
          || has_class (t, "OutlookMessageHeader") || has_class (t, "yahoo_quoted")
          || is_outlook_rule (t))
        return CUT;
      if (has_class (t, "gmail_attr") || has_class (t, "moz-cite-prefix")
          || has_class (t, "gmail_signature") || has_class (t, "moz-signature")
          || attr_is (t, "id", "Signature"))
        return REMOVE;
      return KEEP;
    }
  if (strcmp (t->name, "span") == 0)
    return has_class (t, "gmail_signature_prefix") ? REMOVE : KEEP;
  if (strcmp (t->name, "hr") == 0)
    return attr_is (t, "tabindex", "-1") || attr_is (t, "id", "stopSpelling") ? CUT : KEEP;
  return KEEP;
}

/* After the start tag of a raw-text element: where its end tag ends. */
static const char *
skip_raw (const char *p, const char *end, const char *name)
{
  gsize n = strlen (name);

  while ((p = memchr (p, '<', (gsize) (end - p))) != NULL)
    {
      if ((gsize) (end - p) >= n + 2 && p[1] == '/'
          && g_ascii_strncasecmp (p + 2, name, n) == 0)
        {
          const char *gt = memchr (p, '>', (gsize) (end - p));

          return gt != NULL ? gt + 1 : end;
        }
      p++;
    }
  return end;
}

static gboolean
is_raw (const char *name)
{
  return strcmp (name, "script") == 0 || strcmp (name, "style") == 0
      || strcmp (name, "title") == 0 || strcmp (name, "textarea") == 0;
}

/* html without the quoted history. (transfer full) */
static GString *
drop_history (const char *html)
{
  GString *out = g_string_new (NULL);
  const char *end = html + strlen (html), *copy = html, *p = html;
  char skip_name[16] = "";
  gsize skip_depth = 0;

  while (p < end && (p = memchr (p, '<', (gsize) (end - p))) != NULL)
    {
      const char *lt = p;
      Tag t;
      Action action;

      if (end - p >= 4 && strncmp (p, "<!--", 4) == 0)
        {
          const char *close = memmem (p + 4, (gsize) (end - p - 4), "-->", 3);

          p = close != NULL ? close + 3 : end;
          continue;
        }
      if (p + 1 < end && (p[1] == '!' || p[1] == '?'))
        {
          const char *close = memchr (p, '>', (gsize) (end - p));

          p = close != NULL ? close + 1 : end;
          continue;
        }
      if (!(p + 1 < end && (g_ascii_isalpha (p[1])
                            || (p[1] == '/' && p + 2 < end && g_ascii_isalpha (p[2])))))
        {
          p++;
          continue;
        }
      if ((p = read_tag (lt, end, &t)) == NULL)
        break;  /* rt_html_to_text ends the text here too */
      if (!t.closing && is_raw (t.name))
        {
          p = skip_raw (p, end, t.name);
          continue;
        }
      if (skip_depth > 0)
        {
          if (strcmp (t.name, skip_name) == 0 && !t.self_closing)
            skip_depth = t.closing ? skip_depth - 1 : skip_depth + 1;
          if (skip_depth == 0)
            copy = p;
          continue;
        }
      if (t.closing || (action = classify (&t)) == KEEP)
        continue;
      g_string_append_len (out, copy, lt - copy);
      if (action == CUT)
        return out;
      if (action == QUOTE)
        g_string_append (out, QUOTE_MARK);
      copy = p;
      if (!t.self_closing)
        {
          g_strlcpy (skip_name, t.name, sizeof skip_name);
          skip_depth = 1;
        }
    }
  if (skip_depth == 0)
    g_string_append_len (out, copy, end - copy);
  return out;
}

char *
rt_mail_reply_new_text_html (const char *html)
{
  g_autofree char *valid = g_utf8_make_valid (html != NULL ? html : "", -1);
  g_autoptr(GString) kept = drop_history (valid);
  g_autofree char *text = rt_html_to_text (kept->str, (gssize) kept->len);
  g_autofree char *whole = NULL;
  char *result = rt_mail_reply_strip (text);

  if (*result != '\0')
    return result;
  g_free (result);
  whole = rt_html_to_text (valid, -1);
  return rt_mail_reply_whole (whole);
}
