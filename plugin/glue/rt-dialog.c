/* rt-dialog.c: the Workspaces dialog, built with the libpurple request API so
 * Pidgin shows it as a GTK dialog and Finch as a text form. Step one picks a
 * workspace and a member handle; step two edits the member. The edit goes
 * through the same option checks as /ws member set. */
#include "rt-glue.h"
#include "rt-member-opts.h"

typedef struct {
  gint64 ws_id;
  char  *handle;
} EditTarget;

static void
edit_target_free (EditTarget *t)
{
  g_free (t->handle);
  g_free (t);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EditTarget, edit_target_free)

static void
notify_error (const char *primary, const GError *error)
{
  purple_notify_error (rt_glue ()->plugin, _("Roundtable"), primary, error->message);
}

static void
add_string (PurpleRequestFieldGroup *group, const char *id, const char *label, const char *value)
{
  purple_request_field_group_add_field (group, purple_request_field_string_new (id, label, value, FALSE));
}

/* "a, b c" -> URIs split on commas and whitespace. */
static GPtrArray *
uri_list (const char *text)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = g_regex_split_simple ("[,\\s]+", text ? text : "", 0, 0);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_ptr_array_add (out, g_strdup (parts[i]));
  return out;
}

/* Endpoint addresses compare case-insensitively (as the member options do). */
static gboolean
same_address (gconstpointer a, gconstpointer b)
{
  return g_ascii_strcasecmp (a, b) == 0;
}

static void
member_cancel (EditTarget *target, PurpleRequestFields *fields)
{
  edit_target_free (target);
}

/* Both buttons free the target: the request API calls exactly one of them. */
static void
member_ok (EditTarget *target_in, PurpleRequestFields *fields)
{
  RtGlue *glue = rt_glue ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EditTarget) target = target_in;
  if (glue == NULL)
    return;
  g_autoptr(RtMember) member = rt_store_member_find (glue->store, target->ws_id, target->handle, NULL);
  if (member == NULL)
    {
      member = rt_member_new (target->handle);
      member->ws_id = target->ws_id;
    }

  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  static const char *const keys[] = { "name", "site", "country", "tz", "lang", "hours", "days",
                                      "digest", "quiet", "role" };
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *value = purple_request_fields_get_string (fields, keys[i]);
      if (value != NULL && *value != '\0')
        {
          g_ptr_array_add (argv, g_strconcat ("--", keys[i], NULL));
          g_ptr_array_add (argv, g_strdup (value));
        }
    }
  g_ptr_array_add (argv, g_strdup ("--offhours-im"));
  g_ptr_array_add (argv, g_strdup (purple_request_fields_get_bool (fields, "offhours") ? "yes" : "no"));

  /* Endpoints no longer listed are removed, listed ones added (the options
   * ignore those already there). IM endpoints are listed as URIs, email
   * ones as plain addresses and stream handles as @name@server, each in
   * their own field. */
  g_autoptr(GPtrArray) wanted = uri_list (purple_request_fields_get_string (fields, "im"));
  g_autoptr(GPtrArray) emails = uri_list (purple_request_fields_get_string (fields, "email"));
  g_autoptr(GPtrArray) streams = uri_list (purple_request_fields_get_string (fields, "stream"));
  for (guint i = 0; i < member->endpoints->len; i++)
    {
      const RtEndpoint *ep = g_ptr_array_index (member->endpoints, i);
      gboolean email = g_str_equal (ep->scheme, RT_EMAIL_SCHEME);
      gboolean stream = g_str_equal (ep->scheme, RT_STREAM_SCHEME);
      g_autofree char *uri = email ? g_strdup (ep->address)
                           : stream ? g_strconcat ("@", ep->address, NULL) : rt_endpoint_format (ep);
      GPtrArray *list = email ? emails : stream ? streams : wanted;
      if (!g_ptr_array_find_with_equal_func (list, uri, same_address, NULL)
          && !(stream && g_ptr_array_find_with_equal_func (list, ep->address, same_address, NULL)))
        {
          g_ptr_array_add (argv, g_strdup (email ? "--no-email" : stream ? "--no-stream" : "--no-im"));
          g_ptr_array_add (argv, g_steal_pointer (&uri));
        }
    }
  for (guint i = 0; i < streams->len; i++)
    {
      g_ptr_array_add (argv, g_strdup ("--stream"));
      g_ptr_array_add (argv, g_strdup (g_ptr_array_index (streams, i)));
    }
  for (guint i = 0; i < wanted->len; i++)
    {
      g_ptr_array_add (argv, g_strdup ("--im"));
      g_ptr_array_add (argv, g_strdup (g_ptr_array_index (wanted, i)));
    }
  for (guint i = 0; i < emails->len; i++)
    {
      g_ptr_array_add (argv, g_strdup ("--email"));
      g_ptr_array_add (argv, g_strdup (g_ptr_array_index (emails, i)));
    }
  g_ptr_array_add (argv, NULL);

  if (!rt_member_apply_options (member, (char **) argv->pdata, &error)
      || !rt_store_member_save (glue->store, member, &error))
    {
      notify_error (_("The member was not saved."), error);
      return;
    }
  rt_presence_track_member (member);
  rt_digester_kick ();
}

