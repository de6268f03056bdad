/* test-lang.c: per-thread language scopes (rt-lang): one process says the
 * same strings in Dutch, French, German and English, back and forth, in
 * nested scopes and in two threads at once, and restores the locale after.
 *
 * Catalogues come from RT_TEST_LOCALEDIR (the build tree, set by meson).
 * A language whose system locale is not installed (localedef) is skipped;
 * tools/install-deps generates nl_NL, fr_FR, de_DE and en_US. */
#include "config.h"
#include <locale.h>
#include <string.h>
#include <libintl.h>
#include <glib.h>
#include <glib/gi18n-lib.h>
#include "rt-lang.h"

typedef struct {
  const char *lang;
  const char *locale;      /* the locale the scope must pick */
  const char *workspaces;  /* _("Workspaces:") */
  const char *members[2];  /* "%u member(s)" for 1 and 5 */
  const char *monday;      /* g_date_time_format ("%A") of a Monday */
} Case;

static const Case cases[] = {
  { "nl", "nl_NL.UTF-8", "Werkruimten:", { "1 lid", "5 leden" }, "maandag" },
  { "fr", "fr_FR.UTF-8", "Espaces de travail\u00a0:", { "1 membre", "5 membres" }, "lundi" },
  { "de", "de_DE.UTF-8", "Arbeitsbereiche:", { "1 Mitglied", "5 Mitglieder" }, "Montag" },
  { "en", "en_US.UTF-8", "Workspaces:", { "1 member", "5 members" }, "Monday" },
};

static gboolean
locale_installed (const char *name)
{
  locale_t l = newlocale (LC_ALL_MASK, name, (locale_t) 0);
  if (l == (locale_t) 0)
    return FALSE;
  freelocale (l);
  return TRUE;
}

/* Skips the test (and returns FALSE) when the case's locale is missing. */
static gboolean
require_locale (const Case *c)
{
  if (locale_installed (c->locale))
    return TRUE;
  g_autofree char *msg = g_strdup_printf ("locale %s is not installed (localedef -i %.5s -f UTF-8 %s)",
                                          c->locale, c->locale, c->locale);
  g_test_skip (msg);
  return FALSE;
}

static char *
monday_name (void)
{
  g_autoptr (GDateTime) monday = g_date_time_new_utc (2026, 3, 9, 10, 5, 0);
  return g_date_time_format (monday, "%A");
}

static void
check_case (const Case *c)
{
  g_assert_cmpstr (_("Workspaces:"), ==, c->workspaces);
  g_autofree char *one = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u member", "%u members", 1), 1u);
  g_autofree char *five = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u member", "%u members", 5), 5u);
  g_assert_cmpstr (one, ==, c->members[0]);
  g_assert_cmpstr (five, ==, c->members[1]);
  g_autofree char *day = monday_name ();
  g_assert_cmpstr (day, ==, c->monday);
}

static void
check_english (void)
{
  check_case (&cases[3]);
}

static void
test_each_language (gconstpointer data)
{
  const Case *c = data;
  if (!require_locale (c))
    return;
  g_autofree char *global_before = g_strdup (setlocale (LC_MESSAGES, NULL));

  RtLangScope *scope = rt_lang_scope_enter (c->lang, NULL);
  g_assert_cmpstr (rt_lang_scope_locale (scope), ==, c->locale);
  g_assert_false (rt_lang_scope_is_fallback (scope));
  check_case (c);
  rt_lang_scope_leave (scope);

  /* Back to the process's own (C, untranslated); the global locale was
   * never touched. */
  g_assert_cmpstr (_("Workspaces:"), ==, "Workspaces:");
  g_assert_cmpstr (setlocale (LC_MESSAGES, NULL), ==, global_before);
}

