/* test-args.c: shell-like splitting of command lines. */
#include "config.h"
#include <string.h>
#include "rt-args.h"
#include "rt-error.h"

static void
expect (const char *line, const char *const *expected)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = rt_args_split (line, &error);
  g_assert_no_error (error);
  g_assert_nonnull (args);
  g_test_message ("line: %s", line);
  g_assert_cmpstrv (args, expected);
}

static void
test_plain (void)
{
  expect ("member add alice", (const char *const[]) { "member", "add", "alice", NULL });
  expect ("  spaced\t\tout  ", (const char *const[]) { "spaced", "out", NULL });
  expect ("a\nb\r\nc", (const char *const[]) { "a", "b", "c", NULL });
  expect ("naïve café 東京", (const char *const[]) { "naïve", "café", "東京", NULL });
}

static void
test_empty (void)
{
  expect ("", (const char *const[]) { NULL });
  expect ("   \t ", (const char *const[]) { NULL });
  expect (NULL, (const char *const[]) { NULL });
  expect ("\"\"", (const char *const[]) { "", NULL });
  expect ("a '' b", (const char *const[]) { "a", "", "b", NULL });
}

static void
test_quotes (void)
{
  expect ("--name \"Alice Dubois\" --site Brussels",
          (const char *const[]) { "--name", "Alice Dubois", "--site", "Brussels", NULL });
  expect ("--name 'Jean-Luc O\"Neil'",
          (const char *const[]) { "--name", "Jean-Luc O\"Neil", NULL });
  expect ("pre\"fix mid\"post", (const char *const[]) { "prefix midpost", NULL });
  expect ("'single \\ keeps backslash'",
          (const char *const[]) { "single \\ keeps backslash", NULL });
  expect ("\"it's\"", (const char *const[]) { "it's", NULL });
  expect ("'say \"hi\"'", (const char *const[]) { "say \"hi\"", NULL });
}

static void
test_escapes (void)
{
  expect ("Alice\\ Dubois", (const char *const[]) { "Alice Dubois", NULL });
  expect ("\\\"quoted\\\"", (const char *const[]) { "\"quoted\"", NULL });
  expect ("it\\'s", (const char *const[]) { "it's", NULL });
  expect ("\"a \\\"b\\\" c\"", (const char *const[]) { "a \"b\" c", NULL });
  expect ("\"back\\\\slash\"", (const char *const[]) { "back\\slash", NULL });
  /* Inside double quotes other backslashes stay, as in a shell. */
  expect ("\"C:\\temp\\new\"", (const char *const[]) { "C:\\temp\\new", NULL });
  expect ("\\é", (const char *const[]) { "é", NULL });   /* a whole UTF-8 character */
  expect ("trailing\\", (const char *const[]) { "trailing\\", NULL });
}

static void
test_typographic (void)
{
  expect ("--name “Alice Dubois”", (const char *const[]) { "--name", "Alice Dubois", NULL });
  expect ("--name ”Alice Dubois”", (const char *const[]) { "--name", "Alice Dubois", NULL });
  expect ("“a \"b\" c”", (const char *const[]) { "a \"b\" c", NULL });
  expect ("\"a “b” c\"", (const char *const[]) { "a “b” c", NULL });
  expect ("“with \\” inside”", (const char *const[]) { "with ” inside", NULL });
  /* Typographic apostrophes are letters, not quotes. */
  expect ("don’t stop", (const char *const[]) { "don’t", "stop", NULL });
}

/* The quotes of French, German, Dutch and Swiss keyboards and
 * autocorrection: « » (with the no-break spaces French puts inside, or
 * plain ones), » « and „ “ / „ ”. */
static void
test_european_quotes (void)
{
  expect ("member add «\u00a0RFP Acme 2027\u00a0» chloe",
          (const char *const[]) { "member", "add", "RFP Acme 2027", "chloe", NULL });
  expect ("--name «\u202fChloé Dupont\u202f» --site Paris",
          (const char *const[]) { "--name", "Chloé Dupont", "--site", "Paris", NULL });
  expect ("« RFP Acme »", (const char *const[]) { "RFP Acme", NULL });
  expect ("«»", (const char *const[]) { "", NULL });
  expect ("»Nord«", (const char *const[]) { "Nord", NULL });
  expect ("„Müller GmbH“ „b”", (const char *const[]) { "Müller GmbH", "b", NULL });
  expect ("„Zitat «innen»“", (const char *const[]) { "Zitat «innen»", NULL });
  expect ("«a “b” c»", (const char *const[]) { "a “b” c", NULL });
  expect ("«with \\» inside»", (const char *const[]) { "with » inside", NULL });
  /* Inside double quotes they are plain characters. */
  expect ("\"« x »\"", (const char *const[]) { "« x »", NULL });
}

static void
test_unterminated (void)
{
  const char *bad[] = { "\"open", "'open", "“open", "«open", "„open", "«open“", "„open»",
                        "a \"b c", "\"escaped end\\\"",
                        "don't", "ok \"\" 'x" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_auto (GStrv) args = rt_args_split (bad[i], &error);
      g_assert_null (args);
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "quote"));
    }
}

static void
test_invalid_utf8 (void)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = rt_args_split ("abc \xff\xfe", &error);
  g_assert_null (args);
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
}

static void
test_parse_bool (void)
{
  const char *yes[] = { "yes", "Y", "true", "ON", "1" };
  const char *no[] = { "no", "N", "False", "off", "0" };
  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      gboolean v = FALSE;
      g_assert_true (rt_args_parse_bool (yes[i], &v));
      g_assert_true (v);
      g_assert_true (rt_args_parse_bool (no[i], &v));
      g_assert_false (v);
    }
  const char *bad[] = { "", "yess", "2", "maybe", " yes", NULL };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gboolean v = 42;
      g_assert_false (rt_args_parse_bool (bad[i], &v));
      g_assert_cmpint (v, ==, 42);   /* untouched */
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/args/plain", test_plain);
  g_test_add_func ("/args/empty", test_empty);
  g_test_add_func ("/args/quotes", test_quotes);
  g_test_add_func ("/args/escapes", test_escapes);
  g_test_add_func ("/args/typographic", test_typographic);
  g_test_add_func ("/args/european-quotes", test_european_quotes);
  g_test_add_func ("/args/unterminated", test_unterminated);
  g_test_add_func ("/args/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/args/parse-bool", test_parse_bool);
  return g_test_run ();
}
