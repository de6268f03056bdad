/* test-mention.c: rt_text_mentions and rt_text_is_decision. */
#include "config.h"
#include <glib.h>
#include "rt-mention.h"

static RtMember *
member (const char *handle, const char *name)
{
  RtMember *m = rt_member_new (handle);
  m->name = g_strdup (name);
  return m;
}

typedef struct {
  const char *text;
  gboolean    want;
} Case;

static void
check (const RtMember *m, const Case *cases, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      gboolean got = rt_text_mentions (cases[i].text, m);
      if (got != cases[i].want)
        g_error ("rt_text_mentions (\"%s\", %s) = %d, want %d",
                 cases[i].text, m->handle, got, cases[i].want);
    }
}

static void
test_handle (void)
{
  g_autoptr (RtMember) alice = member ("alice", "Alice Dubois");
  static const Case cases[] = {
    { "@alice can you check?", TRUE },
    { "ping @alice", TRUE },
    { "thanks @Alice.", TRUE },
    { "(@ALICE)", TRUE },
    { "@alice's draft", TRUE },
    { "@alice: done", TRUE },
    { "@bob,@alice", TRUE },
    { "@alice\nnext line", TRUE },
    /* No false positives. */
    { "@alicex is someone else", FALSE },
    { "@alice_b too", FALSE },
    { "@alice2", FALSE },
    { "emailalice", FALSE },
    { "alice without at", FALSE },
    { "write to bob@alice.example", FALSE },
    { "mail alice@example.org", FALSE },
    { "@alice.dubois is another handle", FALSE },
    { "@alice-team", FALSE },
    { "@ alice", FALSE },
    { "@@alice", FALSE },
    { "", FALSE },
  };
  check (alice, cases, G_N_ELEMENTS (cases));
  g_assert_false (rt_text_mentions (NULL, alice));
  g_assert_false (rt_text_mentions ("@alice", NULL));
}

static void
test_name (void)
{
  g_autoptr (RtMember) alice = member ("alice", "Alice Dubois");
  static const Case cases[] = {
    { "Alice Dubois will send it", TRUE },
    { "ask alice dubois", TRUE },
    { "ask ALICE   DUBOIS.", TRUE },
    { "ask Alice\u00a0Dubois", TRUE },          /* no-break space */
    { "Alice\tDubois", TRUE },
    { "\"Alice Dubois\"", TRUE },
    { "Alice alone", FALSE },                   /* the full name, not a part */
    { "Dubois alone", FALSE },
    { "Alice Duboisson", FALSE },
    { "MaryAlice Dubois", FALSE },
    { "Alice Dubois-Martin", FALSE },           /* another person */
    { "Alice\nDubois", FALSE },                 /* not across lines */
  };
  check (alice, cases, G_N_ELEMENTS (cases));
}

static void
test_non_ascii (void)
{
  g_autoptr (RtMember) chloe = member ("chloé", "Chloé Martin");
  static const Case chloe_cases[] = {
    { "Chloé Martin agrees", TRUE },
    { "CHLOÉ MARTIN agrees", TRUE },
    { "chloe\u0301 martin, decomposed", TRUE },   /* NFD in the text */
    { "@Chloé please", TRUE },
    { "@CHLOÉ please", TRUE },
    { "@chloe please", FALSE },                   /* é is not e */
    { "@chloéa please", FALSE },
    { "Chloé Martinez", FALSE },
    { "Chloé alone", FALSE },
  };
  check (chloe, chloe_cases, G_N_ELEMENTS (chloe_cases));

  g_autoptr (RtMember) lukasz = member ("lukasz", "Łukasz");
  static const Case lukasz_cases[] = {
    { "Łukasz, your turn", TRUE },
    { "dzięki łukasz!", TRUE },
    { "ŁUKASZ", TRUE },
    { "@lukasz ok", TRUE },
    { "Łukaszowi", FALSE },       /* an inflected form is another word */
    { "Lukasz", FALSE },
    { "PanŁukasz", FALSE },
  };
  check (lukasz, lukasz_cases, G_N_ELEMENTS (lukasz_cases));

  /* Invalid UTF-8 does not crash and still finds what is valid. */
  g_assert_true (rt_text_mentions ("\xff\xfe @lukasz \xc3", lukasz));
}

static void
test_no_name (void)
{
  g_autoptr (RtMember) m = rt_member_new ("bob");
  g_assert_true (rt_text_mentions ("hi @bob", m));
  g_assert_false (rt_text_mentions ("hi bob", m));
  g_free (m->name);
  m->name = g_strdup ("   ");
  g_assert_false (rt_text_mentions ("   ", m));
  g_free (m->handle);
  m->handle = g_strdup ("");
  g_assert_false (rt_text_mentions ("@ hi", m));
}

static void
test_decision (void)
{
  static const Case cases[] = {
    { "Decision: we go with supplier B", TRUE },
    { "decided: annex goes out Friday", TRUE },
    { "DECISION : no discount", TRUE },
    { "  Decision:indented", TRUE },
    { "Some context first.\nDecision: second line counts", TRUE },
    { "Besluit: we nemen optie B", TRUE },
    { "Beslissing: vrijdag", TRUE },
    { "Besloten: ja", TRUE },
    { "Décision : on envoie l'annexe", TRUE },
    { "Décision\u00a0: espace insécable", TRUE },
    { "Décision\u202f: espace fine", TRUE },
    { "décidé : vendredi", TRUE },
    { "DÉCISION: majuscules", TRUE },
    { "Entscheidung: Angebot B", TRUE },
    { "Beschluss: Freitag", TRUE },
    { "Beschlossen: ja", TRUE },
    { "#decision supplier B", TRUE },
    { "we go with B #decision", TRUE },
    { "#Décision", TRUE },
    { "#besluit: B", TRUE },
    /* Not decisions. */
    { "We need a decision: soon?", FALSE },
    { "Decisions: we have to take three", FALSE },
    { "Decision pending", FALSE },
    { "Decision", FALSE },
    { "Undecided: maybe", FALSE },
    { "> Decision: quoted from a mail", FALSE },
    { "#decisions", FALSE },
    { "foo#decision", FALSE },
    { "Decisión: Spanish is not in the list", FALSE },
    { "", FALSE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean got = rt_text_is_decision (cases[i].text);
      if (got != cases[i].want)
        g_error ("rt_text_is_decision (\"%s\") = %d, want %d", cases[i].text, got, cases[i].want);
    }
  g_assert_false (rt_text_is_decision (NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mention/handle", test_handle);
  g_test_add_func ("/mention/name", test_name);
  g_test_add_func ("/mention/non-ascii", test_non_ascii);
  g_test_add_func ("/mention/no-name", test_no_name);
  g_test_add_func ("/decision/markers", test_decision);
  return g_test_run ();
}
