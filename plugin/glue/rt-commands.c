/* rt-commands.c: the /ws command in any conversation window. Every answer is
 * written into the conversation; user text in answers is escaped. A command
 * that fails changes nothing. */
#include "rt-glue.h"
#include "rt-args.h"
#include "rt-clock.h"
#include "rt-error.h"
#include "rt-member-opts.h"
#include "rt-mailin.h"

static PurpleCmdId ws_cmd;

static void
say (PurpleConversation *conv, const char *text)
{
  g_autofree char *html = g_markup_escape_text (text, -1);
  g_autofree char *br = purple_strreplace (html, "\n", "<br>");
  purple_conversation_write (conv, NULL, br, PURPLE_MESSAGE_SYSTEM | PURPLE_MESSAGE_NO_LOG, time (NULL));
}

static void
say_error (PurpleConversation *conv, const char *text)
{
  g_autofree char *html = g_markup_escape_text (text, -1);
  purple_conversation_write (conv, NULL, html, PURPLE_MESSAGE_ERROR | PURPLE_MESSAGE_NO_LOG, time (NULL));
}

static RtLink *
conv_link (PurpleConversation *conv)
{
  if (purple_conversation_get_type (conv) != PURPLE_CONV_TYPE_CHAT)
    return NULL;
  PurpleAccount *account = purple_conversation_get_account (conv);
  return rt_store_link_find (rt_glue ()->store, purple_account_get_protocol_id (account),
                             purple_account_get_username (account),
                             purple_conversation_get_name (conv));
}

void
rt_commands_say (PurpleConversation *conv, const char *text)
{
  say (conv, text);
}

/* The workspace named, else the one this room is linked to, else the only one. */
RtWorkspace *
rt_commands_resolve_workspace (PurpleConversation *conv, const char *name, GError **error)
{
  RtStore *store = rt_glue ()->store;
  if (name != NULL)
    return rt_store_workspace_find (store, name, error);
  g_autoptr(RtLink) link = conv_link (conv);
  if (link != NULL)
    return rt_store_workspace_get (store, link->ws_id);
  g_autoptr(GPtrArray) all = rt_store_workspaces (store);
  if (all->len == 1)
    return rt_store_workspace_get (store, ((RtWorkspace *) g_ptr_array_index (all, 0))->id);
  g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID,
                       all->len == 0 ? _("There is no workspace yet. Create one with /ws create NAME.")
                                     : _("Name the workspace: this conversation is not linked to one."));
  return NULL;
}

static void
cmd_help (PurpleConversation *conv)
{
  say (conv, _("Roundtable commands:\n"
               "/ws create NAME: create a workspace\n"
               "/ws delete NAME: delete a workspace and its history\n"
               "/ws list: list workspaces\n"
               "/ws link NAME [--direction in|out|both] [--audience internal|public]: bridge this chat "
               "room or stream timeline into a workspace (defaults: both, internal); without NAME in a "
               "linked chat: change or show its settings\n"
               "/ws unlink: stop bridging this chat room\n"
               "/ws member add|set WS HANDLE [--name N] [--site S] [--country CC] [--tz ZONE] "
               "[--lang L] [--hours HH:MM-HH:MM] [--days Mon-Fri] [--offhours-im yes|no] [--im URI] [--no-im URI] "
               "[--email ADDR] [--no-email ADDR] [--immediate-mail yes|no|default] "
               "[--digest off|immediate|hourly|\"daily HH:MM\"|\"weekly DAY HH:MM\"] [--quiet HH:MM-HH:MM|none] "
               "[--role owner,spokesperson|none] [--stream @NAME@SERVER] [--no-stream @NAME@SERVER]\n"
               "/ws member remove WS HANDLE\n"
               "/ws member show WS HANDLE\n"
               "/ws who [WS]: members, local time, reachability and route now\n"
               "/ws mailbox [WS] [ACCOUNT|--none] [--immediate yes|no]: the mail account the workspace uses\n"
               "/ws pending [WS] HANDLE: messages kept for a member's digest\n"
               "/ws watch add|remove [WS] TERM…: keywords, \"phrases\", #hashtags and @accounts looked "
               "for in every stream the hub reads; a hit is an alert in the workspace\n"
               "/ws watch list [WS]: the watchlist with its hits of the last 7 days\n"
               "/ws held [WS]: messages for public links waiting for a spokesperson\n"
               "/ws approve ID, /ws reject ID [reason]: decide (spokespersons and owners)"));
}

