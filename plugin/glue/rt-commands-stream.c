/* rt-commands-stream.c: the /ws commands of social streams
 * (docs/stream-workspace.md, docs/commands.md): the link options of
 * /ws link, watchlists (/ws watch), and held messages (/ws held,
 * /ws approve, /ws reject). Like every /ws command: all or nothing, the
 * answer written into the conversation, user text escaped there. */
#include "rt-glue.h"
#include "rt-clock.h"
#include "rt-error.h"

#define HIT_WINDOW_US (G_GINT64_CONSTANT (7) * 24 * 3600 * G_USEC_PER_SEC)
#define EXCERPT_CHARS 60
#define LOG_LINES 10

/* ---- /ws link options --------------------------------------------------- */

gboolean
rt_cmd_link_options (char **argv, GPtrArray *rest, RtLinkDirection *direction,
                     RtLinkAudience *audience, gboolean *given, GError **error)
{
  RtLinkDirection d = *direction;
  RtLinkAudience a = *audience;
  gboolean any = FALSE;
  for (guint i = 0; argv[i] != NULL; i++)
    {
      const char *arg = argv[i];
      gboolean dir = g_str_has_prefix (arg, "--direction");
      gboolean aud = g_str_has_prefix (arg, "--audience");
      const char *name = dir ? "--direction" : "--audience";
      if (!(dir || aud) || (arg[strlen (name)] != '\0' && arg[strlen (name)] != '='))
        {
          if (g_str_has_prefix (arg, "--"))
            {
              g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                           _("Unknown option “%s”. Options: --direction in|out|both, "
                             "--audience internal|public."), arg);
              return FALSE;
            }
          g_ptr_array_add (rest, argv[i]);
          continue;
        }
      /* --direction=in, or --direction in (the value is consumed) */
      const char *value = arg[strlen (name)] == '=' ? arg + strlen (name) + 1 : argv[++i];
      if (value == NULL)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID, _("Option %s needs a value."), name);
          return FALSE;
        }
      if (dir ? !rt_link_direction_parse (value, &d, error) : !rt_link_audience_parse (value, &a, error))
        return FALSE;
      any = TRUE;
    }
  *direction = d;
  *audience = a;
  *given = any;
  return TRUE;
}

char *
rt_cmd_link_mode_text (const RtLink *link, gboolean always)
{
  if (!always && link->direction == RT_DIRECTION_DEFAULT && link->audience == RT_AUDIENCE_DEFAULT)
    return NULL;
  const char *dir = rt_link_direction_name (link->direction);
  if (link->audience == RT_AUDIENCE_PUBLIC)
    /* TRANSLATORS: a link's settings: its direction (in, out, both: the
     * words typed in /ws link), then what the public audience means. */
    return g_strdup_printf (_("%s, public: only spokespersons post; other messages wait for /ws approve"), dir);
  /* TRANSLATORS: a link's settings: its direction (in, out, both). */
  return g_strdup_printf (_("%s, internal"), dir);
}

/* ---- /ws watch ------------------------------------------------------------ */

/* The workspace and the terms of "/ws watch VERB [WS] TERM...": argv[0] is
 * the workspace when one of that name exists, else the workspace comes from
 * the conversation and every argument is a term. */
static RtWorkspace *
watch_target (PurpleConversation *conv, char **argv, char ***terms, GError **error)
{
  RtStore *store = rt_glue ()->store;
  if (argv[0] != NULL)
    {
      RtWorkspace *ws = rt_store_workspace_find (store, argv[0], NULL);
      if (ws != NULL)
        {
          *terms = argv + 1;
          return ws;
        }
    }
  *terms = argv;
  return rt_commands_resolve_workspace (conv, NULL, error);
}

static char *
join_terms (const GPtrArray *terms)
{
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < terms->len; i++)
    {
      g_autofree char *typed = rt_watch_term_format (g_ptr_array_index (terms, i));
      if (i > 0)
        /* The separator of watch alerts (rt-watch-alert.c): one translation. */
        g_string_append (out, C_("watch alert", ", "));
      g_string_append (out, typed);
    }
  return g_string_free (out, FALSE);
}

