/* bench-digest.c: time to compose the digests of 1,000 members over 10,000
 * workspace messages (issue 4; target under 1 s), against a raw baseline
 * measured in the same run: the same items of each member written one line
 * each with g_string_append_printf into one reused buffer, without
 * grouping, limits, time zones, translation, escaping or wrapping (the raw
 * cost of touching and formatting every item once).
 *
 * Usage: bench-digest [MEMBERS [MESSAGES [WORKSPACES [WS_PER_MEMBER [ROUNDS]]]]]
 *   defaults: 1000 members, 10000 messages spread evenly over 10 workspaces,
 *   each member in 3 of them (so each digest covers 3,000 messages), 3 rounds.
 *
 * The workload: threads "t0".."t4" and no thread in turn; every 50th message
 * a decision; each message mentions one member ("@m<k>") who, if in that
 * workspace, gets it flagged as a mention; prose of ~140 characters;
 * messages spread over the 24 hours before now. Members rotate through the
 * languages en, nl, fr, de and five time zones, and have links (reply and
 * unsubscribe addresses) for their workspaces.
 *
 * A member's item array is built outside the timed part (the caller's work:
 * reading the store); only rt_digest_compose (and rt_digest_free) is timed,
 * and for the baseline only its loop. Rounds alternate compose, raw,
 * compose, raw...; each figure is the median of its rounds' totals.
 *
 * Prints one tab-separated line on stdout:
 *   digest_compose_N  seconds  s  raw_printf_N  seconds  ratio
 * Diagnostics on stderr. */
#include "config.h"
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "bench-util.h"
#include "rt-digest.h"

static const char *const langs[] = { "en", "nl", "fr", "de" };
static const char *const zones[] = {
  "Europe/Brussels", "America/Sao_Paulo", "Asia/Tokyo", "UTC", "America/New_York",
};
static const char *const threads[] = { "t0", "t1", "t2", "t3", "t4", NULL };

typedef struct {
  guint          n_ws;
  char         **ws_names;
  RtDigestItem **ws_items;    /* per workspace, in store order (oldest first) */
  guint         *ws_len;
  GPtrArray     *pool;        /* strings */
  RtMember     **members;
  guint          n_members;
  guint          ws_per_member;
  RtDigestLink  *links;       /* per workspace */
  gint64         now_us;
} Workload;

static guint
member_ws (const Workload *w, guint member, guint k)
{
  /* Distinct workspaces for k < ws_per_member <= n_ws. */
  return (member + k * (w->n_ws / w->ws_per_member)) % w->n_ws;
}

static void
workload_init (Workload *w, guint n_members, guint n_messages, guint n_ws, guint ws_per_member)
{
  w->n_ws = n_ws;
  w->n_members = n_members;
  w->ws_per_member = ws_per_member;
  w->pool = g_ptr_array_new_with_free_func (g_free);
  w->now_us = (gint64) 1772532000 * G_USEC_PER_SEC;   /* 2026-03-03 10:00 UTC */
  w->ws_names = g_new0 (char *, n_ws);
  w->ws_items = g_new0 (RtDigestItem *, n_ws);
  w->ws_len = g_new0 (guint, n_ws);
  w->links = g_new0 (RtDigestLink, n_ws);

  for (guint i = 0; i < n_ws; i++)
    {
      w->ws_names[i] = g_strdup_printf ("Workspace %u RFP Acme", i);
      w->ws_items[i] = g_new0 (RtDigestItem, n_messages / n_ws + 1);
      w->links[i].ws_id = i + 1;
      char *reply = g_strdup_printf ("hub+%08x@hub.example.org", g_str_hash (w->ws_names[i]));
      char *unsubscribe = g_strdup_printf ("mailto:hub+unsub-%u@hub.example.org", i);
      g_ptr_array_add (w->pool, reply);
      g_ptr_array_add (w->pool, unsubscribe);
      w->links[i].reply = reply;
      w->links[i].unsubscribe = unsubscribe;
    }
  for (guint j = 0; j < n_messages; j++)
    {
      guint ws = j % n_ws;
      guint mentioned = (j * 7919u) % n_members;
      char *text = g_strdup_printf ("%s@m%u we send the revised pricing annex to Acme tomorrow, "
                                    "10:00 CET; the logistics figures (%u) are checked by then.",
                                    j % 50 == 0 ? "Decision: " : "", mentioned, j);
      char *label = g_strdup_printf ("Member %u (Site %u)", (j * 31u) % n_members, j % 7);
      g_ptr_array_add (w->pool, text);
      g_ptr_array_add (w->pool, label);
      RtDigestItem *it = &w->ws_items[ws][w->ws_len[ws]++];
      it->msg_id = j + 1;
      it->ws_id = ws + 1;
      it->ws_name = w->ws_names[ws];
      it->thread = threads[j % G_N_ELEMENTS (threads)];
      it->author_label = label;
      it->text = text;
      it->created_us = w->now_us - (gint64) (n_messages - j) * (24 * G_TIME_SPAN_HOUR / n_messages);
      it->decision = j % 50 == 0;
    }

  w->members = g_new0 (RtMember *, n_members);
  for (guint i = 0; i < n_members; i++)
    {
      g_autofree char *handle = g_strdup_printf ("m%u", i);
      RtMember *m = rt_member_new (handle);
      m->name = g_strdup_printf ("Member %u", i);
      g_free (m->lang);
      m->lang = g_strdup (langs[i % G_N_ELEMENTS (langs)]);
      g_free (m->tz);
      m->tz = g_strdup (zones[i % G_N_ELEMENTS (zones)]);
      w->members[i] = m;
    }
}