static gboolean
cmd_create (PurpleConversation *conv, char **argv, GError **error)
{
  if (g_strv_length (argv) != 1 || *g_strstrip (argv[0]) == '\0')
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID, _("Usage: /ws create NAME"));
      return FALSE;
    }
  if (rt_store_workspace_create (rt_glue ()->store, argv[0], error) == 0)
    return FALSE;
  g_autofree char *text = g_strdup_printf (_("Workspace “%s” created. Type /ws link “%s” in a chat room to bridge it."),
                                           argv[0], argv[0]);
  say (conv, text);
  return TRUE;
}

static gboolean
cmd_delete (PurpleConversation *conv, char **argv, GError **error)
{
  if (g_strv_length (argv) != 1)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID, _("Usage: /ws delete NAME"));
      return FALSE;
    }
  g_autoptr(RtWorkspace) ws = rt_store_workspace_find (rt_glue ()->store, argv[0], error);
  if (ws == NULL || !rt_store_workspace_delete (rt_glue ()->store, ws->id, error))
    return FALSE;
  rt_stream_watch_changed ();
  g_autofree char *text = g_strdup_printf (_("Workspace “%s” deleted."), ws->name);
  say (conv, text);
  return TRUE;
}

/* ", mailbox hub@example.org (immediate mail) (offline)" if ws has one. */
static void
describe_mailbox (GString *out, const RtWorkspace *ws)
{
  if (ws->mailbox == NULL)
    return;
  /* TRANSLATORS: after a workspace's member and room counts; %s: the mail
   * account's address. */
  g_string_append_printf (out, _(", mailbox %s"), ws->mailbox);
  if (ws->immediate_mail)
    g_string_append (out, _(" (immediate mail)"));
  PurpleAccount *account = rt_mailer_account (ws->mailbox);
  if (account == NULL)
    g_string_append (out, _(" (no such account)"));
  else if (!purple_account_is_connected (account))
    g_string_append (out, _(" (offline)"));
}

static gboolean
cmd_list (PurpleConversation *conv, char **argv, GError **error)
{
  RtStore *store = rt_glue ()->store;
  g_autoptr(GPtrArray) all = rt_store_workspaces (store);
  if (all->len == 0)
    {
      say (conv, _("There is no workspace yet. Create one with /ws create NAME."));
      return TRUE;
    }
  GString *out = g_string_new (_("Workspaces:"));
  for (guint i = 0; i < all->len; i++)
    {
      const RtWorkspace *ws = g_ptr_array_index (all, i);
      guint members = rt_store_members (store, ws->id)->len;
      g_autoptr(GPtrArray) links = rt_store_links (store, ws->id);
      g_autofree char *m = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u member", "%u members", members), members);
      g_autofree char *l = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u linked room", "%u linked rooms", links->len), links->len);
      g_string_append_printf (out, "\n%s: %s, %s", ws->name, m, l);
      describe_mailbox (out, ws);
      for (guint k = 0; k < links->len; k++)
        {
          const RtLink *link = g_ptr_array_index (links, k);
          g_autofree char *mode = rt_cmd_link_mode_text (link, FALSE);
          if (mode != NULL)
            /* TRANSLATORS: /ws list, a link under its workspace: the room,
             * the account, then the link's settings. Keep the leading
             * newline and indent. */
            g_string_append_printf (out, _("\n    %s (%s): %s"), link->room, link->account, mode);
          else
            /* TRANSLATORS: /ws list, a link with the default settings: the
             * room, then the account. Keep the leading newline and indent. */
            g_string_append_printf (out, _("\n    %s (%s)"), link->room, link->account);
        }
    }
  say (conv, out->str);
  g_string_free (out, TRUE);
  return TRUE;
}

