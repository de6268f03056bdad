/* rt-watch.c: watchlist terms (parse, format, store form), servers and
 * handles, the once-per-post keys and --stream handles. Folding and
 * matching are in rt-watch-match.c, the alert in rt-watch-alert.c. */
#include "config.h"
#include <string.h>
#include <glib/gi18n-lib.h>
#include "rt-error.h"
#include "rt-watch.h"
#include "rt-watch-private.h"

#define LEFT_QUOTE  0x201c   /* “ */
#define RIGHT_QUOTE 0x201d   /* ” */
/* How much of a bad term an error message repeats. */
#define SHOWN_CHARS 40

/* ---- terms ------------------------------------------------------------- */

void
rt_watch_term_free (RtWatchTerm *term)
{
  if (term == NULL)
    return;
  g_free (term->text);
  g_free (term->key);
  g_free (term);
}

static RtWatchTerm *
term_new (RtWatchKind kind, char *text)
{
  RtWatchTerm *t = g_new0 (RtWatchTerm, 1);
  t->kind = kind;
  t->text = text;
  t->key = rt_watch_fold (text);
  return t;
}

/* The first n characters of s, with "…" when cut. */
static char *
shortened (const char *s, glong n)
{
  if (g_utf8_strlen (s, -1) <= n)
    return g_strdup (s);
  const char *end = g_utf8_offset_to_pointer (s, n);
  g_autofree char *head = g_strndup (s, end - s);
  return g_strconcat (head, "…", NULL);
}

/* Trim and make every run of white space one space. */
static char *
squeezed (const char *s)
{
  g_autoptr (GString) out = g_string_new (NULL);
  gboolean space = FALSE;
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_isspace (c))
        {
          space = TRUE;
          continue;
        }
      if (space && out->len > 0)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, c);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Does s carry its own quotes ("…" or “…”)? Then *inner gets what is
 * between them. */
static gboolean
unquote (const char *s, char **inner)
{
  gsize len = strlen (s);
  if (len == 0)
    return FALSE;
  gunichar first = g_utf8_get_char (s);
  const char *last_p = g_utf8_prev_char (s + len);
  gunichar last = g_utf8_get_char (last_p);
  gboolean typographic = (first == LEFT_QUOTE || first == RIGHT_QUOTE)
                         && (last == LEFT_QUOTE || last == RIGHT_QUOTE);
  if (last_p == s || !((first == '"' && last == '"') || typographic))
    return FALSE;
  const char *from = g_utf8_next_char (s);
  *inner = g_strndup (from, last_p - from);
  return TRUE;
}

static gboolean
has_word_char (const char *s)
{
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static gboolean
is_hashtag_body (const char *s)
{
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    if (!rt_watch_is_word (g_utf8_get_char (p)))
      return FALSE;
  return *s != '\0';
}

/* A user name: word characters, '.' and '-', not at either end. */
static gboolean
is_account_name (const char *s, gsize len)
{
  if (len == 0 || s[0] == '.' || s[0] == '-' || s[len - 1] == '.' || s[len - 1] == '-')
    return FALSE;
  for (const char *p = s; p < s + len; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (!rt_watch_is_word (c) && c != '.' && c != '-')
        return FALSE;
    }
  return TRUE;
}

/* A domain: labels of letters, digits and '-' (not at a label's ends). */
static gboolean
is_domain (const char *s)
{
  g_auto (GStrv) labels = g_strsplit (s, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      const char *l = labels[i];
      gsize len = strlen (l);
      if (len == 0 || l[0] == '-' || l[len - 1] == '-')
        return FALSE;
      for (const char *p = l; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);
          if (!g_unichar_isalnum (c) && !g_unichar_ismark (c) && c != '-')
            return FALSE;
        }
    }
  return labels[0] != NULL;
}

static RtWatchTerm *
parse_account (const char *raw, const char *body, GError **error)
{
  const char *at = strchr (body, '@');
  gsize name_len = at != NULL ? (gsize) (at - body) : strlen (body);
  if (!is_account_name (body, name_len) || (at != NULL && !is_domain (at + 1)))
    {
      g_autofree char *shown = shortened (raw, SHOWN_CHARS);
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("“%s” is not an account: write @name or @name@server."), shown);
      return NULL;
    }
  if (at == NULL)
    return term_new (RT_WATCH_ACCOUNT, g_strdup (body));
  g_autofree char *domain = g_utf8_strdown (at + 1, -1);
  return term_new (RT_WATCH_ACCOUNT, g_strdup_printf ("%.*s@%s", (int) name_len, body, domain));
}

