/* rt-lang.c: per-thread language scopes with newlocale() + uselocale(). */
#include "config.h"
#include <locale.h>
#include <string.h>
#include <libintl.h>
#include "rt-lang.h"

/* The categories a scope switches. LC_CTYPE goes along so that gettext and
 * GLib see a UTF-8 codeset inside the scope whatever the process runs in. */
#define SCOPE_MASK (LC_MESSAGES_MASK | LC_TIME_MASK | LC_CTYPE_MASK)

typedef struct {
  locale_t  locale;
  char     *name;      /* "nl_NL.UTF-8" */
  gboolean  fallback;
} CachedLocale;

struct _RtLangScope {
  const CachedLocale *cached;
  locale_t            previous;
};

G_LOCK_DEFINE_STATIC (cache);
static GHashTable *cache;   /* "lang|COUNTRY" -> CachedLocale*, never freed */

/* The region a language is most often written for, where it is not simply
 * the language code in capitals (fr -> fr_FR is tried anyway). */
static const struct { const char *lang, *region; } usual_regions[] = {
  { "en", "US" }, { "nl", "NL" }, { "fr", "FR" }, { "de", "DE" }, { "pt", "BR" },
  { "es", "ES" }, { "it", "IT" }, { "sv", "SE" }, { "da", "DK" }, { "nb", "NO" },
  { "nn", "NO" }, { "cs", "CZ" }, { "el", "GR" }, { "uk", "UA" }, { "ja", "JP" },
  { "ko", "KR" }, { "zh", "CN" }, { "ca", "ES" }, { "et", "EE" }, { "sl", "SI" },
  { "ga", "IE" }, { "he", "IL" }, { "hi", "IN" }, { "vi", "VN" }, { "sr", "RS" },
  { "ar", "EG" }, { "fa", "IR" }, { "ms", "MY" },
};

static gboolean
all_alpha (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalpha (s[i]))
      return FALSE;
  return TRUE;
}

/* "pt-br" -> lang "pt", region "BR"; NULL or "" -> "en". Only ASCII letters
 * pass, so nothing odd ("../", ".UTF-8", "@euro") reaches newlocale().
 * Unusable input gives lang "" (falls back to English). */
static void
parse_lang (const char *text, char lang[4], char region[3])
{
  lang[0] = region[0] = '\0';
  if (text == NULL || *text == '\0')
    text = "en";
  gsize n = strcspn (text, "_-");
  if (n < 2 || n > 3 || !all_alpha (text, n))
    return;
  for (gsize i = 0; i < n; i++)
    lang[i] = g_ascii_tolower (text[i]);
  lang[n] = '\0';
  const char *rest = text + n;
  if (*rest != '\0' && strlen (rest + 1) == 2 && all_alpha (rest + 1, 2))
    {
      region[0] = g_ascii_toupper (rest[1]);
      region[1] = g_ascii_toupper (rest[2]);
      region[2] = '\0';
    }
}

static void
parse_country (const char *text, char country[3])
{
  country[0] = '\0';
  if (text != NULL && strlen (text) == 2 && all_alpha (text, 2))
    {
      country[0] = g_ascii_toupper (text[0]);
      country[1] = g_ascii_toupper (text[1]);
      country[2] = '\0';
    }
}

static void
add_candidate (GPtrArray *names, const char *lang, const char *region)
{
  if (*lang == '\0' || *region == '\0')
    return;
  g_autofree char *name = g_strdup_printf ("%s_%s.UTF-8", lang, region);
  for (guint i = 0; i < names->len; i++)
    if (strcmp (names->pdata[i], name) == 0)
      return;
  g_ptr_array_add (names, g_steal_pointer (&name));
}