/* /ws link [NAME] [--direction in|out|both] [--audience internal|public]:
 * link this chat (a room or a stream timeline); on a linked chat, without
 * NAME (or with its own workspace), change or show its settings. */
static gboolean
cmd_link (PurpleConversation *conv, char **argv, GError **error)
{
  const char *usage = _("Usage: /ws link NAME [--direction in|out|both] [--audience internal|public]");
  if (purple_conversation_get_type (conv) != PURPLE_CONV_TYPE_CHAT)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID, _("Type /ws link in the chat room you want to bridge."));
      return FALSE;
    }
  RtStore *store = rt_glue ()->store;
  g_autoptr(RtLink) link = conv_link (conv);
  RtLinkDirection direction = link != NULL ? link->direction : RT_DIRECTION_DEFAULT;
  RtLinkAudience audience = link != NULL ? link->audience : RT_AUDIENCE_DEFAULT;
  gboolean given = FALSE;
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  if (!rt_cmd_link_options (argv, rest, &direction, &audience, &given, error))
    return FALSE;
  if (rest->len > 1 || (rest->len == 0 && link == NULL))
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID, usage);
      return FALSE;
    }
  g_autoptr(RtWorkspace) ws = rest->len == 1 ? rt_store_workspace_find (store, rest->pdata[0], error)
                                             : rt_store_workspace_get (store, link->ws_id);
  if (ws == NULL)
    return FALSE;
  if (link != NULL && link->ws_id == ws->id)
    {
      /* Already linked here: the settings change (or are shown). */
      if (given && !rt_store_link_set_mode (store, link->id, direction, audience, error))
        return FALSE;
      link->direction = direction;
      link->audience = audience;
      g_autofree char *mode = rt_cmd_link_mode_text (link, TRUE);
      g_autofree char *text = g_strdup_printf (_("This chat is linked to “%s” (%s)."), ws->name, mode);
      say (conv, text);
      if (given)
        rt_pump_kick ();
      return TRUE;
    }
  PurpleAccount *account = purple_conversation_get_account (conv);
  if (rt_store_link_add_full (store, ws->id, purple_account_get_protocol_id (account),
                              purple_account_get_username (account),
                              purple_conversation_get_name (conv), direction, audience, error) == 0)
    return FALSE;
  RtLink shown = { .direction = direction, .audience = audience };
  g_autofree char *mode = rt_cmd_link_mode_text (&shown, TRUE);
  /* TRANSLATORS: the workspace, then the link's settings ("both, internal"). */
  g_autofree char *text = g_strdup_printf (_("This chat is now linked to “%s” (%s)."), ws->name, mode);
  say (conv, text);
  return TRUE;
}

static gboolean
cmd_unlink (PurpleConversation *conv, char **argv, GError **error)
{
  g_autoptr(RtLink) link = conv_link (conv);
  if (link == NULL)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("This conversation is not linked to a workspace."));
      return FALSE;
    }
  if (!rt_store_link_remove (rt_glue ()->store, link->id, error))
    return FALSE;
  say (conv, _("This room is no longer linked."));
  return TRUE;
}

/* A second line for a member with an email address: "    digest daily
 * 08:00, next digest Tue 08:00" (the member's local time), "digest off" or
 * "unsubscribed by mail". */
static void
describe_digest (GString *out, const RtMember *m, gint64 now)
{
  if (rt_member_find_scheme (m, RT_EMAIL_SCHEME) < 0)
    return;   /* digests go by mail only */
  g_string_append (out, "\n    ");
  if (m->unsubscribed_us != 0)
    {
      /* TRANSLATORS: in /ws who: the member stopped digests with the
       * unsubscribe link of a digest. */
      g_string_append (out, _("unsubscribed by mail"));
      return;
    }
  g_autofree char *sched = rt_schedule_format (&m->digest);
  gint64 next = rt_schedule_next_slot (&m->digest, &m->hours, &m->quiet, m->tz,
                                       MAX (now, m->last_digest_slot));
  if (next == 0)
    {
      /* TRANSLATORS: in /ws who: the member's mail schedule ("off", ...). */
      g_string_append_printf (out, _("digest %s"), sched);
      return;
    }
  g_autofree char *when = rt_local_time_format (m->tz, next);
  /* TRANSLATORS: in /ws who: the mail schedule, then the next digest in the
   * member's local time ("Tue 08:00"). */
  g_string_append_printf (out, _("digest %s, next digest %s"), sched, when);
}