RtWatchTerm *
rt_watch_term_parse (const char *input, GError **error)
{
  if (input == NULL || !g_utf8_validate (input, -1, NULL))
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID,
                           _("A watch term is not valid UTF-8 text."));
      return NULL;
    }
  g_autofree char *nfc = g_utf8_normalize (input, -1, G_NORMALIZE_DEFAULT_COMPOSE);
  g_autofree char *s = squeezed (nfc);
  g_autofree char *inner = NULL;
  gboolean quoted = unquote (s, &inner);
  if (quoted)
    {
      g_free (s);
      s = squeezed (inner);
    }
  if (*s == '\0')
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID, _("A watch term is empty."));
      return NULL;
    }

  RtWatchKind kind = quoted ? RT_WATCH_KEYWORD
                     : s[0] == '#' ? RT_WATCH_HASHTAG
                     : s[0] == '@' ? RT_WATCH_ACCOUNT
                     : RT_WATCH_KEYWORD;
  const char *body = kind == RT_WATCH_KEYWORD ? s : s + 1;

  if (*body == '\0')
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID,
                           kind == RT_WATCH_HASHTAG
                           ? _("“#” alone is not a hashtag: write the tag after it, as in #acmefail.")
                           : _("“@” alone is not an account: write @name or @name@server."));
      return NULL;
    }
  if (g_utf8_strlen (body, -1) > RT_WATCH_TERM_MAX)
    {
      g_autofree char *shown = shortened (s, 20);
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The watch term “%s” is too long: at most %u character.",
                                "The watch term “%s” is too long: at most %u characters.",
                                RT_WATCH_TERM_MAX),
                   shown, (guint) RT_WATCH_TERM_MAX);
      return NULL;
    }

  switch (kind)
    {
    case RT_WATCH_HASHTAG:
      if (!is_hashtag_body (body))
        {
          g_autofree char *shown = shortened (s, SHOWN_CHARS);
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                       _("“%s” is not a hashtag: after the # come only letters, digits and _. "
                         "To watch words, write them without the #."), shown);
          return NULL;
        }
      return term_new (kind, g_strdup (body));
    case RT_WATCH_ACCOUNT:
      return parse_account (s, body, error);
    case RT_WATCH_KEYWORD:
    default:
      if (!has_word_char (s))
        {
          g_autofree char *shown = shortened (s, SHOWN_CHARS);
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                       _("“%s” has no letters or digits to look for."), shown);
          return NULL;
        }
      return term_new (kind, g_steal_pointer (&s));
    }
}

RtWatchTerm *
rt_watch_term_new (RtWatchKind kind, const char *text, GError **error)
{
  if (text == NULL)
    text = "";
  /* Spelled as a user would, so the same checks apply; a keyword in quotes
   * stays a keyword whatever it starts with. */
  g_autofree char *input = kind == RT_WATCH_HASHTAG ? g_strconcat ("#", text, NULL)
                           : kind == RT_WATCH_ACCOUNT ? g_strconcat ("@", text, NULL)
                           : g_strconcat ("\"", text, "\"", NULL);
  RtWatchTerm *t = rt_watch_term_parse (input, error);
  if (t != NULL && t->kind != kind)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("“%s” is not a valid watch term."), text);
      g_clear_pointer (&t, rt_watch_term_free);
    }
  return t;
}

GPtrArray *
rt_watch_parse_terms (const char *const *argv, GError **error)
{
  if (argv == NULL || argv[0] == NULL)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID,
                           _("Name at least one term to watch: a keyword, a \"quoted phrase\", "
                             "a #hashtag or an @account."));
      return NULL;
    }
  g_autoptr (GPtrArray) terms = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_watch_term_free);
  for (guint i = 0; argv[i] != NULL; i++)
    {
      RtWatchTerm *t = rt_watch_term_parse (argv[i], error);
      if (t == NULL)
        return NULL;
      gboolean seen = FALSE;
      for (guint j = 0; j < terms->len && !seen; j++)
        seen = rt_watch_term_equal (terms->pdata[j], t);
      if (seen)
        rt_watch_term_free (t);
      else
        g_ptr_array_add (terms, t);
    }
  return g_steal_pointer (&terms);
}

gboolean
rt_watch_term_equal (const RtWatchTerm *a, const RtWatchTerm *b)
{
  return a != NULL && b != NULL && a->kind == b->kind && g_strcmp0 (a->key, b->key) == 0;
}

/* Inside "…" the command splitter takes \" \\ \“ \” literally. */
static void
append_double_quoted (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c == '"' || c == '\\' || c == LEFT_QUOTE || c == RIGHT_QUOTE)
        g_string_append_c (out, '\\');
      g_string_append_unichar (out, c);
    }
  g_string_append_c (out, '"');
}

char *
rt_watch_term_format (const RtWatchTerm *term)
{
  switch (term->kind)
    {
    case RT_WATCH_HASHTAG:
      return g_strconcat ("#", term->text, NULL);
    case RT_WATCH_ACCOUNT:
      return g_strconcat ("@", term->text, NULL);
    case RT_WATCH_KEYWORD:
    default:
      break;
    }
  GString *out = g_string_new (NULL);
  gunichar first = g_utf8_get_char (term->text);
  if (first == '#' || first == '@' || first == '"' || first == LEFT_QUOTE || first == RIGHT_QUOTE)
    {
      /* The argument itself must arrive in quotes to stay a keyword. */
      g_autofree char *literal = g_strconcat ("\"", term->text, "\"", NULL);
      append_double_quoted (out, literal);
    }
  else if (strpbrk (term->text, " \"'\\") != NULL || g_utf8_strchr (term->text, -1, LEFT_QUOTE)
           || g_utf8_strchr (term->text, -1, RIGHT_QUOTE))
    append_double_quoted (out, term->text);
  else
    g_string_append (out, term->text);
  return g_string_free (out, FALSE);
}

