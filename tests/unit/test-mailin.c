/* test-mailin.c: what a mail to a workspace's mailbox becomes (rt-mailin.h):
 * token checks, automatic mail, bounces, duplicates, threads, explanation
 * limits, and the store writes that go with them. */
#include "config.h"
#include <string.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include "rt-mailin.h"
#include "rt-token.h"
#include "rt-clock.h"
#include "test-store-fixture.h"

#define T0 G_GINT64_CONSTANT (1773046800000000)   /* 2026-03-09 09:00 UTC */
#define HOUR (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define MAILBOX "hub@rt.test"

static gint64 fake_now = T0;

static gint64
fake_clock (gpointer data)
{
  return *(gint64 *) data;
}

typedef struct {
  char *dir, *path;
  RtStore *store;
  gint64 ws, other_ws;
  gint64 chloe, bob;
  guint8 *key;
  gsize key_len;
} Fixture;

static gint64
add_member (RtStore *store, gint64 ws, const char *handle, const char *name, const char *email)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RtMember) m = rt_member_new (handle);
  m->ws_id = ws;
  m->name = g_strdup (name);
  m->site = g_strdup ("Paris");
  g_ptr_array_add (m->endpoints, rt_endpoint_new (RT_EMAIL_SCHEME, email, NULL));
  g_assert_true (rt_store_member_save (store, m, &error));
  g_assert_no_error (error);
  return m->id;
}

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  fake_now = T0;
  rt_clock_set (fake_clock, &fake_now);
  f->store = rt_test_store_open ("rt-mailin-XXXXXX", &f->dir, &f->path);
  f->ws = rt_store_workspace_create (f->store, "RFP Acme 2027", &error);
  g_assert_true (rt_store_workspace_set_mail (f->store, f->ws, MAILBOX, FALSE, &error));
  f->other_ws = rt_store_workspace_create (f->store, "Other", &error);
  g_assert_true (rt_store_workspace_set_mail (f->store, f->other_ws, "other@rt.test", FALSE, &error));
  g_assert_no_error (error);
  f->chloe = add_member (f->store, f->ws, "chloe", "Chloé Martin", "chloe@fr.test");
  f->bob = add_member (f->store, f->ws, "bob", "Bob Silva", "bob@br.test");
  g_assert_true (rt_store_token_key (f->store, &f->key, &f->key_len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->key_len, ==, RT_TOKEN_KEY_LEN);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  rt_test_store_remove (&f->store, &f->dir, &f->path, TRUE);
  g_free (f->key);
  rt_clock_set (NULL, NULL);
}

/* SQL on a second connection (rows only the glue or the digest writes). */
static void
sql (Fixture *f, const char *statement)
{
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  char *err = NULL;
  int rc = sqlite3_exec (db, statement, NULL, NULL, &err);
  if (rc != SQLITE_OK)
    g_error ("%s: %s", statement, err);
  sqlite3_close (db);
}

static char *
reply_address (Fixture *f, RtTokenPurpose purpose, gint64 member, gint64 ws)
{
  g_autofree char *token = rt_token_make (f->key, f->key_len, purpose, member, ws);
  return rt_token_address (MAILBOX, token, NULL);
}

/* A human mail from `from` to `to` (and nothing else). */
static RtMailinMail
mail_to (const char *from, const char *const *recipients)
{
  RtMailinMail m = {
    .mailbox = MAILBOX,
    .from_address = from,
    .return_path = from,
    .recipients = recipients,
    .message_id = "reply-1@fr.test",
    .kind = RT_MAILIN_HUMAN,
    .new_text = "D'accord pour jeudi.",
    .subject = "Re: [RFP Acme 2027] Alice: planning",
  };
  return m;
}

static RtMailinDecision
decide (Fixture *f, const RtMailinMail *m)
{
  RtMailinDecision d;
  g_autofree char *key = rt_mailin_key (m, m->new_text);
  rt_mailin_decide (f->store, f->key, f->key_len, key, m, &d);
  return d;
}