static void
edit_member (gint64 ws_id, const char *handle)
{
  RtGlue *glue = rt_glue ();
  g_autoptr(RtMember) m = rt_store_member_find (glue->store, ws_id, handle, NULL);
  g_autoptr(RtMember) fresh = rt_member_new (handle);
  const RtMember *shown = m != NULL ? m : fresh;

  PurpleRequestFields *fields = purple_request_fields_new ();
  PurpleRequestFieldGroup *group = purple_request_field_group_new (NULL);
  purple_request_fields_add_group (fields, group);
  g_autofree char *hours = rt_hours_format (&shown->hours);
  g_autofree char *days = rt_days_format (&shown->hours);
  GString *ims = g_string_new (NULL), *emails = g_string_new (NULL), *streams = g_string_new (NULL);
  for (guint i = 0; i < shown->endpoints->len; i++)
    {
      const RtEndpoint *ep = g_ptr_array_index (shown->endpoints, i);
      gboolean stream = g_str_equal (ep->scheme, RT_STREAM_SCHEME);
      GString *list = g_str_equal (ep->scheme, RT_EMAIL_SCHEME) ? emails : stream ? streams : ims;
      g_autofree char *uri = list == emails ? g_strdup (ep->address)
                           : stream ? g_strconcat ("@", ep->address, NULL) : rt_endpoint_format (ep);
      g_string_append_printf (list, "%s%s", list->len ? ", " : "", uri);
    }
  add_string (group, "name", _("Name"), shown->name);
  add_string (group, "site", _("Site"), shown->site);
  add_string (group, "country", _("Country (two letters)"), shown->country);
  add_string (group, "tz", _("Time zone (for example Europe/Brussels)"), shown->tz);
  add_string (group, "lang", _("Language (for example fr)"), shown->lang);
  add_string (group, "hours", _("Working hours (HH:MM-HH:MM)"), hours);
  add_string (group, "days", _("Working days (for example Mon-Fri)"), days);
  g_autofree char *digest = rt_schedule_format (&shown->digest);
  g_autofree char *quiet = rt_quiet_format (&shown->quiet);
  /* TRANSLATORS: dialog field; keep the schedule words in English. */
  add_string (group, "digest", _("Digest (off, immediate, hourly, daily 08:00, weekly Sun 18:00)"), digest);
  add_string (group, "quiet", _("Quiet hours (HH:MM-HH:MM or none)"), quiet);
  add_string (group, "im", _("IM endpoints (for example xmpp:alice@example.org), comma separated"), ims->str);
  add_string (group, "email", _("Email addresses, comma separated"), emails->str);
  add_string (group, "stream", _("Stream handles (for example @alice@social.example), comma separated"),
              streams->str);
  g_autofree char *roles = rt_roles_format (shown->roles);
  /* TRANSLATORS: dialog field; keep the role words in English. */
  add_string (group, "role", _("Roles (owner, spokesperson, or none)"), roles);
  purple_request_field_group_add_field (group,
      purple_request_field_bool_new ("offhours", _("Send IM outside working hours too"), shown->offhours_im));
  g_string_free (ims, TRUE);
  g_string_free (emails, TRUE);
  g_string_free (streams, TRUE);

  EditTarget *target = g_new0 (EditTarget, 1);
  target->ws_id = ws_id;
  target->handle = g_strdup (handle);
  g_autofree char *title = g_strdup_printf (m != NULL ? _("Edit member %s") : _("New member %s"), handle);
  purple_request_fields (glue->plugin, _("Roundtable"), title, NULL, fields,
                         _("Save"), G_CALLBACK (member_ok), _("Cancel"), G_CALLBACK (member_cancel),
                         NULL, NULL, NULL, target);
}

