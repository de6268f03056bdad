/* test-mail-charset.c: declared charsets to UTF-8, with fallbacks. */
#include "rt-mail-charset.h"

#include <string.h>

static void
check (const char *data, const char *charset, const char *expected)
{
  g_autofree char *out = rt_mail_charset_to_utf8 (data, strlen (data), charset);

  g_assert_cmpstr (out, ==, expected);
}

static void
test_known (void)
{
  check ("Zo\xEB, S\xE3o Paulo", "iso-8859-1", "Zoë, São Paulo");
  check ("\x93quoted\x94 \x80", "windows-1252", "“quoted” €");
  check ("\x93quoted\x94", "ISO-8859-1", "“quoted”");  /* as browsers read it */
  check ("\xA3\xF3" "d\xBC", "iso-8859-2", "Łódź");
  check ("\x93\x8C\x8B\x9E", "shift_jis", "東京");
  check ("Zoë", "utf-8", "Zoë");
  check ("plain", NULL, "plain");
}

static void
test_unknown_and_invalid (void)
{
  check ("Zoë", "x-unknown", "Zoë");            /* UTF-8 bytes kept */
  check ("Zo\xEB", "x-unknown", "Zoë");         /* not UTF-8: cp1252 */
  check ("Zo\xEB", "\"; rm -rf", "Zoë");
  check ("Zo\xEB", NULL, "Zoë");
  check ("a\x81" "b", "us-ascii", "a\xC2\x81" "b"); /* cp1252 hole: latin1 */
  check ("ok \xff\xfe end", "utf-8", "ok \xEF\xBF\xBD\xEF\xBF\xBD end");
}

static void
test_cut_sequence (void)
{
  /* "東" in Shift_JIS cut after its first byte: what came before stays */
  check ("ab\x93", "shift_jis", "ab");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/charset/known", test_known);
  g_test_add_func ("/charset/unknown-invalid", test_unknown_and_invalid);
  g_test_add_func ("/charset/cut-sequence", test_cut_sequence);
  return g_test_run ();
}