static void
test_reply_posts (Fixture *f, gconstpointer data)
{
  g_autofree char *to = reply_address (f, RT_TOKEN_REPLY, f->chloe, f->ws);
  const char *rcpt[] = { to, NULL };
  RtMailinMail m = mail_to ("chloe@fr.test", rcpt);
  RtMailinDecision d = decide (f, &m);
  g_assert_cmpint (d.action, ==, RT_MAILIN_POST);
  g_assert_cmpint (d.ws_id, ==, f->ws);
  g_assert_cmpint (d.member_id, ==, f->chloe);
  g_assert_cmpint (d.thread_id, ==, 0);

  /* Case folded by a server on the way, sender in capitals: the same. */
  g_autofree char *upper = g_ascii_strup (to, -1);
  const char *rcpt2[] = { "someone@else.test", upper, NULL };
  m = mail_to ("Chloe@FR.test", rcpt2);
  d = decide (f, &m);
  g_assert_cmpint (d.action, ==, RT_MAILIN_POST);
  g_assert_cmpint (d.member_id, ==, f->chloe);
}

static void
test_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *good = reply_address (f, RT_TOKEN_REPLY, f->chloe, f->ws);
  /* Forged: one MAC character changed. */
  g_autofree char *forged = g_strdup (good);
  char *at = strchr (forged, '@');
  at[-1] = at[-1] == 'a' ? 'b' : 'a';
  const char *r1[] = { forged, NULL };
  RtMailinMail m = mail_to ("chloe@fr.test", r1);
  RtMailinDecision d = decide (f, &m);
  g_assert_cmpint (d.action, ==, RT_MAILIN_REFUSE);
  g_assert_true (d.explain);
  g_assert_null (strstr (d.why, "r-"));

  /* Malformed. */
  const char *r2[] = { "hub+r-1-zz@rt.test", NULL };
  m = mail_to ("chloe@fr.test", r2);
  g_assert_cmpint (decide (f, &m).action, ==, RT_MAILIN_REFUSE);

  /* Good token, wrong sender (Bob uses Chloé's reply address). */
  const char *r3[] = { good, NULL };
  m = mail_to ("bob@br.test", r3);
  d = decide (f, &m);
  g_assert_cmpint (d.action, ==, RT_MAILIN_REFUSE);
  g_assert_cmpint (d.member_id, ==, 0);
  g_assert_cmpstr (d.why, ==, "reply address used from another address");

  /* A token of the other workspace, which reads another mailbox. */
  g_autofree char *other = reply_address (f, RT_TOKEN_REPLY, f->chloe, f->other_ws);
  const char *r4[] = { other, NULL };
  m = mail_to ("chloe@fr.test", r4);
  g_assert_cmpint (decide (f, &m).action, ==, RT_MAILIN_REFUSE);

  /* A token made with another key. */
  guint8 key2[RT_TOKEN_KEY_LEN];
  memset (key2, 7, sizeof key2);
  g_autofree char *t5 = rt_token_make (key2, sizeof key2, RT_TOKEN_REPLY, f->chloe, f->ws);
  g_autofree char *a5 = rt_token_address (MAILBOX, t5, NULL);
  const char *r5[] = { a5, NULL };
  m = mail_to ("chloe@fr.test", r5);
  g_assert_cmpint (decide (f, &m).action, ==, RT_MAILIN_REFUSE);
}

static void
test_removed_member (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *to = reply_address (f, RT_TOKEN_REPLY, f->bob, f->ws);
  g_assert_true (rt_store_member_remove (f->store, f->ws, "bob", &error));
  const char *rcpt[] = { to, NULL };
  RtMailinMail m = mail_to ("bob@br.test", rcpt);
  RtMailinDecision d = decide (f, &m);
  g_assert_cmpint (d.action, ==, RT_MAILIN_REFUSE);
  g_assert_cmpstr (d.why, ==, "reply address of a removed member");
  g_assert_true (d.explain);
  /* Without a token he is a stranger now: left to the mail plugin. */
  const char *plain[] = { MAILBOX, NULL };
  m = mail_to ("bob@br.test", plain);
  g_assert_cmpint (decide (f, &m).action, ==, RT_MAILIN_NOT_OURS);
}

static void
test_automatic (Fixture *f, gconstpointer data)
{
  g_autofree char *to = reply_address (f, RT_TOKEN_REPLY, f->chloe, f->ws);
  const char *rcpt[] = { to, NULL };
  RtMailinMail m = mail_to ("chloe@fr.test", rcpt);
  m.kind = RT_MAILIN_AUTOMATIC;
  RtMailinDecision d = decide (f, &m);
  g_assert_cmpint (d.action, ==, RT_MAILIN_AUTO);
  g_assert_false (d.explain);
  /* An automatic mail with a forged token is not answered either. */
  const char *bad[] = { "hub+r-1-1-aaaaaaaaaaaaaaaa@rt.test", NULL };
  m = mail_to ("chloe@fr.test", bad);
  m.kind = RT_MAILIN_AUTOMATIC;
  d = decide (f, &m);
  g_assert_cmpint (d.action, ==, RT_MAILIN_AUTO);
  g_assert_false (d.explain);
}

