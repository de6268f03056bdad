/* roundtable.c: the Roundtable core plugin: info, load and unload.
 * Set-up order in load: store, world, commands, signals, pump; unload tears
 * down in reverse. */
#include "rt-glue.h"
#include "rt-clock.h"

static RtGlue glue_state;
static gboolean glue_loaded;

RtGlue *
rt_glue (void)
{
  return glue_loaded ? &glue_state : NULL;
}

static char *
store_path (void)
{
  const char *pref = purple_prefs_get_string (RT_PREFS_ROOT "/db_path");
  if (pref != NULL && *pref != '\0')
    return g_strdup (pref);
  return g_build_filename (purple_user_dir (), "roundtable.db", NULL);
}

/* The test clock: rt_clock_now is the real time plus clock_offset_s. */
static gint64 clock_offset_us;

static gint64
offset_clock (gpointer data)
{
  return g_get_real_time () + clock_offset_us;
}

static void
apply_clock_offset (void)
{
  clock_offset_us = (gint64) purple_prefs_get_int (RT_PREFS_ROOT "/clock_offset_s") * G_USEC_PER_SEC;
  rt_clock_set (clock_offset_us != 0 ? offset_clock : NULL, NULL);
}

static void
on_clock_pref (const char *name, PurplePrefType type, gconstpointer value, gpointer data)
{
  apply_clock_offset ();
  purple_debug_info (RT_DEBUG_CAT, "clock offset now %" G_GINT64_FORMAT " s\n",
                     clock_offset_us / G_USEC_PER_SEC);
  rt_digester_kick ();
  rt_pump_kick ();
}

/* The mention delay is read once here and on change, not on every accept. */
static void
apply_mention_delay (void)
{
  glue_state.policy.mention_delay_us =
    (gint64) MAX (0, purple_prefs_get_int (RT_PREFS_ROOT "/mention_delay_s")) * G_USEC_PER_SEC;
}

static void
on_mention_delay_pref (const char *name, PurplePrefType type, gconstpointer value, gpointer data)
{
  apply_mention_delay ();
}

static gboolean
plugin_load (PurplePlugin *plugin)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = store_path ();

  apply_clock_offset ();
  glue_state.store = rt_store_open (path, &error);
  if (glue_state.store == NULL)
    {
      purple_debug_error (RT_DEBUG_CAT, "cannot open store %s: %s\n", path, error->message);
      purple_notify_error (plugin, _("Roundtable"), _("Roundtable cannot open its store."),
                           error->message);
      return FALSE;
    }
  purple_debug_info (RT_DEBUG_CAT, "store %s (schema %d)\n", path,
                     rt_store_schema_version (glue_state.store));

  glue_state.plugin = plugin;
  rt_policy_init_default (&glue_state.policy);
  apply_mention_delay ();
  rt_presence_world_init (&glue_state.world);
  glue_loaded = TRUE;

  if (purple_prefs_get_bool (RT_PREFS_ROOT "/quickack"))
    rt_quickack_install ();
  rt_commands_register ();
  rt_presence_connect (plugin);
  rt_bridge_connect (plugin);
  rt_mail_in_connect (plugin);
  rt_mail_flight_connect (plugin);
  rt_stream_in_connect (plugin);
  /* Mails and stream posts in flight when the hub last stopped are sent again (at least
   * once; the same Message-ID, so a mail client shows a duplicate once). */
  guint n_reset = 0;
  if (!rt_store_in_flight_reset (glue_state.store, rt_clock_now (), &n_reset, &error))
    purple_debug_error (RT_DEBUG_CAT, "mails in flight not reset: %s\n", error->message);
  else if (n_reset > 0)
    purple_debug_info (RT_DEBUG_CAT, "%u mail rows or stream posts were in flight at the last stop: sent again\n",
                       n_reset);
  rt_pump_start ();
  rt_digester_start ();
  purple_prefs_connect_callback (plugin, RT_PREFS_ROOT "/clock_offset_s", on_clock_pref, NULL);
  purple_prefs_connect_callback (plugin, RT_PREFS_ROOT "/mention_delay_s", on_mention_delay_pref, NULL);

  /* Accounts already online when the plugin is enabled by hand. */
  for (GList *l = purple_accounts_get_all_active (); l != NULL; l = g_list_delete_link (l, l))
    {
      PurpleAccount *account = l->data;
      if (purple_account_is_connected (account))
        {
          rt_presence_track_account (account);
          rt_bridge_join_links (account);
        }
    }
  rt_pump_kick ();
  return TRUE;
}

