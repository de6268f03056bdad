/* test-i18n.c: the catalogues compiled into the build tree load, and both
 * direct lookups and the core's own _()/NC_() calls come out translated.
 *
 * The build's po directory comes from RT_TEST_LOCALEDIR (set by meson).
 * GNU gettext ignores LANGUAGE when LC_MESSAGES is "C", so each language
 * runs in a fresh subprocess that sets LANGUAGE and then selects C.UTF-8
 * (built into glibc >= 2.35, no generated locales needed). A fresh process
 * also sidesteps gettext's per-process translation cache, which does not
 * notice a later change of LANGUAGE. */
#include "config.h"
#include <locale.h>
#include <string.h>
#include <libintl.h>
#include <glib.h>
#include <glib/gi18n-lib.h>
#include "rt-hours.h"
#include "rt-model.h"
#include "rt-reach.h"

typedef struct {
  const char *language;     /* value of LANGUAGE */
  const char *code;         /* the catalogue's "Language:" header */
  const char *plural_forms; /* the catalogue's "Plural-Forms:" header */
  const char *workspaces;   /* "Workspaces:" */
  const char *no_workspace; /* "There is no workspace yet." */
  const char *guest;        /* rt_guest_label ("Ana") */
  const char *away;         /* rt_reach_to_display (RT_REACH_AWAY) */
  const char *monday;       /* rt_local_time_format ("UTC", Monday 10:05) */
  const char *members[3];   /* "%u member" / "%u members" for 0, 1 and 5 */
} Case;

#define FR_STRINGS                                                            \
  "fr", "nplurals=2; plural=(n > 1);",                                        \
  "Espaces de travail\u00a0:", "Il n’y a encore aucun espace de travail.",    \
  "Ana (invité)", "absent", "lun. 10:05",                                     \
  { "0 membre", "1 membre", "5 membres" }

static const Case cases[] = {
  { "nl", "nl", "nplurals=2; plural=(n != 1);",
    "Werkruimten:", "Er is nog geen werkruimte.",
    "Ana (gast)", "afwezig", "ma 10:05",
    { "0 leden", "1 lid", "5 leden" } },
  { "fr", FR_STRINGS },
  { "de", "de", "nplurals=2; plural=(n != 1);",
    "Arbeitsbereiche:", "Es gibt noch keinen Arbeitsbereich.",
    "Ana (Gast)", "abwesend", "Mo 10:05",
    { "0 Mitglieder", "1 Mitglied", "5 Mitglieder" } },
  /* A regional variant falls back to the language's catalogue. */
  { "fr_BE", FR_STRINGS },
};

/* No catalogue for this language: everything stays in English. */
static const Case fallback = {
  "xx", NULL, NULL,
  "Workspaces:", "There is no workspace yet.",
  "Ana (guest)", "away", "Mon 10:05",
  { "0 members", "1 member", "5 members" }
};

static const char *
locale_dir (void)
{
  const char *dir = g_getenv ("RT_TEST_LOCALEDIR");
  if (dir == NULL || *dir == '\0')
    g_error ("RT_TEST_LOCALEDIR is not set: run this test through meson test");
  return dir;
}

/* In the subprocess, before any lookup: LANGUAGE, a non-C locale, the domain. */
static void
select_language (const char *language)
{
  static const char *const utf8_locales[] = { "C.UTF-8", "C.utf8", "en_US.UTF-8" };
  const char *chosen = NULL;

  g_setenv ("LANGUAGE", language, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (utf8_locales) && chosen == NULL; i++)
    chosen = setlocale (LC_ALL, utf8_locales[i]);
  if (chosen == NULL)
    g_error ("no UTF-8 locale (tried C.UTF-8, C.utf8, en_US.UTF-8); "
             "gettext ignores LANGUAGE in the C locale");
  g_test_message ("LANGUAGE=%s, locale %s, catalogues in %s", language, chosen, locale_dir ());
  g_assert_nonnull (bindtextdomain (GETTEXT_PACKAGE, locale_dir ()));
  g_assert_nonnull (bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8"));
}

static void
check_strings (const Case *c)
{
  /* 2026-03-09 is a Monday. */
  g_autoptr (GDateTime) monday = g_date_time_new_utc (2026, 3, 9, 10, 5, 0);
  const gint64 monday_us = g_date_time_to_unix (monday) * G_USEC_PER_SEC;
  static const guint counts[] = { 0, 1, 5 };

  /* Direct lookups in the domain. */
  g_assert_cmpstr (_("Workspaces:"), ==, c->workspaces);
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "There is no workspace yet."), ==, c->no_workspace);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u member", "%u members",
                                                            counts[i]), counts[i]);
      g_assert_cmpstr (text, ==, c->members[i]);
    }

  /* The same lookups made by the core's own code: _() and NC_() contexts. */
  g_autofree char *guest = rt_guest_label ("Ana");
  g_assert_cmpstr (guest, ==, c->guest);
  g_assert_cmpstr (rt_reach_to_display (RT_REACH_AWAY), ==, c->away);
  g_autofree char *local = rt_local_time_format ("UTC", monday_us);
  g_assert_cmpstr (local, ==, c->monday);
}

static void
test_language (gconstpointer data)
{
  const Case *c = data;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  g_autofree char *mo = g_build_filename (locale_dir (), c->code, "LC_MESSAGES",
                                          GETTEXT_PACKAGE ".mo", NULL);
  if (!g_file_test (mo, G_FILE_TEST_IS_REGULAR))
    g_error ("%s is missing: the catalogues were not built", mo);

  select_language (c->language);

  /* The header proves which catalogue answered. */
  const char *header = dgettext (GETTEXT_PACKAGE, "");
  g_autofree char *language_line = g_strdup_printf ("Language: %s\n", c->code);
  g_autofree char *plural_line = g_strdup_printf ("Plural-Forms: %s\n", c->plural_forms);
  g_assert_nonnull (strstr (header, language_line));
  g_assert_nonnull (strstr (header, plural_line));

  check_strings (c);
}

static void
test_fallback (void)
{
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  select_language (fallback.language);
  check_strings (&fallback);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/i18n/%s", cases[i].language);
      g_test_add_data_func (path, &cases[i], test_language);
    }
  g_test_add_func ("/i18n/untranslated-fallback", test_fallback);
  return g_test_run ();
}
