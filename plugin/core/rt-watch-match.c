/* rt-watch-match.c: folding and matching a post against a watchlist. */
#include "config.h"
#include <string.h>
#include "rt-watch.h"
#include "rt-watch-private.h"

gboolean
rt_watch_is_word (gunichar c)
{
  return c == '_' || g_unichar_isalnum (c) || g_unichar_ismark (c);
}

/* Scripts written without spaces between words: a keyword in them cannot
 * ask for word boundaries. */
gboolean
rt_watch_is_unspaced (gunichar c)
{
  switch (g_unichar_get_script (c))
    {
    case G_UNICODE_SCRIPT_HAN:
    case G_UNICODE_SCRIPT_HIRAGANA:
    case G_UNICODE_SCRIPT_KATAKANA:
    case G_UNICODE_SCRIPT_THAI:
    case G_UNICODE_SCRIPT_LAO:
    case G_UNICODE_SCRIPT_KHMER:
    case G_UNICODE_SCRIPT_MYANMAR:
    case G_UNICODE_SCRIPT_TIBETAN:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Letters that NFKD leaves alone but people write without their stroke. */
static const char *
base_letter (gunichar c)
{
  switch (c)
    {
    case 0x0142: return "l";    /* ł */
    case 0x00f8: return "o";    /* ø */
    case 0x0111: return "d";    /* đ */
    case 0x0131: return "i";    /* ı */
    case 0x00e6: return "ae";   /* æ */
    case 0x0153: return "oe";   /* œ */
    default: return NULL;
    }
}

/* Appends one folded character to out: accents and invisible format
 * characters (soft hyphen, zero-width space, bidi controls) go, so
 * "ac\u00adme" is still acme; runs of spaces and controls become one space
 * between words (*space says one is pending). */
static void
put_folded (GString *out, gunichar c, gboolean *space)
{
  GUnicodeType type = g_unichar_type (c);
  if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_FORMAT)
    return;
  if (g_unichar_isspace (c) || type == G_UNICODE_CONTROL)
    {
      *space = TRUE;
      return;
    }
  if (*space && out->len > 0)
    g_string_append_c (out, ' ');
  *space = FALSE;
  const char *base = base_letter (c);
  if (base != NULL)
    g_string_append (out, base);
  else
    g_string_append_unichar (out, c);
}

/* Folds one run of non-ASCII bytes: NFKD, then case folding. Both work
 * character by character and never reorder across an ASCII character (a
 * starter), so folding run by run equals folding the whole text; plain
 * ASCII, most of any post, skips the normalizer (measured: the fold was a
 * third of a post's work before the watchlist's store). */
static void
fold_run (GString *out, const char *run, gsize len, gboolean *space)
{
  g_autofree char *valid = g_utf8_make_valid (run, len);
  g_autofree char *nfkd = g_utf8_normalize (valid, -1, G_NORMALIZE_ALL);
  g_autofree char *folded = g_utf8_casefold (nfkd, -1);
  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    put_folded (out, g_utf8_get_char (p), space);
}

char *
rt_watch_fold (const char *text)
{
  if (text == NULL)
    return g_strdup ("");
  GString *out = g_string_sized_new (strlen (text));
  gboolean space = FALSE;
  const unsigned char *p = (const unsigned char *) text;

  while (*p != '\0')
    {
      if (*p < 0x80)
        {
          /* As put_folded, for a byte that is its own character. */
          if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
            space = TRUE;
          else
            {
              if (space && out->len > 0)
                g_string_append_c (out, ' ');
              space = FALSE;
              g_string_append_c (out, g_ascii_tolower (*p));
            }
          p++;
          continue;
        }
      const unsigned char *q = p;
      while (*q >= 0x80)
        q++;
      fold_run (out, (const char *) p, q - p, &space);
      p = q;
    }
  return g_string_free (out, FALSE);
}

/* ---- matching ------------------------------------------------------------ */

/* A post folded once for all terms. */
typedef struct {
  char      *texts[3];   /* title, content warning, text; NULL when absent */
  GPtrArray *tags;       /* without '#' */
  GPtrArray *accounts;   /* "name@host", or "name" when the host is unknown */
} Folded;

static void
folded_clear (Folded *f)
{
  for (guint i = 0; i < G_N_ELEMENTS (f->texts); i++)
    g_free (f->texts[i]);
  g_ptr_array_unref (f->tags);
  g_ptr_array_unref (f->accounts);
}

/* Would outside and inside run together into one word? Not across a
 * non-word character, and not next to a script written without spaces. */
static gboolean
glued (gunichar outside, gunichar inside)
{
  return outside != 0 && rt_watch_is_word (outside) && rt_watch_is_word (inside)
         && !rt_watch_is_unspaced (outside) && !rt_watch_is_unspaced (inside);
}

/* Is needle in hay with nothing glued to it? left and right are the
 * characters of the word at needle's ends (for "#tag": 't' and 'g'). A tag
 * (tag_end) ends only where no word character follows, whatever the script:
 * "#東京タワー" is not "#東京". */
static gboolean
contains_bounded (const char *hay, const char *needle, gunichar left, gunichar right,
                  gboolean tag_end)
{
  gsize n = strlen (needle);
  if (n == 0 || hay == NULL)
    return FALSE;
  for (const char *p = strstr (hay, needle); p != NULL; p = strstr (p + 1, needle))
    {
      gunichar before = p > hay ? g_utf8_get_char (g_utf8_prev_char (p)) : 0;
      gunichar after = g_utf8_get_char (p + n);
      gboolean right_ok = tag_end ? (after == 0 || !rt_watch_is_word (after))
                                  : !glued (after, right);
      if (!glued (before, left) && right_ok)
        return TRUE;
    }
  return FALSE;
}

static gunichar
last_char (const char *s)
{
  return *s != '\0' ? g_utf8_get_char (g_utf8_prev_char (s + strlen (s))) : 0;
}

/* End of a user name or domain starting at p: word characters, '.' and '-',
 * without a final '.' or '-' (the sentence's, not the name's). */
static const char *
scan_name (const char *p)
{
  const char *end = p;
  for (const char *q = p; *q != '\0'; q = g_utf8_next_char (q))
    {
      gunichar c = g_utf8_get_char (q);
      if (!rt_watch_is_word (c) && c != '.' && c != '-')
        break;
      if (c != '.' && c != '-')
        end = g_utf8_next_char (q);
    }
  return end;
}

/* "@name" and "@name@server" written in folded text, qualified with host
 * (folded, may be NULL) when bare. */
static void
add_text_accounts (GPtrArray *out, const char *hay, const char *host)
{
  if (hay == NULL)
    return;
  for (const char *p = strchr (hay, '@'); p != NULL; p = strchr (p + 1, '@'))
    {
      if (p > hay)
        {
          gunichar before = g_utf8_get_char (g_utf8_prev_char (p));
          if (rt_watch_is_word (before) || before == '@' || before == '.' || before == '-')
            continue;   /* bob@ceo.example is an address, not a mention */
        }
      const char *name = p + 1, *name_end = scan_name (name);
      if (name_end == name)
        continue;
      if (*name_end == '@')
        {
          const char *domain = name_end + 1, *domain_end = scan_name (domain);
          if (domain_end > domain)
            {
              g_ptr_array_add (out, g_strndup (name, domain_end - name));
              continue;
            }
        }
      g_autofree char *bare = g_strndup (name, name_end - name);
      g_ptr_array_add (out, host != NULL ? g_strconcat (bare, "@", host, NULL)
                                         : g_steal_pointer (&bare));
    }
}

/* The author or a mention, qualified with the post's server when bare. */
static void
add_handle (GPtrArray *out, const char *handle, const char *server)
{
  g_autofree char *q = rt_watch_qualify_handle (handle, server);
  if (q == NULL && handle != NULL)
    {
      /* Bare and the server unknown: still good for "@name" terms. */
      g_autofree char *h = g_strstrip (g_strdup (handle));
      const char *name = h[0] == '@' ? h + 1 : h;
      if (*name != '\0' && strchr (name, '@') == NULL)
        q = g_strdup (name);
    }
  if (q != NULL)
    g_ptr_array_add (out, rt_watch_fold (q));
}

static void
fold_post (Folded *f, const RtWatchPost *post)
{
  const char *fields[] = { post->title, post->spoiler, post->text };
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    f->texts[i] = fields[i] != NULL ? rt_watch_fold (fields[i]) : NULL;

  f->tags = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; post->tags != NULL && post->tags[i] != NULL; i++)
    {
      g_autofree char *t = rt_watch_fold (post->tags[i]);
      const char *body = t[0] == '#' ? t + 1 : t;
      if (*body != '\0')
        g_ptr_array_add (f->tags, g_strdup (body));
    }

  f->accounts = g_ptr_array_new_with_free_func (g_free);
  add_handle (f->accounts, post->author, post->server);
  for (guint i = 0; post->mentions != NULL && post->mentions[i] != NULL; i++)
    add_handle (f->accounts, post->mentions[i], post->server);
  g_autofree char *host_raw = rt_watch_server_host (post->server);
  g_autofree char *host = host_raw != NULL ? rt_watch_fold (host_raw) : NULL;
  for (guint i = 0; i < G_N_ELEMENTS (f->texts); i++)
    add_text_accounts (f->accounts, f->texts[i], host);
}

