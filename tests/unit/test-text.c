/* test-text.c: rendering bridged lines and splitting long text. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "rt-text.h"

/* Strip "[k/n] " from each piece, check the numbering, concatenate. */
static char *
join (GPtrArray *pieces)
{
  GString *out = g_string_new (NULL);
  for (guint k = 0; k < pieces->len; k++)
    {
      const char *piece = g_ptr_array_index (pieces, k);
      g_autofree char *marker = g_strdup_printf ("[%u/%u] ", k + 1, pieces->len);
      g_assert_true (g_str_has_prefix (piece, marker));
      g_string_append (out, piece + strlen (marker));
    }
  return g_string_free (out, FALSE);
}

static void
check_split (const char *text, gsize max)
{
  g_autoptr (GPtrArray) pieces = rt_text_split (text, max);
  g_assert_cmpuint (pieces->len, >, 1);
  for (guint k = 0; k < pieces->len; k++)
    {
      const char *piece = g_ptr_array_index (pieces, k);
      g_assert_cmpuint (strlen (piece), <=, max);
      g_assert_true (g_utf8_validate (piece, -1, NULL));
    }
  g_autofree char *back = join (pieces);
  g_assert_cmpuint (strlen (back), ==, strlen (text));
  g_assert_true (strcmp (back, text) == 0);
}

static void
test_short (void)
{
  const char *texts[] = { "", "hello", "exactly sixteen!" };
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr (GPtrArray) pieces = rt_text_split (texts[i], 16);
      g_assert_cmpuint (pieces->len, ==, 1);
      g_assert_cmpstr (g_ptr_array_index (pieces, 0), ==, texts[i]);
    }
}

static void
test_break_at_space (void)
{
  /* 39 bytes, pieces of at most 32 including "[k/n] " (6 bytes): 26 of text,
   * the last space within them ends the first piece. */
  const char *text = "aaaa bbbb cccc dddd eeee ffff gggg hhhh";
  g_autoptr (GPtrArray) pieces = rt_text_split (text, 32);
  g_assert_cmpuint (pieces->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (pieces, 0), ==, "[1/2] aaaa bbbb cccc dddd eeee ");
  g_assert_cmpstr (g_ptr_array_index (pieces, 1), ==, "[2/2] ffff gggg hhhh");
}

static void
test_break_prefers_newline (void)
{
  /* The newline wins over a later space in the last quarter. */
  const char *text = "first line is here\nse cond one continues on and on";
  g_autoptr (GPtrArray) pieces = rt_text_split (text, 30);
  g_assert_cmpstr (g_ptr_array_index (pieces, 0), ==, "[1/3] first line is here\n");
  g_autofree char *back = join (pieces);
  g_assert_cmpstr (back, ==, text);

  /* A newline and no space at all. */
  const char *lines = "xxxxxxxxxxxxxxxxxxx\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy";
  g_autoptr (GPtrArray) pieces2 = rt_text_split (lines, 30);
  g_assert_cmpstr (g_ptr_array_index (pieces2, 0), ==, "[1/3] xxxxxxxxxxxxxxxxxxx\n");
}

static void
test_no_break_point (void)
{
  /* No whitespace: hard cut at the byte budget, on a character boundary. */
  g_autofree char *text = g_strnfill (100, 'x');
  g_autoptr (GPtrArray) pieces = rt_text_split (text, 26);   /* 20 bytes of text each */
  g_assert_cmpuint (pieces->len, ==, 5);
  g_assert_cmpuint (strlen (g_ptr_array_index (pieces, 0)), ==, 26);
  check_split (text, 26);

  /* Two-byte é: never cut in the middle. */
  GString *s = g_string_new (NULL);
  for (int i = 0; i < 50; i++)
    g_string_append (s, "é");
  g_autofree char *accents = g_string_free (s, FALSE);
  for (gsize max = 16; max < 40; max++)
    check_split (accents, max);
}

static void
test_marker_width_grows (void)
{
  /* 10 or more pieces: "[10/12] " is wider than "[1/9] "; still within max. */
  g_autofree char *text = g_strnfill (200, 'y');
  g_autoptr (GPtrArray) pieces = rt_text_split (text, 26);
  g_assert_cmpuint (pieces->len, >=, 10);
  g_assert_cmpuint (pieces->len, ==, 12);   /* 18 bytes of text each */
  g_assert_cmpstr (g_ptr_array_index (pieces, 0), ==, "[1/12] yyyyyyyyyyyyyyyyyy");
  g_assert_cmpstr (g_ptr_array_index (pieces, 11), ==, "[12/12] yy");
  check_split (text, 26);
}

/* 64 KiB of mixed ASCII and multibyte text, several sizes: nothing lost,
 * nothing cut inside a character. */
static void
test_large_mixed (void)
{
  static const char *const words[] = {
    "hello", "naïve", "東京", "🙂", "Zürich", "\n", "ok", "São Paulo", "ℕ", "x", "  ", "Ελλάδα",
  };
  GString *s = g_string_new (NULL);
  GRand *rand = g_rand_new_with_seed (42);
  while (s->len < 64 * 1024)
    {
      g_string_append (s, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
      if (g_rand_int_range (rand, 0, 3))
        g_string_append_c (s, ' ');
    }
  g_rand_free (rand);
  g_autofree char *text = g_string_free (s, FALSE);
  g_assert_true (g_utf8_validate (text, -1, NULL));

  gsize sizes[] = { RT_TEXT_CHUNK_BYTES, 1000, 257, 64, 32 };
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    check_split (text, sizes[i]);

  /* A long run without whitespace, of 4-byte characters. */
  GString *emoji = g_string_new (NULL);
  for (int i = 0; i < 5000; i++)
    g_string_append (emoji, "🙂");
  g_autofree char *smileys = g_string_free (emoji, FALSE);
  check_split (smileys, 8192);
  check_split (smileys, 19);
}

static void
test_render (void)
{
  const struct { const char *label, *text, *expected; } cases[] = {
    { "Alice Dubois (Brussels)", "hello", "Alice Dubois (Brussels): hello" },
    { "carol (guest)", "<b>bold</b> & \"q\"", "carol (guest): &lt;b&gt;bold&lt;/b&gt; &amp; &quot;q&quot;" },
    { "<i>Mallory</i>", "x", "&lt;i&gt;Mallory&lt;/i&gt;: x" },
    { "bob", "line 1\nline 2\r\nline 3", "bob: line 1<br>line 2<br>line 3" },
    { "bob", "<a href='javascript:x'>y</a>", "bob: &lt;a href=&apos;javascript:x&apos;&gt;y&lt;/a&gt;" },
    { "bob", "&lt; already", "bob: &amp;lt; already" },
    { "bob", "", "bob: " },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = rt_text_render (cases[i].label, cases[i].text);
      g_assert_cmpstr (out, ==, cases[i].expected);
    }
  /* Broken UTF-8 from outside still gives valid markup. */
  g_autofree char *broken = rt_text_render ("bob", "a\xff<b>");
  g_assert_true (g_utf8_validate (broken, -1, NULL));
  g_assert_null (strstr (broken, "<b>"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/text/short", test_short);
  g_test_add_func ("/text/break-at-space", test_break_at_space);
  g_test_add_func ("/text/break-prefers-newline", test_break_prefers_newline);
  g_test_add_func ("/text/no-break-point", test_no_break_point);
  g_test_add_func ("/text/marker-width-grows", test_marker_width_grows);
  g_test_add_func ("/text/large-mixed", test_large_mixed);
  g_test_add_func ("/text/render", test_render);
  return g_test_run ();
}
