/* test-audience.c: link direction and audience, roles, the spokesperson
 * rule and the held-message lifecycle (rt-audience). */
#include "config.h"
#include <string.h>
#include <glib.h>
#include "rt-audience.h"
#include "rt-error.h"

static void
test_direction_parse (void)
{
  static const struct { const char *text; RtLinkDirection want; } ok[] = {
    { "in", RT_DIRECTION_IN }, { "out", RT_DIRECTION_OUT }, { "both", RT_DIRECTION_BOTH },
    { "IN", RT_DIRECTION_IN }, { " Both ", RT_DIRECTION_BOTH }, { "OUT", RT_DIRECTION_OUT },
  };
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr (GError) error = NULL;
      RtLinkDirection d = 0;
      g_assert_true (rt_link_direction_parse (ok[i].text, &d, &error));
      g_assert_no_error (error);
      g_assert_cmpint (d, ==, ok[i].want);
    }
  static const char *const bad[] = { "", "  ", "inout", "in,out", "i", "bothx", "sortie", "\xff", NULL };
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      RtLinkDirection d = RT_DIRECTION_OUT;
      g_assert_false (rt_link_direction_parse (bad[i], &d, &error));
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "in, out or both"));
      g_assert_cmpint (d, ==, RT_DIRECTION_OUT);   /* untouched */
    }
  g_autoptr (GError) error = NULL;
  RtLinkDirection d = RT_DIRECTION_OUT;
  g_assert_false (rt_link_direction_parse (NULL, &d, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);

  g_assert_cmpstr (rt_link_direction_name (RT_DIRECTION_IN), ==, "in");
  g_assert_cmpstr (rt_link_direction_name (RT_DIRECTION_OUT), ==, "out");
  g_assert_cmpstr (rt_link_direction_name (RT_DIRECTION_BOTH), ==, "both");
  g_assert_null (rt_link_direction_name (0));
  g_assert_null (rt_link_direction_name (7));
  g_assert_cmpint (RT_DIRECTION_DEFAULT, ==, RT_DIRECTION_BOTH);
  /* Round trip. */
  for (RtLinkDirection x = RT_DIRECTION_IN; x <= RT_DIRECTION_BOTH; x++)
    {
      RtLinkDirection back = 0;
      g_assert_true (rt_link_direction_parse (rt_link_direction_name (x), &back, NULL));
      g_assert_cmpint (back, ==, x);
    }
}

static void
test_audience_parse (void)
{
  RtLinkAudience a = RT_AUDIENCE_PUBLIC;
  g_assert_true (rt_link_audience_parse ("internal", &a, NULL));
  g_assert_cmpint (a, ==, RT_AUDIENCE_INTERNAL);
  g_assert_true (rt_link_audience_parse ("PUBLIC ", &a, NULL));
  g_assert_cmpint (a, ==, RT_AUDIENCE_PUBLIC);
  g_assert_cmpstr (rt_link_audience_name (RT_AUDIENCE_INTERNAL), ==, "internal");
  g_assert_cmpstr (rt_link_audience_name (RT_AUDIENCE_PUBLIC), ==, "public");
  g_assert_null (rt_link_audience_name (9));
  g_assert_cmpint (RT_AUDIENCE_DEFAULT, ==, RT_AUDIENCE_INTERNAL);

  static const char *const bad[] = { "", "pub", "private", "internal,public", "öffentlich", NULL };
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      a = RT_AUDIENCE_PUBLIC;
      g_assert_false (rt_link_audience_parse (bad[i], &a, &error));
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "internal or public"));
      g_assert_cmpint (a, ==, RT_AUDIENCE_PUBLIC);
    }
}

