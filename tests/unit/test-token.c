/* test-token.c: reply-address tokens: round trips, forgeries, strict
 * parsing, addresses and the 64-octet local-part limit. */
#include "config.h"
#include <string.h>
#include "rt-token.h"
#include "rt-error.h"

/* Messages as they come out untranslated (LANGUAGE=C in the unit env). */
#define MALFORMED "This reply address is malformed: it may have been cut off or changed on the way."
#define NOT_VALID "This reply address is not valid: it was not issued by this hub, or it was altered."

static const guint8 key_a[RT_TOKEN_KEY_LEN] = "test key A, not a secret 123456";
static const guint8 key_b[RT_TOKEN_KEY_LEN] = "test key B, not a secret 123456";

static char *
make (RtTokenPurpose purpose, gint64 member, gint64 ws)
{
  char *token = rt_token_make (key_a, sizeof key_a, purpose, member, ws);
  g_assert_nonnull (token);
  return token;
}

/* Verification with key A fails with the expected message, which never
 * contains the token's MAC part (nor anything of the key). */
static void
assert_refused (const char *token, const char *message)
{
  g_autoptr (GError) error = NULL;
  RtTokenPurpose p = RT_TOKEN_REPLY;
  gint64 m = -7, w = -7;
  g_assert_false (rt_token_verify (key_a, sizeof key_a, token, &p, &m, &w, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, message);
  g_assert_cmpint (m, ==, -7);   /* outputs untouched on failure */
  g_assert_cmpint (w, ==, -7);
}

static void
assert_accepted (const char *token, RtTokenPurpose purpose, gint64 member, gint64 ws)
{
  g_autoptr (GError) error = NULL;
  RtTokenPurpose p = purpose == RT_TOKEN_REPLY ? RT_TOKEN_UNSUBSCRIBE : RT_TOKEN_REPLY;
  gint64 m = 0, w = 0;
  g_assert_true (rt_token_verify (key_a, sizeof key_a, token, &p, &m, &w, &error));
  g_assert_no_error (error);
  g_assert_cmpint (p, ==, purpose);
  g_assert_cmpint (m, ==, member);
  g_assert_cmpint (w, ==, ws);
}

static void
check_charset (const char *token)
{
  g_assert_cmpuint (strlen (token), <=, RT_TOKEN_MAX_LEN);
  for (const char *c = token; *c; c++)
    g_assert_true (g_ascii_islower (*c) || g_ascii_isdigit (*c) || *c == '-');
}

static void
test_round_trip (void)
{
  /* Base-36 digit boundaries, small ids, and the top of the 64-bit range. */
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (gint64 i = 1; i <= 80; i++)
    g_array_append_val (ids, i);
  for (gint64 p = 36; p <= G_MAXINT64 / 36; p *= 36)
    {
      gint64 around[] = { p - 1, p, p + 1 };
      g_array_append_vals (ids, around, 3);
    }
  gint64 top[] = { G_MAXINT32, (gint64) G_MAXUINT32 + 1, G_MAXINT64 - 1, G_MAXINT64 };
  g_array_append_vals (ids, top, G_N_ELEMENTS (top));

  guint checked = 0;
  for (guint i = 0; i < ids->len; i++)
    for (guint j = 0; j < ids->len; j += 7)
      for (int purpose = RT_TOKEN_REPLY; purpose <= RT_TOKEN_UNSUBSCRIBE; purpose++)
        {
          gint64 m = g_array_index (ids, gint64, i), w = g_array_index (ids, gint64, j);
          g_autofree char *token = make (purpose, m, w);
          check_charset (token);
          g_assert_cmpint (token[0], ==, purpose == RT_TOKEN_REPLY ? 'r' : 'u');
          assert_accepted (token, purpose, m, w);
          /* Deterministic: the same inputs give the same token. */
          g_autofree char *again = make (purpose, m, w);
          g_assert_cmpstr (token, ==, again);
          checked++;
        }
  g_assert_cmpuint (checked, >, 1000);
  g_array_unref (ids);

  g_autofree char *small = make (RT_TOKEN_REPLY, 1, 1);
  g_assert_cmpuint (strlen (small), ==, 22);
  g_assert_true (g_str_has_prefix (small, "r-1-1-"));
  g_autofree char *big = make (RT_TOKEN_UNSUBSCRIBE, G_MAXINT64, G_MAXINT64);
  g_assert_cmpuint (strlen (big), ==, RT_TOKEN_MAX_LEN);
  g_assert_true (g_str_has_prefix (big, "u-1y2p0ij32e8e7-1y2p0ij32e8e7-"));
}

static void
test_purposes_differ (void)
{
  g_autofree char *reply = make (RT_TOKEN_REPLY, 42, 9);
  g_autofree char *unsub = make (RT_TOKEN_UNSUBSCRIBE, 42, 9);
  /* Same ids, different MAC: the purpose letter is covered. */
  g_assert_cmpstr (reply + 1, !=, unsub + 1);
  g_autofree char *swapped = g_strdup (reply);
  swapped[0] = 'u';
  assert_refused (swapped, NOT_VALID);
}

/* Ids below 1 are a programming error: a critical, and no token. */
static void
test_zero_id_rejected (void)
{
  if (g_test_subprocess ())
    {
      char *token = rt_token_make (key_a, sizeof key_a, RT_TOKEN_REPLY, 0, 1);
      g_assert_null (token);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*member_id >= 1*");
}

static void
test_negative_ws_rejected (void)
{
  if (g_test_subprocess ())
    {
      g_assert_null (rt_token_make (key_a, sizeof key_a, RT_TOKEN_REPLY, 1, -1));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*ws_id >= 1*");
}

static void
test_flipped_character (void)
{
  static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
  g_autofree char *token = make (RT_TOKEN_REPLY, 1234567, 89);
  gsize len = strlen (token);
  guint tried = 0;
  for (gsize i = 0; i < len; i++)
    for (const char *c = chars; *c; c++)
      {
        if (*c == token[i])
          continue;
        g_autofree char *bad = g_strdup (token);
        bad[i] = *c;
        g_autoptr (GError) error = NULL;
        g_assert_false (rt_token_verify (key_a, sizeof key_a, bad, NULL, NULL, NULL, &error));
        g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
        tried++;
      }
  g_assert_cmpuint (tried, ==, len * (sizeof chars - 2));

  /* A flip inside the MAC to another base32 character is well-formed, so it
   * is the MAC check that refuses it. */
  g_autofree char *bad = g_strdup (token);
  bad[len - 1] = bad[len - 1] == 'a' ? 'b' : 'a';
  assert_refused (bad, NOT_VALID);
}

static void
test_other_key_refused (void)
{
  g_autofree char *token = rt_token_make (key_b, sizeof key_b, RT_TOKEN_REPLY, 5, 7);
  g_autofree char *mine = make (RT_TOKEN_REPLY, 5, 7);
  g_assert_cmpstr (token, !=, mine);
  assert_refused (token, NOT_VALID);
  /* And the message does not give away the MAC key A would have made. */
  g_autoptr (GError) error = NULL;
  g_assert_false (rt_token_verify (key_a, sizeof key_a, token, NULL, NULL, NULL, &error));
  g_assert_null (strstr (error->message, strrchr (mine, '-') + 1));
  g_assert_null (strstr (error->message, strrchr (token, '-') + 1));
}

static void
test_swapped_ids_refused (void)
{
  g_autofree char *token = make (RT_TOKEN_REPLY, 5, 7);
  const char *mac = strrchr (token, '-') + 1;
  g_autofree char *other_member = g_strdup_printf ("r-6-7-%s", mac);
  g_autofree char *other_ws = g_strdup_printf ("r-5-8-%s", mac);
  g_autofree char *swapped = g_strdup_printf ("r-7-5-%s", mac);
  assert_refused (other_member, NOT_VALID);
  assert_refused (other_ws, NOT_VALID);
  assert_refused (swapped, NOT_VALID);
  assert_accepted (token, RT_TOKEN_REPLY, 5, 7);
}

static void
test_uppercase_accepted (void)
{
  g_autofree char *token = make (RT_TOKEN_UNSUBSCRIBE, 987654321, 4242);
  g_autofree char *upper = g_ascii_strup (token, -1);
  g_assert_cmpstr (upper, !=, token);
  assert_accepted (upper, RT_TOKEN_UNSUBSCRIBE, 987654321, 4242);
  g_autofree char *mixed = g_strdup (token);
  for (gsize i = 0; i < strlen (mixed); i += 2)
    mixed[i] = g_ascii_toupper (mixed[i]);
  assert_accepted (mixed, RT_TOKEN_UNSUBSCRIBE, 987654321, 4242);
}

static void
test_malformed (void)
{
  g_autofree char *good = make (RT_TOKEN_REPLY, 1, 1);
  const char *mac = good + strlen ("r-1-1-");
  g_autofree char *too_long = g_strnfill (RT_TOKEN_MAX_LEN + 1, 'a');
  g_autofree char *very_long = g_strnfill (100000, '7');
  g_autofree char *mac_bad_digit = g_strdup (good);
  mac_bad_digit[strlen (good) - 1] = '1';   /* 0, 1, 8, 9 are not base32 */
  g_autofree char *mac_eight = g_strdup (good);
  mac_eight[strlen (good) - 1] = '8';

  const char *cases[] = {
    "", "r", "-", "--", "---", "----", "r-1-1", "r-1-1-", "r--1-x", "-1-1-aaaaaaaaaaaaaaaa",
    "r-1--aaaaaaaaaaaaaaaa", "r-1-1-aaaaaaaaaaaaaaa" /* 15 */, "r-1-1-aaaaaaaaaaaaaaaaa" /* 17 */,
    "x-1-1-aaaaaaaaaaaaaaaa", "rr-1-1-aaaaaaaaaaaaaaaa", "R1-1-aaaaaaaaaaaaaaaa",
    "r-01-1-aaaaaaaaaaaaaaaa", "r-1-00-aaaaaaaaaaaaaaaa", "r-0-1-aaaaaaaaaaaaaaaa",
    "r-1-0-aaaaaaaaaaaaaaaa",
    "r-+1-1-aaaaaaaaaaaaaaaa", "r--1-1-aaaaaaaaaaaaaaaa", "r-1-1-aaaaaaaaaaaaaaaa-",
    "r-1-1-aaaaaaaaaaaaaaaa-a", "-r-1-1-aaaaaaaaaaaaaaaa",
    "r-1y2p0ij32e8e8-1-aaaaaaaaaaaaaaaa",     /* G_MAXINT64 + 1 */
    "r-zzzzzzzzzzzzz-1-aaaaaaaaaaaaaaaa",     /* 13 digits, far past 2^63 */
    "r-1-10000000000000-aaaaaaaaaaaaaaaa",    /* 14 digits */
    "r.1.1.aaaaaaaaaaaaaaaa", "r_1_1_aaaaaaaaaaaaaaaa", "r+1+1+aaaaaaaaaaaaaaaa",
    "r-1-1-aaaaaaaa aaaaaaa", " r-1-1-aaaaaaaaaaaaaaa", "r-1-1-aaaaaaaaaaaaaaa\n",
    "r-1-\xc3\xa9-aaaaaaaaaaaaaa", "r-1-1-aaaaaaaaaaaaa\xe2\x80\x8b",
    "r-1-1-\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2\xf1\xf0",
    too_long, very_long, mac_bad_digit, mac_eight,
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_refused (cases[i], MALFORMED);
  assert_refused (NULL, MALFORMED);

  /* The same MAC with the numbers written canonically is fine, so the
   * cases above fail on their form, not on chance. */
  g_autofree char *rebuilt = g_strdup_printf ("r-1-1-%s", mac);
  assert_accepted (rebuilt, RT_TOKEN_REPLY, 1, 1);
}

#define HUB "hub@example.org"

static void
test_address_round_trip (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = make (RT_TOKEN_REPLY, 3, 14);
  g_autofree char *addr = rt_token_address (HUB, token, &error);
  g_assert_no_error (error);
  g_autofree char *want = g_strdup_printf ("hub+%s@example.org", token);
  g_assert_cmpstr (addr, ==, want);

  g_autofree char *back = rt_token_from_address (HUB, addr);
  g_assert_cmpstr (back, ==, token);
  assert_accepted (back, RT_TOKEN_REPLY, 3, 14);

  /* Case folded by a server, local part and domain: still found, still
   * verifies. */
  g_autofree char *upper = g_ascii_strup (addr, -1);
  g_autofree char *from_upper = rt_token_from_address (HUB, upper);
  g_assert_nonnull (from_upper);
  assert_accepted (from_upper, RT_TOKEN_REPLY, 3, 14);
  g_autofree char *mixed_domain = g_strdup_printf ("hub+%s@Example.ORG", token);
  g_autofree char *from_mixed = rt_token_from_address ("hub@EXAMPLE.org", mixed_domain);
  g_assert_cmpstr (from_mixed, ==, token);
}

static void
test_address_dotted_and_tagged_hub (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = make (RT_TOKEN_UNSUBSCRIBE, 77, 2);

  g_autofree char *dotted = rt_token_address ("round.table.hub@mail.example.org", token, &error);
  g_assert_no_error (error);
  g_autofree char *want = g_strdup_printf ("round.table.hub+%s@mail.example.org", token);
  g_assert_cmpstr (dotted, ==, want);
  g_autofree char *back = rt_token_from_address ("round.table.hub@mail.example.org", dotted);
  g_assert_cmpstr (back, ==, token);
  /* The dots matter: a different mailbox. */
  g_autofree char *undotted = g_strdup_printf ("roundtablehub+%s@mail.example.org", token);
  g_assert_null (rt_token_from_address ("round.table.hub@mail.example.org", undotted));

  /* A +tag on the hub is replaced by the token, both ways. */
  g_autofree char *tagged = rt_token_address ("hub+digest@example.org", token, &error);
  g_assert_no_error (error);
  g_autofree char *want_tagged = g_strdup_printf ("hub+%s@example.org", token);
  g_assert_cmpstr (tagged, ==, want_tagged);
  g_autofree char *back_tagged = rt_token_from_address ("hub+digest@example.org", tagged);
  g_assert_cmpstr (back_tagged, ==, token);
  /* The tagged hub address itself carries no token. */
  g_assert_null (rt_token_from_address ("hub+digest@example.org", "hub+digest@example.org"));
  g_assert_null (rt_token_from_address ("hub+digest@example.org", "HUB+Digest@example.org"));
}

static void
test_address_not_ours (void)
{
  g_autofree char *token = make (RT_TOKEN_REPLY, 3, 14);
  /* Each case is prefix + token + suffix. */
  const char *cases[][2] = {
    { "hub+", "@example.net" },          /* other domain */
    { "hub+", "@example.org.evil.test" },
    { "hub+", "@sub.example.org" },
    { "hub+", "@example.or" },
    { "other+", "@example.org" },        /* other mailbox */
    { "hubx+", "@example.org" },
    { "hu+", "@example.org" },
    { "xhub+", "@example.org" },
    { "hub-", "@example.org" },          /* no '+' */
    { "hub+", "@example.org@example.org" },
    { "Hub <hub+", "@example.org>" },    /* not a bare addr-spec */
    { "<hub+", "@example.org>" },
    { "hub+", "" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *to = g_strconcat (cases[i][0], token, cases[i][1], NULL);
      g_autofree char *got = rt_token_from_address (HUB, to);
      if (got)
        g_error ("case %u gave a token", i);
    }
  g_assert_null (rt_token_from_address (HUB, HUB));
  g_assert_null (rt_token_from_address (HUB, "hub+@example.org"));
  g_assert_null (rt_token_from_address (HUB, NULL));
  g_assert_null (rt_token_from_address (HUB, ""));

  /* Anything after "hub+" is handed to verify, which refuses junk. */
  g_autofree char *junk = rt_token_from_address (HUB, "hub+hello@example.org");
  g_assert_cmpstr (junk, ==, "hello");
  assert_refused (junk, MALFORMED);
}

static void
test_bad_hub_address (void)
{
  g_autofree char *token = make (RT_TOKEN_REPLY, 1, 1);
  const char *hubs[] = {
    "", "hub", "@example.org", "hub@", "hub@@example.org", "a@b@example.org",
    "h ub@example.org", ".hub@example.org", "hub.@example.org", "h..ub@example.org",
    "\"hub\"@example.org", "hub@-example.org", "hub@example-.org", "hub@exa_mple.org",
    "hub@example..org", "hub@.example.org", "hub@example.org.", "+tag@example.org",
    "hub.+tag@example.org", "h\xc3\xa9@example.org", "hub@ex\xc3\xa4mple.org",
    "Hub <hub@example.org>",
  };
  for (guint i = 0; i < G_N_ELEMENTS (hubs); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *addr = rt_token_address (hubs[i], token, &error);
      g_assert_null (addr);
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, "The hub address"));
      g_autofree char *to = g_strdup_printf ("hub+%s@example.org", token);
      g_assert_null (rt_token_from_address (hubs[i], to));
    }
  g_autoptr (GError) error = NULL;
  g_assert_null (rt_token_address (NULL, token, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);

  /* A token with characters that do not belong in a local part. */
  const char *tokens[] = { "", "a b", "a+b", "a@b", "a\"b", "a.b", "\xc3\xa9" };
  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autoptr (GError) token_error = NULL;
      g_assert_null (rt_token_address (HUB, tokens[i], &token_error));
      g_assert_error (token_error, RT_ERROR, RT_ERROR_INVALID);
    }
}

static void
test_local_part_limit (void)
{
  g_autofree char *big = make (RT_TOKEN_REPLY, G_MAXINT64, G_MAXINT64);
  g_assert_cmpuint (strlen (big), ==, RT_TOKEN_MAX_LEN);
  /* 17 + '+' + 46 = 64: accepted; one more character: refused. */
  gsize room = RT_TOKEN_LOCAL_PART_MAX - 1 - RT_TOKEN_MAX_LEN;
  g_assert_cmpuint (room, ==, 17);
  g_autofree char *local_ok = g_strnfill (room, 'h');
  g_autofree char *local_long = g_strnfill (room + 1, 'h');
  g_autofree char *hub_ok = g_strdup_printf ("%s@example.org", local_ok);
  g_autofree char *hub_long = g_strdup_printf ("%s@example.org", local_long);

  g_autoptr (GError) error = NULL;
  g_autofree char *addr = rt_token_address (hub_ok, big, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strchr (addr, '@') - addr, ==, RT_TOKEN_LOCAL_PART_MAX);
  g_autofree char *back = rt_token_from_address (hub_ok, addr);
  g_assert_cmpstr (back, ==, big);

  g_assert_null (rt_token_address (hub_long, big, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "65"));
  g_assert_nonnull (strstr (error->message, "64"));
  g_assert_null (strstr (error->message, big));   /* the token is not echoed */
  g_clear_error (&error);

  /* A tag on the hub does not count: it is replaced. */
  g_autofree char *hub_tagged = g_strdup_printf ("%s+a-long-tag-here@example.org", local_ok);
  g_autofree char *tagged = rt_token_address (hub_tagged, big, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tagged, ==, addr);

  /* The usual small ids leave room for a 41-character hub local part. */
  g_autofree char *small = make (RT_TOKEN_REPLY, 12, 3);
  g_autofree char *local_41 = g_strnfill (64 - 1 - strlen (small), 'h');
  g_autofree char *hub_41 = g_strdup_printf ("%s@example.org", local_41);
  g_autofree char *addr_41 = rt_token_address (hub_41, small, &error);
  g_assert_no_error (error);
  g_assert_nonnull (addr_41);
}

static void
test_key_generate (void)
{
  guint8 k1[RT_TOKEN_KEY_LEN], k2[RT_TOKEN_KEY_LEN], zero[RT_TOKEN_KEY_LEN] = { 0 };
  g_autoptr (GError) error = NULL;
  memset (k1, 0, sizeof k1);
  memset (k2, 0, sizeof k2);
  g_assert_true (rt_token_key_generate (k1, &error));
  g_assert_no_error (error);
  g_assert_true (rt_token_key_generate (k2, &error));
  g_assert_no_error (error);
  g_assert_true (memcmp (k1, zero, sizeof k1) != 0);
  g_assert_true (memcmp (k1, k2, sizeof k1) != 0);

  g_autofree char *t1 = rt_token_make (k1, sizeof k1, RT_TOKEN_REPLY, 8, 9);
  g_autofree char *t2 = rt_token_make (k2, sizeof k2, RT_TOKEN_REPLY, 8, 9);
  g_assert_cmpstr (t1, !=, t2);
  gint64 m = 0, w = 0;
  g_assert_true (rt_token_verify (k1, sizeof k1, t1, NULL, &m, &w, &error));
  g_assert_cmpint (m, ==, 8);
  g_assert_cmpint (w, ==, 9);
  g_assert_false (rt_token_verify (k1, sizeof k1, t2, NULL, NULL, NULL, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/token/round-trip", test_round_trip);
  g_test_add_func ("/token/purposes-differ", test_purposes_differ);
  g_test_add_func ("/token/zero-id-rejected", test_zero_id_rejected);
  g_test_add_func ("/token/negative-ws-rejected", test_negative_ws_rejected);
  g_test_add_func ("/token/flipped-character", test_flipped_character);
  g_test_add_func ("/token/other-key-refused", test_other_key_refused);
  g_test_add_func ("/token/swapped-ids-refused", test_swapped_ids_refused);
  g_test_add_func ("/token/uppercase-accepted", test_uppercase_accepted);
  g_test_add_func ("/token/malformed", test_malformed);
  g_test_add_func ("/token/address-round-trip", test_address_round_trip);
  g_test_add_func ("/token/address-dotted-and-tagged-hub", test_address_dotted_and_tagged_hub);
  g_test_add_func ("/token/address-not-ours", test_address_not_ours);
  g_test_add_func ("/token/bad-hub-address", test_bad_hub_address);
  g_test_add_func ("/token/local-part-limit", test_local_part_limit);
  g_test_add_func ("/token/key-generate", test_key_generate);
  return g_test_run ();
}
