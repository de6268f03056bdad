/* test-digest.c: rt_digest_compose: grouping and order, mentions and
 * decisions first, counts and plural forms in en/nl/fr/de composed one
 * after the other in the same process, member time zones, HTML escaping,
 * clipping, wrapping, subject and footer.
 *
 * Catalogues come from RT_TEST_LOCALEDIR (set by meson). A language whose
 * locale is not installed, or whose catalogue lacks the digest strings, is
 * skipped with a message saying so. */
#include "config.h"
#include <locale.h>
#include <string.h>
#include <libintl.h>
#include <glib.h>
#include "rt-digest.h"
#include "rt-lang.h"

/* 2026-03-03 (a Tuesday) at h:m UTC, in µs. */
static gint64
at_utc (int day, int h, int m)
{
  g_autoptr (GDateTime) dt = g_date_time_new_utc (2026, 3, day, h, m, 0);
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

static RtMember *
member (const char *handle, const char *lang, const char *tz)
{
  RtMember *m = rt_member_new (handle);
  m->name = g_strdup (handle);
  g_free (m->lang);
  m->lang = g_strdup (lang);
  g_free (m->tz);
  m->tz = g_strdup (tz);
  return m;
}

/* Items under construction; strings live in the pool. */
typedef struct {
  GArray    *items;
  GPtrArray *pool;
} Items;

static void
items_init (Items *it)
{
  it->items = g_array_new (FALSE, TRUE, sizeof (RtDigestItem));
  it->pool = g_ptr_array_new_with_free_func (g_free);
}

static void
items_clear (Items *it)
{
  g_array_unref (it->items);
  g_ptr_array_unref (it->pool);
}

static const char *
keep (Items *it, char *s)
{
  g_ptr_array_add (it->pool, s);
  return s;
}

static RtDigestItem *
add (Items *it, gint64 ws_id, const char *ws_name, const char *thread,
     const char *label, const char *text, gint64 created_us)
{
  RtDigestItem item = {
    .msg_id = it->items->len + 1,
    .ws_id = ws_id,
    .ws_name = ws_name,
    .thread = thread,
    .author_label = label,
    .text = text,
    .created_us = created_us,
  };
  g_array_append_val (it->items, item);
  return &g_array_index (it->items, RtDigestItem, it->items->len - 1);
}

static RtDigest *
compose (const RtMember *m, Items *it, const RtDigestLinks *links)
{
  return rt_digest_compose (m, (const RtDigestItem *) it->items->data, it->items->len,
                            links, at_utc (3, 23, 0));
}

/* Offset of needle in haystack; fails the test when absent. */
static gsize
pos (const char *haystack, const char *needle)
{
  const char *p = strstr (haystack, needle);
  if (p == NULL)
    g_error ("\"%s\" not found in:\n%s", needle, haystack);
  return p - haystack;
}

static guint
count (const char *haystack, const char *needle)
{
  guint n = 0;
  for (const char *p = strstr (haystack, needle); p; p = strstr (p + 1, needle))
    n++;
  return n;
}

static gboolean
locale_installed (const char *name)
{
  locale_t l = newlocale (LC_ALL_MASK, name, (locale_t) 0);
  if (l == (locale_t) 0)
    return FALSE;
  freelocale (l);
  return TRUE;
}

/* FALSE (and the test skipped) when lang cannot be tested here. */
static gboolean
language_ready (const char *lang, const char *locale)
{
  if (!locale_installed (locale))
    {
      g_autofree char *msg = g_strdup_printf ("locale %s is not installed "
                                              "(localedef -i %.5s -f UTF-8 %s)", locale, locale, locale);
      g_test_skip (msg);
      return FALSE;
    }
  if (strcmp (lang, "en") != 0)
    {
      g_autoptr (RtLangScope) scope = rt_lang_scope_enter (lang, NULL);
      if (strcmp (g_dgettext (GETTEXT_PACKAGE, "Mentions of you"), "Mentions of you") == 0)
        {
          g_autofree char *msg = g_strdup_printf ("po/%s.po does not translate the digest strings yet", lang);
          g_test_skip (msg);
          return FALSE;
        }
    }
  return TRUE;
}

static void
test_empty (void)
{
  g_autoptr (RtMember) m = member ("bob", "en", "UTC");
  RtDigestItem one = { .msg_id = 1, .ws_id = 1, .ws_name = "W", .author_label = "a", .text = "t" };
  g_assert_null (rt_digest_compose (m, NULL, 0, NULL, 0));
  g_assert_null (rt_digest_compose (m, &one, 0, NULL, 0));
  g_assert_null (rt_digest_compose (m, NULL, 3, NULL, 0));
}

/* Workspaces in the order of their newest item, threads likewise, newest
 * first inside; mentions and decisions before everything, once. */
static void
test_grouping (void)
{
  g_autoptr (RtMember) bob = member ("bob", "en", "UTC");
  Items it;
  items_init (&it);
  /* Workspace 1 (RFP) has the oldest newest item: it comes second. */
  add (&it, 1, "RFP Acme 2027", NULL, "Alice (Brussels)", "rfp-general-1", at_utc (3, 8, 0));
  add (&it, 1, "RFP Acme 2027", "pricing", "Chloé (Paris)", "rfp-pricing-1", at_utc (3, 9, 0));
  add (&it, 1, "RFP Acme 2027", NULL, "Alice (Brussels)", "rfp-general-2", at_utc (3, 10, 0));
  add (&it, 1, "RFP Acme 2027", "pricing", "Chloé (Paris)", "rfp-pricing-2", at_utc (3, 11, 0));
  add (&it, 2, "Market study", NULL, "Dirk (Gent)", "market-1", at_utc (3, 7, 0));
  add (&it, 2, "Market study", NULL, "Dirk (Gent)", "market-2", at_utc (3, 12, 0));
  add (&it, 1, "RFP Acme 2027", "pricing", "Chloé (Paris)", "@bob rfp-mention", at_utc (3, 6, 0))->mention = TRUE;
  add (&it, 2, "Market study", "scope", "Dirk (Gent)", "Decision: market-decision", at_utc (3, 5, 0))->decision = TRUE;
  /* Input order must not matter: reverse it. */
  for (guint i = 0, j = it.items->len - 1; i < j; i++, j--)
    {
      RtDigestItem tmp = g_array_index (it.items, RtDigestItem, i);
      g_array_index (it.items, RtDigestItem, i) = g_array_index (it.items, RtDigestItem, j);
      g_array_index (it.items, RtDigestItem, j) = tmp;
    }
  g_autoptr (RtDigest) d = compose (bob, &it, NULL);
  const char *t = d->text;
  g_test_message ("%s", t);

  /* Mentions and decisions first, newest first, with where they were said. */
  gsize highlights = pos (t, "Mentions of you and decisions\n=============================\n");
  g_assert_cmpuint (highlights, <, pos (t, "[RFP Acme 2027 \u203a pricing]"));
  g_assert_cmpuint (pos (t, "06:00 Chloé (Paris): @bob rfp-mention"), <,
                    pos (t, "05:00 Dirk (Gent): Decision: market-decision"));
  g_assert_cmpuint (pos (t, "[Market study \u203a scope]"), <, pos (t, "Decision: market-decision"));
  /* Each message once. */
  g_assert_cmpuint (count (t, "rfp-mention"), ==, 1);
  g_assert_cmpuint (count (t, "market-decision"), ==, 1);

  /* Market study (newest 12:00) before RFP (newest 11:00). */
  gsize market = pos (t, "\nMarket study\n============\n");
  gsize rfp = pos (t, "\nRFP Acme 2027\n=============\n");
  g_assert_cmpuint (pos (t, "market-decision"), <, market);
  g_assert_cmpuint (market, <, rfp);
  g_assert_cmpuint (pos (t, "market-2"), <, pos (t, "market-1"));
  g_assert_cmpuint (pos (t, "market-1"), <, rfp);
  /* Market study has one thread only (besides its decision): no thread heading. */
  g_assert_cmpuint (count (t, "Thread: "), ==, 1);

  /* In RFP the pricing thread (11:00) before the rest (10:00). */
  gsize pricing = pos (t, "Thread: pricing\n---------------\n");
  gsize general = pos (t, "Not in a thread\n---------------\n");
  g_assert_cmpuint (rfp, <, pricing);
  g_assert_cmpuint (pricing, <, pos (t, "rfp-pricing-2"));
  g_assert_cmpuint (pos (t, "rfp-pricing-2"), <, pos (t, "rfp-pricing-1"));
  g_assert_cmpuint (pos (t, "rfp-pricing-1"), <, general);
  g_assert_cmpuint (general, <, pos (t, "rfp-general-2"));
  g_assert_cmpuint (pos (t, "rfp-general-2"), <, pos (t, "rfp-general-1"));

  /* A date heading per local day, under each section. */
  g_assert_cmpuint (count (t, "\nTuesday 3 March\n"), ==, 4);

  g_assert_cmpstr (d->subject, ==, "2 workspaces: 1 mention, 1 decision, 8 messages");
  g_assert_true (g_str_has_prefix (t, "2 workspaces: 1 mention, 1 decision, 8 messages\n"));
  items_clear (&it);
}

/* At most RT_DIGEST_PER_WORKSPACE others per workspace, the oldest counted. */
static void
test_limit (void)
{
  g_autoptr (RtMember) bob = member ("bob", "en", "UTC");
  for (guint extra = 0; extra <= 5; extra += 1)
    {
      Items it;
      items_init (&it);
      guint n = RT_DIGEST_PER_WORKSPACE + extra;
      for (guint i = 0; i < n; i++)
        add (&it, 7, "W", NULL, "Al", keep (&it, g_strdup_printf ("line-%03u;", i)), at_utc (3, 0, i));
      g_autoptr (RtDigest) d = compose (bob, &it, NULL);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *needle = g_strdup_printf ("line-%03u;", i);
          /* The newest 20 are there, the oldest ones are not. */
          g_assert_cmpuint (count (d->text, needle), ==, i >= extra ? 1 : 0);
        }
      if (extra == 0)
        g_assert_null (strstr (d->text, "more message"));
      else if (extra == 1)
        pos (d->text, "\nand 1 more message\n");
      else
        {
          g_autofree char *more = g_strdup_printf ("\nand %u more messages\n", extra);
          pos (d->text, more);
        }
      items_clear (&it);
    }
}

