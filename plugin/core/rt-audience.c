/* rt-audience.c: link direction and audience, roles, the spokesperson rule
 * and the life of a held message. */
#include "config.h"
#include <string.h>
#include <glib/gi18n-lib.h>
#include "rt-audience.h"
#include "rt-error.h"

G_DEFINE_QUARK (rt-held-error-quark, rt_held_error)

/* A trimmed, lower-case copy of an ASCII keyword; NULL if text is NULL. */
static char *
keyword (const char *text)
{
  return text != NULL ? g_strstrip (g_ascii_strdown (text, -1)) : NULL;
}

gboolean
rt_link_direction_parse (const char *text, RtLinkDirection *out, GError **error)
{
  g_autofree char *k = keyword (text);
  static const struct { const char *name; RtLinkDirection value; } names[] = {
    { "in", RT_DIRECTION_IN }, { "out", RT_DIRECTION_OUT }, { "both", RT_DIRECTION_BOTH },
  };
  for (guint i = 0; k != NULL && i < G_N_ELEMENTS (names); i++)
    if (strcmp (k, names[i].name) == 0)
      {
        *out = names[i].value;
        return TRUE;
      }
  g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
               /* TRANSLATORS: in, out and both are typed as they are. */
               _("Unknown direction “%s”: use in, out or both."), text != NULL ? text : "");
  return FALSE;
}

gboolean
rt_link_audience_parse (const char *text, RtLinkAudience *out, GError **error)
{
  g_autofree char *k = keyword (text);
  if (g_strcmp0 (k, "internal") == 0)
    return *out = RT_AUDIENCE_INTERNAL, TRUE;
  if (g_strcmp0 (k, "public") == 0)
    return *out = RT_AUDIENCE_PUBLIC, TRUE;
  g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
               /* TRANSLATORS: internal and public are typed as they are. */
               _("Unknown audience “%s”: use internal or public."), text != NULL ? text : "");
  return FALSE;
}

const char *
rt_link_direction_name (RtLinkDirection direction)
{
  switch (direction)
    {
    case RT_DIRECTION_IN: return "in";
    case RT_DIRECTION_OUT: return "out";
    case RT_DIRECTION_BOTH: return "both";
    default: return NULL;
    }
}

const char *
rt_link_audience_name (RtLinkAudience audience)
{
  switch (audience)
    {
    case RT_AUDIENCE_INTERNAL: return "internal";
    case RT_AUDIENCE_PUBLIC: return "public";
    default: return NULL;
    }
}

static const struct { const char *name; RtRoles bit; } role_names[] = {
  { "owner", RT_ROLE_OWNER },
  { "spokesperson", RT_ROLE_SPOKESPERSON },
};

gboolean
rt_roles_parse (const char *text, RtRoles *out, GError **error)
{
  g_auto (GStrv) items = g_strsplit (text != NULL ? text : "", ",", -1);
  RtRoles roles = RT_ROLE_NONE;
  gboolean none = FALSE;

  /* g_strsplit gives no item at all for "": the same as one empty item. */
  for (guint i = 0; i == 0 || items[i] != NULL; i++)
    {
      g_autofree char *k = keyword (items[i] != NULL ? items[i] : "");
      if (*k == '\0')
        {
          g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID,
                               /* TRANSLATORS: the role names are typed as they are. */
                               _("Name a role: owner, spokesperson, or none (several with commas)."));
          return FALSE;
        }
      gboolean known = FALSE;
      if (strcmp (k, "none") == 0)
        none = known = TRUE;
      for (guint j = 0; j < G_N_ELEMENTS (role_names) && !known; j++)
        if (strcmp (k, role_names[j].name) == 0)
          {
            roles |= role_names[j].bit;
            known = TRUE;
          }
      if (!known)
        {
          g_autofree char *shown = g_strstrip (g_strdup (items[i]));
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                       _("Unknown role “%s”: use owner, spokesperson or none."), shown);
          return FALSE;
        }
    }
  if (none && roles != RT_ROLE_NONE)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID,
                           _("The role “none” cannot be combined with other roles."));
      return FALSE;
    }
  *out = roles;
  return TRUE;
}

