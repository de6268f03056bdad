/* test-imap-resp.c: the IMAP untagged-line parsers of the mail account. */
#include "rt-imap-resp.h"

#include <string.h>

static void
test_examine (void)
{
  const char *resp = "* FLAGS (\\Answered \\Seen)\r\n"
                     "* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n"
                     "* 3 EXISTS\r\n* 0 RECENT\r\n"
                     "* OK [UIDVALIDITY 1764270000] UIDs valid\r\n"
                     "* OK [UIDNEXT 7] Predicted next UID\r\n";
  RtImapFolderState st;
  g_assert_true (rt_imap_parse_examine (resp, strlen (resp), &st));
  g_assert_cmpuint (st.uidvalidity, ==, 1764270000u);
  g_assert_cmpuint (st.uidnext, ==, 7);
  g_assert_cmpuint (st.exists, ==, 3);
  g_assert_false (rt_imap_parse_examine ("* 3 EXISTS\r\n", 12, &st));
  const char *huge = "* OK [UIDVALIDITY 99999999999]\r\n";
  g_assert_false (rt_imap_parse_examine (huge, strlen (huge), &st));
}

static void
test_search (void)
{
  /* "UID SEARCH UID 5:*" answers the highest UID even if it is below 5. */
  const char *resp = "* SEARCH 4\r\n";
  g_autoptr(GArray) none = rt_imap_parse_search (resp, strlen (resp), 4);
  g_assert_cmpuint (none->len, ==, 0);
  const char *many = "* SEARCH 9 5 7 5 x 6\r\n* SEARCH\r\n";
  g_autoptr(GArray) uids = rt_imap_parse_search (many, strlen (many), 5);
  g_assert_cmpuint (uids->len, ==, 3);
  g_assert_cmpuint (g_array_index (uids, guint32, 0), ==, 6);
  g_assert_cmpuint (g_array_index (uids, guint32, 1), ==, 7);
  g_assert_cmpuint (g_array_index (uids, guint32, 2), ==, 9);
}

static void
test_examine_command (void)
{
  g_autofree char *a = rt_imap_examine_command ("INBOX");
  g_assert_cmpstr (a, ==, "EXAMINE \"INBOX\"");
  g_autofree char *b = rt_imap_examine_command ("a\"b\\c");
  g_assert_cmpstr (b, ==, "EXAMINE \"a\\\"b\\\\c\"");
  g_assert_null (rt_imap_examine_command ("INBOX\r\nA1 DELETE INBOX"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mail/imap-resp/examine", test_examine);
  g_test_add_func ("/mail/imap-resp/search", test_search);
  g_test_add_func ("/mail/imap-resp/examine-command", test_examine_command);
  return g_test_run ();
}