/* Many messages in shuffled order: the newest 20 of each workspace are the
 * ones shown (the selection trims candidates as they pile up), the rest
 * counted, workspaces in the order of their newest message. */
static void
test_many_shuffled (void)
{
  g_autoptr (RtMember) bob = member ("bob", "en", "UTC");
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  const guint n = 3000;
  Items it;
  items_init (&it);
  for (guint i = 0; i < n; i++)
    {
      /* The newest message (2999) is in Two, then One (2998), Three (2997). */
      gint64 ws = i % 3 == 0 ? 3 : i % 3 == 1 ? 1 : 2;
      RtDigestItem *x = add (&it, ws, ws == 1 ? "One" : ws == 2 ? "Two" : "Three",
                             g_rand_boolean (rand) ? "t" : NULL, "Al",
                             keep (&it, g_strdup_printf ("m%05u;", i)),
                             at_utc (3, 0, 0) + (gint64) i * G_USEC_PER_SEC);
      x->decision = i % 500 == 7;
    }
  /* Fisher-Yates with the fixed seed. */
  for (guint i = n - 1; i > 0; i--)
    {
      guint j = g_rand_int_range (rand, 0, i + 1);
      RtDigestItem tmp = g_array_index (it.items, RtDigestItem, i);
      g_array_index (it.items, RtDigestItem, i) = g_array_index (it.items, RtDigestItem, j);
      g_array_index (it.items, RtDigestItem, j) = tmp;
    }
  g_autoptr (RtDigest) d = compose (bob, &it, NULL);
  const char *t = d->text;

  guint decisions = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *needle = g_strdup_printf ("m%05u;", i);
      gboolean decision = i % 500 == 7;
      /* Each workspace holds every third message: its newest 20 are the
       * last 60 of the whole run. */
      gboolean shown = decision || i >= n - 3 * RT_DIGEST_PER_WORKSPACE;
      decisions += decision;
      if (count (t, needle) != (shown ? 1u : 0u))
        g_error ("%s shown %u times, want %d", needle, count (t, needle), shown);
    }
  g_assert_cmpuint (decisions, ==, 6);
  /* 1000 per workspace, 2 decisions each, 20 shown: 978 more. */
  g_assert_cmpuint (count (t, "\nand 978 more messages\n"), ==, 3);
  gsize three = pos (t, "\nThree\n=====\n"), one = pos (t, "\nOne\n===\n"), two = pos (t, "\nTwo\n===\n");
  g_assert_cmpuint (two, <, one);
  g_assert_cmpuint (one, <, three);
  g_assert_cmpstr (d->subject, ==, "3 workspaces: 6 decisions, 3000 messages");
  items_clear (&it);
}