/* gettext caches translations: switching back and forth must not stick. */
static void
test_back_and_forth (void)
{
  if (!require_locale (&cases[0]) || !require_locale (&cases[1]))
    return;
  for (guint round = 0; round < 5; round++)
    for (guint i = 0; i < 2; i++)
      {
        g_autoptr (RtLangScope) scope = rt_lang_scope_enter (cases[i].lang, NULL);
        check_case (&cases[i]);
      }
  g_assert_cmpstr (_("Workspaces:"), ==, "Workspaces:");
}

static void
test_nested (void)
{
  if (!require_locale (&cases[0]) || !require_locale (&cases[2]))
    return;
  RtLangScope *outer = rt_lang_scope_enter ("nl", "NL");
  check_case (&cases[0]);
  RtLangScope *inner = rt_lang_scope_enter ("de", "DE");
  check_case (&cases[2]);
  rt_lang_scope_leave (inner);
  check_case (&cases[0]);
  rt_lang_scope_leave (outer);
  g_assert_cmpstr (_("Workspaces:"), ==, "Workspaces:");
}

/* Locale names: country first, then the usual region, then <ll>_<LL>. */
static void
test_candidates (void)
{
  if (!require_locale (&cases[1]) || !require_locale (&cases[3]))
    return;
  static const struct { const char *lang, *country, *want_if, *otherwise; } picks[] = {
    /* A Belgian member gets fr_BE when it exists, else France's. */
    { "fr", "BE", "fr_BE.UTF-8", "fr_FR.UTF-8" },
    { "fr", "be", "fr_BE.UTF-8", "fr_FR.UTF-8" },
    { "FR", NULL, "fr_FR.UTF-8", "fr_FR.UTF-8" },
    { "fr-FR", "XX", "fr_FR.UTF-8", "fr_FR.UTF-8" },
    /* English in Brazil: en_BR does not exist, en_US does. */
    { "en", "BR", "en_BR.UTF-8", "en_US.UTF-8" },
    { NULL, NULL, "en_US.UTF-8", "en_US.UTF-8" },
    { "", "US", "en_US.UTF-8", "en_US.UTF-8" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (picks); i++)
    {
      g_autoptr (RtLangScope) scope = rt_lang_scope_enter (picks[i].lang, picks[i].country);
      const char *want = locale_installed (picks[i].want_if) ? picks[i].want_if : picks[i].otherwise;
      g_assert_false (rt_lang_scope_is_fallback (scope));
      g_test_message ("%s/%s -> %s", picks[i].lang, picks[i].country, rt_lang_scope_locale (scope));
      g_assert_cmpstr (rt_lang_scope_locale (scope), ==, want);
    }
}

/* Unknown or hostile languages fall back to C.UTF-8: English, and no
 * odd name ever reaches newlocale(). */
static void
test_fallback (void)
{
  static const char *const langs[] = { "xx", "tlh", "../../etc/passwd", "fr.UTF-8@euro", "f", "french" };
  for (guint i = 0; i < G_N_ELEMENTS (langs); i++)
    {
      g_autoptr (RtLangScope) scope = rt_lang_scope_enter (langs[i], "ZZ");
      g_assert_true (rt_lang_scope_is_fallback (scope));
      g_assert_true (g_str_has_prefix (rt_lang_scope_locale (scope), "C"));
      check_english ();
    }
}

/* Each thread has its own scope: a French thread and a Dutch one at once. */
static gpointer
french_thread (gpointer data)
{
  gint *failures = data;
  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr (RtLangScope) scope = rt_lang_scope_enter ("fr", NULL);
      if (strcmp (_("Workspaces:"), cases[1].workspaces) != 0)
        g_atomic_int_inc (failures);
    }
  return NULL;
}

static void
test_threads (void)
{
  if (!require_locale (&cases[0]) || !require_locale (&cases[1]))
    return;
  gint failures = 0;
  GThread *thread = g_thread_new ("french", french_thread, &failures);
  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr (RtLangScope) scope = rt_lang_scope_enter ("nl", NULL);
      if (strcmp (_("Workspaces:"), cases[0].workspaces) != 0)
        g_atomic_int_inc (&failures);
    }
  g_thread_join (thread);
  g_assert_cmpint (failures, ==, 0);
}

