/* test-email.c: plain mail addresses, checked and normalized. */
#include "config.h"
#include <string.h>
#include "rt-email.h"
#include "rt-error.h"

static void
test_normalize (void)
{
  const struct { const char *in, *out; } ok[] = {
    { "bob@example.org", "bob@example.org" },
    { "Bob.Smith@Example.ORG", "Bob.Smith@example.org" },
    { "  mailto:bob@example.org\t", "bob@example.org" },
    { "MAILTO:bob@example.org", "bob@example.org" },
    { "o'neil+rfp_2027@mail.example.co.uk", "o'neil+rfp_2027@mail.example.co.uk" },
    { "a!#$%&*/=?^`{|}~-@x.example", "a!#$%&*/=?^`{|}~-@x.example" },
    { "bob@localhost", "bob@localhost" },
    { "zoe@Bücher.Example", "zoe@xn--bcher-kva.example" },
    { "jo@1-2.example", "jo@1-2.example" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *got = rt_email_normalize (ok[i].in, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (got, ==, ok[i].out);
    }
}

static void
test_refused (void)
{
  g_autofree char *long_local = g_strnfill (65, 'a');
  g_autofree char *long_label = g_strnfill (64, 'b');
  g_autofree char *too_long_local = g_strdup_printf ("%s@x.example", long_local);
  g_autofree char *too_long_label = g_strdup_printf ("a@%s.example", long_label);
  GString *long_domain = g_string_new ("a@");
  while (long_domain->len < 260)
    g_string_append (long_domain, "abcdefghij.");
  g_string_append (long_domain, "example");
  const char *bad[] = {
    NULL, "", "   ", "bob", "bob@", "@example.org", "bob@@example.org", "bob@ex ample.org",
    "Bob <bob@example.org>", "\"bob smith\"@example.org", "bob.@example.org", ".bob@example.org",
    "bo..b@example.org", "bob@example..org", "bob@.example.org", "bob@example.org.",
    "bob@-example.org", "bob@example-.org", "bob@[192.0.2.1]", "bob@exa_mple.org",
    "bob@example.org\r\nBcc: eve@example.org", "bob(comment)@example.org", "zoë@example.org",
    "bob@example.org,eve@example.org", "mailto:", too_long_local, too_long_label, long_domain->str,
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_test_message ("%s", bad[i] ? bad[i] : "(null)");
      g_assert_null (rt_email_normalize (bad[i], &error));
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "bob@example.org"));   /* the example */
    }
  g_autoptr (GError) error = NULL;
  g_assert_null (rt_email_normalize ("Bob <bob@x.example>", &error));
  g_assert_nonnull (strstr (error->message, "Bob <bob@x.example>"));   /* names the value */
  g_assert_null (rt_email_normalize ("nope", NULL));                     /* error optional */
  g_string_free (long_domain, TRUE);
}

static void
test_domain (void)
{
  g_assert_cmpstr (rt_email_domain ("bob@example.org"), ==, "example.org");
  g_assert_cmpstr (rt_email_domain ("bob@"), ==, "");
  g_assert_null (rt_email_domain ("bob"));
  g_assert_null (rt_email_domain (NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/email/normalize", test_normalize);
  g_test_add_func ("/email/refused", test_refused);
  g_test_add_func ("/email/domain", test_domain);
  return g_test_run ();
}