static void
test_roles (void)
{
  static const struct { const char *text; RtRoles want; const char *formatted; } ok[] = {
    { "none", RT_ROLE_NONE, "none" },
    { "NONE", RT_ROLE_NONE, "none" },
    { "owner", RT_ROLE_OWNER, "owner" },
    { "spokesperson", RT_ROLE_SPOKESPERSON, "spokesperson" },
    { "owner,spokesperson", RT_ROLE_OWNER | RT_ROLE_SPOKESPERSON, "owner,spokesperson" },
    { "spokesperson,owner", RT_ROLE_OWNER | RT_ROLE_SPOKESPERSON, "owner,spokesperson" },
    { " Spokesperson , OWNER ", RT_ROLE_OWNER | RT_ROLE_SPOKESPERSON, "owner,spokesperson" },
    { "owner,owner", RT_ROLE_OWNER, "owner" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr (GError) error = NULL;
      RtRoles r = 0xff;
      g_test_message ("roles: %s", ok[i].text);
      g_assert_true (rt_roles_parse (ok[i].text, &r, &error));
      g_assert_no_error (error);
      g_assert_cmpint (r, ==, ok[i].want);
      g_autofree char *f = rt_roles_format (r);
      g_assert_cmpstr (f, ==, ok[i].formatted);
    }
  static const struct { const char *text; const char *says; } bad[] = {
    { "", "Name a role" },
    { "   ", "Name a role" },
    { "owner,", "Name a role" },
    { ",owner", "Name a role" },
    { "owner,,spokesperson", "Name a role" },
    { "admin", "Unknown role “admin”" },
    { "owner,crisis", "Unknown role “crisis”" },
    { "spokesman", "Unknown role" },
    { "none,owner", "cannot be combined" },
    { "owner,none", "cannot be combined" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      RtRoles r = RT_ROLE_OWNER;
      g_test_message ("bad roles: %s", bad[i].text);
      g_assert_false (rt_roles_parse (bad[i].text, &r, &error));
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, bad[i].says));
      g_assert_cmpint (r, ==, RT_ROLE_OWNER);
    }
  /* Unknown bits from a newer store are not shown as roles. */
  g_autofree char *f = rt_roles_format (RT_ROLE_SPOKESPERSON | (1 << 7));
  g_assert_cmpstr (f, ==, "spokesperson");
  g_autofree char *g = rt_roles_format (1 << 7);
  g_assert_cmpstr (g, ==, "none");
}

/* Every combination of direction, audience, roles and kind against the
 * rule written out in the header. */
static void
test_decide_all (void)
{
  static const RtLinkDirection dirs[] = { RT_DIRECTION_IN, RT_DIRECTION_OUT, RT_DIRECTION_BOTH };
  static const RtLinkAudience auds[] = { RT_AUDIENCE_INTERNAL, RT_AUDIENCE_PUBLIC };
  static const RtRoles roles[] = {
    RT_ROLE_NONE, RT_ROLE_OWNER, RT_ROLE_SPOKESPERSON, RT_ROLE_OWNER | RT_ROLE_SPOKESPERSON,
  };
  static const RtMessageKind kinds[] = { RT_MESSAGE_PERSON, RT_MESSAGE_HUB, RT_MESSAGE_ECHO,
                                         RT_MESSAGE_STREAM_POST };
  guint counts[3] = { 0 };

  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    for (guint a = 0; a < G_N_ELEMENTS (auds); a++)
      for (guint r = 0; r < G_N_ELEMENTS (roles); r++)
        for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
          {
            RtOutDecision want;
            if (dirs[d] == RT_DIRECTION_IN || kinds[k] == RT_MESSAGE_ECHO)
              want = RT_OUT_SKIP;
            else if (auds[a] == RT_AUDIENCE_INTERNAL)
              want = RT_OUT_SEND;
            else if (kinds[k] == RT_MESSAGE_HUB || kinds[k] == RT_MESSAGE_STREAM_POST)
              want = RT_OUT_SKIP;
            else
              want = (roles[r] & RT_ROLE_SPOKESPERSON) ? RT_OUT_SEND : RT_OUT_HOLD;
            RtOutDecision got = rt_audience_decide (dirs[d], auds[a], roles[r], kinds[k]);
            if (got != want)
              g_error ("decide (%s, %s, %d, kind %d) = %s, want %s",
                       rt_link_direction_name (dirs[d]), rt_link_audience_name (auds[a]),
                       roles[r], kinds[k], rt_out_decision_name (got), rt_out_decision_name (want));
            counts[got]++;
          }
  /* The table exercised every outcome. */
  g_assert_cmpuint (counts[RT_OUT_SKIP], >, 0);
  g_assert_cmpuint (counts[RT_OUT_SEND], >, 0);
  g_assert_cmpuint (counts[RT_OUT_HOLD], >, 0);
}