static void
test_explain_who (Fixture *f, gconstpointer data)
{
  const char *bad[] = { "hub+r-1-1-aaaaaaaaaaaaaaaa@rt.test", NULL };
  RtMailinMail m = mail_to ("stranger@x.test", bad);
  g_assert_true (rt_mailin_may_explain (f->store, &m));
  m.return_path = "";               /* null sender */
  g_assert_false (rt_mailin_may_explain (f->store, &m));
  m.return_path = NULL;             /* unknown envelope: the From decides */
  g_assert_true (rt_mailin_may_explain (f->store, &m));
  m.from_address = "MAILER-DAEMON@x.test";
  g_assert_false (rt_mailin_may_explain (f->store, &m));
  m.from_address = "postmaster@x.test";
  g_assert_false (rt_mailin_may_explain (f->store, &m));
  m.from_address = "hub+whatever@RT.test";   /* the hub itself: no loop */
  g_assert_false (rt_mailin_may_explain (f->store, &m));
  m.from_address = "other@rt.test";          /* another workspace's mailbox */
  g_assert_false (rt_mailin_may_explain (f->store, &m));
  m.from_address = NULL;
  g_assert_false (rt_mailin_may_explain (f->store, &m));
  m.from_address = "stranger@x.test";
  m.kind = RT_MAILIN_BOUNCED;
  g_assert_false (rt_mailin_may_explain (f->store, &m));
}

static void
test_explain_daily (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean explain = FALSE;
  g_assert_true (rt_store_mailin_record (f->store, "a@x", f->ws, 0, 0, "refused", "eve@x.test", &explain, &error));
  g_assert_no_error (error);
  g_assert_true (explain);
  fake_now += 23 * HOUR;
  g_assert_true (rt_store_mailin_record (f->store, "b@x", f->ws, 0, 0, "refused", "EVE@x.test", &explain, &error));
  g_assert_false (explain);   /* same address (any case), same day */
  g_assert_true (rt_store_mailin_record (f->store, "c@x", f->ws, 0, 0, "refused", "mallory@x.test", &explain, &error));
  g_assert_true (explain);    /* another address */
  fake_now += 2 * HOUR;
  g_assert_true (rt_store_mailin_record (f->store, "d@x", f->ws, 0, 0, "refused", "eve@x.test", &explain, &error));
  g_assert_true (explain);    /* a day after the first */
  g_assert_true (rt_store_mailin_record (f->store, "e@x", f->ws, 0, 0, "automatic", NULL, &explain, &error));
  g_assert_false (explain);
}

static void
test_duplicate (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *to = reply_address (f, RT_TOKEN_REPLY, f->chloe, f->ws);
  const char *rcpt[] = { to, NULL };
  RtMailinMail m = mail_to ("chloe@fr.test", rcpt);
  g_autofree char *key = rt_mailin_key (&m, "text");
  g_assert_cmpstr (key, ==, "reply-1@fr.test");
  g_assert_false (rt_store_mailin_seen (f->store, key));
  g_assert_true (rt_store_mailin_record (f->store, key, f->ws, 0, 0, "posted", NULL, NULL, &error));
  g_assert_true (rt_store_mailin_seen (f->store, key));
  g_assert_cmpint (decide (f, &m).action, ==, RT_MAILIN_DUPLICATE);
  /* Recorded again (a second run): the first outcome stays, no error. */
  g_assert_true (rt_store_mailin_record (f->store, key, f->ws, 0, 0, "refused", NULL, NULL, &error));
  g_assert_no_error (error);

  /* Without Message-ID: a digest of the content, stable, never an id. */
  m.message_id = NULL;
  g_autofree char *k1 = rt_mailin_key (&m, "text");
  g_autofree char *k2 = rt_mailin_key (&m, "text");
  g_autofree char *k3 = rt_mailin_key (&m, "other text");
  g_assert_cmpstr (k1, ==, k2);
  g_assert_cmpstr (k1, !=, k3);
  g_assert_true (g_str_has_prefix (k1, "sha256:"));
  g_assert_null (strchr (k1, '@'));
}