char *
rt_roles_format (RtRoles roles)
{
  g_autoptr (GString) out = g_string_new (NULL);
  for (guint j = 0; j < G_N_ELEMENTS (role_names); j++)
    if (roles & role_names[j].bit)
      {
        if (out->len > 0)
          g_string_append_c (out, ',');
        g_string_append (out, role_names[j].name);
      }
  if (out->len == 0)
    g_string_append (out, "none");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

RtOutDecision
rt_audience_decide (RtLinkDirection direction, RtLinkAudience audience, RtRoles author_roles,
                    RtMessageKind kind)
{
  if (!(direction & RT_DIRECTION_OUT) || kind == RT_MESSAGE_ECHO)
    return RT_OUT_SKIP;
  if (audience != RT_AUDIENCE_PUBLIC)
    return RT_OUT_SEND;
  /* Public from here on. The hub's own messages never go: an alert quotes
   * other people's posts, and no one could be asked to approve it; nor do
   * posts read from streams (someone else's words, public already). */
  if (kind == RT_MESSAGE_HUB || kind == RT_MESSAGE_STREAM_POST)
    return RT_OUT_SKIP;
  return (author_roles & RT_ROLE_SPOKESPERSON) ? RT_OUT_SEND : RT_OUT_HOLD;
}

const char *
rt_out_decision_name (RtOutDecision decision)
{
  switch (decision)
    {
    case RT_OUT_SKIP: return "skip";
    case RT_OUT_SEND: return "send";
    case RT_OUT_HOLD: return "hold";
    default: return NULL;
    }
}

const char *
rt_link_audience_visibility (RtLinkAudience audience)
{
  return audience == RT_AUDIENCE_PUBLIC ? "public" : "private";
}

#define POST_KEY_FORMAT "rt-l%" G_GINT64_FORMAT "-m%" G_GINT64_FORMAT

char *
rt_audience_post_key (gint64 link_id, gint64 message_id)
{
  return g_strdup_printf (POST_KEY_FORMAT, link_id, message_id);
}

/* A positive decimal at *p up to stop (or the end), without sign or
 * leading zeros; *p moves past it. */
static gboolean
read_id (const char **p, char stop, gint64 *out)
{
  const char *end = strchr (*p, stop);
  if (end == NULL || end == *p || **p == '0')
    return FALSE;
  for (const char *q = *p; q < end; q++)
    if (!g_ascii_isdigit (*q))
      return FALSE;
  g_autofree char *digits = g_strndup (*p, end - *p);
  guint64 v = 0;
  if (!g_ascii_string_to_unsigned (digits, 10, 1, G_MAXINT64, &v, NULL))
    return FALSE;
  *out = (gint64) v;
  *p = end;
  return TRUE;
}

gboolean
rt_audience_parse_post_key (const char *key, gint64 *link_id, gint64 *message_id)
{
  gint64 link = 0, msg = 0;
  const char *p = key;
  if (key == NULL || !g_str_has_prefix (key, "rt-l"))
    return FALSE;
  p += strlen ("rt-l");
  if (!read_id (&p, '-', &link) || !g_str_has_prefix (p, "-m"))
    return FALSE;
  p += strlen ("-m");
  if (!read_id (&p, '\0', &msg))
    return FALSE;
  *link_id = link;
  *message_id = msg;
  return TRUE;
}

gboolean
rt_audience_may_approve (RtRoles roles)
{
  return (roles & (RT_ROLE_OWNER | RT_ROLE_SPOKESPERSON)) != 0;
}

/* ---- held messages ------------------------------------------------------- */

RtHeld *
rt_held_new (void)
{
  RtHeld *h = g_new0 (RtHeld, 1);
  h->state = RT_HELD_HELD;
  return h;
}

void
rt_held_free (RtHeld *held)
{
  if (held == NULL)
    return;
  g_free (held->decided_by);
  g_free (held);
}

static const char *const state_names[] = { "held", "approved", "posted", "rejected" };

const char *
rt_held_state_name (RtHeldState state)
{
  return (guint) state < G_N_ELEMENTS (state_names) ? state_names[state] : NULL;
}

gboolean
rt_held_state_from_name (const char *name, RtHeldState *out)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (state_names); i++)
    if (strcmp (name, state_names[i]) == 0)
      {
        *out = (RtHeldState) i;
        return TRUE;
      }
  return FALSE;
}

/* Why action cannot happen in held's state (the decision was made). */
static void
set_decided_error (const RtHeld *held, RtHeldAction action, GError **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, held->id);
  const char *by = held->decided_by != NULL ? held->decided_by : "?";

  if (held->state == RT_HELD_POSTED)
    g_set_error (error, RT_HELD_ERROR, RT_HELD_ERROR_DECIDED,
                 _("Held message %s was already posted."), id);
  else if (held->state == RT_HELD_REJECTED)
    g_set_error (error, RT_HELD_ERROR, RT_HELD_ERROR_DECIDED,
                 /* TRANSLATORS: %s: the message's number, then who rejected it. */
                 _("Held message %s was rejected by %s."), id, by);
  else if (action == RT_HELD_REJECT)
    g_set_error (error, RT_HELD_ERROR, RT_HELD_ERROR_DECIDED,
                 _("Held message %s was already approved by %s; it can no longer be rejected."),
                 id, by);
  else
    g_set_error (error, RT_HELD_ERROR, RT_HELD_ERROR_DECIDED,
                 _("Held message %s was already approved by %s."), id, by);
}

gboolean
rt_held_apply (RtHeld *held, RtHeldAction action, const char *who, RtRoles who_roles,
               gint64 now_us, GError **error)
{
  gboolean deciding = action == RT_HELD_APPROVE || action == RT_HELD_REJECT;

  if (deciding && (who == NULL || *who == '\0' || !rt_audience_may_approve (who_roles)))
    {
      g_set_error_literal (error, RT_HELD_ERROR, RT_HELD_ERROR_DENIED,
                           _("Only a spokesperson or an owner of the workspace can approve or "
                             "reject held messages."));
      return FALSE;
    }
  if (deciding && held->state == RT_HELD_HELD)
    {
      held->state = action == RT_HELD_APPROVE ? RT_HELD_APPROVED : RT_HELD_REJECTED;
      g_free (held->decided_by);
      held->decided_by = g_strdup (who);
      held->decided_us = now_us;
      return TRUE;
    }
  if (action == RT_HELD_POST && held->state == RT_HELD_APPROVED)
    {
      held->state = RT_HELD_POSTED;
      held->posted_us = now_us;
      return TRUE;
    }
  if (action == RT_HELD_POST && held->state == RT_HELD_HELD)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, held->id);
      g_set_error (error, RT_HELD_ERROR, RT_HELD_ERROR_WAITING,
                   _("Held message %s is not approved yet."), id);
      return FALSE;
    }
  set_decided_error (held, action, error);
  return FALSE;
}