static gboolean
watch_list (PurpleConversation *conv, const RtWorkspace *ws)
{
  RtStore *store = rt_glue ()->store;
  g_autoptr(GPtrArray) terms = rt_store_watch_terms (store, ws->id);
  if (terms->len == 0)
    {
      g_autofree char *text = g_strdup_printf (_("“%s” watches nothing. Add terms with /ws watch add “%s” TERM…"),
                                               ws->name, ws->name);
      rt_commands_say (conv, text);
      return TRUE;
    }
  g_autoptr(GHashTable) hits = rt_store_watch_hit_counts (store, ws->id, rt_clock_now () - HIT_WINDOW_US);
  GString *out = g_string_new (NULL);
  /* TRANSLATORS: header of /ws watch list; then one term per line with its
   * hits of the last 7 days. */
  g_string_printf (out, _("Watchlist of “%s” (hits in the last 7 days):"), ws->name);
  for (guint i = 0; i < terms->len; i++)
    {
      g_autofree char *typed = rt_watch_term_format (g_ptr_array_index (terms, i));
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (hits, typed));
      g_string_append_printf (out, "\n%s ", typed);
      g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "(%u hit)", "(%u hits)", n), n);
    }
  rt_commands_say (conv, out->str);
  g_string_free (out, TRUE);
  return TRUE;
}

gboolean
rt_cmd_watch (PurpleConversation *conv, char **argv, GError **error)
{
  RtStore *store = rt_glue ()->store;
  const char *usage = _("Usage: /ws watch add|remove [WORKSPACE] TERM… or /ws watch list [WORKSPACE]");
  const char *verb = argv[0];
  if (verb == NULL || !(g_str_equal (verb, "add") || g_str_equal (verb, "remove") || g_str_equal (verb, "list")))
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID, usage);
      return FALSE;
    }
  char **rest = NULL;
  g_autoptr(RtWorkspace) ws = watch_target (conv, argv + 1, &rest, error);
  if (ws == NULL)
    return FALSE;
  if (g_str_equal (verb, "list"))
    {
      if (rest[0] != NULL)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("No workspace named “%s”."), rest[0]);
          return FALSE;
        }
      return watch_list (conv, ws);
    }
  /* All or nothing: every term parses, or nothing changes. */
  g_autoptr(GPtrArray) terms = rt_watch_parse_terms ((const char *const *) rest, error);
  if (terms == NULL)
    return FALSE;
  g_autofree char *text = NULL;
  if (g_str_equal (verb, "add"))
    {
      g_autoptr(GPtrArray) added = NULL;
      if (!rt_store_watch_add (store, ws->id, terms, &added, error))
        return FALSE;
      /* Those watched already are named as they were added ("acme" for "ACME"). */
      g_autoptr(GPtrArray) stored = rt_store_watch_terms (store, ws->id);
      g_autoptr(GPtrArray) already = g_ptr_array_new ();
      for (guint i = 0; i < terms->len; i++)
        {
          RtWatchTerm *term = g_ptr_array_index (terms, i);
          if (g_ptr_array_find (added, term, NULL))
            continue;
          for (guint k = 0; k < stored->len; k++)
            if (rt_watch_term_equal (g_ptr_array_index (stored, k), term))
              term = g_ptr_array_index (stored, k);
          g_ptr_array_add (already, term);
        }
      g_autofree char *a = join_terms (added);
      g_autofree char *b = join_terms (already);
      GString *out = g_string_new (NULL);
      if (added->len > 0)
        /* TRANSLATORS: %s: the workspace, then the terms added. */
        g_string_append_printf (out, _("“%s” now watches: %s."), ws->name, a);
      if (already->len > 0)
        {
          if (out->len > 0)
            g_string_append_c (out, '\n');
          /* TRANSLATORS: %s: the terms given to /ws watch add that were there already. */
          g_string_append_printf (out, _("Already watched: %s."), b);
        }
      text = g_string_free (out, FALSE);
    }
  else
    {
      if (!rt_store_watch_remove (store, ws->id, terms, error))
        return FALSE;
      g_autofree char *a = join_terms (terms);
      /* TRANSLATORS: %s: the workspace, then the terms removed. */
      text = g_strdup_printf (_("“%s” no longer watches: %s."), ws->name, a);
    }
  rt_stream_watch_changed ();
  rt_commands_say (conv, text);
  return TRUE;
}