static gboolean
plugin_unload (PurplePlugin *plugin)
{
  purple_prefs_disconnect_by_handle (plugin);
  rt_mail_flight_disconnect ();
  rt_stream_in_disconnect ();
  rt_digester_stop ();
  rt_pump_stop ();
  rt_mail_in_disconnect ();
  purple_signals_disconnect_by_handle (plugin);
  rt_commands_unregister ();
  rt_quickack_uninstall ();
  rt_held_notice_reset ();
  rt_im_commands_cancel ();
  glue_loaded = FALSE;
  g_clear_pointer (&glue_state.store, rt_store_close);
  glue_state.plugin = NULL;
  rt_clock_set (NULL, NULL);
  return TRUE;
}

static PurplePluginInfo info = {
  .magic = PURPLE_PLUGIN_MAGIC,
  .major_version = PURPLE_MAJOR_VERSION,
  .minor_version = PURPLE_MINOR_VERSION,
  .type = PURPLE_PLUGIN_STANDARD,
  .priority = PURPLE_PRIORITY_DEFAULT,
  .id = RT_PLUGIN_ID,
  .name = "Roundtable",
  .version = RT_VERSION,
  .author = "Roundtable developers",
  .homepage = "https://roundtable.invalid/",
  .load = plugin_load,
  .unload = plugin_unload,
  .actions = rt_dialog_actions,
};

static void
init_plugin (PurplePlugin *plugin)
{
  /* RT_LOCALEDIR: the catalogues of a build tree (tests), instead of the
   * installed ones. */
  const char *localedir = g_getenv ("RT_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  /* Translated in init, after the domain is bound (info is static). */
  info.name = (char *) _("Roundtable");
  info.summary = (char *) _("Bridge chat rooms, IM, email and social streams into shared workspaces.");
  info.description = (char *) _("Roundtable turns this client into the hub of cross-site workspaces: "
                                "linked chat rooms are bridged both ways, and every member is reached "
                                "over the channel where they can be reached now, or the message is "
                                "kept for their next digest.");

  purple_prefs_add_none ("/plugins/core");
  purple_prefs_add_none (RT_PREFS_ROOT);
  purple_prefs_add_string (RT_PREFS_ROOT "/db_path", "");
  /* Outbox pump: rows per slice and pause between slices (ms). A pause above
   * zero throttles sending, for servers with strict rate limits. */
  purple_prefs_add_int (RT_PREFS_ROOT "/pump_batch", 64);
  purple_prefs_add_int (RT_PREFS_ROOT "/pump_interval_ms", 0);
  purple_prefs_add_bool (RT_PREFS_ROOT "/quickack", TRUE);
  /* A mention of a member who waits for the digest is mailed this many
   * seconds after the message, unless they were live meanwhile. */
  purple_prefs_add_int (RT_PREFS_ROOT "/mention_delay_s", RT_POLICY_MENTION_DELAY_S);
  /* For tests only (hidden: no UI): seconds added to the hub's clock, so
   * digest slots come without waiting. A change re-arms the scheduler. */
  purple_prefs_add_int (RT_PREFS_ROOT "/clock_offset_s", 0);
}

PURPLE_INIT_PLUGIN (roundtable, init_plugin, info)