static void
test_subject (void)
{
  g_autoptr (RtMember) bob = member ("bob", "en", "UTC");
  Items it;
  items_init (&it);
  for (guint i = 0; i < 14; i++)
    {
      RtDigestItem *x = add (&it, 1, "RFP Acme 2027", NULL, "Al", "text", at_utc (3, 1, i));
      x->mention = i < 2;
      x->decision = i == 5;
    }
  g_autoptr (RtDigest) d = compose (bob, &it, NULL);
  g_assert_cmpstr (d->subject, ==, "RFP Acme 2027: 2 mentions, 1 decision, 14 messages");
  items_clear (&it);

  items_init (&it);
  add (&it, 1, "Market\r\nstudy\t\x01", NULL, "Al", "text", at_utc (3, 1, 0));
  g_autoptr (RtDigest) one = compose (bob, &it, NULL);
  /* One line, whatever the name holds. */
  g_assert_cmpstr (one->subject, ==, "Market study: 1 message");
  add (&it, 2, "B", NULL, "Al", "text", at_utc (3, 1, 1));
  add (&it, 3, "C", NULL, "Al", "text", at_utc (3, 1, 2))->decision = TRUE;
  g_autoptr (RtDigest) three = compose (bob, &it, NULL);
  g_assert_cmpstr (three->subject, ==, "3 workspaces: 1 decision, 3 messages");
  items_clear (&it);
}

