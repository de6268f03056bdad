/* rt-mail-flight.c: mails in flight. The mail plugin's "send-mail" only
 * queues a mail: it sends it (retrying temporary SMTP failures) and tells
 * the outcome later with "roundtable-mail-sent" or "roundtable-mail-failed"
 * (protocols/mail/plugin/rt-mail-ipc.h), keyed by the Message-ID. It gives
 * a queued mail up when its account disconnects, so "accepted" is not
 * "sent". The senders (rt-pump.c, rt-digester.c) register each accepted
 * mail here with what to do on either outcome; the store keeps the mail
 * "in flight" meanwhile (rt-store-flight.c), and a hub that stops with
 * mails in flight sends them again at start. */
#include "rt-glue.h"
#include "../../protocols/mail/plugin/rt-mail-ipc.h"

typedef struct {
  RtFlightDone   done;
  gpointer       data;
  GDestroyNotify destroy;
} Flight;

static PurplePlugin *core_plugin;
static gboolean tracking;
static GHashTable *flights;   /* Message-ID without <> -> Flight* */

static void
flight_free (Flight *f)
{
  if (f->destroy != NULL)
    f->destroy (f->data);
  g_free (f);
}

static char *
bare_id (const char *message_id)
{
  gsize len = strlen (message_id);
  if (len >= 2 && message_id[0] == '<' && message_id[len - 1] == '>')
    return g_strndup (message_id + 1, len - 2);
  return g_strdup (message_id);
}

gboolean
rt_mail_flight_tracking (void)
{
  return tracking;
}

void
rt_mail_flight_add (const char *message_id, RtFlightDone done, gpointer data, GDestroyNotify destroy)
{
  Flight *f = g_new0 (Flight, 1);
  f->done = done;
  f->data = data;
  f->destroy = destroy;
  char *key = bare_id (message_id);
  if (g_hash_table_contains (flights, key))
    purple_debug_warning (RT_DEBUG_CAT, "mail <%s> queued again while in flight\n", key);
  g_hash_table_replace (flights, key, f);
}

/* Takes the flight out of the table before running it: done may queue the
 * same Message-ID again. */
static void
land (const char *message_id, gboolean sent, const char *error)
{
  if (message_id == NULL || flights == NULL)
    return;
  g_autofree char *key = bare_id (message_id);
  gpointer stolen_key = NULL, value = NULL;
  if (!g_hash_table_steal_extended (flights, key, &stolen_key, &value))
    return;   /* not ours (an explanation, a mail typed by the user) */
  g_free (stolen_key);
  Flight *f = value;
  f->done (sent, error, f->data);
  flight_free (f);
}

static void
on_sent (PurpleAccount *account, const char *message_id, gpointer data)
{
  land (message_id, TRUE, NULL);
}

static void
on_failed (PurpleAccount *account, const char *message_id, const char *error, gpointer data)
{
  land (message_id, FALSE, error != NULL ? error : "failed");
}

/* Every flight fails (the mail plugin went away with them). */
static void
land_all (const char *why)
{
  if (flights == NULL)
    return;
  g_autoptr(GList) keys = g_hash_table_get_keys (flights);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      g_autofree char *key = g_strdup (l->data);
      land (key, FALSE, why);
    }
}

static void
connect_mail_plugin (PurplePlugin *mail)
{
  if (tracking || core_plugin == NULL || mail == NULL || !purple_plugin_is_loaded (mail))
    return;
  gulong sent = purple_signal_connect (mail, RT_MAIL_SIGNAL_SENT, core_plugin, PURPLE_CALLBACK (on_sent), NULL);
  gulong failed = purple_signal_connect (mail, RT_MAIL_SIGNAL_FAILED, core_plugin,
                                         PURPLE_CALLBACK (on_failed), NULL);
  tracking = sent != 0 && failed != 0;
  if (!tracking)
    {
      /* An older mail plugin without outcome signals: accepted counts as sent. */
      purple_signal_disconnect (mail, RT_MAIL_SIGNAL_SENT, core_plugin, PURPLE_CALLBACK (on_sent));
      purple_signal_disconnect (mail, RT_MAIL_SIGNAL_FAILED, core_plugin, PURPLE_CALLBACK (on_failed));
    }
  purple_debug_info (RT_DEBUG_CAT, "mail outcomes: %s\n",
                     tracking ? "tracked" : "not told by the mail plugin (accepted counts as sent)");
}

static void
on_plugin_load (PurplePlugin *plugin, gpointer data)
{
  if (g_strcmp0 (purple_plugin_get_id (plugin), RT_MAIL_IPC_PLUGIN_ID) == 0)
    connect_mail_plugin (plugin);
}

static void
on_plugin_unload (PurplePlugin *plugin, gpointer data)
{
  if (g_strcmp0 (purple_plugin_get_id (plugin), RT_MAIL_IPC_PLUGIN_ID) != 0)
    return;
  /* Its signals go with it; what it still held is not sent. */
  tracking = FALSE;
  land_all ("the mail plugin was unloaded");
}

void
rt_mail_flight_connect (PurplePlugin *plugin)
{
  core_plugin = plugin;
  flights = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) flight_free);
  purple_signal_connect (purple_plugins_get_handle (), "plugin-load", plugin,
                         PURPLE_CALLBACK (on_plugin_load), NULL);
  purple_signal_connect (purple_plugins_get_handle (), "plugin-unload", plugin,
                         PURPLE_CALLBACK (on_plugin_unload), NULL);
  connect_mail_plugin (purple_plugins_find_with_id (RT_MAIL_IPC_PLUGIN_ID));
}

void
rt_mail_flight_disconnect (void)
{
  PurplePlugin *mail = purple_plugins_find_with_id (RT_MAIL_IPC_PLUGIN_ID);
  if (tracking && mail != NULL && core_plugin != NULL)
    {
      purple_signal_disconnect (mail, RT_MAIL_SIGNAL_SENT, core_plugin, PURPLE_CALLBACK (on_sent));
      purple_signal_disconnect (mail, RT_MAIL_SIGNAL_FAILED, core_plugin, PURPLE_CALLBACK (on_failed));
    }
  tracking = FALSE;
  /* Dropped without running: the senders are stopped. The store keeps
   * these mails in flight; the next load sends them again. */
  g_clear_pointer (&flights, g_hash_table_destroy);
  core_plugin = NULL;
}
