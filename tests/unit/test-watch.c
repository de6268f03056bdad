/* test-watch.c: watchlist terms, matching, the once-per-post key and the
 * alert text (rt-watch). */
#include "config.h"
#include <string.h>
#include <glib.h>
#include "rt-args.h"
#include "rt-error.h"
#include "rt-watch.h"

/* ---- parsing ---------------------------------------------------------- */

static void
test_parse_ok (void)
{
  static const struct {
    const char *input;
    RtWatchKind kind;
    const char *text;
    const char *key;
  } cases[] = {
    { "acme", RT_WATCH_KEYWORD, "acme", "acme" },
    { "Acme Outage", RT_WATCH_KEYWORD, "Acme Outage", "acme outage" },
    { "  acme \t  outage\n", RT_WATCH_KEYWORD, "acme outage", "acme outage" },
    { "RFP Acme 2027", RT_WATCH_KEYWORD, "RFP Acme 2027", "rfp acme 2027" },
    { "Café", RT_WATCH_KEYWORD, "Café", "cafe" },
    { "Cafe\u0301", RT_WATCH_KEYWORD, "Café", "cafe" },          /* NFD in, NFC kept */
    { "c++", RT_WATCH_KEYWORD, "c++", "c++" },
    { "x", RT_WATCH_KEYWORD, "x", "x" },
    { "東京", RT_WATCH_KEYWORD, "東京", "東京" },
    { "acme#1", RT_WATCH_KEYWORD, "acme#1", "acme#1" },          /* # only leads a hashtag */
    { "ceo@social.example", RT_WATCH_KEYWORD, "ceo@social.example", "ceo@social.example" },
    { "\"#1\"", RT_WATCH_KEYWORD, "#1", "#1" },                  /* quotes kept: a keyword */
    { "\u201c@home\u201d", RT_WATCH_KEYWORD, "@home", "@home" },
    { "\"acme outage\"", RT_WATCH_KEYWORD, "acme outage", "acme outage" },
    { "#acmefail", RT_WATCH_HASHTAG, "acmefail", "acmefail" },
    { "#AcmeFail", RT_WATCH_HASHTAG, "AcmeFail", "acmefail" },
    { " #café ", RT_WATCH_HASHTAG, "café", "cafe" },
    { "#東京", RT_WATCH_HASHTAG, "東京", "東京" },
    { "#acme_fail_2027", RT_WATCH_HASHTAG, "acme_fail_2027", "acme_fail_2027" },
    { "@ceo@social.example", RT_WATCH_ACCOUNT, "ceo@social.example", "ceo@social.example" },
    { "@CEO@Social.Example", RT_WATCH_ACCOUNT, "CEO@social.example", "ceo@social.example" },
    { "@ceo", RT_WATCH_ACCOUNT, "ceo", "ceo" },
    { "@jean.dupont@mastodon.fr", RT_WATCH_ACCOUNT, "jean.dupont@mastodon.fr",
      "jean.dupont@mastodon.fr" },
    { "@a-b_c@xn--caf-dma.example", RT_WATCH_ACCOUNT, "a-b_c@xn--caf-dma.example",
      "a-b_c@xn--caf-dma.example" },
    { "@josé@café.example", RT_WATCH_ACCOUNT, "josé@café.example", "jose@cafe.example" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_test_message ("parse: %s", cases[i].input);
      g_autoptr (RtWatchTerm) t = rt_watch_term_parse (cases[i].input, &error);
      g_assert_no_error (error);
      g_assert_nonnull (t);
      g_assert_cmpint (t->kind, ==, cases[i].kind);
      g_assert_cmpstr (t->text, ==, cases[i].text);
      g_assert_cmpstr (t->key, ==, cases[i].key);
    }
}

static void
test_parse_errors (void)
{
  g_autofree char *long_kw = g_strnfill (RT_WATCH_TERM_MAX + 1, 'a');
  g_autofree char *long_tag = g_strconcat ("#", long_kw, NULL);
  g_autofree char *long_acct = g_strconcat ("@", long_kw, NULL);
  g_autofree char *max_kw = g_strnfill (RT_WATCH_TERM_MAX, 'a');
  g_autofree char *max_tag = g_strconcat ("#", max_kw, NULL);
  /* 101 characters of two bytes each: characters count, not bytes. */
  GString *e = g_string_new (NULL);
  for (guint i = 0; i < RT_WATCH_TERM_MAX; i++)
    g_string_append (e, "é");
  g_autofree char *max_accented = g_string_free (e, FALSE);

  const struct { const char *input; const char *says; } cases[] = {
    { "", "A watch term is empty." },
    { "   \t", "A watch term is empty." },
    { "\"\"", "A watch term is empty." },
    { "“ ”", "A watch term is empty." },
    { "#", "“#” alone is not a hashtag" },
    { " # ", "“#” alone is not a hashtag" },
    { "@", "“@” alone is not an account" },
    { "\"#\"", "has no letters or digits" },     /* quoted: a keyword without letters */
    { "##acme", "“##acme” is not a hashtag" },
    { "#acme fail", "“#acme fail” is not a hashtag" },
    { "#acme!", "is not a hashtag" },
    { "#acme-fail", "is not a hashtag" },
    { "#@acme", "is not a hashtag" },
    { "@ceo@", "“@ceo@” is not an account" },
    { "@@ceo", "is not an account" },
    { "@ceo@social example", "is not an account" },
    { "@ceo@social..example", "is not an account" },
    { "@ceo@.example", "is not an account" },
    { "@ceo@example.", "is not an account" },
    { "@ceo@-example.org", "is not an account" },
    { "@ceo@social.example@x", "is not an account" },
    { "@ce o", "is not an account" },
    { "@ceo.", "is not an account" },
    { "@.ceo", "is not an account" },
    { "@ceo!", "is not an account" },
    { "!!!", "“!!!” has no letters or digits" },
    { "...", "has no letters or digits" },
    { "— –", "has no letters or digits" },
    { long_kw, "is too long: at most 100 characters" },
    { long_tag, "is too long" },
    { long_acct, "is too long" },
    { "\xff\xfe", "not valid UTF-8" },
    { "acme\xc3", "not valid UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *shown = g_strescape (cases[i].input, NULL);
      g_test_message ("bad: %s", shown);
      RtWatchTerm *t = rt_watch_term_parse (cases[i].input, &error);
      g_assert_null (t);
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("\"%s\": \"%s\" does not say \"%s\"", cases[i].input, error->message,
                 cases[i].says);
      /* A long term is shown shortened, never whole. */
      g_assert_cmpuint (strlen (error->message), <, 200);
    }

  /* Right at the limit is fine. */
  const char *const at_limit[] = { max_kw, max_tag, max_accented, NULL };
  for (guint i = 0; at_limit[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RtWatchTerm) t = rt_watch_term_parse (at_limit[i], &error);
      g_assert_no_error (error);
      g_assert_nonnull (t);
    }
  g_autoptr (GError) error = NULL;
  g_assert_null (rt_watch_term_parse (NULL, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
}

static void
test_parse_terms (void)
{
  g_autoptr (GError) error = NULL;
  const char *const argv[] = { "RFP Acme 2027", "acme", "#acmefail", "@ceo@social.example",
                               "ACME", "#AcmeFail", "#acme", "@CEO@social.example", NULL };
  g_autoptr (GPtrArray) terms = rt_watch_parse_terms (argv, &error);
  g_assert_no_error (error);
  g_assert_nonnull (terms);
  /* Duplicates (same kind, same key) dropped; "#acme" is not "acme". */
  g_assert_cmpuint (terms->len, ==, 5);
  const RtWatchTerm *t0 = terms->pdata[0], *t1 = terms->pdata[1], *t2 = terms->pdata[2],
                    *t3 = terms->pdata[3], *t4 = terms->pdata[4];
  g_assert_cmpint (t0->kind, ==, RT_WATCH_KEYWORD);
  g_assert_cmpstr (t0->text, ==, "RFP Acme 2027");
  g_assert_cmpstr (t1->text, ==, "acme");
  g_assert_cmpint (t2->kind, ==, RT_WATCH_HASHTAG);
  g_assert_cmpstr (t2->text, ==, "acmefail");   /* the first spelling is kept */
  g_assert_cmpint (t3->kind, ==, RT_WATCH_ACCOUNT);
  g_assert_cmpint (t4->kind, ==, RT_WATCH_HASHTAG);
  g_assert_cmpstr (t4->text, ==, "acme");
  g_assert_true (rt_watch_term_equal (t1, t1));
  g_assert_false (rt_watch_term_equal (t1, t4));

  /* All or nothing: one bad term refuses the lot and says which. */
  g_clear_error (&error);
  const char *const bad[] = { "acme", "#", "outage", NULL };
  GPtrArray *none = rt_watch_parse_terms (bad, &error);
  g_assert_null (none);
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“#” alone"));

  /* Nothing to watch. */
  g_clear_error (&error);
  const char *const empty[] = { NULL };
  g_assert_null (rt_watch_parse_terms (empty, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Name at least one term"));
  g_clear_error (&error);
  g_assert_null (rt_watch_parse_terms (NULL, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
}

/* format gives what a user types back: split like a command line and parsed
 * again it is the same term. */
static void
test_format_round_trip (void)
{
  static const struct { const char *input; const char *formatted; const char *label; } cases[] = {
    { "acme", "acme", "“acme”" },
    { "acme outage", "\"acme outage\"", "“acme outage”" },
    { "#AcmeFail", "#AcmeFail", "#AcmeFail" },
    { "@ceo@social.example", "@ceo@social.example", "@ceo@social.example" },
    { "@ceo", "@ceo", "@ceo" },
    { "\"#1\"", "\"\\\"#1\\\"\"", "“#1”" },
    { "\"@home\"", "\"\\\"@home\\\"\"", "“@home”" },
    { "say \"no\" to acme", "\"say \\\"no\\\" to acme\"", "“say \"no\" to acme”" },
    { "it's acme", "\"it's acme\"", "“it's acme”" },
    { "back\\slash acme", "\"back\\\\slash acme\"", "“back\\slash acme”" },
    { "Café", "Café", "“Café”" },
    { "c++", "c++", "“c++”" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RtWatchTerm) t = rt_watch_term_parse (cases[i].input, &error);
      g_assert_no_error (error);
      g_autofree char *f = rt_watch_term_format (t);
      g_autofree char *l = rt_watch_term_label (t);
      g_assert_cmpstr (f, ==, cases[i].formatted);
      g_assert_cmpstr (l, ==, cases[i].label);
      g_auto (GStrv) argv = rt_args_split (f, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_strv_length (argv), ==, 1);
      g_autoptr (RtWatchTerm) back = rt_watch_term_parse (argv[0], &error);
      g_assert_no_error (error);
      g_assert_true (rt_watch_term_equal (t, back));
      g_assert_cmpstr (back->text, ==, t->text);
    }
}

static void
test_store_form (void)
{
  static const RtWatchKind kinds[] = { RT_WATCH_KEYWORD, RT_WATCH_HASHTAG, RT_WATCH_ACCOUNT };
  static const char *const names[] = { "keyword", "hashtag", "account" };
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_assert_cmpstr (rt_watch_kind_name (kinds[i]), ==, names[i]);
      RtWatchKind k = 99;
      g_assert_true (rt_watch_kind_from_name (names[i], &k));
      g_assert_cmpint (k, ==, kinds[i]);
    }
  RtWatchKind k = RT_WATCH_ACCOUNT;
  g_assert_false (rt_watch_kind_from_name ("tag", &k));
  g_assert_false (rt_watch_kind_from_name (NULL, &k));
  g_assert_cmpint (k, ==, RT_WATCH_ACCOUNT);
  g_assert_null (rt_watch_kind_name (42));

  /* Kind and text as the store keeps them give the same term back. */
  const char *const inputs[] = { "acme outage", "#AcmeFail", "@ceo@social.example", "\"#1\"",
                                 "say \"no\"", NULL };
  for (guint i = 0; inputs[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RtWatchTerm) t = rt_watch_term_parse (inputs[i], &error);
      g_assert_no_error (error);
      g_autoptr (RtWatchTerm) back = rt_watch_term_new (t->kind, t->text, &error);
      g_assert_no_error (error);
      g_assert_true (rt_watch_term_equal (t, back));
      g_assert_cmpstr (back->text, ==, t->text);
    }
  /* A stored text that is no longer valid fails loudly. */
  g_autoptr (GError) error = NULL;
  g_assert_null (rt_watch_term_new (RT_WATCH_HASHTAG, "acme fail", &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (rt_watch_term_new (RT_WATCH_ACCOUNT, "", &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (rt_watch_term_new (RT_WATCH_KEYWORD, NULL, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
}

/* ---- folding, servers, handles ---------------------------------------- */

/* The fold of the whole text at once, as rt_watch_fold was first written
 * (normalize and case-fold everything, then one pass): the reference the
 * run-by-run fold must agree with. */
static char *
fold_whole (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autofree char *nfkd = g_utf8_normalize (valid, -1, G_NORMALIZE_ALL);
  g_autofree char *folded = g_utf8_casefold (nfkd, -1);
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;
  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);
      if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_FORMAT)
        continue;
      if (g_unichar_isspace (c) || type == G_UNICODE_CONTROL)
        {
          space = TRUE;
          continue;
        }
      if (space && out->len > 0)
        g_string_append_c (out, ' ');
      space = FALSE;
      if (c == 0x0142)
        g_string_append (out, "l");
      else if (c == 0x00e6)
        g_string_append (out, "ae");
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* Plain ASCII is folded byte by byte, only the runs of other characters
 * go through the normalizer: on random mixes of ASCII (controls and
 * spaces included) and tricky characters (combining marks after ASCII
 * letters, ligatures, fullwidth, NBSP, soft hyphen, ß, dotted I, Greek
 * final sigma, CJK, ł, æ, invalid bytes) both give the same. */
static void
test_fold_runs (void)
{
  static const char *const pool[] = {
    "\u0301", "\u0308\u0323", "\ufb01", "\uff21", "\u00a0", "\u00ad", "\u00df", "\u0130", "\u03c2",
    "\u6771", "\u0142", "\u00e6", "\u00c9", "\u200b", "\u2028", "\xff", "\xc3", "\xe2\x82",
  };
  g_autoptr (GRand) r = g_rand_new_with_seed (20261128);
  for (guint n = 0; n < 3000; n++)
    {
      GString *text = g_string_new (NULL);
      for (guint i = g_rand_int_range (r, 0, 24); i > 0; i--)
        if (g_rand_int_range (r, 0, 4) == 0)
          g_string_append (text, pool[g_rand_int_range (r, 0, G_N_ELEMENTS (pool))]);
        else
          g_string_append_c (text, (char) (i % 5 == 0 ? g_rand_int_range (r, 1, 128)
                                                       : g_rand_int_range (r, 0x20, 0x7f)));
      g_autofree char *in = g_string_free (text, FALSE);
      g_autofree char *got = rt_watch_fold (in);
      g_autofree char *want = fold_whole (in);
      g_assert_cmpstr (got, ==, want);
    }
}

static void
test_fold (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "Café", "cafe" },
    { "CAFÉ", "cafe" },
    { "Cafe\u0301", "cafe" },
    { "Straße", "strasse" },
    { "\ufb01nance", "finance" },          /* ﬁ ligature */
    { "ＡＣＭＥ", "acme" },                /* fullwidth */
    { "Łódź", "lodz" },
    { "Øresund", "oresund" },
    { "İstanbul", "istanbul" },
    { "ıstanbul", "istanbul" },
    { "Đorđe", "dorde" },
    { "Æble Œuvre", "aeble oeuvre" },
    { "Ελλάδα", "ελλαδα" },
    { "МОСКВА", "москва" },
    { "東京", "東京" },
    { "  a \t\n\u00a0 b  ", "a b" },
    { "ac\u00adme", "acme" },             /* soft hyphen */
    { "ac\u200bme", "acme" },             /* zero-width space */
    { "\u202eacme", "acme" },             /* bidi override */
    { "", "" },
    { NULL, "" },
    { "acme\xff", "acme\357\277\275" },   /* invalid bytes: U+FFFD, no crash */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *f = rt_watch_fold (cases[i].in);
      g_assert_cmpstr (f, ==, cases[i].out);
    }
}

static void
test_server_and_handle (void)
{
  static const struct { const char *server; const char *host; } hosts[] = {
    { "https://Social.Example:8443/", "social.example" },
    { "social.example", "social.example" },
    { "Social.Example/", "social.example" },
    { "http://blog.example/news.xml", "blog.example" },
    { "https://www.yammer.com", "www.yammer.com" },
    { " social.example ", "social.example" },
    { "", NULL },
    { "https://", NULL },
    { "https:///path", NULL },
    { NULL, NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autofree char *h = rt_watch_server_host (hosts[i].server);
      g_assert_cmpstr (h, ==, hosts[i].host);
    }

  static const struct { const char *handle; const char *server; const char *want; } handles[] = {
    { "ceo", "https://social.example", "ceo@social.example" },
    { "@ceo", "social.example", "ceo@social.example" },
    { "ceo@social.example", NULL, "ceo@social.example" },
    { "@CEO@Other.Example", "social.example", "CEO@other.example" },
    { "jdoe", "https://www.yammer.com/", "jdoe@www.yammer.com" },
    { "ceo", NULL, NULL },
    { "ceo", "", NULL },
    { "", "social.example", NULL },
    { "@", "social.example", NULL },
    { NULL, "social.example", NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (handles); i++)
    {
      g_autofree char *q = rt_watch_qualify_handle (handles[i].handle, handles[i].server);
      g_assert_cmpstr (q, ==, handles[i].want);
    }
}

static void
test_stream_handle (void)
{
  static const struct { const char *in; const char *want; } ok[] = {
    { "@ceo@social.example", "ceo@social.example" },
    { "ceo@Social.Example", "ceo@social.example" },
    { " @CEO@SOCIAL.EXAMPLE ", "CEO@social.example" },
    { "@jdoe@www.yammer.com", "jdoe@www.yammer.com" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *h = rt_watch_parse_stream_handle (ok[i].in, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (h, ==, ok[i].want);
    }
  static const char *const bad[] = { "@ceo", "ceo", "", "@", "@ceo@", "@ceo@social example",
                                     "#acme", "acme outage", "\"@ceo@social.example\"", NULL };
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *h = rt_watch_parse_stream_handle (bad[i], &error);
      g_assert_null (h);
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *h = rt_watch_parse_stream_handle ("@ceo", &error);
  g_assert_nonnull (strstr (error->message, "@name@server"));
  g_clear_error (&error);
  g_assert_null (rt_watch_parse_stream_handle (NULL, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
}

/* ---- matching ---------------------------------------------------------- */

static GPtrArray *
terms_of (const char *const *inputs)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *terms = rt_watch_parse_terms (inputs, &error);
  g_assert_no_error (error);
  return terms;
}

/* The formatted terms that matched, joined by spaces ("" for none). */
static char *
matched (const GPtrArray *terms, const RtWatchPost *post)
{
  g_autoptr (GPtrArray) hits = rt_watch_match (terms, post);
  g_autoptr (GString) out = g_string_new (NULL);
  for (guint i = 0; i < hits->len; i++)
    {
      g_autofree char *f = rt_watch_term_format (hits->pdata[i]);
      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, f);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

typedef struct {
  const char *term;
  const char *text;
  gboolean    want;
} TextCase;

static void
check_text_cases (const TextCase *cases, guint n, const char *server)
{
  for (guint i = 0; i < n; i++)
    {
      const char *const in[] = { cases[i].term, NULL };
      g_autoptr (GPtrArray) terms = terms_of (in);
      RtWatchPost post = { .server = server, .text = cases[i].text };
      g_autoptr (GPtrArray) hits = rt_watch_match (terms, &post);
      gboolean got = hits->len == 1;
      if (got != cases[i].want)
        g_error ("term %s in \"%s\": %s, want %s", cases[i].term, cases[i].text,
                 got ? "match" : "no match", cases[i].want ? "match" : "no match");
      if (got)
        g_assert_true (hits->pdata[0] == terms->pdata[0]);   /* borrowed from terms */
    }
}

static void
test_match_keywords (void)
{
  static const TextCase cases[] = {
    /* Word boundaries. */
    { "acme", "Acme's new plan", TRUE },
    { "acme", "Acme’s new plan", TRUE },
    { "acme", "#acme is trending", TRUE },
    { "acme", "ask @acme", TRUE },
    { "acme", "ACME-corp wins", TRUE },
    { "acme", "Acme.", TRUE },
    { "acme", "(acme)", TRUE },
    { "acme", "«Acme»", TRUE },
    { "acme", "acme", TRUE },
    { "acme", "see acme.example for more", TRUE },
    { "acme", "acmeville is a town", FALSE },
    { "acme", "theacme", FALSE },
    { "acme", "acme_corp", FALSE },
    { "acme", "acme2", FALSE },
    { "acme", "ac me", FALSE },
    { "acme", "", FALSE },
    /* Case and accents, both ways. */
    { "acme", "ＡＣＭＥ in fullwidth", TRUE },
    { "acme", "hidden ac\u00adme inside", TRUE },
    { "οδυσσευς", "ΟΔΥΣΣΕΥΣ", TRUE },              /* final sigma folds to sigma */
    { "café", "Le CAFÉ de Paris", TRUE },
    { "café", "un cafe noir", TRUE },
    { "cafe", "Le Café de Paris", TRUE },
    { "cafe", "Cafe\u0301 (decomposed)", TRUE },
    { "café", "cafeteria", FALSE },
    { "straße", "STRASSE gesperrt", TRUE },
    { "łódź", "office in Lodz", TRUE },
    { "zürich", "Zurich HQ", TRUE },
    { "\ufb01nance", "finance team", TRUE },
    { "ελλάδα", "ΕΛΛΑΔΑ!", TRUE },
    { "москва", "Офис в Москва-Сити", TRUE },
    { "москва", "Москвариум", FALSE },
    /* Scripts without spaces: no boundary needed. */
    { "東京", "東京タワーが見える", TRUE },
    { "東京", "in 東京 today", TRUE },
    { "会社", "アクメ会社が倒産", TRUE },
    { "ไทย", "ประเทศไทยสวย", TRUE },
    /* Phrases: spaces match any white space, nothing else. */
    { "acme outage", "Big ACME   outage today", TRUE },
    { "acme outage", "acme\noutage", TRUE },
    { "acme outage", "acme\u00a0outage", TRUE },
    { "acme outage", "acme outages", FALSE },
    { "acme outage", "acme, outage", FALSE },
    { "acme outage", "acmeoutage", FALSE },
    { "acme outage", "outage at acme", FALSE },
    /* FUD phrases. */
    { "acme is going bankrupt", "Rumour: ACME is going bankrupt!!", TRUE },
    { "acme is going bankrupt", "Is acme going bankrupt?", FALSE },
    { "switch from acme", "Time to SWITCH FROM ACME, folks", TRUE },
    { "switch from acme", "switch from acmecloud", FALSE },
    { "acme security breach", "Acme security breach confirmed", TRUE },
    { "acme security breach", "acme security\tbreach", TRUE },
    { "data leak", "another data leak at #acme", TRUE },
    { "data leak", "data leakage report", FALSE },
    { "RFP Acme 2027", "the rfp acme 2027 shortlist", TRUE },
    { "RFP Acme 2027", "the rfp acme 20270", FALSE },
    /* Keywords that start or end with a non-word character. */
    { "c++", "we use C++ daily", TRUE },
    { "c++", "c++17", TRUE },
    { "c++", "abc++", FALSE },
    { "\"#1\"", "we are #1 again", TRUE },
    { "\"#1\"", "#12", FALSE },
    /* Markup-like text is just text. */
    { "acme", "<b>acme</b>", TRUE },
  };
  check_text_cases (cases, G_N_ELEMENTS (cases), NULL);
}

static void
test_match_hashtags (void)
{
  static const TextCase cases[] = {
    { "#acmefail", "lol #AcmeFail", TRUE },
    { "#acmefail", "#acmefail.", TRUE },
    { "#acmefail", "(#acmefail)", TRUE },
    { "#acmefail", "\uff03acmefail", TRUE },      /* fullwidth number sign */
    { "#acmefail", "#acmefailure", FALSE },
    { "#acmefail", "acmefail", FALSE },
    { "#acmefail", "foo#acmefail", FALSE },
    { "#acmefail", "# acmefail", FALSE },
    { "#acmefail", "#acme_fail", FALSE },
    { "#café", "#Cafe", TRUE },
    { "#cafe", "#café", TRUE },
    { "#東京", "#東京タワー", FALSE },             /* a tag ends at the tag */
    { "#東京", "見て#東京", TRUE },
  };
  check_text_cases (cases, G_N_ELEMENTS (cases), NULL);

  const char *const in[] = { "#acmefail", "acme", "#café", NULL };
  g_autoptr (GPtrArray) terms = terms_of (in);
  struct { const char *const *tags; const char *want; } tag_cases[] = {
    { (const char *const[]) { "AcmeFail", NULL }, "#acmefail" },
    { (const char *const[]) { "#acmefail", NULL }, "#acmefail" },
    { (const char *const[]) { "other", "ACMEFAIL", NULL }, "#acmefail" },
    { (const char *const[]) { "acmefailure", NULL }, "" },
    { (const char *const[]) { "Acme", NULL }, "acme" },           /* a keyword matches a tag */
    { (const char *const[]) { "CAFE", NULL }, "#café" },
    { (const char *const[]) { "", "#", NULL }, "" },
    { (const char *const[]) { NULL }, "" },
    { NULL, "" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (tag_cases); i++)
    {
      RtWatchPost post = { .text = "nothing here", .tags = tag_cases[i].tags };
      g_autofree char *got = matched (terms, &post);
      g_assert_cmpstr (got, ==, tag_cases[i].want);
    }
}

static void
test_match_accounts (void)
{
  const char *const in[] = { "@ceo@social.example", "@cfo", NULL };
  g_autoptr (GPtrArray) terms = terms_of (in);
  const char *full = "@ceo@social.example", *local = "@cfo";
  struct {
    const char *server, *author;
    const char *const *mentions;
    const char *text;
    const char *want;
  } cases[] = {
    /* The author. */
    { NULL, "ceo@social.example", NULL, "hello", full },
    { NULL, "CEO@Social.Example", NULL, "hello", full },
    { NULL, "@ceo@social.example", NULL, "hello", full },
    { "https://social.example", "ceo", NULL, "hello", full },     /* local to the server read */
    { "https://other.example", "ceo", NULL, "hello", "" },
    { NULL, "ceo", NULL, "hello", "" },                           /* bare, server unknown */
    { NULL, "ceo@other.example", NULL, "hello", "" },
    { NULL, "ceox@social.example", NULL, "hello", "" },
    { NULL, "xceo@social.example", NULL, "hello", "" },
    { NULL, "ceo@social.example.org", NULL, "hello", "" },
    { NULL, "cfo@any.example", NULL, "hello", local },            /* @cfo: any server */
    { "https://social.example", "cfo", NULL, "hello", local },
    { NULL, "cfo", NULL, "hello", local },
    { NULL, "cfox@any.example", NULL, "hello", "" },
    { NULL, "cfo.team@any.example", NULL, "hello", "" },
    /* Mentions. */
    { NULL, "bob@x.example", (const char *const[]) { "alice@x.example", "ceo@social.example", NULL },
      "hi", full },
    { "https://social.example", "bob", (const char *const[]) { "@ceo", NULL }, "hi", full },
    { NULL, "bob@x.example", (const char *const[]) { "CFO@b.example", NULL }, "hi", local },
    { NULL, "bob@x.example", (const char *const[]) { "", NULL }, "hi", "" },
    /* The text. */
    { NULL, NULL, NULL, "cc @ceo@social.example please", full },
    { NULL, NULL, NULL, "cc @CEO@SOCIAL.EXAMPLE.", full },
    { NULL, NULL, NULL, "cc @ceo@social.example.org", "" },
    { NULL, NULL, NULL, "cc @ceo@social.examples", "" },
    { "https://social.example", NULL, NULL, "cc @ceo", full },     /* local mention */
    { "https://other.example", NULL, NULL, "cc @ceo", "" },
    { NULL, NULL, NULL, "cc @ceo", "" },
    { NULL, NULL, NULL, "mail bob@ceo.example", "" },
    { NULL, NULL, NULL, "hi @cfo", local },
    { NULL, NULL, NULL, "hi @cfo@anything.example!", local },
    { NULL, NULL, NULL, "hi @cfox", "" },
    { NULL, NULL, NULL, "mail cfo@corp.example", "" },
    { NULL, NULL, NULL, "a@cfo", "" },
    /* Both at once, in the order of the terms. */
    { NULL, "cfo@corp.example", NULL, "cc @ceo@social.example", "@ceo@social.example @cfo" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      RtWatchPost post = { .server = cases[i].server, .author = cases[i].author,
                           .mentions = cases[i].mentions, .text = cases[i].text };
      g_autofree char *got = matched (terms, &post);
      if (g_strcmp0 (got, cases[i].want) != 0)
        g_error ("case %u (author %s, text \"%s\"): matched \"%s\", want \"%s\"", i,
                 cases[i].author, cases[i].text, got, cases[i].want);
    }

  /* Viva Engage: user names, qualified with the network's host. */
  const char *const viva_in[] = { "@jdoe@www.yammer.com", "@jdoe", NULL };
  g_autoptr (GPtrArray) viva = terms_of (viva_in);
  RtWatchPost post = { .server = "https://www.yammer.com", .author = "jdoe", .text = "hi" };
  g_autofree char *got = matched (viva, &post);
  g_assert_cmpstr (got, ==, "@jdoe@www.yammer.com @jdoe");
}

static void
test_match_fields (void)
{
  const char *const in[] = { "acme", "acme outage", "#acmefail", "@ceo", "rumour", NULL };
  g_autoptr (GPtrArray) terms = terms_of (in);

  /* Title and content warning are searched too. */
  RtWatchPost feed = { .title = "Acme quarterly results", .text = "nothing" };
  g_autofree char *a = matched (terms, &feed);
  g_assert_cmpstr (a, ==, "acme");
  RtWatchPost cw = { .spoiler = "acme rumour", .text = "details inside" };
  g_autofree char *b = matched (terms, &cw);
  g_assert_cmpstr (b, ==, "acme rumour");

  /* A phrase does not run from one field into the next. */
  RtWatchPost split = { .title = "News about acme", .text = "outage in the north" };
  g_autofree char *c = matched (terms, &split);
  g_assert_cmpstr (c, ==, "acme");

  /* Everything at once: the terms come back in their own order. */
  RtWatchPost all = { .server = "social.example", .author = "ceo",
                      .text = "Rumour: acme outage #AcmeFail" };
  g_autofree char *d = matched (terms, &all);
  g_assert_cmpstr (d, ==, "acme \"acme outage\" #acmefail @ceo rumour");

  /* Nothing set, no terms: no match, no crash. */
  RtWatchPost empty = { 0 };
  g_autofree char *e = matched (terms, &empty);
  g_assert_cmpstr (e, ==, "");
  g_autoptr (GPtrArray) none = g_ptr_array_new ();
  g_autofree char *f = matched (none, &all);
  g_assert_cmpstr (f, ==, "");
}

/* ---- once per post ------------------------------------------------------ */

static void
test_hit_key (void)
{
  static const struct {
    const char *service, *server, *id;
    gint64 ws;
    const char *want;
  } cases[] = {
    { "mastodon", "https://Social.Example/", "1098", 5, "5/mastodon/social.example/1098" },
    { "mastodon", "social.example", "1098", 5, "5/mastodon/social.example/1098" },
    { "mastodon", "social.example:8443", "1098", 5, "5/mastodon/social.example%3A8443/1098" },
    { "viva", "https://www.yammer.com", "2233445566", 12, "12/viva/www.yammer.com/2233445566" },
    { "feed", "https://Blog.Example/News.xml", "https://blog.example/p/1", 5,
      "5/feed/blog.example%2FNews.xml/https%3A%2F%2Fblog.example%2Fp%2F1" },
    { "feed", "https://blog.example/news.xml", "tag:blog.example,2024:1", 5,
      "5/feed/blog.example%2Fnews.xml/tag%3Ablog.example%2C2024%3A1" },
    { "feed", "https://blog.example/news.xml", "entry one é", 5,
      "5/feed/blog.example%2Fnews.xml/entry%20one%20%C3%A9" },
    { NULL, "social.example", "1", 5, NULL },
    { "", "social.example", "1", 5, NULL },
    { "mastodon", NULL, "1", 5, NULL },
    { "mastodon", "", "1", 5, NULL },
    { "mastodon", "https://", "1", 5, NULL },
    { "mastodon", "social.example", NULL, 5, NULL },
    { "mastodon", "social.example", "", 5, NULL },
    { "mastodon", "social.example", "1", 0, NULL },
    { "mastodon", "social.example", "1", -3, NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *k = rt_watch_hit_key (cases[i].service, cases[i].server, cases[i].id,
                                             cases[i].ws);
      g_assert_cmpstr (k, ==, cases[i].want);
    }
  /* The origin is the key without the workspace. */
  g_autofree char *origin = rt_watch_post_origin ("mastodon", "https://Social.Example/", "1098");
  g_assert_cmpstr (origin, ==, "mastodon/social.example/1098");
  g_autofree char *no_origin = rt_watch_post_origin ("mastodon", "social.example", "");
  g_assert_null (no_origin);
  /* Parts cannot run into each other. */
  g_autofree char *a = rt_watch_hit_key ("feed", "x.example/a", "b", 1);
  g_autofree char *b = rt_watch_hit_key ("feed", "x.example", "a/b", 1);
  g_assert_cmpstr (a, !=, b);
  /* Another workspace, another key: each workspace gets its alert. */
  g_autofree char *w1 = rt_watch_hit_key ("mastodon", "social.example", "7", 1);
  g_autofree char *w2 = rt_watch_hit_key ("mastodon", "social.example", "7", 2);
  g_assert_cmpstr (w1, !=, w2);
}

/* ---- the alert ---------------------------------------------------------- */

static char *
alert (const char *const *term_inputs, const RtWatchPost *post)
{
  g_autoptr (GPtrArray) terms = terms_of (term_inputs);
  g_autoptr (GPtrArray) hits = rt_watch_match (terms, post);
  g_assert_cmpuint (hits->len, >, 0);
  return rt_watch_alert_text (post, hits);
}

static void
test_alert (void)
{
  const char *const acme[] = { "acme", "#acmefail", NULL };
  RtWatchPost post = {
    .server = "https://social.example", .author = "x",
    .text = "ACME is down again, #acmefail", .url = "https://social.example/@x/1",
  };
  g_autofree char *a = alert (acme, &post);
  g_assert_cmpstr (a, ==, "Watchlist: “acme”, #acmefail in a post by @x@social.example: "
                          "ACME is down again, #acmefail https://social.example/@x/1");

  /* No link; a display name when there is no handle; neither. */
  post.url = NULL;
  post.author = NULL;
  post.author_name = "Acme Watch Blog";
  g_autofree char *b = alert (acme, &post);
  g_assert_cmpstr (b, ==, "Watchlist: “acme”, #acmefail in a post by Acme Watch Blog: "
                          "ACME is down again, #acmefail");
  post.author_name = NULL;
  g_autofree char *c = alert (acme, &post);
  g_assert_cmpstr (c, ==, "Watchlist: “acme”, #acmefail in a post: ACME is down again, #acmefail");

  /* The handle beats the display name (names can be anything). */
  post.author = "ceo@social.example";
  post.author_name = "Official Acme Support";
  g_autofree char *d = alert (acme, &post);
  g_assert_true (g_str_has_prefix (d, "Watchlist: “acme”, #acmefail in a post by @ceo@social.example: "));
}

static void
test_alert_excerpt (void)
{
  const char *const acme[] = { "acme", NULL };

  /* Long text: 200 characters, cut with an ellipsis, valid UTF-8. */
  g_autoptr (GString) longtext = g_string_new ("acme ");
  for (guint i = 0; i < 300; i++)
    g_string_append (longtext, "é");
  RtWatchPost post = { .text = longtext->str, .url = "https://s.example/1" };
  g_autofree char *a = alert (acme, &post);
  g_assert_true (g_utf8_validate (a, -1, NULL));
  const char *ex = strstr (a, "in a post: ") + strlen ("in a post: ");
  const char *link = strstr (ex, " https://s.example/1");
  g_assert_nonnull (link);
  g_assert_true (g_str_has_suffix (a, " https://s.example/1"));
  g_autofree char *excerpt = g_strndup (ex, link - ex);
  g_assert_true (g_str_has_suffix (excerpt, "…"));
  g_assert_cmpuint (g_utf8_strlen (excerpt, -1), ==, RT_WATCH_ALERT_EXCERPT + 1);

  /* Cut at a space when one is near the end. */
  g_autoptr (GString) words = g_string_new (NULL);
  while (words->len < 400)
    g_string_append (words, "acme rumour ");
  post.text = words->str;
  post.url = NULL;
  g_autofree char *b = alert (acme, &post);
  g_assert_true (g_str_has_suffix (b, "rumour…") || g_str_has_suffix (b, "acme…"));
  g_assert_cmpuint (g_utf8_strlen (strstr (b, "in a post: ") + strlen ("in a post: "), -1),
                    <=, RT_WATCH_ALERT_EXCERPT + 1);

  /* Exactly 200 characters: no ellipsis. */
  g_autoptr (GString) exact = g_string_new ("acme");
  while (exact->len < RT_WATCH_ALERT_EXCERPT)
    g_string_append_c (exact, 'x');
  exact->str[4] = ' ';
  post.text = exact->str;
  g_autofree char *c = alert (acme, &post);
  g_assert_true (g_str_has_suffix (c, exact->str));

  /* One line, no control or bidi characters, markup left as text. */
  post.text = "acme\nline two\tand\u202e evil\u2066 \x07 bell\r\n<b>bold</b>";
  g_autofree char *d = alert (acme, &post);
  g_assert_cmpstr (d, ==, "Watchlist: “acme” in a post: acme line two and evil bell <b>bold</b>");
  g_assert_null (strchr (d, '\n'));

  /* Content warning first, then the title, then the text. */
  RtWatchPost cw = { .spoiler = "acme rumours", .title = "Weekly news", .text = "body text" };
  g_autofree char *e = alert (acme, &cw);
  g_assert_cmpstr (e, ==, "Watchlist: “acme” in a post: "
                          "(content warning: acme rumours) Weekly news: body text");

  /* A post without text (an image with a matching tag). */
  const char *const tag[] = { "#acmefail", NULL };
  const char *const tags[] = { "acmefail", NULL };
  RtWatchPost bare = { .tags = tags, .text = "", .url = "https://s.example/2" };
  g_autofree char *f = alert (tag, &bare);
  g_assert_cmpstr (f, ==, "Watchlist: #acmefail in a post: (no text) https://s.example/2");
}

static void
test_alert_many_terms (void)
{
  const char *const many[] = { "acme", "outage", "rumour", "#acmefail", "@ceo", "bankrupt",
                               "breach", NULL };
  RtWatchPost post = { .server = "social.example", .author = "ceo",
                       .text = "acme outage rumour #acmefail bankrupt breach" };
  g_autofree char *a = alert (many, &post);
  g_assert_cmpstr (a, ==, "Watchlist: “acme”, “outage”, “rumour”, #acmefail, @ceo and 2 other "
                          "terms in a post by @ceo@social.example: "
                          "acme outage rumour #acmefail bankrupt breach");
  const char *const six[] = { "acme", "outage", "rumour", "#acmefail", "@ceo", "bankrupt", NULL };
  g_autofree char *b = alert (six, &post);
  g_assert_nonnull (strstr (b, "@ceo and 1 other term in a post"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/watch/parse-ok", test_parse_ok);
  g_test_add_func ("/watch/parse-errors", test_parse_errors);
  g_test_add_func ("/watch/parse-terms", test_parse_terms);
  g_test_add_func ("/watch/format-round-trip", test_format_round_trip);
  g_test_add_func ("/watch/store-form", test_store_form);
  g_test_add_func ("/watch/fold", test_fold);
  g_test_add_func ("/watch/fold-runs", test_fold_runs);
  g_test_add_func ("/watch/server-and-handle", test_server_and_handle);
  g_test_add_func ("/watch/stream-handle", test_stream_handle);
  g_test_add_func ("/watch/match-keywords", test_match_keywords);
  g_test_add_func ("/watch/match-hashtags", test_match_hashtags);
  g_test_add_func ("/watch/match-accounts", test_match_accounts);
  g_test_add_func ("/watch/match-fields", test_match_fields);
  g_test_add_func ("/watch/hit-key", test_hit_key);
  g_test_add_func ("/watch/alert", test_alert);
  g_test_add_func ("/watch/alert-excerpt", test_alert_excerpt);
  g_test_add_func ("/watch/alert-many-terms", test_alert_many_terms);
  return g_test_run ();
}