static void
describe_member (GString *out, const RtMember *m, const RtWorkspace *ws)
{
  RtGlue *glue = rt_glue ();
  gint64 now = rt_clock_now ();
  RtReachability reach = rt_hub_reach (&glue->world, m, now);
  gboolean in_room = glue->world.member_in_room (m, m->ws_id, glue->world.data);
  RtMessage probe = { 0 };
  RtPlan plan = rt_plan_for_member (&probe, m, &reach, in_room, &glue->policy, ws);
  g_autofree char *local = rt_local_time_format (m->tz, now);
  g_autofree char *route = NULL;
  if (plan.route == RT_ROUTE_IM)
    {
      g_autofree char *uri = rt_endpoint_format (g_ptr_array_index (m->endpoints, plan.endpoint_index));
      route = g_strdup_printf ("%s (%s)", rt_plan_describe (&plan), uri);
    }
  else
    route = g_strdup (rt_plan_describe (&plan));
  /* TRANSLATORS: handle, name, site, local time, reachability, route */
  g_string_append_printf (out, _("\n%s: %s, %s, %s, %s, %s"), m->handle, m->name ? m->name : m->handle,
                          m->site ? m->site : _("no site"), local, rt_reach_to_display (reach.reach), route);
  for (guint i = 0, n = 0; i < m->endpoints->len; i++)
    {
      const RtEndpoint *ep = g_ptr_array_index (m->endpoints, i);
      if (!g_str_equal (ep->scheme, RT_EMAIL_SCHEME))
        continue;
      /* TRANSLATORS: at the end of a member's line in /ws who: their mail addresses. */
      g_string_append_printf (out, n++ == 0 ? _(", email %s") : ", %s", ep->address);
      /* A bounce marked it (rt-mail-in.c); the next mail from it clears it. */
      g_autofree char *failing = rt_store_mailin_failing (rt_glue ()->store, ep->id, NULL);
      if (failing != NULL)
        /* TRANSLATORS: after an email address in /ws who; %s is the bounce's reason. */
        g_string_append_printf (out, *failing ? _(" (failing: %s)") : _(" (failing)"), failing);
    }
  describe_digest (out, m, now);
}

static gboolean
cmd_who (PurpleConversation *conv, char **argv, GError **error)
{
  g_autoptr(RtWorkspace) ws = rt_commands_resolve_workspace (conv, argv[0], error);
  if (ws == NULL)
    return FALSE;
  GPtrArray *members = rt_store_members (rt_glue ()->store, ws->id);
  GString *out = g_string_new (NULL);
  g_string_printf (out, g_dngettext (GETTEXT_PACKAGE, "%s: %u member", "%s: %u members", members->len), ws->name, members->len);
  describe_mailbox (out, ws);
  for (guint i = 0; i < members->len; i++)
    describe_member (out, g_ptr_array_index (members, i), ws);
  say (conv, out->str);
  g_string_free (out, TRUE);
  return TRUE;
}

