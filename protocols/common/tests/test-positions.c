/* test-positions.c: read positions written off the event loop
 * (rt-positions.h), driven by a GMainLoop. */
#include "rt-positions.h"

#include <glib/gstdio.h>
#include <string.h>

#define DOMAIN "roundtable-positions"

typedef struct {
  char *dir;
  char *path;
  GHashTable *legacy;     /* fake account settings */
  guint legacy_calls;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("rt-positions-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  /* A directory that does not exist yet: the first write creates it. */
  f->path = g_build_filename (f->dir, "positions", "prpl-test-bob%40x.ini", NULL);
  f->legacy = g_hash_table_new (g_str_hash, g_str_equal);
}

static void
remove_tree (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  if (d != NULL)
    {
      const char *name;
      while ((name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_dir_close (d);
    }
  g_remove (path);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_hash_table_unref (f->legacy);
}

static char *
fake_legacy (const char *key, gpointer data)
{
  Fixture *f = data;
  f->legacy_calls++;
  return g_strdup (g_hash_table_lookup (f->legacy, key));
}

static gboolean
on_deadline (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the loop until nothing is pending or waiting any more. */
static void
settle (RtPositions *p)
{
  gboolean late = FALSE;
  guint t = g_timeout_add_seconds (10, on_deadline, &late);
  while (!late && ((p != NULL && rt_positions_pending (p)) || rt_positions_alive () > (p ? 1u : 0u)))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (late);
  g_source_remove (t);
}

static char *
file_value (const char *path, const char *key)
{
  g_autoptr(RtPositions) p = rt_positions_open (path, NULL, NULL);
  return g_strdup (rt_positions_get (p, key));
}

static void
test_coalesced (Fixture *f, gconstpointer data)
{
  RtPositions *p = rt_positions_open (f->path, NULL, NULL);
  rt_positions_set_delay (p, 50);
  g_assert_null (rt_positions_get (p, "imap_last_uid:INBOX"));
  for (guint i = 1; i <= 1000; i++)
    {
      char v[16];
      g_snprintf (v, sizeof v, "%u", i);
      rt_positions_set (p, "imap_last_uid:INBOX", v);
    }
  g_assert_cmpuint (rt_positions_writes (p), ==, 0);   /* nothing on the loop yet */
  g_assert_true (rt_positions_pending (p));
  settle (p);
  g_assert_cmpuint (rt_positions_writes (p), ==, 1);   /* 1,000 changes, one write */
  g_autofree char *v = file_value (f->path, "imap_last_uid:INBOX");
  g_assert_cmpstr (v, ==, "1000");
  /* The same value again: nothing to write. */
  rt_positions_set (p, "imap_last_uid:INBOX", "1000");
  g_assert_false (rt_positions_pending (p));
  rt_positions_close (p);
  g_assert_cmpuint (rt_positions_alive (), ==, 0);
}

/* A change made while a write is in flight is written by a second write,
 * after the first one is done. */
static void
test_change_during_write (Fixture *f, gconstpointer data)
{
  RtPositions *p = rt_positions_open (f->path, NULL, NULL);
  rt_positions_set_delay (p, 10);
  rt_positions_set (p, "k", "1");
  while (rt_positions_writes (p) == 0)
    g_main_context_iteration (NULL, TRUE);
  /* The write's callback has not run yet: it is in flight. */
  g_assert_true (rt_positions_pending (p));
  rt_positions_set (p, "k", "2");
  settle (p);
  g_assert_cmpuint (rt_positions_writes (p), ==, 2);
  g_autofree char *v = file_value (f->path, "k");
  g_assert_cmpstr (v, ==, "2");
  rt_positions_close (p);
}

/* Close writes synchronously: no loop needed, as at quit. */
static void
test_close_flushes (Fixture *f, gconstpointer data)
{
  RtPositions *p = rt_positions_open (f->path, NULL, NULL);
  rt_positions_set (p, "stream_pos:home", "42");
  rt_positions_close (p);
  g_assert_cmpuint (rt_positions_alive (), ==, 0);
  g_autofree char *v = file_value (f->path, "stream_pos:home");
  g_assert_cmpstr (v, ==, "42");
}

/* Closed while a write of an older snapshot is in flight: the file ends
 * with the newest one, and the state lives until the write's callback. */
static void
test_close_during_write (Fixture *f, gconstpointer data)
{
  RtPositions *p = rt_positions_open (f->path, NULL, NULL);
  rt_positions_set_delay (p, 10);
  rt_positions_set (p, "k", "old");
  while (rt_positions_writes (p) == 0)
    g_main_context_iteration (NULL, TRUE);
  rt_positions_set (p, "k", "new");
  rt_positions_close (p);
  g_autofree char *v = file_value (f->path, "k");
  g_assert_cmpstr (v, ==, "new");
  g_assert_cmpuint (rt_positions_alive (), ==, 1);
  settle (NULL);   /* the callback frees it; ASan checks nothing is used after */
  g_assert_cmpuint (rt_positions_alive (), ==, 0);
  g_autofree char *v2 = file_value (f->path, "k");
  g_assert_cmpstr (v2, ==, "new");
}

/* Any key and value survive a reload (folder names, feed URLs, lists). */
static void
test_reload_odd_keys (Fixture *f, gconstpointer data)
{
  const char *keys[] = { "imap_last_uid:Boîte = [x] #1", "stream_feed_seen:https://h/f.xml?a=1&b=[2]",
                         " lead", "%41", NULL };
  const char *value = "id-1\nid-2\n  spaced \\ back\tslash";
  RtPositions *p = rt_positions_open (f->path, NULL, NULL);
  for (guint i = 0; keys[i]; i++)
    rt_positions_set (p, keys[i], value);
  rt_positions_set (p, "empty", "");
  rt_positions_close (p);
  g_autoptr(RtPositions) q = rt_positions_open (f->path, NULL, NULL);
  for (guint i = 0; keys[i]; i++)
    g_assert_cmpstr (rt_positions_get (q, keys[i]), ==, value);
  g_assert_cmpstr (rt_positions_get (q, "empty"), ==, "");
  g_assert_null (rt_positions_get (q, "A"));
  g_assert_false (rt_positions_pending (q));
}

/* No file yet: each key is taken from the legacy source once, and then
 * kept in the file; a file's key never asks the legacy source. */
static void
test_migration (Fixture *f, gconstpointer data)
{
  g_hash_table_insert (f->legacy, "imap_uidvalidity:INBOX", "77");
  g_hash_table_insert (f->legacy, "imap_last_uid:INBOX", "5");
  RtPositions *p = rt_positions_open (f->path, fake_legacy, f);
  rt_positions_set_delay (p, 10);
  g_assert_cmpstr (rt_positions_get (p, "imap_uidvalidity:INBOX"), ==, "77");
  g_assert_cmpstr (rt_positions_get (p, "imap_last_uid:INBOX"), ==, "5");
  g_assert_cmpstr (rt_positions_get (p, "imap_last_uid:INBOX"), ==, "5");
  g_assert_null (rt_positions_get (p, "imap_last_uid:Sent"));
  g_assert_null (rt_positions_get (p, "imap_last_uid:Sent"));
  g_assert_cmpuint (f->legacy_calls, ==, 3);   /* once per key */
  g_assert_true (rt_positions_pending (p));     /* taken over: to be written */
  settle (p);
  rt_positions_set (p, "imap_last_uid:INBOX", "6");
  rt_positions_close (p);

  /* The account settings still say 5 (never written again): the file wins. */
  f->legacy_calls = 0;
  g_autoptr(RtPositions) q = rt_positions_open (f->path, fake_legacy, f);
  g_assert_cmpstr (rt_positions_get (q, "imap_last_uid:INBOX"), ==, "6");
  g_assert_cmpstr (rt_positions_get (q, "imap_uidvalidity:INBOX"), ==, "77");
  g_assert_cmpuint (f->legacy_calls, ==, 0);
}

/* A corrupt file: a clear warning, the file kept aside, the positions from
 * the legacy source (older: items read again, none skipped), and a good
 * file written again. */
static void
test_corrupt (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->path, "\xff\xfe not [a key file\n=\n", -1, NULL));
  g_hash_table_insert (f->legacy, "imap_last_uid:INBOX", "3");
  g_test_expect_message (DOMAIN, G_LOG_LEVEL_WARNING, "*cannot be read*kept as*.corrupt*account settings*");
  RtPositions *p = rt_positions_open (f->path, fake_legacy, f);
  g_test_assert_expected_messages ();
  g_autofree char *aside = g_strconcat (f->path, ".corrupt", NULL);
  g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (rt_positions_get (p, "imap_last_uid:INBOX"), ==, "3");
  rt_positions_close (p);
  g_autofree char *v = file_value (f->path, "imap_last_uid:INBOX");
  g_assert_cmpstr (v, ==, "3");

  /* A key file without our group is not ours either. */
  g_assert_true (g_file_set_contents (f->path, "[other]\nk=1\n", -1, NULL));
  g_test_expect_message (DOMAIN, G_LOG_LEVEL_WARNING, "*cannot be read*");
  g_autoptr(RtPositions) q = rt_positions_open (f->path, NULL, NULL);
  g_test_assert_expected_messages ();
  g_assert_null (rt_positions_get (q, "k"));
}

/* A write that fails (the directory cannot be made): one warning, the
 * state stays dirty and is tried again later (backing off), and written
 * once the cause is gone. */
static guint warnings;

static gboolean
not_fatal (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  return g_strcmp0 (domain, DOMAIN) != 0;   /* ours are counted below */
}

static void
count_warnings (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  /* The first failure is a warning, retries only debug lines. */
  if ((level & G_LOG_LEVEL_WARNING) && strstr (message, "not saved"))
    warnings++;
  else if (!(level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_MESSAGE)))
    g_error ("unexpected message (level %d): %s", (int) level, message);
}

static void
test_write_failure (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_path_get_dirname (f->path);
  RtPositions *p = rt_positions_open (f->path, NULL, NULL);
  g_assert_true (g_file_set_contents (dir, "a file where the directory should be", -1, NULL));
  g_test_log_set_fatal_handler (not_fatal, NULL);
  guint handler = g_log_set_handler (DOMAIN, G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
                                     count_warnings, NULL);
  warnings = 0;
  rt_positions_set_delay (p, 10);
  rt_positions_set (p, "k", "1");
  gboolean late = FALSE;
  guint t = g_timeout_add_seconds (10, on_deadline, &late);
  while (!late && warnings == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (late);
  g_assert_true (rt_positions_pending (p));   /* still to be written */
  g_assert_cmpint (g_remove (dir), ==, 0);
  while (!late && rt_positions_pending (p))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (late);
  g_source_remove (t);
  g_assert_cmpuint (warnings, ==, 1);   /* retries do not repeat it */
  g_assert_cmpuint (rt_positions_writes (p), >=, 2);
  g_autofree char *v = file_value (f->path, "k");
  g_assert_cmpstr (v, ==, "1");
  rt_positions_close (p);
  g_log_remove_handler (DOMAIN, handler);
  g_test_log_set_fatal_handler (NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/positions/coalesced", Fixture, NULL, setup, test_coalesced, teardown);
  g_test_add ("/positions/change-during-write", Fixture, NULL, setup, test_change_during_write, teardown);
  g_test_add ("/positions/close-flushes", Fixture, NULL, setup, test_close_flushes, teardown);
  g_test_add ("/positions/close-during-write", Fixture, NULL, setup, test_close_during_write, teardown);
  g_test_add ("/positions/reload-odd-keys", Fixture, NULL, setup, test_reload_odd_keys, teardown);
  g_test_add ("/positions/migration", Fixture, NULL, setup, test_migration, teardown);
  g_test_add ("/positions/corrupt", Fixture, NULL, setup, test_corrupt, teardown);
  g_test_add ("/positions/write-failure", Fixture, NULL, setup, test_write_failure, teardown);
  return g_test_run ();
}