/* The same instant in two time zones, and in summer time. */
static void
test_time_zones (void)
{
  g_autoptr (RtMember) bob = member ("bob", "en", "America/Sao_Paulo");
  g_autoptr (RtMember) anne = member ("anne", "en", "Europe/Paris");
  g_autoptr (RtMember) odd = member ("odd", "en", "Not/A_Zone");
  Items it;
  items_init (&it);
  add (&it, 1, "W", NULL, "Al", "late-night", at_utc (3, 2, 30));
  g_autoptr (RtDigest) sp = compose (bob, &it, NULL);
  g_autoptr (RtDigest) paris = compose (anne, &it, NULL);
  g_autoptr (RtDigest) utc = compose (odd, &it, NULL);
  /* UTC-3: still Monday evening; UTC+1 (winter): Tuesday morning. */
  pos (sp->text, "\nMonday 2 March\n  23:30 Al: late-night\n");
  pos (sp->text, "your time zone, America/Sao_Paulo.");
  pos (paris->text, "\nTuesday 3 March\n  03:30 Al: late-night\n");
  pos (paris->text, "your time zone, Europe/Paris.");
  pos (utc->text, "\nTuesday 3 March\n  02:30 Al: late-night\n");
  pos (utc->html, "<span style=\"color:#6b6b6b;\">02:30</span>");
  items_clear (&it);

  /* 1 July: Paris is UTC+2, Sao Paulo UTC-3; and another year than now. */
  items_init (&it);
  g_autoptr (GDateTime) july = g_date_time_new_utc (2025, 7, 1, 12, 0, 0);
  add (&it, 1, "W", NULL, "Al", "summer", g_date_time_to_unix (july) * G_USEC_PER_SEC);
  g_autoptr (RtDigest) sp2 = compose (bob, &it, NULL);
  g_autoptr (RtDigest) paris2 = compose (anne, &it, NULL);
  pos (sp2->text, "\nTuesday 1 July 2025\n  09:00 Al: summer\n");
  pos (paris2->text, "\nTuesday 1 July 2025\n  14:00 Al: summer\n");
  items_clear (&it);
}

/* Nothing from a message, name or link becomes markup. */
static const char *const allowed_tags[] = {
  "!DOCTYPE", "html", "head", "meta", "title", "body", "div", "h1", "h2", "h3",
  "p", "span", "b", "br", "hr", "a",
};

static void
assert_only_our_tags (const char *html)
{
  for (const char *p = strchr (html, '<'); p; p = strchr (p + 1, '<'))
    {
      const char *name = p + 1 + (p[1] == '/');
      gsize len = strcspn (name, " >");
      gboolean ok = FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (allowed_tags) && !ok; i++)
        ok = strlen (allowed_tags[i]) == len && strncmp (name, allowed_tags[i], len) == 0;
      if (!ok)
        g_error ("unexpected tag at: %.40s", p);
    }
}