static gboolean
has_tag (const Folded *f, const char *key)
{
  for (guint i = 0; i < f->tags->len; i++)
    if (strcmp (f->tags->pdata[i], key) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
in_texts (const Folded *f, const char *needle, gunichar left, gunichar right, gboolean tag_end)
{
  for (guint i = 0; i < G_N_ELEMENTS (f->texts); i++)
    if (contains_bounded (f->texts[i], needle, left, right, tag_end))
      return TRUE;
  return FALSE;
}

/* "@ceo@social.example" wants that account; "@ceo" the name on any server. */
static gboolean
has_account (const Folded *f, const char *key)
{
  gboolean full = strchr (key, '@') != NULL;
  gsize n = strlen (key);
  for (guint i = 0; i < f->accounts->len; i++)
    {
      const char *a = f->accounts->pdata[i];
      if (full ? strcmp (a, key) == 0 : strncmp (a, key, n) == 0 && (a[n] == '\0' || a[n] == '@'))
        return TRUE;
    }
  return FALSE;
}

static gboolean
term_matches (const RtWatchTerm *t, const Folded *f)
{
  const char *key = t->key;
  if (key == NULL || *key == '\0')
    return FALSE;
  gunichar first = g_utf8_get_char (key), last = last_char (key);
  switch (t->kind)
    {
    case RT_WATCH_KEYWORD:
      return has_tag (f, key) || in_texts (f, key, first, last, FALSE);
    case RT_WATCH_HASHTAG:
      {
        g_autofree char *tag = g_strconcat ("#", key, NULL);
        return has_tag (f, key) || in_texts (f, tag, first, last, TRUE);
      }
    case RT_WATCH_ACCOUNT:
      return has_account (f, key);
    default:
      return FALSE;
    }
}

GPtrArray *
rt_watch_match (const GPtrArray *terms, const RtWatchPost *post)
{
  GPtrArray *hits = g_ptr_array_new ();
  if (terms == NULL || terms->len == 0 || post == NULL)
    return hits;
  Folded f = { 0 };
  fold_post (&f, post);
  for (guint i = 0; i < terms->len; i++)
    if (term_matches (terms->pdata[i], &f))
      g_ptr_array_add (hits, terms->pdata[i]);
  folded_clear (&f);
  return hits;
}