static void
test_thread (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RtMessage) msg = rt_message_new ();
  msg->ws_id = f->ws;
  msg->author_label = g_strdup ("Alice Dubois (Brussels)");
  msg->text = g_strdup ("@chloe can you check the figures?");
  g_assert_true (rt_store_message_add (f->store, msg, NULL, 0, &error));
  g_autofree char *row = g_strdup_printf ("INSERT INTO mail_out (message_id, kind, ws_id, member_id, msg_id, sent_us) "
                                          "VALUES ('<mention-1@rt.test>', 'mention', %" G_GINT64_FORMAT ", %"
                                          G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 1)", f->ws, f->chloe, msg->id);
  sql (f, row);
  g_assert_cmpint (rt_store_mailin_thread_of (f->store, f->ws, "mention-1@rt.test"), ==, msg->id);
  g_assert_cmpint (rt_store_mailin_thread_of (f->store, f->other_ws, "mention-1@rt.test"), ==, 0);

  g_autofree char *to = reply_address (f, RT_TOKEN_REPLY, f->chloe, f->ws);
  const char *rcpt[] = { to, NULL };
  RtMailinMail m = mail_to ("chloe@fr.test", rcpt);
  m.in_reply_to = "mention-1@rt.test";
  g_assert_cmpint (decide (f, &m).thread_id, ==, msg->id);
  /* A client that only keeps References. */
  const char *refs[] = { "mention-1@rt.test", "unknown@else.test", NULL };
  m.in_reply_to = "unknown@else.test";
  m.references = refs;
  g_assert_cmpint (decide (f, &m).thread_id, ==, msg->id);
  m.references = NULL;
  g_assert_cmpint (decide (f, &m).thread_id, ==, 0);

  /* The thread is written with the outcome. */
  g_autoptr(RtMessage) reply = rt_message_new ();
  reply->ws_id = f->ws;
  reply->text = g_strdup ("Checked.");
  g_assert_true (rt_store_message_add (f->store, reply, NULL, 0, &error));
  g_assert_true (rt_store_mailin_record (f->store, "r@x", f->ws, reply->id, msg->id, "posted", NULL, NULL, &error));
  g_autofree char *row2 = g_strdup_printf ("INSERT INTO mail_out (message_id, kind, ws_id, msg_id, sent_us) "
                                           "VALUES ('immediate-2@rt.test', 'immediate', %" G_GINT64_FORMAT ", %"
                                           G_GINT64_FORMAT ", 1)", f->ws, reply->id);
  sql (f, row2);
  /* Answering the reply lands in the same (root) thread. */
  g_assert_cmpint (rt_store_mailin_thread_of (f->store, f->ws, "immediate-2@rt.test"), ==, msg->id);

  g_autofree char *label = rt_mailin_thread_label ("Chloé Martin (Paris)", "Alice Dubois (Brussels)");
  g_assert_cmpstr (label, ==, "Chloé Martin (Paris) ↪ Alice Dubois");
  g_autofree char *guest = rt_mailin_thread_label ("Chloé Martin (Paris)", "carol (guest)");
  g_assert_cmpstr (guest, ==, "Chloé Martin (Paris) ↪ carol");
}

static void
test_unsubscribe (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *to = reply_address (f, RT_TOKEN_UNSUBSCRIBE, f->bob, f->ws);
  const char *rcpt[] = { to, NULL };
  RtMailinMail m = mail_to ("bob@br.test", rcpt);
  RtMailinDecision d = decide (f, &m);
  g_assert_cmpint (d.action, ==, RT_MAILIN_UNSUBSCRIBE);
  g_assert_cmpint (d.member_id, ==, f->bob);
  gboolean changed = FALSE;
  g_assert_true (rt_store_mailin_unsubscribe (f->store, f->bob, &changed, &error));
  g_assert_true (changed);
  g_assert_true (rt_store_mailin_unsubscribe (f->store, f->bob, &changed, &error));
  g_assert_false (changed);   /* the first time is kept */
  /* Someone else pressing Bob's unsubscribe link: refused. */
  m = mail_to ("chloe@fr.test", rcpt);
  g_assert_cmpint (decide (f, &m).action, ==, RT_MAILIN_REFUSE);
}