/* ---- held messages ---------------------------------------------------------- */

static char *
hub_time (gint64 us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);
  return dt != NULL ? g_date_time_format (dt, "%H:%M") : g_strdup ("?");
}

static char *
excerpt (const char *text)
{
  g_autofree char *flat = g_strdup (text != NULL ? text : "");
  g_strdelimit (flat, "\r\n\t", ' ');
  if (g_utf8_strlen (flat, -1) <= EXCERPT_CHARS)
    return g_steal_pointer (&flat);
  g_autofree char *cut = g_utf8_substring (flat, 0, EXCERPT_CHARS);
  return g_strconcat (cut, "…", NULL);
}

static const RtLink *
find_link (const GPtrArray *links, gint64 id)
{
  for (guint i = 0; i < links->len; i++)
    if (((const RtLink *) g_ptr_array_index (links, i))->id == id)
      return g_ptr_array_index (links, i);
  return NULL;
}

static void
describe_log (GString *out, const RtHeldLogEntry *e)
{
  g_autofree char *when = hub_time (e->at_us);
  const char *who = e->who != NULL ? e->who : "";
  gboolean ok = g_strcmp0 (e->outcome, "ok") == 0;
  g_string_append_printf (out, "\n#%" G_GINT64_FORMAT " %s ", e->held_id, when);
  if (!ok && g_str_equal (e->action, "approve"))
    /* TRANSLATORS: /ws held, a refused /ws approve: who tried, and why it
     * was refused. */
    g_string_append_printf (out, _("approve by %s refused: %s"), who, e->outcome);
  else if (!ok && g_str_equal (e->action, "reject"))
    /* TRANSLATORS: /ws held, a refused /ws reject: who tried, and why it
     * was refused. */
    g_string_append_printf (out, _("reject by %s refused: %s"), who, e->outcome);
  else if (!ok)
    /* Only approve and reject are ever refused (rt_store_held_decide). */
    g_string_append_printf (out, "%s: %s", e->action, e->outcome);
  else if (g_str_equal (e->action, "hold"))
    g_string_append_printf (out, _("held (written by %s)"), who);
  else if (g_str_equal (e->action, "approve"))
    g_string_append_printf (out, _("approved by %s"), who);
  else if (g_str_equal (e->action, "reject"))
    {
      if (e->who != NULL)
        g_string_append_printf (out, _("rejected by %s"), who);
      else
        g_string_append (out, _("rejected"));
    }
  else if (g_str_equal (e->action, "post"))
    g_string_append (out, _("posted"));
  else
    g_string_append (out, _("the post failed"));
  if (ok && g_strcmp0 (e->note, RT_HELD_NOTE_LINK_REMOVED) == 0)
    /* TRANSLATORS: /ws held: why a held message was rejected without a
     * decision. */
    g_string_append_printf (out, " (%s)", _("link removed"));
  else if (ok && e->note != NULL && *e->note != '\0')
    g_string_append_printf (out, " (%s)", e->note);
}