static void
workload_clear (Workload *w)
{
  for (guint i = 0; i < w->n_ws; i++)
    {
      g_free (w->ws_names[i]);
      g_free (w->ws_items[i]);
    }
  for (guint i = 0; i < w->n_members; i++)
    rt_member_free (w->members[i]);
  g_free (w->members);
  g_free (w->ws_names);
  g_free (w->ws_items);
  g_free (w->ws_len);
  g_free (w->links);
  g_ptr_array_unref (w->pool);
}

/* Member i's items into buf (the caller's work, not timed): the messages of
 * its workspaces, mentions flagged. Returns the count. */
static guint
member_items (const Workload *w, guint i, RtDigestItem *buf, RtDigestLink *links)
{
  guint n = 0;
  g_autofree char *needle = g_strdup_printf ("@m%u ", i);
  for (guint k = 0; k < w->ws_per_member; k++)
    {
      guint ws = member_ws (w, i, k);
      memcpy (buf + n, w->ws_items[ws], w->ws_len[ws] * sizeof (RtDigestItem));
      for (guint j = 0; j < w->ws_len[ws]; j++)
        buf[n + j].mention = strstr (buf[n + j].text, needle) != NULL;
      n += w->ws_len[ws];
      links[k] = w->links[ws];
    }
  return n;
}

int
main (int argc, char **argv)
{
  guint n_members = argc > 1 ? (guint) atoi (argv[1]) : 1000;
  guint n_messages = argc > 2 ? (guint) atoi (argv[2]) : 10000;
  guint n_ws = argc > 3 ? (guint) atoi (argv[3]) : 10;
  guint ws_per_member = argc > 4 ? (guint) atoi (argv[4]) : 3;
  guint rounds = argc > 5 ? (guint) atoi (argv[5]) : 3;
  if (n_members == 0 || n_ws == 0 || n_messages < n_ws || ws_per_member == 0
      || ws_per_member > n_ws || rounds == 0)
    {
      g_printerr ("usage: %s [MEMBERS [MESSAGES [WORKSPACES [WS_PER_MEMBER [ROUNDS]]]]]\n", argv[0]);
      return 2;
    }
  /* Catalogues of the build tree when run from tools (RT_LOCALEDIR), else
   * the installed ones; either way the work is the same. */
  const char *localedir = g_getenv ("RT_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  Workload w = { 0 };
  workload_init (&w, n_members, n_messages, n_ws, ws_per_member);
  guint max_items = 0;
  for (guint i = 0; i < n_ws; i++)
    max_items += w.ws_len[i];
  RtDigestItem *buf = g_new0 (RtDigestItem, max_items);
  RtDigestLink *links = g_new0 (RtDigestLink, ws_per_member);
  RtDigestLinks member_links = { links, ws_per_member };

  g_autoptr (GArray) compose_s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) raw_s = g_array_new (FALSE, FALSE, sizeof (double));
  guint64 items_seen = 0, text_bytes = 0, html_bytes = 0, raw_bytes = 0;

  for (guint r = 0; r < rounds; r++)
    {
      gint64 spent = 0;
      for (guint i = 0; i < n_members; i++)
        {
          guint n = member_items (&w, i, buf, links);
          gint64 t0 = g_get_monotonic_time ();
          RtDigest *d = rt_digest_compose (w.members[i], buf, n, &member_links, w.now_us);
          if (r == 0)
            {
              items_seen += n;
              text_bytes += strlen (d->text);
              html_bytes += strlen (d->html);
            }
          rt_digest_free (d);
          spent += g_get_monotonic_time () - t0;
        }
      double compose = spent / 1e6;

      /* One buffer for all members: the floor is the formatting itself,
       * not page faults of a fresh half-megabyte string per member. */
      spent = 0;
      GString *s = g_string_sized_new (1 << 20);
      for (guint i = 0; i < n_members; i++)
        {
          guint n = member_items (&w, i, buf, links);
          gint64 t0 = g_get_monotonic_time ();
          g_string_truncate (s, 0);
          for (guint j = 0; j < n; j++)
            g_string_append_printf (s, "%s %" G_GINT64_FORMAT " %s: %s\n", buf[j].ws_name,
                                    buf[j].created_us / G_USEC_PER_SEC, buf[j].author_label, buf[j].text);
          spent += g_get_monotonic_time () - t0;
          if (r == 0)
            raw_bytes += s->len;
        }
      g_string_free (s, TRUE);
      double raw = spent / 1e6;
      g_array_append_val (compose_s, compose);
      g_array_append_val (raw_s, raw);
      g_printerr ("bench-digest: round %u: compose %.3f s, raw %.3f s\n", r + 1, compose, raw);
    }

  double compose = bench_median (compose_s), raw = bench_median (raw_s);
  g_printerr ("bench-digest: %u members, %u messages in %u workspaces, %u per member: "
              "%" G_GUINT64_FORMAT " items per round; digests %" G_GUINT64_FORMAT " bytes text + %"
              G_GUINT64_FORMAT " bytes HTML, raw %" G_GUINT64_FORMAT " bytes\n",
              n_members, n_messages, n_ws, ws_per_member, items_seen, text_bytes, html_bytes, raw_bytes);
  g_autofree char *name = g_strdup_printf ("digest_compose_%u", n_members);
  g_autofree char *baseline = g_strdup_printf ("raw_printf_%u", n_members);
  bench_print_figure (name, compose, 3, "s", baseline, raw, 2);

  g_free (buf);
  g_free (links);
  workload_clear (&w);
  return 0;
}
