/* test-member-opts.c: "/ws member add|set" options, all or nothing. */
#include "config.h"
#include <string.h>
#include "rt-member-opts.h"
#include "rt-error.h"

static RtMember *
sample (void)
{
  RtMember *m = rt_member_new ("alice");
  m->id = 12;
  m->ws_id = 3;
  m->name = g_strdup ("Alice");
  g_ptr_array_add (m->endpoints, rt_endpoint_new ("xmpp", "alice@site-a.test", NULL));
  return m;
}

static gboolean
apply (RtMember *m, const char *const *argv, GError **error)
{
  return rt_member_apply_options (m, (char **) argv, error);
}

static const char *
ep_uri (const RtMember *m, guint i)
{
  static char buf[256];
  const RtEndpoint *ep = g_ptr_array_index (m->endpoints, i);
  g_snprintf (buf, sizeof buf, "%s:%s", ep->scheme, ep->address);
  return buf;
}

static void
test_all_options (void)
{
  g_autoptr (RtMember) m = sample ();
  g_autoptr (GError) error = NULL;
  const char *argv[] = {
    "--name", "Alice Dubois", "--site", "Brussels", "--country", "be",
    "--tz", "Europe/Brussels", "--lang", "pt-br", "--hours", "08:30-17:30",
    "--days", "Mon-Thu", "--offhours-im", "yes", "--im", "irc:alice",
    "--im", "prpl-sipe:alice@corp.test", NULL
  };

  g_assert_true (apply (m, argv, &error));
  g_assert_no_error (error);
  g_assert_cmpint (m->id, ==, 12);
  g_assert_cmpint (m->ws_id, ==, 3);
  g_assert_cmpstr (m->handle, ==, "alice");
  g_assert_cmpstr (m->name, ==, "Alice Dubois");
  g_assert_cmpstr (m->site, ==, "Brussels");
  g_assert_cmpstr (m->country, ==, "BE");
  g_assert_cmpstr (m->tz, ==, "Europe/Brussels");
  g_assert_cmpstr (m->lang, ==, "pt_BR");
  g_assert_cmpuint (m->hours.start_min, ==, 510);
  g_assert_cmpuint (m->hours.end_min, ==, 1050);
  g_assert_cmphex (m->hours.days, ==, 0x0f);
  g_assert_true (m->offhours_im);
  g_assert_cmpuint (m->endpoints->len, ==, 3);
  g_assert_cmpstr (ep_uri (m, 0), ==, "xmpp:alice@site-a.test");
  g_assert_cmpstr (ep_uri (m, 1), ==, "irc:alice");
  g_assert_cmpstr (ep_uri (m, 2), ==, "prpl-sipe:alice@corp.test");
}

