/* bench-mail-parse.c: incoming mails parsed and turned into IM messages per
 * second by the mail core, exactly as the mail plugin does it for each
 * fetched mail (rt_mail_parse, then rt_mail_im_markup: the same two calls as
 * deliver() in protocols/mail/plugin/rt-mail-imap.c), against raw GMime
 * parsing of the same bytes (g_mime_parser_construct_message on a memory
 * stream, default parser options, the message then dropped), in the same run.
 *
 * Usage: bench-mail-parse [SECONDS_PER_ROUND [ROUNDS [MAILS]]]
 *   defaults: 0.25 s, 8 rounds (ours and raw alternate), 400 mails.
 *
 * The corpus is generated here, deterministically (fixed seed): typical
 * ~5 KB multipart/alternative mails (text/plain + text/html of the same
 * text, built with the core's rt_mail_build so GMime picks each part's
 * transfer encoding), in four kinds taken in turn: plain English (7bit),
 * English with a few accented names (quoted-printable), French/Polish text
 * (quoted-printable), Japanese-heavy text (base64); subjects and display
 * names with non-ASCII are RFC 2047 encoded, and every mail has a
 * Message-ID, a Date and a References list. One round parses the whole
 * corpus again and again for about SECONDS_PER_ROUND; each side's figure is
 * the median of its rounds.
 *
 * Prints one tab-separated line on stdout:
 *   mail_parse_rate  V  mails/s  gmime_parse_rate  B  V/B
 * Diagnostics (corpus size, encodings, per-round rates) on stderr. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gmime/gmime.h>
#include <glib.h>
#include "bench-util.h"
#include "bench-raw-gmime.h"
#include "rt-mail-build.h"
#include "rt-mail-im.h"
#include "rt-mail-parse.h"

#define TARGET_BYTES 5000

static const char *const english[] = {
  "the", "proposal", "pricing", "annex", "deadline", "we", "will", "send", "review", "team",
  "tomorrow", "customer", "meeting", "schedule", "draft", "please", "check", "numbers", "and",
  "update", "section", "three", "before", "Friday", "thanks", "for", "quick", "reply", "contract",
  "delivery", "plan", "risks", "open", "questions", "agreed", "next", "steps", "call", "notes",
};
static const char *const accented[] = { "Zoë", "São Paulo", "Łódź", "Müller", "naïve", "café", "Ångström" };
static const char *const french_polish[] = {
  "réunion", "été", "déjà", "prévu", "à", "côté", "façon", "reçu", "très", "où", "œuvre", "élève",
  "zażółć", "gęślą", "jaźń", "łąka", "dziękuję", "później", "spotkanie", "w", "i", "oraz", "na",
};
static const char *const japanese[] = {
  "東京", "会議", "提案書", "価格", "締め切り", "明日", "確認", "お願いします", "よろしく",
  "資料", "送ります", "ありがとうございます", "次の", "予定", "顧客", "契約", "です", "ます",
};

/* One paragraph-ish sentence of about n words in the mail's kind. */
static void
add_words (GString *out, GRand *rand, int kind, int n)
{
  for (int i = 0; i < n; i++)
    {
      const char *w;
      int r = g_rand_int_range (rand, 0, 100);
      if (kind == 3 && r < 70)
        w = japanese[g_rand_int_range (rand, 0, G_N_ELEMENTS (japanese))];
      else if (kind == 2 && r < 45)
        w = french_polish[g_rand_int_range (rand, 0, G_N_ELEMENTS (french_polish))];
      else if (kind == 1 && r < 4)
        w = accented[g_rand_int_range (rand, 0, G_N_ELEMENTS (accented))];
      else
        w = english[g_rand_int_range (rand, 0, G_N_ELEMENTS (english))];
      if (i > 0 && kind != 3)
        g_string_append_c (out, ' ');
      g_string_append (out, w);
    }
  g_string_append (out, kind == 3 ? "。" : ".");
}

/* text/plain and text/html of one mail, about budget bytes of text. */
static void
make_body (GRand *rand, int kind, gsize budget, GString *text, GString *html)
{
  g_string_append (html, "<html><head><style>p{margin:0 0 1em 0}</style></head><body>\n");
  while (text->len < budget)
    {
      GString *para = g_string_new (NULL);
      int sentences = g_rand_int_range (rand, 2, 5);
      for (int s = 0; s < sentences; s++)
        {
          if (s > 0)
            g_string_append_c (para, ' ');
          add_words (para, rand, kind, g_rand_int_range (rand, 6, 16));
        }
      g_string_append (text, para->str);
      g_string_append (text, "\n\n");
      g_autofree char *esc = g_markup_escape_text (para->str, -1);
      g_string_append_printf (html, "<p><span style=\"font-family:Arial\">%s</span></p>\n", esc);
      g_string_free (para, TRUE);
    }
  g_string_append (text, "-- \nAlice Example\nBid team\n");
  g_string_append (html, "<p>-- <br>Alice Example<br><i>Bid team</i></p>\n</body></html>\n");
}