/* The rule's named cases, readable one by one. */
static void
test_decide_cases (void)
{
  /* An 'in' link never gets anything, not even a spokesperson's line. */
  g_assert_cmpint (rt_audience_decide (RT_DIRECTION_IN, RT_AUDIENCE_PUBLIC, RT_ROLE_SPOKESPERSON,
                                       RT_MESSAGE_PERSON), ==, RT_OUT_SKIP);
  /* Internal links take everyone's lines, guests' too (roles 0). */
  g_assert_cmpint (rt_audience_decide (RT_DIRECTION_OUT, RT_AUDIENCE_INTERNAL, RT_ROLE_NONE,
                                       RT_MESSAGE_PERSON), ==, RT_OUT_SEND);
  g_assert_cmpint (rt_audience_decide (RT_DIRECTION_BOTH, RT_AUDIENCE_INTERNAL, RT_ROLE_NONE,
                                       RT_MESSAGE_PERSON), ==, RT_OUT_SEND);
  /* Public: spokespersons only; an owner is held like anyone else. */
  g_assert_cmpint (rt_audience_decide (RT_DIRECTION_BOTH, RT_AUDIENCE_PUBLIC, RT_ROLE_SPOKESPERSON,
                                       RT_MESSAGE_PERSON), ==, RT_OUT_SEND);
  g_assert_cmpint (rt_audience_decide (RT_DIRECTION_OUT, RT_AUDIENCE_PUBLIC, RT_ROLE_OWNER,
                                       RT_MESSAGE_PERSON), ==, RT_OUT_HOLD);
  g_assert_cmpint (rt_audience_decide (RT_DIRECTION_OUT, RT_AUDIENCE_PUBLIC, RT_ROLE_NONE,
                                       RT_MESSAGE_PERSON), ==, RT_OUT_HOLD);
  /* Alerts reach internal links, never public ones, and are never held. */
  g_assert_cmpint (rt_audience_decide (RT_DIRECTION_BOTH, RT_AUDIENCE_INTERNAL, RT_ROLE_NONE,
                                       RT_MESSAGE_HUB), ==, RT_OUT_SEND);
  g_assert_cmpint (rt_audience_decide (RT_DIRECTION_BOTH, RT_AUDIENCE_PUBLIC, RT_ROLE_NONE,
                                       RT_MESSAGE_HUB), ==, RT_OUT_SKIP);
  /* Nothing goes back where it came from. */
  g_assert_cmpint (rt_audience_decide (RT_DIRECTION_BOTH, RT_AUDIENCE_INTERNAL,
                                       RT_ROLE_SPOKESPERSON, RT_MESSAGE_ECHO), ==, RT_OUT_SKIP);
  /* The defaults keep today's room bridging: everything but echoes goes. */
  g_assert_cmpint (rt_audience_decide (RT_DIRECTION_DEFAULT, RT_AUDIENCE_DEFAULT, RT_ROLE_NONE,
                                       RT_MESSAGE_PERSON), ==, RT_OUT_SEND);

  g_assert_cmpstr (rt_out_decision_name (RT_OUT_SKIP), ==, "skip");
  g_assert_cmpstr (rt_out_decision_name (RT_OUT_SEND), ==, "send");
  g_assert_cmpstr (rt_out_decision_name (RT_OUT_HOLD), ==, "hold");
  /* Someone's post read from a stream goes to rooms and internal links, but
   * is never re-posted as the company's own words, not even a
   * spokesperson's (it is public already where it was written). */
  g_assert_cmpint (rt_audience_decide (RT_DIRECTION_BOTH, RT_AUDIENCE_INTERNAL, RT_ROLE_NONE,
                                       RT_MESSAGE_STREAM_POST), ==, RT_OUT_SEND);
  g_assert_cmpint (rt_audience_decide (RT_DIRECTION_OUT, RT_AUDIENCE_PUBLIC, RT_ROLE_SPOKESPERSON,
                                       RT_MESSAGE_STREAM_POST), ==, RT_OUT_SKIP);
}

static void
test_may_approve (void)
{
  g_assert_false (rt_audience_may_approve (RT_ROLE_NONE));
  g_assert_true (rt_audience_may_approve (RT_ROLE_OWNER));
  g_assert_true (rt_audience_may_approve (RT_ROLE_SPOKESPERSON));
  g_assert_true (rt_audience_may_approve (RT_ROLE_OWNER | RT_ROLE_SPOKESPERSON));
  g_assert_false (rt_audience_may_approve (1 << 7));   /* an unknown bit is no role */
}

