/* test-model.c: endpoints, members, labels. */
#include "config.h"
#include "rt-model.h"
#include "rt-error.h"

static void
test_endpoint_parse (void)
{
  const struct { const char *uri, *scheme, *address, *protocol; } ok[] = {
    { "xmpp:alice@site-a.test", "xmpp", "alice@site-a.test", "prpl-jabber" },
    { "XMPP:Alice@Site-A.test", "xmpp", "Alice@Site-A.test", "prpl-jabber" },
    { "irc:alice", "irc", "alice", "prpl-irc" },
    { "prpl-sipe:alice@corp.test", "prpl-sipe", "alice@corp.test", "prpl-sipe" },
    { "prpl-irc:bob:x", "prpl-irc", "bob:x", "prpl-irc" },   /* first ':' splits */
    { "mailto:alice@site-a.test", "mailto", "alice@site-a.test", NULL },
    { "prpl-:alice", "prpl-", "alice", NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RtEndpoint) ep = rt_endpoint_parse (ok[i].uri, &error);
      g_assert_no_error (error);
      g_assert_nonnull (ep);
      g_assert_cmpstr (ep->scheme, ==, ok[i].scheme);
      g_assert_cmpstr (ep->address, ==, ok[i].address);
      g_assert_null (ep->account);
      g_assert_cmpstr (rt_endpoint_protocol (ep), ==, ok[i].protocol);
      g_autofree char *back = rt_endpoint_format (ep);
      g_autofree char *expected = g_strdup_printf ("%s:%s", ok[i].scheme, ok[i].address);
      g_assert_cmpstr (back, ==, expected);
    }

  const char *bad[] = { "", "alice", ":alice", "xmpp:", "xm pp:alice", "xmpp:al ice",
                        "1xmpp:alice", "xmpp:alice\n" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_null (rt_endpoint_parse (bad[i], &error));
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
    }
  g_autoptr (GError) error = NULL;
  g_assert_null (rt_endpoint_parse (NULL, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
}

static void
test_member_new_copy (void)
{
  g_autoptr (RtMember) m = rt_member_new ("alice");
  g_assert_cmpstr (m->handle, ==, "alice");
  g_assert_cmpstr (m->tz, ==, "UTC");
  g_assert_cmpstr (m->lang, ==, "en");
  g_assert_cmpuint (m->hours.start_min, ==, 540);
  g_assert_cmpuint (m->hours.days, ==, RT_DAYS_MON_FRI);
  g_assert_false (m->offhours_im);
  g_assert_cmpuint (m->endpoints->len, ==, 0);

  m->id = 7;
  m->ws_id = 3;
  m->name = g_strdup ("Alice Dubois");
  m->site = g_strdup ("Brussels");
  m->country = g_strdup ("BE");
  m->offhours_im = TRUE;
  g_ptr_array_add (m->endpoints, rt_endpoint_new ("xmpp", "alice@a.test", "hub@a.test/rt"));

  g_autoptr (RtMember) c = rt_member_copy (m);
  g_assert_true (c != m);
  g_assert_cmpint (c->id, ==, 7);
  g_assert_cmpint (c->ws_id, ==, 3);
  g_assert_cmpstr (c->name, ==, "Alice Dubois");
  g_assert_true (c->name != m->name);
  g_assert_cmpstr (c->country, ==, "BE");
  g_assert_true (c->offhours_im);
  g_assert_cmpuint (c->endpoints->len, ==, 1);
  g_assert_true (c->endpoints != m->endpoints);
  RtEndpoint *ep = g_ptr_array_index (c->endpoints, 0);
  g_assert_true (ep != g_ptr_array_index (m->endpoints, 0));
  g_assert_cmpstr (ep->account, ==, "hub@a.test/rt");
}

static void
test_labels (void)
{
  g_autoptr (RtMember) m = rt_member_new ("alice");
  g_autofree char *bare = rt_member_label (m);
  g_assert_cmpstr (bare, ==, "alice");
  m->name = g_strdup ("Alice Dubois");
  g_autofree char *named = rt_member_label (m);
  g_assert_cmpstr (named, ==, "Alice Dubois");
  m->site = g_strdup ("Brussels");
  g_autofree char *full = rt_member_label (m);
  g_assert_cmpstr (full, ==, "Alice Dubois (Brussels)");
  g_autofree char *guest = rt_guest_label ("carol");
  g_assert_cmpstr (guest, ==, "carol (guest)");
}

static void
test_free_null (void)
{
  rt_workspace_free (NULL);
  rt_endpoint_free (NULL);
  rt_member_free (NULL);
  rt_link_free (NULL);
  rt_message_free (NULL);
  g_autoptr (RtMessage) msg = rt_message_new ();
  g_assert_cmpint (msg->id, ==, 0);
  g_assert_null (msg->text);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/endpoint-parse", test_endpoint_parse);
  g_test_add_func ("/model/member-new-copy", test_member_new_copy);
  g_test_add_func ("/model/labels", test_labels);
  g_test_add_func ("/model/free-null", test_free_null);
  return g_test_run ();
}