static gboolean
cmd_member (PurpleConversation *conv, char **argv, GError **error)
{
  RtStore *store = rt_glue ()->store;
  guint argc = g_strv_length (argv);
  if (argc < 3)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID,
                           _("Usage: /ws member add|set|remove|show WORKSPACE HANDLE [options]"));
      return FALSE;
    }
  const char *verb = argv[0], *handle = argv[2];
  g_autoptr(RtWorkspace) ws = rt_store_workspace_find (store, argv[1], error);
  if (ws == NULL)
    return FALSE;

  if (g_str_equal (verb, "add") || g_str_equal (verb, "set"))
    {
      g_autoptr(RtMember) member = NULL;
      if (g_str_equal (verb, "add"))
        {
          g_autoptr(RtMember) existing = rt_store_member_find (store, ws->id, handle, NULL);
          if (existing != NULL)
            {
              g_set_error (error, RT_ERROR, RT_ERROR_EXISTS,
                           _("“%s” is already a member of “%s”; use /ws member set to change it."), handle, ws->name);
              return FALSE;
            }
          member = rt_member_new (handle);
          member->ws_id = ws->id;
        }
      else if ((member = rt_store_member_find (store, ws->id, handle, error)) == NULL)
        return FALSE;
      if (!rt_member_apply_options (member, argv + 3, error) || !rt_store_member_save (store, member, error))
        return FALSE;
      rt_presence_track_member (member);
      rt_digester_kick ();   /* the schedule may have changed */
      g_autofree char *text = g_strdup_printf (g_str_equal (verb, "add") ? _("%s added to “%s”.")
                                                                         : _("%s updated in “%s”."),
                                               handle, ws->name);
      say (conv, text);
      return TRUE;
    }
  if (argc != 3)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID, _("Unexpected argument “%s”."), argv[3]);
      return FALSE;
    }
  if (g_str_equal (verb, "remove"))
    {
      if (!rt_store_member_remove (store, ws->id, handle, error))
        return FALSE;
      g_autofree char *text = g_strdup_printf (_("%s removed from “%s”."), handle, ws->name);
      say (conv, text);
      return TRUE;
    }
  if (g_str_equal (verb, "show"))
    {
      g_autoptr(RtMember) m = rt_store_member_find (store, ws->id, handle, error);
      if (m == NULL)
        return FALSE;
      g_autofree char *hours = rt_hours_format (&m->hours);
      g_autofree char *days = rt_days_format (&m->hours);
      GString *out = g_string_new (NULL);
      g_string_printf (out, _("%s: %s\nsite %s, country %s, time zone %s, language %s\nworking hours %s %s, IM off-hours: %s"),
                       m->handle, m->name ? m->name : "", m->site ? m->site : "-", m->country ? m->country : "-",
                       m->tz, m->lang, hours, days, m->offhours_im ? _("yes") : _("no"));
      const char *immediate = m->immediate_mail == RT_IMMEDIATE_YES ? _("yes")
                            : m->immediate_mail == RT_IMMEDIATE_NO ? _("no")
                            /* TRANSLATORS: immediate mail of a member who follows the workspace. */
                            : ws->immediate_mail ? _("as the workspace (yes)") : _("as the workspace (no)");
      g_string_append_printf (out, _("\nimmediate mail: %s"), immediate);
      g_autofree char *digest = rt_schedule_format (&m->digest);
      g_autofree char *quiet = rt_quiet_format (&m->quiet);
      /* TRANSLATORS: /ws member show: mail schedule and quiet hours. */
      g_string_append_printf (out, _("\ndigest: %s, quiet hours %s"), digest, quiet);
      g_autofree char *roles = rt_roles_format (m->roles);
      /* TRANSLATORS: /ws member show: owner, spokesperson, or none. */
      g_string_append_printf (out, _("\nroles: %s"), roles);
      if (m->unsubscribed_us != 0)
        {
          g_autofree char *when = rt_local_time_format (m->tz, m->unsubscribed_us);
          /* TRANSLATORS: /ws member show: when the member unsubscribed by mail. */
          g_string_append_printf (out, _(" (unsubscribed by mail, %s)"), when);
        }
      for (guint i = 0; i < m->endpoints->len; i++)
        {
          const RtEndpoint *ep = g_ptr_array_index (m->endpoints, i);
          g_autofree char *uri = rt_endpoint_format (ep);
          if (g_str_equal (ep->scheme, RT_EMAIL_SCHEME))
            g_string_append_printf (out, "\n%s %s", _("email"), ep->address);
          else if (g_str_equal (ep->scheme, RT_STREAM_SCHEME))
            /* TRANSLATORS: /ws member show: a social stream handle. */
            g_string_append_printf (out, "\n%s @%s", _("stream"), ep->address);
          else
            g_string_append_printf (out, "\n%s %s", _("endpoint"), uri);
        }
      say (conv, out->str);
      g_string_free (out, TRUE);
      return TRUE;
    }
  g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
               _("Unknown member command “%s”: use add, set, remove or show."), verb);
  return FALSE;
}