static void
test_visibility_and_key (void)
{
  g_assert_cmpstr (rt_link_audience_visibility (RT_AUDIENCE_PUBLIC), ==, "public");
  g_assert_cmpstr (rt_link_audience_visibility (RT_AUDIENCE_INTERNAL), ==, "private");
  g_assert_cmpstr (rt_link_audience_visibility (7), ==, "private");   /* never public by mistake */

  g_autofree char *k = rt_audience_post_key (7, 812);
  g_assert_cmpstr (k, ==, "rt-l7-m812");
  gint64 link = 0, msg = 0;
  g_assert_true (rt_audience_parse_post_key (k, &link, &msg));
  g_assert_cmpint (link, ==, 7);
  g_assert_cmpint (msg, ==, 812);

  /* The longest key fits the IPC's 64 printable characters. */
  g_autofree char *big = rt_audience_post_key (G_MAXINT64, G_MAXINT64);
  g_assert_cmpuint (strlen (big), <=, 64);
  for (const char *p = big; *p != '\0'; p++)
    g_assert_true (g_ascii_isgraph (*p));
  g_assert_true (rt_audience_parse_post_key (big, &link, &msg));
  g_assert_cmpint (link, ==, G_MAXINT64);
  g_assert_cmpint (msg, ==, G_MAXINT64);

  /* Anything else, such as a key the stream plugin made for a typed line. */
  static const char *const bad[] = {
    "", "rt-l7", "rt-l7-m", "rt-l-m812", "rt-l7-m812x", "rt-l7-m-812", "rt-l+7-m812",
    "rt-l7-m812 ", " rt-l7-m812", "rt-ws3-msg812", "chat-1732", "rt-l0-m812", "rt-l7-m0",
    "rt-l99999999999999999999-m1", "RT-L7-M812", NULL,
  };
  for (guint i = 0; bad[i] != NULL; i++)
    {
      link = msg = -1;
      if (rt_audience_parse_post_key (bad[i], &link, &msg))
        g_error ("\"%s\" read as a post key", bad[i]);
      g_assert_cmpint (link, ==, -1);
      g_assert_cmpint (msg, ==, -1);
    }
  g_assert_false (rt_audience_parse_post_key (NULL, &link, &msg));
}

static void
test_held_names (void)
{
  static const RtHeldState states[] = { RT_HELD_HELD, RT_HELD_APPROVED, RT_HELD_POSTED, RT_HELD_REJECTED };
  static const char *const names[] = { "held", "approved", "posted", "rejected" };
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_assert_cmpstr (rt_held_state_name (states[i]), ==, names[i]);
      RtHeldState back = 99;
      g_assert_true (rt_held_state_from_name (names[i], &back));
      g_assert_cmpint (back, ==, states[i]);
    }
  RtHeldState s = RT_HELD_POSTED;
  g_assert_false (rt_held_state_from_name ("pending", &s));
  g_assert_false (rt_held_state_from_name (NULL, &s));
  g_assert_cmpint (s, ==, RT_HELD_POSTED);
  g_assert_null (rt_held_state_name (42));

  g_autoptr (RtHeld) h = rt_held_new ();
  g_assert_cmpint (h->state, ==, RT_HELD_HELD);
  g_assert_null (h->decided_by);
  g_assert_cmpint (h->decided_us, ==, 0);
  g_assert_cmpint (h->posted_us, ==, 0);
}

static RtHeld *
held (RtHeldState state, const char *by)
{
  RtHeld *h = rt_held_new ();
  h->id = 12;
  h->message_id = 40;
  h->link_id = 3;
  h->held_us = 1000;
  h->state = state;
  if (by != NULL)
    {
      h->decided_by = g_strdup (by);
      h->decided_us = 2000;
    }
  if (state == RT_HELD_POSTED)
    h->posted_us = 3000;
  return h;
}

static void
assert_same (const RtHeld *a, const RtHeld *b)
{
  g_assert_cmpint (a->state, ==, b->state);
  g_assert_cmpstr (a->decided_by, ==, b->decided_by);
  g_assert_cmpint (a->decided_us, ==, b->decided_us);
  g_assert_cmpint (a->posted_us, ==, b->posted_us);
  g_assert_cmpint (a->id, ==, b->id);
  g_assert_cmpint (a->held_us, ==, b->held_us);
}