static GPtrArray *
make_corpus (guint n)
{
  GPtrArray *corpus = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261127);
  static const char *const names[] = { "Alice Example", "Zoë Müller", "Łukasz Wójcik", "山田 太郎" };
  static const char *const subjects[] = { "Pricing annex for Acme", "Re: Réunion à São Paulo",
                                          "Spotkanie w Łodzi", "東京の会議について" };
  /* Text budget per kind so that the whole mail is about TARGET_BYTES
   * after encoding (base64 and QP grow the non-ASCII kinds). */
  static const gsize budget[] = { 1900, 1850, 1500, 1050 };

  for (guint i = 0; i < n; i++)
    {
      int kind = (int) (i % 4);
      g_autoptr (GString) text = g_string_new (NULL);
      g_autoptr (GString) html = g_string_new (NULL);
      make_body (rand, kind, budget[kind], text, html);
      g_autofree char *subject = g_strdup_printf ("%s #%u", subjects[kind], i);
      g_autofree char *ref1 = g_strdup_printf ("thread-%u@site-b.test", i / 10);
      g_autofree char *ref2 = g_strdup_printf ("reply-%u@site-b.test", i);
      const char *refs[] = { ref1, NULL };
      const char *to[] = { "hub@site-a.test", NULL };
      g_autofree char *from = g_strdup_printf ("sender%u@site-b.test", i % 37);
      RtMailDraft d = {
        .from_address = from,
        .from_name = names[kind],
        .to = to,
        .subject = subject,
        .text = text->str,
        .html = html->str,
        .domain = "site-b.test",
        .date = (gint64) (1790000000 + i * 61) * G_USEC_PER_SEC,
        .in_reply_to = ref2,
        .references = refs,
      };
      g_autoptr (GError) error = NULL;
      GBytes *mail = rt_mail_build (&d, NULL, &error);
      if (mail == NULL)
        {
          g_printerr ("bench-mail-parse: cannot build mail %u: %s\n", i, error->message);
          g_ptr_array_unref (corpus);
          return NULL;
        }
      g_ptr_array_add (corpus, mail);
    }
  return corpus;
}

/* What the plugin does per fetched mail, minus libpurple's serv_got_im. */
static gboolean
ours_one (GBytes *mail)
{
  gsize len;
  const char *data = g_bytes_get_data (mail, &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (RtMailMessage) m = rt_mail_parse (data, len, &error);
  if (m == NULL || m->from_address == NULL || *m->text == '\0')
    return FALSE;
  g_autofree char *markup = rt_mail_im_markup (m);
  return markup != NULL && *markup != '\0';
}

/* Raw GMime: the same input bytes into a message object, nothing decoded. */
static gboolean
raw_one (GBytes *mail)
{
  return bench_raw_gmime_parse (mail);
}

typedef gboolean (*OneFunc) (GBytes *mail);

/* One pass over the corpus: the number of mails, -1 on a mail that does
 * not parse. */
static gint64
corpus_pass (OneFunc one, GPtrArray *corpus)
{
  for (guint i = 0; i < corpus->len; i++)
    if (!one (g_ptr_array_index (corpus, i)))
      return -1;
  return corpus->len;
}

static gint64
ours_pass (gpointer corpus)
{
  return corpus_pass (ours_one, corpus);
}

static gint64
raw_pass (gpointer corpus)
{
  return corpus_pass (raw_one, corpus);
}

static void
report_round (int round, const double *rates, gpointer user_data G_GNUC_UNUSED)
{
  g_printerr ("bench-mail-parse: round %d: parse+markup %.0f mails/s, raw GMime %.0f mails/s\n",
              round, rates[0], rates[1]);
}

/* Corpus facts for stderr: mean size and how often each transfer encoding
 * appears (two text parts per mail). */
static void
describe (GPtrArray *corpus)
{
  gsize total = 0;
  guint qp = 0, b64 = 0;
  for (guint i = 0; i < corpus->len; i++)
    {
      gsize len;
      const char *data = g_bytes_get_data (g_ptr_array_index (corpus, i), &len);
      total += len;
      g_autofree char *s = g_strndup (data, len);
      for (const char *p = s; (p = strstr (p, "Content-Transfer-Encoding: ")) != NULL; p++)
        {
          p += strlen ("Content-Transfer-Encoding: ");
          if (g_ascii_strncasecmp (p, "quoted-printable", 16) == 0)
            qp++;
          else if (g_ascii_strncasecmp (p, "base64", 6) == 0)
            b64++;
        }
    }
  g_printerr ("bench-mail-parse: %u mails, mean %.0f bytes; of the %u text parts %u quoted-printable, "
              "%u base64, the rest 7bit\n",
              corpus->len, (double) total / corpus->len, 2 * corpus->len, qp, b64);
}

int
main (int argc, char **argv)
{
  double seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 0.25;
  int rounds = argc > 2 ? atoi (argv[2]) : 8;
  int n_mails = argc > 3 ? atoi (argv[3]) : 400;
  if (seconds <= 0 || rounds <= 0 || n_mails <= 0)
    {
      g_printerr ("usage: %s [SECONDS_PER_ROUND [ROUNDS [MAILS]]]\n", argv[0]);
      return 2;
    }
  g_autoptr (GPtrArray) corpus = make_corpus ((guint) n_mails);
  if (corpus == NULL)
    return 1;
  describe (corpus);
  /* Warm up both sides (GMime's charset tables, iconv, allocator). */
  for (guint i = 0; i < corpus->len; i++)
    if (!ours_one (g_ptr_array_index (corpus, i)) || !raw_one (g_ptr_array_index (corpus, i)))
      {
        g_printerr ("bench-mail-parse: mail %u does not parse as expected\n", i);
        return 1;
      }
  const BenchSide sides[] = { { ours_pass, corpus }, { raw_pass, corpus } };
  double med[2];
  if (!bench_rounds (sides, 2, rounds, seconds, report_round, NULL, med))
    return 1;
  bench_print_figure ("mail_parse_rate", med[0], 0, "mails/s", "gmime_parse_rate", med[1], 2);
  fflush (stdout);
  return 0;
}