static gboolean
cmd_pending (PurpleConversation *conv, char **argv, GError **error)
{
  guint argc = g_strv_length (argv);
  if (argc < 1 || argc > 2)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID, _("Usage: /ws pending [WORKSPACE] HANDLE"));
      return FALSE;
    }
  RtStore *store = rt_glue ()->store;
  g_autoptr(RtWorkspace) ws = rt_commands_resolve_workspace (conv, argc == 2 ? argv[0] : NULL, error);
  if (ws == NULL)
    return FALSE;
  g_autoptr(RtMember) m = rt_store_member_find (store, ws->id, argv[argc - 1], error);
  if (m == NULL)
    return FALSE;
  g_autoptr(GPtrArray) pending = rt_store_pending (store, m->id);
  GString *out = g_string_new (NULL);
  g_string_printf (out, g_dngettext (GETTEXT_PACKAGE, "%s has %u message kept for the next digest.",
                                  "%s has %u messages kept for the next digest.", pending->len),
                   m->handle, pending->len);
  for (guint i = 0; i < pending->len; i++)
    {
      const RtMessage *msg = g_ptr_array_index (pending, i);
      g_autofree char *when = rt_local_time_format (m->tz, msg->created_us);
      g_string_append_printf (out, "\n[%s] %s: %s", when, msg->author_label, msg->text);
    }
  say (conv, out->str);
  g_string_free (out, TRUE);
  return TRUE;
}

/* The workspace of "/ws mailbox [WS] [ACCOUNT | --none] [...]": argv[0] when
 * a workspace of that name exists (workspace names win, as for /ws watch);
 * else, when argv[0] is absent, an option or a Roundtable Mail account, the
 * workspace of the conversation (rt_commands_resolve_workspace). *first is
 * the index of the first argument after the workspace. */
static RtWorkspace *
mailbox_target (PurpleConversation *conv, char **argv, guint *first, GError **error)
{
  RtStore *store = rt_glue ()->store;
  *first = 0;
  if (argv[0] != NULL && !g_str_has_prefix (argv[0], "--"))
    {
      GError *not_found = NULL;
      RtWorkspace *ws = rt_store_workspace_find (store, argv[0], &not_found);
      if (ws != NULL)
        {
          *first = 1;
          return ws;
        }
      if (rt_mailer_account (argv[0]) == NULL)
        {
          g_propagate_error (error, not_found);
          return NULL;
        }
      g_error_free (not_found);
    }
  return rt_commands_resolve_workspace (conv, NULL, error);
}

/* /ws mailbox [WS] [ACCOUNT | --none] [--immediate yes|no]: link the hub's
 * mailbox (a Roundtable Mail account) to a workspace; alone, show it. */