static void
test_html_escaping (void)
{
  g_autoptr (RtMember) bob = member ("bob", "en", "UTC");
  static const char evil[] = "<script>alert(1)</script> & <b>";
  Items it;
  items_init (&it);
  add (&it, 1, "<i>ws</i>", "a&b<c>", "<img src=x onerror=alert(2)>", evil, at_utc (3, 1, 0));
  add (&it, 1, "<i>ws</i>", NULL, "Al", "x", at_utc (3, 1, 1));
  add (&it, 1, "<i>ws</i>", NULL, "Al", evil, at_utc (3, 1, 2))->mention = TRUE;
  RtDigestLink link = { 1, "hub+t@ex.org\"><script>", "https://ex.org/u?a=1&b=\"onmouseover=\"x" };
  RtDigestLinks links = { &link, 1 };
  g_autoptr (RtDigest) d = compose (bob, &it, &links);
  const char *h = d->html;
  g_test_message ("%s", h);

  assert_only_our_tags (h);
  g_assert_null (strstr (h, "<script"));
  g_assert_null (strstr (h, "<img"));
  g_assert_null (strstr (h, "<i>"));
  g_assert_null (strstr (h, "\"onmouseover"));
  g_assert_cmpuint (count (h, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;"), ==, 2);
  pos (h, "<b>&lt;img src=x onerror=alert(2)&gt;</b>");
  pos (h, "<h2 style=\"font-size:17px;margin:24px 0 8px 0;padding-bottom:4px;border-bottom:1px solid #dddddd;\">&lt;i&gt;ws&lt;/i&gt;</h2>");
  pos (h, "Thread: a&amp;b&lt;c&gt;</h3>");
  pos (h, "<title>&lt;i&gt;ws&lt;/i&gt;: 1 mention, 3 messages</title>");
  pos (h, "<a href=\"https://ex.org/u?a=1&amp;b=&quot;onmouseover=&quot;x\">");
  pos (h, "<html lang=\"en\">");
  g_assert_true (g_str_has_suffix (h, "</html>\n"));
  g_assert_cmpuint (count (h, "<p "), ==, count (h, "</p>"));

  /* The plain text carries the text as it is. */
  g_assert_cmpuint (count (d->text, evil), ==, 2);
  items_clear (&it);
}

static void
test_footer (void)
{
  g_autoptr (RtMember) bob = member ("bob", "en", "UTC");
  Items it;
  items_init (&it);
  add (&it, 1, "RFP", NULL, "Al", "x", at_utc (3, 1, 0));
  RtDigestLink link[] = {
    { 1, "hub+tok1@example.org", "mailto:hub+unsub-tok1@example.org" },
    { 2, "hub+tok2@example.org", "javascript:alert(1)" },
  };
  RtDigestLinks links = { link, 2 };

  g_autoptr (RtDigest) none = compose (bob, &it, NULL);
  g_assert_null (strstr (none->text, "\n-- \n"));
  g_assert_null (strstr (none->html, "<a "));

  g_autoptr (RtDigest) one = compose (bob, &it, &links);
  pos (one->text, "\n-- \nTo post in RFP, reply to this email or write to hub+tok1@example.org.\n"
                  "To stop these emails for RFP: mailto:hub+unsub-tok1@example.org\n");
  pos (one->html, "reply to this email or write to <a href=\"mailto:hub+tok1@example.org\">hub+tok1@example.org</a>.");
  pos (one->html, "<a href=\"mailto:hub+unsub-tok1@example.org\">mailto:hub+unsub-tok1@example.org</a>");
  g_assert_null (strstr (one->text, "tok2"));

  add (&it, 2, "Study", NULL, "Al", "y", at_utc (3, 1, 1));
  g_autoptr (RtDigest) two = compose (bob, &it, &links);
  pos (two->text, "To post in Study, write to hub+tok2@example.org.\n");
  pos (two->text, "To post in RFP, write to hub+tok1@example.org.\n");
  /* Not a scheme a mail client should open: shown, not linked. */
  pos (two->html, "To stop these emails for Study: javascript:alert(1)</p>");
  g_assert_null (strstr (two->html, "href=\"javascript"));
  items_clear (&it);
}

static void
test_clipping (void)
{
  g_autoptr (RtMember) bob = member ("bob", "en", "UTC");
  GString *huge = g_string_new ("start ");
  for (guint i = 0; i < 3000; i++)
    g_string_append (huge, "\u20ac");   /* 3 bytes each */
  g_string_append (huge, " the-end");
  Items it;
  items_init (&it);
  add (&it, 1, "W", NULL, "Al", huge->str, at_utc (3, 1, 0));
  add (&it, 1, "W", NULL, "Al", huge->str, at_utc (3, 1, 1))->decision = TRUE;
  add (&it, 1, "W", NULL, "Al", "red \x1b[31malert\x1b[0m\r\nnext\rline\x7f", at_utc (3, 1, 2));
  g_autoptr (RtDigest) d = compose (bob, &it, NULL);

  g_assert_true (g_utf8_validate (d->text, -1, NULL));
  g_assert_true (g_utf8_validate (d->html, -1, NULL));
  g_assert_null (strstr (d->text, "the-end"));
  /* The decision nearly in full, the other message shorter. */
  GString *want = g_string_new ("start ");
  for (guint i = 0; i < RT_DIGEST_CLIP_HIGHLIGHT - 6; i++)
    g_string_append (want, "\u20ac");
  g_string_append (want, "\u2026");
  g_assert_cmpuint (count (d->html, want->str), ==, 1);
  g_string_assign (want, "start ");
  for (guint i = 0; i < RT_DIGEST_CLIP_OTHER - 6; i++)
    g_string_append (want, "\u20ac");
  g_string_append (want, "\u2026<");
  g_assert_cmpuint (count (d->html, want->str), ==, 1);
  g_string_free (want, TRUE);
  g_string_free (huge, TRUE);

  /* Control characters dropped, line ends normalized. */
  pos (d->text, "Al: red [31malert[0m\n        next\n        line\n");
  g_assert_null (strchr (d->text, '\x1b'));
  g_assert_null (strchr (d->text, '\r'));
  g_assert_null (strchr (d->html, '\x7f'));
  items_clear (&it);
}

/* Prose wraps at 72 columns; quoted lines and long words stay whole. */
static void
test_wrapping (void)
{
  g_autoptr (RtMember) bob = member ("bob", "en", "UTC");
  static const char prose[] =
    "Chloé checks the figures for the logistics part before the call, and "
    "Łukasz sends the revised annex to Acme tomorrow at ten; the warehouse "
    "numbers for São Paulo are still missing, so please send them today.\n"
    "> a quoted line that is long enough to pass the seventy-two column limit easily\n"
    "see https://example.org/a/very/long/path/that/does/not/fit/on/one/line/at/all/really";
  Items it;
  items_init (&it);
  add (&it, 1, "W", NULL, "Chloé Martin (Paris)", prose, at_utc (3, 1, 0));
  g_autoptr (RtDigest) d = compose (bob, &it, NULL);
  g_auto (GStrv) lines = g_strsplit (d->text, "\n", -1);
  guint wrapped = 0;
  for (guint i = 0; lines[i]; i++)
    {
      glong cols = g_utf8_strlen (lines[i], -1);
      if (strstr (lines[i], "> a quoted") || strstr (lines[i], "https://"))
        continue;
      if (cols > 72)
        g_error ("line of %ld columns: \"%s\"", cols, lines[i]);
      if (g_str_has_prefix (lines[i], "        "))
        wrapped++;
    }
  g_assert_cmpuint (wrapped, >=, 3);
  pos (d->text, "\n        > a quoted line that is long enough to pass the seventy-two column limit easily\n");
  pos (d->text, "\n        https://example.org/a/very/long/path/that/does/not/fit/on/one/line/at/all/really\n");
  /* No trailing spaces anywhere but the signature separator. */
  for (guint i = 0; lines[i]; i++)
    if (strcmp (lines[i], "-- ") != 0)
      g_assert_false (g_str_has_suffix (lines[i], " "));
  items_clear (&it);
}

static void
test_highlights_only (void)
{
  g_autoptr (RtMember) bob = member ("bob", "en", "UTC");
  Items it;
  items_init (&it);
  add (&it, 1, "W", NULL, "Al", "@bob hi", at_utc (3, 1, 0))->mention = TRUE;
  g_autoptr (RtDigest) m = compose (bob, &it, NULL);
  pos (m->text, "\nMentions of you\n===============\n");
  g_assert_null (strstr (m->text, "\nW\n=\n"));      /* no empty workspace section */
  g_assert_cmpstr (m->subject, ==, "W: 1 mention, 1 message");
  g_array_index (it.items, RtDigestItem, 0).mention = FALSE;
  g_array_index (it.items, RtDigestItem, 0).decision = TRUE;
  g_autoptr (RtDigest) dd = compose (bob, &it, NULL);
  pos (dd->text, "\nDecisions\n=========\n");
  g_assert_cmpstr (dd->subject, ==, "W: 1 decision, 1 message");
  items_clear (&it);
}

/* ---- languages ------------------------------------------------------- */

typedef struct {
  const char *lang, *locale;
  const char *subject_a, *more_a;   /* 1 mention, 1 decision, 23 others */
  const char *subject_b, *more_b;   /* 2 mentions, 21 others */
  const char *subject_c;            /* 3 workspaces, 1 message each */
  const char *heading, *day, *thread;
  const char *reply;
} Lang;

#define NBSP "\u00a0"
static const Lang langs[] = {
  { "nl", "nl_NL.UTF-8",
    "RFP Acme 2027: 1 vermelding, 1 besluit, 25 berichten", "en nog 3 berichten",
    "RFP Acme 2027: 2 vermeldingen, 23 berichten", "en nog 1 bericht",
    "3 werkruimten: 3 berichten",
    "Berichten waarin u genoemd wordt, en besluiten", "dinsdag 3 maart", "Draad: prijzen",
    "Om in RFP Acme 2027 te schrijven, beantwoordt u deze e-mail of schrijft u naar" },
  { "fr", "fr_FR.UTF-8",
    "RFP Acme 2027" NBSP ": 1 mention, 1 décision, 25 messages", "et 3 autres messages",
    "RFP Acme 2027" NBSP ": 2 mentions, 23 messages", "et 1 autre message",
    "3 espaces de travail" NBSP ": 3 messages",
    "Mentions vous concernant et décisions", "mardi 3 mars", "Fil" NBSP ": prijzen",
    "Pour écrire dans RFP Acme 2027, répondez à ce courriel ou écrivez à" },
  { "de", "de_DE.UTF-8",
    "RFP Acme 2027: 1 Erwähnung, 1 Entscheidung, 25 Nachrichten", "und 3 weitere Nachrichten",
    "RFP Acme 2027: 2 Erwähnungen, 23 Nachrichten", "und 1 weitere Nachricht",
    "3 Arbeitsbereiche: 3 Nachrichten",
    "Erwähnungen von Ihnen und Entscheidungen", "Dienstag, 3. März", "Thema: prijzen",
    "Um in RFP Acme 2027 zu schreiben, antworten Sie auf diese E-Mail oder schreiben Sie an" },
  { "en", "en_US.UTF-8",
    "RFP Acme 2027: 1 mention, 1 decision, 25 messages", "and 3 more messages",
    "RFP Acme 2027: 2 mentions, 23 messages", "and 1 more message",
    "3 workspaces: 3 messages",
    "Mentions of you and decisions", "Tuesday 3 March", "Thread: prijzen",
    "To post in RFP Acme 2027, reply to this email or write to" },
};

static void
fill (Items *it, guint mentions, guint decisions, guint others)
{
  guint k = 0;
  for (guint i = 0; i < mentions + decisions + others; i++, k++)
    {
      RtDigestItem *x = add (it, 1, "RFP Acme 2027", i % 2 ? "prijzen" : NULL, "Al", "tekst",
                             at_utc (3, 9, k));
      x->mention = i < mentions;
      x->decision = i >= mentions && i < mentions + decisions;
    }
}

static void
check_language (const Lang *l)
{
  g_autoptr (RtMember) m = member ("m", l->lang, "Europe/Paris");
  RtDigestLink link = { 1, "hub+x@example.org", NULL };
  RtDigestLinks links = { &link, 1 };

  Items a;
  items_init (&a);
  fill (&a, 1, 1, 23);
  g_autoptr (RtDigest) da = compose (m, &a, &links);
  g_assert_cmpstr (da->subject, ==, l->subject_a);
  g_autofree char *more_a = g_strdup_printf ("\n%s\n", l->more_a);
  pos (da->text, more_a);
  g_autofree char *heading = g_strdup_printf ("\n%s\n", l->heading);
  pos (da->text, heading);
  g_autofree char *day = g_strdup_printf ("\n%s\n", l->day);
  pos (da->text, day);
  pos (da->text, l->thread);
  pos (da->html, l->reply);   /* the text wraps it */
  g_autofree char *html_lang = g_strdup_printf ("<html lang=\"%s\">", l->lang);
  pos (da->html, html_lang);
  items_clear (&a);

  Items b;
  items_init (&b);
  fill (&b, 2, 0, 21);
  g_autoptr (RtDigest) db = compose (m, &b, NULL);
  g_assert_cmpstr (db->subject, ==, l->subject_b);
  g_autofree char *more_b = g_strdup_printf ("\n%s\n", l->more_b);
  pos (db->text, more_b);
  items_clear (&b);

  Items c;
  items_init (&c);
  for (gint64 ws = 1; ws <= 3; ws++)
    add (&c, ws, keep (&c, g_strdup_printf ("W%" G_GINT64_FORMAT, ws)), NULL, "Al", "x", at_utc (3, 9, ws));
  g_autoptr (RtDigest) dc = compose (m, &c, NULL);
  g_assert_cmpstr (dc->subject, ==, l->subject_c);
  items_clear (&c);
}

static void
test_language (gconstpointer data)
{
  const Lang *l = data;
  if (language_ready (l->lang, l->locale))
    check_language (l);
}

/* One process: a Dutch digest, then a French one, then German, English and
 * Dutch again; each in its own language, and the thread's locale restored. */
static void
test_languages_in_turn (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (langs); i++)
    if (!language_ready (langs[i].lang, langs[i].locale))
      return;
  g_autofree char *before = g_strdup (setlocale (LC_MESSAGES, NULL));
  for (guint round = 0; round < 2; round++)
    for (guint i = 0; i < G_N_ELEMENTS (langs); i++)
      check_language (&langs[i]);
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Mentions of you"), ==, "Mentions of you");
  g_assert_cmpstr (setlocale (LC_MESSAGES, NULL), ==, before);
}

/* Day and month names follow the member's locale even before the
 * catalogues translate the digest strings (they come from glibc). */
static void
test_dates_follow_language (void)
{
  static const struct { const char *lang, *locale, *weekday, *month; } cases[] = {
    { "nl", "nl_NL.UTF-8", "dinsdag", "maart" },
    { "fr", "fr_FR.UTF-8", "mardi", "mars" },
    { "de", "de_DE.UTF-8", "Dienstag", "März" },
    { "en", "en_US.UTF-8", "Tuesday", "March" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (!locale_installed (cases[i].locale))
      {
        g_autofree char *msg = g_strdup_printf ("locale %s is not installed", cases[i].locale);
        g_test_skip (msg);
        return;
      }
  for (guint round = 0; round < 2; round++)
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr (RtMember) m = member ("m", cases[i].lang, "Europe/Paris");
        Items it;
        items_init (&it);
        fill (&it, 0, 0, 1);
        g_autoptr (RtDigest) d = compose (m, &it, NULL);
        g_autofree char *weekday = g_strdup_printf ("\n%s", cases[i].weekday);
        g_autofree char *month = g_strdup_printf (" %s\n  10:00 Al: tekst\n", cases[i].month);
        g_assert_cmpuint (pos (d->text, weekday), <, pos (d->text, month));
        items_clear (&it);
      }
}

/* A hub whose own text domain has no catalogue for its locale (Finch or a
 * headless hub under C.UTF-8, where GLib's g_dgettext() stops translating)
 * still writes each member's digest in the member's language. */
static void
test_application_domain (void)
{
  if (!g_test_subprocess ())
    {
      if (!language_ready (langs[0].lang, langs[0].locale))
        return;
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  /* Before any lookup: GLib decides at its first one. */
  g_assert_nonnull (setlocale (LC_ALL, "C.UTF-8"));
  textdomain ("rt-test-application-without-catalogue");
  g_test_message ("GLib's g_dgettext in this process: \"%s\"",
                  g_dgettext (GETTEXT_PACKAGE, "Mentions of you"));
  check_language (&langs[0]);
}

/* A member whose language has no locale here gets English. */
static void
test_unknown_language (void)
{
  g_autoptr (RtMember) m = member ("m", "tlh", "UTC");
  Items it;
  items_init (&it);
  fill (&it, 0, 0, 2);
  g_autoptr (RtDigest) d = compose (m, &it, NULL);
  g_assert_cmpstr (d->subject, ==, "RFP Acme 2027: 2 messages");
  pos (d->html, "<html lang=\"en\">");
  items_clear (&it);
}

int
main (int argc, char **argv)
{
  g_unsetenv ("LANGUAGE");   /* gettext would prefer it to each member's language */
  g_test_init (&argc, &argv, NULL);

  const char *dir = g_getenv ("RT_TEST_LOCALEDIR");
  if (dir == NULL || *dir == '\0')
    g_error ("RT_TEST_LOCALEDIR is not set: run this test through meson test");
  bindtextdomain (GETTEXT_PACKAGE, dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  g_test_add_func ("/digest/empty", test_empty);
  g_test_add_func ("/digest/grouping", test_grouping);
  g_test_add_func ("/digest/limit", test_limit);
  g_test_add_func ("/digest/many-shuffled", test_many_shuffled);
  g_test_add_func ("/digest/subject", test_subject);
  g_test_add_func ("/digest/time-zones", test_time_zones);
  g_test_add_func ("/digest/html-escaping", test_html_escaping);
  g_test_add_func ("/digest/footer", test_footer);
  g_test_add_func ("/digest/clipping", test_clipping);
  g_test_add_func ("/digest/wrapping", test_wrapping);
  g_test_add_func ("/digest/highlights-only", test_highlights_only);
  for (guint i = 0; i < G_N_ELEMENTS (langs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/digest/language/%s", langs[i].lang);
      g_test_add_data_func (path, &langs[i], test_language);
    }
  g_test_add_func ("/digest/languages-in-turn", test_languages_in_turn);
  g_test_add_func ("/digest/dates-follow-language", test_dates_follow_language);
  g_test_add_func ("/digest/unknown-language", test_unknown_language);
  g_test_add_func ("/digest/application-domain", test_application_domain);
  return g_test_run ();
}