/* Context lookups from libintl (rt_lang_pgettext), as C_() would give. */
static void
test_pgettext (void)
{
  if (!require_locale (&cases[0]))
    return;
  g_autoptr (RtLangScope) scope = rt_lang_scope_enter ("nl", NULL);
  g_assert_cmpstr (rt_lang_pgettext ("short weekday\004Mon", sizeof "short weekday"), ==, "ma");
  g_assert_cmpstr (rt_lang_pgettext ("no such context\004Mon", sizeof "no such context"), ==, "Mon");
}

/* GLib's g_dgettext() turns translation off for the whole process when the
 * application's domain has no catalogue for the global locale (Finch, a
 * headless hub under C.UTF-8). libintl's lookups, which code writing for
 * members uses, keep following the scope. */
static void
test_application_domain (void)
{
  if (!require_locale (&cases[0]))
    return;
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  g_assert_nonnull (setlocale (LC_ALL, "C.UTF-8"));
  textdomain ("rt-test-application-without-catalogue");
  g_autoptr (RtLangScope) scope = rt_lang_scope_enter ("nl", NULL);
  g_test_message ("GLib's g_dgettext in this process: \"%s\"", _("Workspaces:"));
  g_assert_cmpstr (dgettext (GETTEXT_PACKAGE, "Workspaces:"), ==, cases[0].workspaces);
  g_autofree char *five = g_strdup_printf (dngettext (GETTEXT_PACKAGE, "%u member", "%u members", 5), 5u);
  g_assert_cmpstr (five, ==, cases[0].members[1]);
  g_assert_cmpstr (rt_lang_pgettext ("short weekday\004Mon", sizeof "short weekday"), ==, "ma");
}

/* The documented caveat: LANGUAGE beats the scope for translations (not
 * for dates), and the first scope says so once. */
static void
test_language_variable (void)
{
  if (!require_locale (&cases[0]) || !require_locale (&cases[2]))
    return;
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      g_test_trap_assert_stderr ("*LANGUAGE=de is set*Run the hub without LANGUAGE*");
      g_test_trap_assert_stderr_unmatched ("*LANGUAGE=de is set*LANGUAGE=de is set*");
      return;
    }
  g_assert_false (rt_lang_environment_overrides ());
  g_setenv ("LANGUAGE", "de", TRUE);
  g_assert_true (rt_lang_environment_overrides ());
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (RtLangScope) scope = rt_lang_scope_enter ("nl", NULL);
      g_assert_cmpstr (_("Workspaces:"), ==, cases[2].workspaces);   /* German */
      g_autofree char *day = monday_name ();
      g_assert_cmpstr (day, ==, cases[0].monday);                   /* Dutch */
    }
}

int
main (int argc, char **argv)
{
  /* Before any thread: gettext must see the scopes, not the caller's LANGUAGE. */
  g_unsetenv ("LANGUAGE");
  g_test_init (&argc, &argv, NULL);

  const char *dir = g_getenv ("RT_TEST_LOCALEDIR");
  if (dir == NULL || *dir == '\0')
    g_error ("RT_TEST_LOCALEDIR is not set: run this test through meson test");
  bindtextdomain (GETTEXT_PACKAGE, dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/lang/%s", cases[i].lang);
      g_test_add_data_func (path, &cases[i], test_each_language);
    }
  g_test_add_func ("/lang/back-and-forth", test_back_and_forth);
  g_test_add_func ("/lang/nested", test_nested);
  g_test_add_func ("/lang/candidates", test_candidates);
  g_test_add_func ("/lang/fallback", test_fallback);
  g_test_add_func ("/lang/threads", test_threads);
  g_test_add_func ("/lang/language-variable", test_language_variable);
  g_test_add_func ("/lang/pgettext", test_pgettext);
  g_test_add_func ("/lang/application-domain", test_application_domain);
  return g_test_run ();
}