static void
test_held_happy_paths (void)
{
  g_autoptr (GError) error = NULL;

  /* HELD -> APPROVED -> POSTED. */
  g_autoptr (RtHeld) h = held (RT_HELD_HELD, NULL);
  g_assert_true (rt_held_apply (h, RT_HELD_APPROVE, "carol", RT_ROLE_SPOKESPERSON, 5000, &error));
  g_assert_no_error (error);
  g_assert_cmpint (h->state, ==, RT_HELD_APPROVED);
  g_assert_cmpstr (h->decided_by, ==, "carol");
  g_assert_cmpint (h->decided_us, ==, 5000);
  g_assert_cmpint (h->posted_us, ==, 0);
  /* POST ignores who: the outbox does it, not a person. */
  g_assert_true (rt_held_apply (h, RT_HELD_POST, NULL, RT_ROLE_NONE, 6000, &error));
  g_assert_no_error (error);
  g_assert_cmpint (h->state, ==, RT_HELD_POSTED);
  g_assert_cmpstr (h->decided_by, ==, "carol");      /* the decision stays on record */
  g_assert_cmpint (h->decided_us, ==, 5000);
  g_assert_cmpint (h->posted_us, ==, 6000);

  /* HELD -> REJECTED, by an owner. */
  g_autoptr (RtHeld) r = held (RT_HELD_HELD, NULL);
  g_assert_true (rt_held_apply (r, RT_HELD_REJECT, "olivia", RT_ROLE_OWNER, 7000, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r->state, ==, RT_HELD_REJECTED);
  g_assert_cmpstr (r->decided_by, ==, "olivia");
  g_assert_cmpint (r->decided_us, ==, 7000);
  g_assert_cmpint (r->posted_us, ==, 0);

  /* An owner may approve (also their own message: recorded either way). */
  g_autoptr (RtHeld) o = held (RT_HELD_HELD, NULL);
  g_assert_true (rt_held_apply (o, RT_HELD_APPROVE, "olivia", RT_ROLE_OWNER, 8000, &error));
  g_assert_cmpint (o->state, ==, RT_HELD_APPROVED);
}

typedef struct {
  RtHeldState  from;
  const char  *by;          /* who decided before, for states past HELD */
  RtHeldAction action;
  const char  *who;
  RtRoles      roles;
  gint         code;        /* RtHeldError */
  const char  *says;        /* a piece of the message */
} BadStep;

static void
test_held_refused (void)
{
  static const BadStep steps[] = {
    /* Not allowed to decide: checked before the state. */
    { RT_HELD_HELD, NULL, RT_HELD_APPROVE, "bob", RT_ROLE_NONE, RT_HELD_ERROR_DENIED,
      "Only a spokesperson or an owner" },
    { RT_HELD_HELD, NULL, RT_HELD_REJECT, "bob", RT_ROLE_NONE, RT_HELD_ERROR_DENIED,
      "Only a spokesperson or an owner" },
    { RT_HELD_HELD, NULL, RT_HELD_APPROVE, NULL, RT_ROLE_OWNER, RT_HELD_ERROR_DENIED,
      "Only a spokesperson or an owner" },
    { RT_HELD_HELD, NULL, RT_HELD_APPROVE, "", RT_ROLE_OWNER, RT_HELD_ERROR_DENIED,
      "Only a spokesperson or an owner" },
    { RT_HELD_APPROVED, "carol", RT_HELD_APPROVE, "bob", RT_ROLE_NONE, RT_HELD_ERROR_DENIED,
      "Only a spokesperson or an owner" },
    /* Approve twice. */
    { RT_HELD_APPROVED, "carol", RT_HELD_APPROVE, "dave", RT_ROLE_SPOKESPERSON,
      RT_HELD_ERROR_DECIDED, "Held message 12 was already approved by carol." },
    /* Reject after an approval. */
    { RT_HELD_APPROVED, "carol", RT_HELD_REJECT, "olivia", RT_ROLE_OWNER,
      RT_HELD_ERROR_DECIDED, "already approved by carol; it can no longer be rejected" },
    /* Anything after a rejection. */
    { RT_HELD_REJECTED, "olivia", RT_HELD_APPROVE, "carol", RT_ROLE_SPOKESPERSON,
      RT_HELD_ERROR_DECIDED, "Held message 12 was rejected by olivia." },
    { RT_HELD_REJECTED, "olivia", RT_HELD_REJECT, "carol", RT_ROLE_SPOKESPERSON,
      RT_HELD_ERROR_DECIDED, "was rejected by olivia" },
    { RT_HELD_REJECTED, "olivia", RT_HELD_POST, NULL, RT_ROLE_NONE,
      RT_HELD_ERROR_DECIDED, "was rejected by olivia" },
    /* Anything after the post. */
    { RT_HELD_POSTED, "carol", RT_HELD_APPROVE, "carol", RT_ROLE_SPOKESPERSON,
      RT_HELD_ERROR_DECIDED, "Held message 12 was already posted." },
    { RT_HELD_POSTED, "carol", RT_HELD_REJECT, "olivia", RT_ROLE_OWNER,
      RT_HELD_ERROR_DECIDED, "already posted" },
    { RT_HELD_POSTED, "carol", RT_HELD_POST, NULL, RT_ROLE_NONE,
      RT_HELD_ERROR_DECIDED, "already posted" },
    /* Posting what nobody approved. */
    { RT_HELD_HELD, NULL, RT_HELD_POST, NULL, RT_ROLE_NONE,
      RT_HELD_ERROR_WAITING, "Held message 12 is not approved yet." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      const BadStep *s = &steps[i];
      g_autoptr (GError) error = NULL;
      g_autoptr (RtHeld) h = held (s->from, s->by);
      g_autoptr (RtHeld) before = held (s->from, s->by);
      g_test_message ("step %u: %s + action %d by %s", i, rt_held_state_name (s->from),
                      s->action, s->who != NULL ? s->who : "(none)");
      g_assert_false (rt_held_apply (h, s->action, s->who, s->roles, 9000, &error));
      g_assert_error (error, RT_HELD_ERROR, s->code);
      if (strstr (error->message, s->says) == NULL)
        g_error ("step %u: \"%s\" does not say \"%s\"", i, error->message, s->says);
      assert_same (h, before);   /* nothing changed */
    }
}

/* Every (state, action) pair: exactly the three transitions succeed. */
static void
test_held_matrix (void)
{
  static const RtHeldState states[] = { RT_HELD_HELD, RT_HELD_APPROVED, RT_HELD_POSTED, RT_HELD_REJECTED };
  static const RtHeldAction actions[] = { RT_HELD_APPROVE, RT_HELD_REJECT, RT_HELD_POST };
  guint ok = 0;
  for (guint s = 0; s < G_N_ELEMENTS (states); s++)
    for (guint a = 0; a < G_N_ELEMENTS (actions); a++)
      {
        g_autoptr (RtHeld) h = held (states[s], states[s] == RT_HELD_HELD ? NULL : "carol");
        gboolean want = (states[s] == RT_HELD_HELD && actions[a] != RT_HELD_POST)
                        || (states[s] == RT_HELD_APPROVED && actions[a] == RT_HELD_POST);
        gboolean got = rt_held_apply (h, actions[a], "dave",
                                      RT_ROLE_OWNER | RT_ROLE_SPOKESPERSON, 9000, NULL);
        g_assert_cmpint (got, ==, want);
        ok += got;
      }
  g_assert_cmpuint (ok, ==, 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/audience/direction", test_direction_parse);
  g_test_add_func ("/audience/audience", test_audience_parse);
  g_test_add_func ("/audience/roles", test_roles);
  g_test_add_func ("/audience/decide-all", test_decide_all);
  g_test_add_func ("/audience/decide-cases", test_decide_cases);
  g_test_add_func ("/audience/may-approve", test_may_approve);
  g_test_add_func ("/audience/visibility-and-key", test_visibility_and_key);
  g_test_add_func ("/audience/held-names", test_held_names);
  g_test_add_func ("/audience/held-happy", test_held_happy_paths);
  g_test_add_func ("/audience/held-refused", test_held_refused);
  g_test_add_func ("/audience/held-matrix", test_held_matrix);
  return g_test_run ();
}