static void
test_equals_form (void)
{
  g_autoptr (RtMember) m = sample ();
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "--tz=America/Sao_Paulo", "--offhours-im=off", "--lang=fr", NULL };

  m->offhours_im = TRUE;
  g_assert_true (apply (m, argv, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (m->tz, ==, "America/Sao_Paulo");
  g_assert_false (m->offhours_im);
  g_assert_cmpstr (m->lang, ==, "fr");
}

static void
test_empty_argv (void)
{
  g_autoptr (RtMember) m = sample ();
  g_autoptr (GError) error = NULL;
  const char *argv[] = { NULL };
  g_assert_true (apply (m, argv, &error));
  g_assert_true (rt_member_apply_options (m, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (m->name, ==, "Alice");
}

static void
test_lang (void)
{
  const struct { const char *in, *out; } ok[] = {
    { "fr", "fr" }, { "NL", "nl" }, { "pt_BR", "pt_BR" }, { "pt-BR", "pt_BR" },
    { "pt_br", "pt_BR" }, { "fil", "fil" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr (RtMember) m = sample ();
      g_autoptr (GError) error = NULL;
      const char *argv[] = { "--lang", ok[i].in, NULL };
      g_assert_true (apply (m, argv, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (m->lang, ==, ok[i].out);
    }
  const char *bad[] = { "", "f", "french", "pt_BRA", "pt-", "p1", "pt_B1", "pt BR" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (RtMember) m = sample ();
      g_autoptr (GError) error = NULL;
      const char *argv[] = { "--lang", bad[i], NULL };
      g_assert_false (apply (m, argv, &error));
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      g_assert_cmpstr (m->lang, ==, "en");
    }
}

/* Each bad option: error naming what is wrong, member untouched even though
 * valid options came before it. */
static void
test_errors_leave_member_untouched (void)
{
  const struct { const char *opt, *value, *in_message; } bad[] = {
    { "--country", "BEL", "BEL" },
    { "--country", "B1", "B1" },
    { "--tz", "Europe/Brussel", "Europe/Brussel" },
    { "--tz", "", "time zone" },
    { "--hours", "9-17", "9-17" },
    { "--days", "Funday", "Funday" },
    { "--offhours-im", "maybe", "maybe" },
    { "--im", "alice", "alice" },
    { "--im", "mailto:alice@site-a.test", "mailto" },
    { "--im", "prpl-:alice", "prpl-" },
    { "--no-im", "irc:nobody", "irc:nobody" },
    { "--no-im", "bogus", "bogus" },
    { "--email", "alice", "alice" },
    { "--email", "alice@", "alice@" },
    { "--email", "@site-a.test", "@site-a.test" },
    { "--email", "Alice <alice@site-a.test>", "Alice <alice@site-a.test>" },
    { "--email", "\"al ice\"@site-a.test", "al ice" },
    { "--email", "alice@site-a.test\r\nBcc: x@y.test", "Bcc" },
    { "--email", "al..ice@site-a.test", "al..ice" },
    { "--email", "alice@-site.test", "-site.test" },
    { "--email", "alice@[127.0.0.1]", "127.0.0.1" },
    { "--email", "zoë@site-a.test", "zoë" },
    { "--no-email", "nobody@site-a.test", "nobody@site-a.test" },
    { "--no-email", "not an address", "not an address" },
    { "--immediate-mail", "sometimes", "sometimes" },
    { "--colour", "blue", "--colour" },
    { "alice", "x", "alice" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (RtMember) m = sample ();
      g_autoptr (GError) error = NULL;
      GPtrArray *endpoints = m->endpoints;
      const char *argv[] = {
        "--name", "Changed", "--tz", "Asia/Singapore", "--im", "irc:alice2",
        bad[i].opt, bad[i].value, "--site", "Later", NULL
      };
      g_test_message ("%s %s", bad[i].opt, bad[i].value);
      g_assert_false (apply (m, argv, &error));
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, bad[i].in_message));
      g_assert_cmpstr (m->name, ==, "Alice");
      g_assert_cmpstr (m->tz, ==, "UTC");
      g_assert_null (m->site);
      g_assert_true (m->endpoints == endpoints);
      g_assert_cmpuint (m->endpoints->len, ==, 1);
    }
}

static void
test_missing_value (void)
{
  const char *opts[] = { "--name", "--tz", "--im", "--no-im", "--offhours-im", "--email",
                         "--no-email", "--immediate-mail" };
  for (guint i = 0; i < G_N_ELEMENTS (opts); i++)
    {
      g_autoptr (RtMember) m = sample ();
      g_autoptr (GError) error = NULL;
      const char *argv[] = { "--site", "Brussels", opts[i], NULL };
      g_assert_false (apply (m, argv, &error));
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, opts[i]));
      g_assert_nonnull (strstr (error->message, "value"));
      g_assert_null (m->site);
    }
  /* An unknown option at the end is reported as unknown, not as valueless. */
  g_autoptr (RtMember) m = sample ();
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "--bogus", NULL };
  g_assert_false (apply (m, argv, &error));
  g_assert_nonnull (strstr (error->message, "Unknown option"));
  g_assert_nonnull (strstr (error->message, "--bogus"));
}

static void
test_im_duplicates_and_removal (void)
{
  g_autoptr (RtMember) m = sample ();
  g_autoptr (GError) error = NULL;
  const char *add[] = { "--im", "XMPP:Alice@Site-A.test", "--im", "irc:alice",
                        "--im", "irc:alice", NULL };

  g_assert_true (apply (m, add, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (m->endpoints->len, ==, 2);   /* the duplicates were ignored */
  g_assert_cmpstr (ep_uri (m, 0), ==, "xmpp:alice@site-a.test");
  g_assert_cmpstr (ep_uri (m, 1), ==, "irc:alice");

  const char *remove[] = { "--no-im", "xmpp:ALICE@site-a.test", NULL };
  g_assert_true (apply (m, remove, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (m->endpoints->len, ==, 1);
  g_assert_cmpstr (ep_uri (m, 0), ==, "irc:alice");

  /* Removing it twice in one command: the second fails, nothing changes. */
  const char *twice[] = { "--no-im", "irc:alice", "--no-im", "irc:alice", NULL };
  g_assert_false (apply (m, twice, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
  g_assert_cmpuint (m->endpoints->len, ==, 1);

  /* Add then remove in one command. */
  g_clear_error (&error);
  const char *both[] = { "--im", "prpl-sipe:a@corp.test", "--no-im", "prpl-sipe:a@corp.test", NULL };
  g_assert_true (apply (m, both, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (m->endpoints->len, ==, 1);
}

/* --email: several allowed, checked and normalized (domain lower case,
 * mailto: prefix dropped, internationalized domains in ASCII), duplicates
 * ignored, --no-email removes; IM endpoints are not touched. */
/* --role and --stream / --no-stream (streams, docs/stream-workspace.md),
 * all or nothing like the rest. */
static void
test_roles_and_stream (void)
{
  g_autoptr (RtMember) m = sample ();
  g_autoptr (GError) error = NULL;
  const char *add[] = { "--role", "Spokesperson, owner", "--stream", "@Alice@Social.Example",
                        "--stream", "alice@social.example", "--stream", "@ali@other.example", NULL };
  g_assert_true (apply (m, add, &error));
  g_assert_no_error (error);
  g_assert_cmpint (m->roles, ==, RT_ROLE_OWNER | RT_ROLE_SPOKESPERSON);
  g_assert_cmpuint (m->endpoints->len, ==, 3);   /* the duplicate was ignored */
  g_assert_cmpstr (ep_uri (m, 1), ==, "stream:Alice@social.example");
  g_assert_cmpstr (ep_uri (m, 2), ==, "stream:ali@other.example");

  /* A bad role, a handle without server, an unknown --no-stream: nothing changes. */
  const char *bad[][5] = {
    { "--role", "boss", NULL },
    { "--role", "none", "--stream", "@bob", NULL },
    { "--role", "none", "--no-stream", "@nobody@social.example", NULL },
    { "--role", "", NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (apply (m, bad[i], &error));
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      g_clear_error (&error);
      g_assert_cmpint (m->roles, ==, RT_ROLE_OWNER | RT_ROLE_SPOKESPERSON);
      g_assert_cmpuint (m->endpoints->len, ==, 3);
    }
  const char *clear[] = { "--role", "none", "--no-stream", "@ALICE@social.example", NULL };
  g_assert_true (apply (m, clear, &error));
  g_assert_no_error (error);
  g_assert_cmpint (m->roles, ==, RT_ROLE_NONE);
  g_assert_cmpuint (m->endpoints->len, ==, 2);
  g_assert_cmpstr (ep_uri (m, 1), ==, "stream:ali@other.example");
  /* The copy keeps roles. */
  m->roles = RT_ROLE_OWNER;
  g_autoptr (RtMember) c = rt_member_copy (m);
  g_assert_cmpint (c->roles, ==, RT_ROLE_OWNER);
}

static void
test_email (void)
{
  g_autoptr (RtMember) m = sample ();
  g_autoptr (GError) error = NULL;
  const char *add[] = { "--email", "Alice.Dubois@Site-A.TEST", "--email", " mailto:alice+rfp@home.test ",
                        "--email", "alice.dubois@site-a.test", "--email", "zoe@bücher.example", NULL };
  g_assert_true (apply (m, add, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (m->endpoints->len, ==, 4);   /* the duplicate was ignored */
  g_assert_cmpstr (ep_uri (m, 0), ==, "xmpp:alice@site-a.test");
  g_assert_cmpstr (ep_uri (m, 1), ==, "mailto:Alice.Dubois@site-a.test");
  g_assert_cmpstr (ep_uri (m, 2), ==, "mailto:alice+rfp@home.test");
  g_assert_cmpstr (ep_uri (m, 3), ==, "mailto:zoe@xn--bcher-kva.example");
  g_assert_null (((RtEndpoint *) m->endpoints->pdata[1])->account);

  const char *remove[] = { "--no-email", "ALICE.DUBOIS@site-a.test", "--no-email", "zoe@bücher.example", NULL };
  g_assert_true (apply (m, remove, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (m->endpoints->len, ==, 2);
  g_assert_cmpstr (ep_uri (m, 1), ==, "mailto:alice+rfp@home.test");

  /* --no-im does not remove a mail address by its bare form, --no-email
   * not an IM endpoint. */
  const char *wrong[] = { "--no-email", "alice@site-a.test", NULL };
  g_assert_false (apply (m, wrong, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
  g_assert_cmpuint (m->endpoints->len, ==, 2);
}

static void
test_immediate_mail (void)
{
  g_autoptr (RtMember) m = sample ();
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (m->immediate_mail, ==, RT_IMMEDIATE_FOLLOW);
  const struct { const char *value; RtImmediate want; } cases[] = {
    { "yes", RT_IMMEDIATE_YES }, { "NO", RT_IMMEDIATE_NO }, { "on", RT_IMMEDIATE_YES },
    { "Default", RT_IMMEDIATE_FOLLOW }, { "0", RT_IMMEDIATE_NO },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[] = { "--immediate-mail", cases[i].value, NULL };
      g_assert_true (apply (m, argv, &error));
      g_assert_no_error (error);
      g_assert_cmpint (m->immediate_mail, ==, cases[i].want);
    }
  const char *eq[] = { "--immediate-mail=yes", NULL };
  g_assert_true (apply (m, eq, &error));
  g_assert_cmpint (m->immediate_mail, ==, RT_IMMEDIATE_YES);
  g_autoptr (RtMember) copy = rt_member_copy (m);
  g_assert_cmpint (copy->immediate_mail, ==, RT_IMMEDIATE_YES);
}

static void
test_clear_site (void)
{
  g_autoptr (RtMember) m = sample ();
  g_autoptr (GError) error = NULL;
  m->site = g_strdup ("Brussels");
  const char *argv[] = { "--site", "", NULL };
  g_assert_true (apply (m, argv, &error));
  g_assert_null (m->site);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/member-opts/all-options", test_all_options);
  g_test_add_func ("/member-opts/equals-form", test_equals_form);
  g_test_add_func ("/member-opts/empty-argv", test_empty_argv);
  g_test_add_func ("/member-opts/lang", test_lang);
  g_test_add_func ("/member-opts/errors-leave-member-untouched", test_errors_leave_member_untouched);
  g_test_add_func ("/member-opts/missing-value", test_missing_value);
  g_test_add_func ("/member-opts/im-duplicates-and-removal", test_im_duplicates_and_removal);
  g_test_add_func ("/member-opts/email", test_email);
  g_test_add_func ("/member-opts/roles-and-stream", test_roles_and_stream);
  g_test_add_func ("/member-opts/immediate-mail", test_immediate_mail);
  g_test_add_func ("/member-opts/clear-site", test_clear_site);
  return g_test_run ();
}