char *
rt_watch_term_label (const RtWatchTerm *term)
{
  if (term->kind == RT_WATCH_KEYWORD)
    /* TRANSLATORS: a watchlist keyword in an alert, in quotes. */
    return g_strdup_printf (C_("watch term", "“%s”"), term->text);
  return rt_watch_term_format (term);
}

static const char *const kind_names[] = { "keyword", "hashtag", "account" };

const char *
rt_watch_kind_name (RtWatchKind kind)
{
  return (guint) kind < G_N_ELEMENTS (kind_names) ? kind_names[kind] : NULL;
}

gboolean
rt_watch_kind_from_name (const char *name, RtWatchKind *out)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (strcmp (name, kind_names[i]) == 0)
      {
        *out = (RtWatchKind) i;
        return TRUE;
      }
  return FALSE;
}

/* ---- servers and handles ------------------------------------------------ */

/* server without white space, scheme and trailing '/', its host part in
 * lower case; NULL if nothing is left. */
static char *
server_id (const char *server)
{
  if (server == NULL)
    return NULL;
  g_autofree char *s = g_strstrip (g_strdup (server));
  const char *p = strstr (s, "://");
  p = p != NULL ? p + 3 : s;
  gsize len = strlen (p);
  while (len > 0 && p[len - 1] == '/')
    len--;
  gsize host_len = strcspn (p, "/?#");
  if (host_len > len)
    host_len = len;
  if (host_len == 0)
    return NULL;
  g_autofree char *host = g_utf8_strdown (p, host_len);
  g_autofree char *path = g_strndup (p + host_len, len - host_len);
  return g_strconcat (host, path, NULL);
}

char *
rt_watch_server_host (const char *server)
{
  g_autofree char *id = server_id (server);
  if (id == NULL)
    return NULL;
  id[strcspn (id, "/?#")] = '\0';
  char *colon = strrchr (id, ':');
  if (colon != NULL && colon[1] != '\0' && strspn (colon + 1, "0123456789") == strlen (colon + 1))
    *colon = '\0';
  return *id != '\0' ? g_steal_pointer (&id) : NULL;
}

char *
rt_watch_qualify_handle (const char *handle, const char *server)
{
  if (handle == NULL)
    return NULL;
  g_autofree char *h = g_strstrip (g_strdup (handle));
  const char *name = h[0] == '@' ? h + 1 : h;
  const char *at = strchr (name, '@');
  if (at == name || *name == '\0')
    return NULL;
  if (at != NULL)
    {
      if (at[1] == '\0')
        return NULL;
      g_autofree char *domain = g_utf8_strdown (at + 1, -1);
      return g_strdup_printf ("%.*s@%s", (int) (at - name), name, domain);
    }
  g_autofree char *host = rt_watch_server_host (server);
  return host != NULL ? g_strconcat (name, "@", host, NULL) : NULL;
}

char *
rt_watch_post_origin (const char *service, const char *server, const char *post_id)
{
  g_autofree char *id = server_id (server);
  if (service == NULL || *service == '\0' || id == NULL || post_id == NULL || *post_id == '\0')
    return NULL;
  /* Percent-encoded, so a '/' inside a part (a feed's path, an entry id
   * that is a URL) cannot make two different posts one key. */
  g_autofree char *e_service = g_uri_escape_string (service, NULL, FALSE);
  g_autofree char *e_server = g_uri_escape_string (id, NULL, FALSE);
  g_autofree char *e_id = g_uri_escape_string (post_id, NULL, FALSE);
  return g_strdup_printf ("%s/%s/%s", e_service, e_server, e_id);
}

char *
rt_watch_hit_key (const char *service, const char *server, const char *post_id, gint64 ws_id)
{
  g_autofree char *origin = rt_watch_post_origin (service, server, post_id);
  if (origin == NULL || ws_id <= 0)
    return NULL;
  return g_strdup_printf ("%" G_GINT64_FORMAT "/%s", ws_id, origin);
}

char *
rt_watch_parse_stream_handle (const char *value, GError **error)
{
  g_autofree char *v = g_strstrip (g_strdup (value != NULL ? value : ""));
  g_autofree char *input = v[0] == '@' ? g_strdup (v) : g_strconcat ("@", v, NULL);
  g_autoptr (RtWatchTerm) t = rt_watch_term_parse (input, error);
  if (t == NULL)
    return NULL;
  if (t->kind != RT_WATCH_ACCOUNT || strchr (t->text, '@') == NULL)
    {
      g_autofree char *shown = shortened (v, SHOWN_CHARS);
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("“%s” is not a stream handle: write @name@server."), shown);
      return NULL;
    }
  return g_steal_pointer (&t->text);
}
