/* rt-account-positions.c: rt-positions for a libpurple account (see the
 * header). */
#include "rt-account-positions.h"

#include <glib/gstdio.h>

typedef struct {
  RtPositions *positions;
  guint users;
} Entry;

/* PurpleAccount* -> Entry*; only touched on the event loop. */
static GHashTable *open_accounts;
/* The protocol whose account deletions are watched (one per plugin: each
 * links its own copy of this file), or NULL before the first open. */
static char *watched_protocol;

static char *
legacy_setting (const char *key, gpointer data)
{
  const char *v = purple_account_get_string (data, key, NULL);
  return v != NULL && *v != '\0' ? g_strdup (v) : NULL;
}

char *
rt_account_positions_path (PurpleAccount *account)
{
  g_autofree char *user = g_uri_escape_string (purple_account_get_username (account), "@", FALSE);
  g_autofree char *name = g_strdup_printf ("%s-%s.ini", purple_account_get_protocol_id (account), user);
  return g_build_filename (purple_user_dir (), "roundtable", "positions", name, NULL);
}

static void
on_account_removed (PurpleAccount *account, gpointer data)
{
  if (g_strcmp0 (purple_account_get_protocol_id (account), watched_protocol) != 0)
    return;
  g_autofree char *path = rt_account_positions_path (account);
  if (g_unlink (path) == 0)
    purple_debug_info ("roundtable-positions", "%s: account deleted, %s removed\n",
                       purple_account_get_username (account), path);
}

/* Not at plugin load: the accounts' signals are not registered yet then. */
static void
watch_removals (PurpleAccount *account)
{
  const char *id = purple_account_get_protocol_id (account);
  PurplePlugin *prpl = purple_find_prpl (id);
  if (watched_protocol != NULL || prpl == NULL)
    return;
  watched_protocol = g_strdup (id);
  purple_signal_connect (purple_accounts_get_handle (), "account-removed", prpl,
                         PURPLE_CALLBACK (on_account_removed), NULL);
}

RtPositions *
rt_account_positions_open (PurpleAccount *account)
{
  watch_removals (account);
  if (open_accounts == NULL)
    open_accounts = g_hash_table_new (NULL, NULL);
  Entry *e = g_hash_table_lookup (open_accounts, account);
  if (e == NULL)
    {
      g_autofree char *path = rt_account_positions_path (account);
      e = g_new0 (Entry, 1);
      e->positions = rt_positions_open (path, legacy_setting, account);
      g_hash_table_insert (open_accounts, account, e);
      purple_debug_info ("roundtable-positions", "%s: read positions in %s\n",
                         purple_account_get_username (account), path);
    }
  e->users++;
  return e->positions;
}

RtPositions *
rt_account_positions_lookup (PurpleAccount *account)
{
  Entry *e = open_accounts ? g_hash_table_lookup (open_accounts, account) : NULL;
  return e ? e->positions : NULL;
}

void
rt_account_positions_close (PurpleAccount *account)
{
  Entry *e = open_accounts ? g_hash_table_lookup (open_accounts, account) : NULL;
  if (e == NULL || --e->users > 0)
    return;
  g_hash_table_remove (open_accounts, account);
  rt_positions_close (e->positions);
  g_free (e);
  if (g_hash_table_size (open_accounts) == 0)
    g_clear_pointer (&open_accounts, g_hash_table_unref);
}