char *
rt_cmd_held_text (const RtWorkspace *ws)
{
  RtStore *store = rt_glue ()->store;
  g_autoptr(GPtrArray) open = rt_store_held_list (store, ws->id, TRUE);
  g_autoptr(GPtrArray) links = rt_store_links (store, ws->id);
  GString *out = g_string_new (NULL);
  if (open->len == 0)
    g_string_printf (out, _("No message of “%s” waits for approval."), ws->name);
  else
    g_string_printf (out, g_dngettext (GETTEXT_PACKAGE, "%u message of “%s” waits for approval "
                                       "(/ws approve ID, /ws reject ID [reason]):",
                                       "%u messages of “%s” wait for approval "
                                       "(/ws approve ID, /ws reject ID [reason]):", open->len),
                     open->len, ws->name);
  for (guint i = 0; i < open->len; i++)
    {
      const RtHeld *h = g_ptr_array_index (open, i);
      g_autoptr(RtMessage) msg = rt_store_message_get (store, h->message_id);
      const RtLink *link = find_link (links, h->link_id);
      g_autofree char *when = hub_time (h->held_us);
      g_autofree char *words = excerpt (msg != NULL ? msg->text : "");
      g_autofree char *num = g_strdup_printf ("%" G_GINT64_FORMAT, h->id);
      /* TRANSLATORS: /ws held: "#12 10:42 for tag:acme (public) — Bob Martin: first words…" */
      g_string_append_printf (out, _("\n#%s %s for %s (%s) — %s: %s"), num, when,
                              link != NULL ? link->room : "?",
                              link != NULL ? rt_link_audience_name (link->audience) : "?",
                              msg != NULL && msg->author_label != NULL ? msg->author_label : "?", words);
      if (h->state == RT_HELD_APPROVED)
        g_string_append_printf (out, _(" (approved by %s, being posted)"), h->decided_by ? h->decided_by : "?");
    }
  g_autoptr(GPtrArray) log = rt_store_held_log (store, ws->id, 0, LOG_LINES);
  if (log->len > 0)
    g_string_append (out, _("\nLast decisions:"));
  for (guint i = 0; i < log->len; i++)
    describe_log (out, g_ptr_array_index (log, i));
  return g_string_free (out, FALSE);
}

gboolean
rt_cmd_held (PurpleConversation *conv, char **argv, GError **error)
{
  if (argv[0] != NULL && argv[1] != NULL)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID, _("Usage: /ws held [WORKSPACE]"));
      return FALSE;
    }
  g_autoptr(RtWorkspace) ws = rt_commands_resolve_workspace (conv, argv[0], error);
  if (ws == NULL)
    return FALSE;
  g_autofree char *text = rt_cmd_held_text (ws);
  rt_commands_say (conv, text);
  return TRUE;
}

/* Who acts in this conversation: the member of ws one of whose IM
 * endpoints is the conversation's account (the operator who is also a
 * member), with that member's roles; else the local operator, as an owner. */
static char *
actor (PurpleConversation *conv, gint64 ws_id, RtRoles *roles)
{
  PurpleAccount *account = purple_conversation_get_account (conv);
  const char *protocol = purple_account_get_protocol_id (account);
  const char *user = purple_account_get_username (account);
  g_autofree char *bare = g_strdup (purple_normalize (account, user));
  char *slash = strchr (bare, '/');
  if (slash != NULL)
    *slash = '\0';
  GPtrArray *members = rt_store_members (rt_glue ()->store, ws_id);
  for (guint i = 0; i < members->len; i++)
    {
      const RtMember *m = g_ptr_array_index (members, i);
      for (guint e = 0; e < m->endpoints->len; e++)
        {
          const RtEndpoint *ep = g_ptr_array_index (m->endpoints, e);
          if (g_strcmp0 (rt_endpoint_protocol (ep), protocol) == 0
              && g_ascii_strcasecmp (ep->address, bare) == 0)
            {
              *roles = m->roles;
              return g_strdup (m->handle);
            }
        }
    }
  *roles = RT_ROLE_OWNER;
  /* TRANSLATORS: who decided, when the hub's operator is no member: %s is
   * the account the command was typed on. */
  return g_strdup_printf (_("operator (%s)"), bare);
}