static void
pick_ok (gpointer data, PurpleRequestFields *fields)
{
  RtGlue *glue = rt_glue ();
  if (glue == NULL)
    return;
  g_autoptr(GPtrArray) all = rt_store_workspaces (glue->store);
  int choice = purple_request_fields_get_choice (fields, "workspace");
  const char *handle = purple_request_fields_get_string (fields, "handle");
  g_autofree char *h = g_strstrip (g_strdup (handle ? handle : ""));
  if (choice < 0 || (guint) choice >= all->len || *h == '\0')
    return;
  const RtWorkspace *ws = g_ptr_array_index (all, choice);
  if (purple_request_fields_get_bool (fields, "remove"))
    {
      g_autoptr(GError) error = NULL;
      if (!rt_store_member_remove (glue->store, ws->id, h, &error))
        notify_error (_("The member was not removed."), error);
      return;
    }
  edit_member (ws->id, h);
}

static void
action_members (PurplePluginAction *action)
{
  RtGlue *glue = rt_glue ();
  g_autoptr(GPtrArray) all = rt_store_workspaces (glue->store);
  if (all->len == 0)
    {
      purple_notify_info (glue->plugin, _("Roundtable"), _("There is no workspace yet."),
                          _("Create one with /ws create NAME in any conversation."));
      return;
    }
  PurpleRequestFields *fields = purple_request_fields_new ();
  PurpleRequestFieldGroup *group = purple_request_field_group_new (NULL);
  purple_request_fields_add_group (fields, group);
  PurpleRequestField *choice = purple_request_field_choice_new ("workspace", _("Workspace"), 0);
  GString *known = g_string_new (NULL);
  for (guint i = 0; i < all->len; i++)
    {
      const RtWorkspace *ws = g_ptr_array_index (all, i);
      purple_request_field_choice_add (choice, ws->name);
      GPtrArray *members = rt_store_members (glue->store, ws->id);
      g_string_append_printf (known, "%s%s:", known->len ? "\n" : "", ws->name);
      for (guint m = 0; m < members->len; m++)
        g_string_append_printf (known, " %s", ((RtMember *) g_ptr_array_index (members, m))->handle);
    }
  purple_request_field_group_add_field (group, choice);
  add_string (group, "handle", _("Member handle (new or existing)"), NULL);
  purple_request_field_group_add_field (group, purple_request_field_bool_new ("remove", _("Remove this member"), FALSE));
  purple_request_fields (glue->plugin, _("Roundtable"), _("Workspaces"), known->str, fields,
                         _("Continue"), G_CALLBACK (pick_ok), _("Cancel"), NULL, NULL, NULL, NULL, NULL);
  g_string_free (known, TRUE);
}

static void
create_ok (gpointer data, const char *name)
{
  RtGlue *glue = rt_glue ();
  g_autoptr(GError) error = NULL;
  if (glue != NULL && name != NULL && *name != '\0'
      && rt_store_workspace_create (glue->store, name, &error) == 0)
    notify_error (_("The workspace was not created."), error);
}

static void
action_create (PurplePluginAction *action)
{
  purple_request_input (rt_glue ()->plugin, _("Roundtable"), _("New workspace"), NULL, NULL,
                        FALSE, FALSE, NULL, _("Create"), G_CALLBACK (create_ok), _("Cancel"), NULL,
                        NULL, NULL, NULL, NULL);
}

GList *
rt_dialog_actions (PurplePlugin *plugin, gpointer context)
{
  GList *actions = NULL;
  actions = g_list_append (actions, purple_plugin_action_new (_("Workspaces and members…"), action_members));
  actions = g_list_append (actions, purple_plugin_action_new (_("New workspace…"), action_create));
  return actions;
}