static gboolean
cmd_mailbox (PurpleConversation *conv, char **argv, GError **error)
{
  RtStore *store = rt_glue ()->store;
  const char *usage = _("Usage: /ws mailbox [WORKSPACE] [ACCOUNT | --none] [--immediate yes|no]");
  guint first;
  g_autoptr(RtWorkspace) ws = mailbox_target (conv, argv, &first, error);
  if (ws == NULL)
    return FALSE;

  g_autofree char *mailbox = g_strdup (ws->mailbox);
  gboolean immediate = ws->immediate_mail, changed = FALSE;
  for (guint i = first; argv[i] != NULL; i++, changed = TRUE)
    {
      const char *arg = argv[i];
      if (g_str_equal (arg, "--none"))
        g_clear_pointer (&mailbox, g_free);
      else if (g_str_equal (arg, "--immediate") || g_str_has_prefix (arg, "--immediate="))
        {
          /* --immediate=yes, or --immediate yes (the value is consumed) */
          const char *value = arg[11] == '=' ? arg + 12 : argv[++i];
          if (value == NULL || !rt_args_parse_bool (value, &immediate))
            {
              g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                           _("Bad value “%s” for --immediate: use yes or no."), value ? value : "");
              return FALSE;
            }
        }
      else if (g_str_has_prefix (arg, "--") || i != first)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID, _("Unexpected “%s”. %s"), arg, usage);
          return FALSE;
        }
      else
        {
          PurpleAccount *account = rt_mailer_account (arg);
          if (account == NULL)
            {
              g_set_error (error, RT_ERROR, RT_ERROR_NOT_FOUND,
                           _("No Roundtable Mail account “%s”. Add the mailbox as an account of "
                             "protocol Roundtable Mail first."), arg);
              return FALSE;
            }
          g_free (mailbox);
          mailbox = g_strdup (purple_account_get_username (account));
        }
    }
  if (changed && !rt_store_workspace_set_mail (store, ws->id, mailbox, immediate, error))
    return FALSE;

  g_autofree char *text = NULL;
  if (mailbox == NULL)
    text = g_strdup_printf (_("“%s” has no mailbox."), ws->name);
  else if (immediate)
    text = g_strdup_printf (_("“%s” uses the mailbox %s; members who cannot be reached by IM "
                              "get each message by mail at once (unless they chose otherwise)."),
                            ws->name, mailbox);
  else
    text = g_strdup_printf (_("“%s” uses the mailbox %s; messages are mailed at once only to "
                              "members who asked for immediate mail."), ws->name, mailbox);
  say (conv, text);
  if (changed)
    {
      rt_pump_kick ();
      rt_digester_kick ();
    }
  return TRUE;
}

typedef gboolean (*WsHandler) (PurpleConversation *conv, char **argv, GError **error);

static const struct { const char *name; WsHandler handler; } handlers[] = {
  { "create", cmd_create }, { "delete", cmd_delete }, { "list", cmd_list },
  { "link", cmd_link }, { "unlink", cmd_unlink }, { "member", cmd_member },
  { "who", cmd_who }, { "pending", cmd_pending }, { "mailbox", cmd_mailbox },
  { "watch", rt_cmd_watch }, { "held", rt_cmd_held }, { "approve", rt_cmd_approve },
  { "reject", rt_cmd_reject },
};

static PurpleCmdRet
on_ws (PurpleConversation *conv, const gchar *cmd, gchar **args, gchar **error_out, void *data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = rt_args_split (args[0] != NULL ? args[0] : "", &error);
  if (argv == NULL)
    {
      say_error (conv, error->message);
      return PURPLE_CMD_RET_OK;
    }
  if (argv[0] == NULL || g_str_equal (argv[0], "help"))
    {
      cmd_help (conv);
      return PURPLE_CMD_RET_OK;
    }
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    if (g_str_equal (argv[0], handlers[i].name))
      {
        if (!handlers[i].handler (conv, argv + 1, &error))
          say_error (conv, error != NULL ? error->message : _("The command failed."));
        return PURPLE_CMD_RET_OK;
      }
  g_autofree char *text = g_strdup_printf (_("Unknown command “/ws %s”. Type /ws help for the list."), argv[0]);
  say_error (conv, text);
  return PURPLE_CMD_RET_OK;
}

void
rt_commands_register (void)
{
  ws_cmd = purple_cmd_register ("ws", "s", PURPLE_CMD_P_PLUGIN,
                                PURPLE_CMD_FLAG_IM | PURPLE_CMD_FLAG_CHAT | PURPLE_CMD_FLAG_ALLOW_WRONG_ARGS,
                                NULL, PURPLE_CMD_FUNC (on_ws),
                                _("ws &lt;command&gt;: Roundtable workspaces. Type /ws help for the commands."), NULL);
}

void
rt_commands_unregister (void)
{
  purple_cmd_unregister (ws_cmd);
  ws_cmd = 0;
}