static gboolean
parse_held_id (const char *arg, gint64 *id, GError **error)
{
  guint64 v = 0;
  const char *digits = arg != NULL && arg[0] == '#' ? arg + 1 : arg;
  if (digits == NULL || !g_ascii_string_to_unsigned (digits, 10, 1, G_MAXINT64, &v, NULL))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("“%s” is not the number of a held message (see /ws held)."), arg ? arg : "");
      return FALSE;
    }
  *id = (gint64) v;
  return TRUE;
}

gboolean
rt_cmd_held_usage (char **argv, RtHeldAction action, gint64 *id, GError **error)
{
  gboolean approve = action == RT_HELD_APPROVE;
  guint argc = g_strv_length (argv);
  if (argc < 1 || (approve && argc != 1))
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID,
                           approve ? _("Usage: /ws approve ID") : _("Usage: /ws reject ID [reason]"));
      return FALSE;
    }
  return parse_held_id (argv[0], id, error);
}

RtMessage *
rt_cmd_held_message (gint64 id, GError **error)
{
  RtStore *store = rt_glue ()->store;
  g_autoptr(RtHeld) held = rt_store_held_get (store, id);
  RtMessage *msg = held != NULL ? rt_store_message_get (store, held->message_id) : NULL;
  if (msg == NULL)
    {
      g_autofree char *num = g_strdup_printf ("%" G_GINT64_FORMAT, id);
      g_set_error (error, RT_ERROR, RT_ERROR_NOT_FOUND, _("There is no held message #%s."), num);
    }
  return msg;
}

char *
rt_cmd_held_decide (gint64 id, RtHeldAction action, const char *who, RtRoles roles,
                    const char *reason, GError **error)
{
  RtStore *store = rt_glue ()->store;
  gboolean approve = action == RT_HELD_APPROVE;
  g_autoptr(RtHeld) held = NULL;
  if (!rt_store_held_decide (store, id, action, who, roles, reason, rt_clock_now (), &held, error))
    return NULL;
  g_autoptr(GPtrArray) links = rt_store_links (store, 0);
  const RtLink *link = held != NULL ? find_link (links, held->link_id) : NULL;
  g_autofree char *num = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  purple_debug_info (RT_DEBUG_CAT, "held %" G_GINT64_FORMAT " %s by %s\n", id, approve ? "approved" : "rejected", who);
  if (approve)
    rt_pump_kick ();
  return approve
    /* TRANSLATORS: the number, who approved, the timeline. */
    ? g_strdup_printf (_("Held message #%s approved by %s: it is posted to %s now."),
                       num, who, link != NULL ? link->room : "?")
    : g_strdup_printf (_("Held message #%s rejected by %s: it will not be posted."), num, who);
}

static gboolean
decide (PurpleConversation *conv, char **argv, RtHeldAction action, GError **error)
{
  gint64 id = 0;
  if (!rt_cmd_held_usage (argv, action, &id, error))
    return FALSE;
  g_autoptr(RtMessage) msg = rt_cmd_held_message (id, error);
  if (msg == NULL)
    return FALSE;
  RtRoles roles = RT_ROLE_NONE;
  g_autofree char *who = actor (conv, msg->ws_id, &roles);
  g_autofree char *reason = argv[0] != NULL && argv[1] != NULL ? g_strjoinv (" ", argv + 1) : NULL;
  g_autofree char *text = rt_cmd_held_decide (id, action, who, roles, reason, error);
  if (text == NULL)
    return FALSE;
  rt_commands_say (conv, text);
  return TRUE;
}

gboolean
rt_cmd_approve (PurpleConversation *conv, char **argv, GError **error)
{
  return decide (conv, argv, RT_HELD_APPROVE, error);
}

gboolean
rt_cmd_reject (PurpleConversation *conv, char **argv, GError **error)
{
  return decide (conv, argv, RT_HELD_REJECT, error);
}