static void
test_bounce_failing (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const char *rcpt[] = { MAILBOX, NULL };
  RtMailinMail m = mail_to ("MAILER-DAEMON@rt.test", rcpt);
  m.kind = RT_MAILIN_BOUNCED;
  m.return_path = "";
  m.bounce_recipient = "bob@br.test";
  g_assert_cmpint (decide (f, &m).action, ==, RT_MAILIN_BOUNCE);

  g_assert_cmpint (rt_store_mailin_set_failing (f->store, MAILBOX, "BOB@br.test", "550 5.1.1 unknown user", &error), ==, 1);
  g_assert_no_error (error);
  /* Only endpoints of workspaces reading that mailbox. */
  g_assert_cmpint (rt_store_mailin_set_failing (f->store, "other@rt.test", "bob@br.test", "x", &error), ==, 0);
  g_autoptr(RtMember) bob = rt_store_member_find (f->store, f->ws, "bob", &error);
  const RtEndpoint *ep = g_ptr_array_index (bob->endpoints, 0);
  gint64 since = 0;
  g_autofree char *why = rt_store_mailin_failing (f->store, ep->id, &since);
  g_assert_cmpstr (why, ==, "550 5.1.1 unknown user");
  g_assert_cmpint (since, ==, T0);
  g_autoptr(RtMember) chloe = rt_store_member_find (f->store, f->ws, "chloe", &error);
  g_assert_null (rt_store_mailin_failing (f->store, ((RtEndpoint *) g_ptr_array_index (chloe->endpoints, 0))->id, NULL));

  /* A second bounce keeps the first time. */
  fake_now += HOUR;
  rt_store_mailin_set_failing (f->store, MAILBOX, "bob@br.test", "550 again", &error);
  g_autofree char *why2 = rt_store_mailin_failing (f->store, ep->id, &since);
  g_assert_cmpstr (why2, ==, "550 again");
  g_assert_cmpint (since, ==, T0);
  /* A mail from the address clears it. */
  g_assert_cmpint (rt_store_mailin_set_failing (f->store, MAILBOX, "bob@br.test", NULL, &error), ==, 1);
  g_assert_null (rt_store_mailin_failing (f->store, ep->id, NULL));
  g_assert_cmpint (rt_store_mailin_set_failing (f->store, MAILBOX, "bob@br.test", NULL, &error), ==, 0);
}

static void
test_no_token (Fixture *f, gconstpointer data)
{
  const char *rcpt[] = { MAILBOX, NULL };
  RtMailinMail m = mail_to ("bob@br.test", rcpt);
  RtMailinDecision d = decide (f, &m);
  g_assert_cmpint (d.action, ==, RT_MAILIN_POST);
  g_assert_cmpint (d.member_id, ==, f->bob);
  m.new_text = " \n\t ";
  g_assert_cmpint (decide (f, &m).action, ==, RT_MAILIN_EMPTY);

  m = mail_to ("stranger@x.test", rcpt);
  g_assert_cmpint (decide (f, &m).action, ==, RT_MAILIN_NOT_OURS);
  /* The hub's own mail, to itself: never taken (no loop). */
  m = mail_to ("hub@rt.test", rcpt);
  g_assert_cmpint (decide (f, &m).action, ==, RT_MAILIN_NOT_OURS);
  /* A mailbox no workspace reads. */
  m = mail_to ("bob@br.test", rcpt);
  m.mailbox = "private@rt.test";
  g_assert_cmpint (decide (f, &m).action, ==, RT_MAILIN_NOT_OURS);
}

static void
test_explain_text (Fixture *f, gconstpointer data)
{
  g_autofree char *text = rt_mailin_explain_text (MAILBOX);
  g_autofree char *subject = rt_mailin_explain_subject ();
  g_assert_nonnull (strstr (text, MAILBOX));
  g_assert_nonnull (strstr (text, "was not posted"));
  g_assert_null (strchr (text, '+'));   /* no tagged address, so no token */
  g_assert_cmpstr (subject, ==, "Your mail was not posted");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/mailin/" path, Fixture, NULL, setup, fn, teardown)
  ADD ("reply-posts", test_reply_posts);
  ADD ("refused", test_refused);
  ADD ("removed-member", test_removed_member);
  ADD ("automatic", test_automatic);
  ADD ("explain-who", test_explain_who);
  ADD ("explain-daily", test_explain_daily);
  ADD ("duplicate", test_duplicate);
  ADD ("thread", test_thread);
  ADD ("unsubscribe", test_unsubscribe);
  ADD ("bounce-failing", test_bounce_failing);
  ADD ("no-token", test_no_token);
  ADD ("explain-text", test_explain_text);
  return g_test_run ();
}