static CachedLocale *
resolve (const char *lang, const char *region, const char *country)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  CachedLocale *c = g_new0 (CachedLocale, 1);

  add_candidate (names, lang, region);
  add_candidate (names, lang, country);
  for (guint i = 0; i < G_N_ELEMENTS (usual_regions); i++)
    if (strcmp (usual_regions[i].lang, lang) == 0)
      add_candidate (names, lang, usual_regions[i].region);
  if (*lang != '\0')
    {
      g_autofree char *upper = g_ascii_strup (lang, -1);
      add_candidate (names, lang, upper);
    }

  for (guint i = 0; i < names->len && c->locale == (locale_t) 0; i++)
    {
      /* Base 0: the categories outside SCOPE_MASK are "C", whatever the
       * process's global locale is. */
      c->locale = newlocale (SCOPE_MASK, names->pdata[i], (locale_t) 0);
      if (c->locale != (locale_t) 0)
        c->name = g_strdup (names->pdata[i]);
    }
  if (c->locale == (locale_t) 0)
    {
      static const char *const fallbacks[] = { "C.UTF-8", "C.utf8", "C" };
      c->fallback = TRUE;
      for (guint i = 0; i < G_N_ELEMENTS (fallbacks) && c->locale == (locale_t) 0; i++)
        {
          c->locale = newlocale (SCOPE_MASK, fallbacks[i], (locale_t) 0);
          if (c->locale != (locale_t) 0)
            c->name = g_strdup (fallbacks[i]);
        }
      g_debug ("rt-lang: no locale installed for language \"%s\" (tried %u names); "
               "using %s (English)", *lang ? lang : "(none)", names->len,
               c->name ? c->name : "the global locale");
    }
  return c;
}

gboolean
rt_lang_environment_overrides (void)
{
  const char *language = g_getenv ("LANGUAGE");
  return language != NULL && *language != '\0';
}

RtLangScope *
rt_lang_scope_enter (const char *lang_text, const char *country_text)
{
  static gsize warned_language = 0;
  char lang[4], region[3], country[3];

  parse_lang (lang_text, lang, region);
  parse_country (country_text, country);

  if (rt_lang_environment_overrides () && g_once_init_enter (&warned_language))
    {
      g_message ("rt-lang: LANGUAGE=%s is set; gettext prefers it to each member's "
                 "language, so digests may come out in the wrong language. "
                 "Run the hub without LANGUAGE.", g_getenv ("LANGUAGE"));
      g_once_init_leave (&warned_language, 1);
    }

  g_autofree char *key = g_strdup_printf ("%s_%s|%s", lang, region, country);
  G_LOCK (cache);
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  CachedLocale *cached = g_hash_table_lookup (cache, key);
  if (cached == NULL)
    {
      cached = resolve (lang, region, country);
      g_hash_table_insert (cache, g_steal_pointer (&key), cached);
    }
  G_UNLOCK (cache);

  RtLangScope *scope = g_new0 (RtLangScope, 1);
  scope->cached = cached;
  /* Without any usable locale (not even "C" could be made) the scope
   * changes nothing, and leaving it restores what uselocale reports now. */
  scope->previous = cached->locale != (locale_t) 0 ? uselocale (cached->locale)
                                                   : uselocale ((locale_t) 0);
  return scope;
}

void
rt_lang_scope_leave (RtLangScope *scope)
{
  if (scope == NULL)
    return;
  uselocale (scope->previous);
  g_free (scope);
}

const char *
rt_lang_scope_locale (const RtLangScope *scope)
{
  g_return_val_if_fail (scope != NULL, NULL);
  return scope->cached->name ? scope->cached->name : "C";
}

gboolean
rt_lang_scope_is_fallback (const RtLangScope *scope)
{
  g_return_val_if_fail (scope != NULL, TRUE);
  return scope->cached->fallback;
}

const char *
rt_lang_pgettext (const char *ctx_msgid, gsize msgid_offset)
{
  const char *t = dgettext (GETTEXT_PACKAGE, ctx_msgid);
  /* libintl hands back the very pointer when there is no translation. */
  return t == ctx_msgid ? ctx_msgid + msgid_offset : t;
}
