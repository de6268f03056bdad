/* rt-model.c: constructors, destructors and small helpers for the model. */
#include "config.h"
#include <string.h>
#include <glib/gi18n-lib.h>
#include "rt-model.h"
#include "rt-error.h"

void
rt_workspace_free (RtWorkspace *ws)
{
  if (!ws)
    return;
  g_free (ws->name);
  g_free (ws->mailbox);
  g_free (ws);
}

RtEndpoint *
rt_endpoint_new (const char *scheme, const char *address, const char *account)
{
  RtEndpoint *ep = g_new0 (RtEndpoint, 1);
  ep->scheme = g_strdup (scheme);
  ep->address = g_strdup (address);
  ep->account = g_strdup (account);
  return ep;
}

void
rt_endpoint_free (RtEndpoint *ep)
{
  if (!ep)
    return;
  g_free (ep->scheme);
  g_free (ep->address);
  g_free (ep->account);
  g_free (ep->failing_reason);
  g_free (ep);
}

RtMember *
rt_member_new (const char *handle)
{
  RtMember *m = g_new0 (RtMember, 1);
  m->handle = g_strdup (handle);
  m->tz = g_strdup ("UTC");
  m->lang = g_strdup ("en");
  rt_hours_init_default (&m->hours);
  m->digest = (RtSchedule) { .kind = RT_SCHEDULE_DAILY, .hour = 8, .minute = 0 };
  rt_quiet_init_default (&m->quiet);
  m->endpoints = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_endpoint_free);
  return m;
}

RtMember *
rt_member_copy (const RtMember *m)
{
  RtMember *c = g_new0 (RtMember, 1);
  c->id = m->id;
  c->ws_id = m->ws_id;
  c->handle = g_strdup (m->handle);
  c->name = g_strdup (m->name);
  c->site = g_strdup (m->site);
  c->country = g_strdup (m->country);
  c->tz = g_strdup (m->tz);
  c->lang = g_strdup (m->lang);
  c->hours = m->hours;
  c->offhours_im = m->offhours_im;
  c->immediate_mail = m->immediate_mail;
  c->digest = m->digest;
  c->quiet = m->quiet;
  c->last_digest_slot = m->last_digest_slot;
  c->unsubscribed_us = m->unsubscribed_us;
  c->roles = m->roles;
  c->endpoints = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_endpoint_free);
  for (guint i = 0; m->endpoints && i < m->endpoints->len; i++)
    {
      const RtEndpoint *ep = g_ptr_array_index (m->endpoints, i);
      RtEndpoint *copy = rt_endpoint_new (ep->scheme, ep->address, ep->account);
      copy->id = ep->id;
      copy->failing_us = ep->failing_us;
      copy->failing_reason = g_strdup (ep->failing_reason);
      g_ptr_array_add (c->endpoints, copy);
    }
  return c;
}

void
rt_member_free (RtMember *m)
{
  if (!m)
    return;
  g_free (m->handle);
  g_free (m->name);
  g_free (m->site);
  g_free (m->country);
  g_free (m->tz);
  g_free (m->lang);
  g_clear_pointer (&m->endpoints, g_ptr_array_unref);
  g_free (m);
}

void
rt_link_free (RtLink *link)
{
  if (!link)
    return;
  g_free (link->protocol);
  g_free (link->account);
  g_free (link->room);
  g_free (link);
}

RtMessage *
rt_message_new (void)
{
  return g_new0 (RtMessage, 1);
}

void
rt_message_free (RtMessage *msg)
{
  if (!msg)
    return;
  g_free (msg->origin);
  g_free (msg->author_label);
  g_free (msg->text);
  g_free (msg);
}

RtEndpoint *
rt_endpoint_parse (const char *uri, GError **error)
{
  const char *colon = uri ? strchr (uri, ':') : NULL;
  gboolean ok = colon && colon > uri && colon[1] != '\0';

  /* Scheme: a letter, then letters, digits, '-', '+', '.' (RFC 3986). */
  for (const char *p = uri; ok && p < colon; p++)
    ok = g_ascii_isalpha (*p) || (p > uri && (g_ascii_isdigit (*p) || strchr ("-+.", *p)));
  for (const char *p = colon ? colon + 1 : NULL; ok && *p; p++)
    ok = !g_ascii_isspace (*p);
  if (!ok)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("Bad endpoint “%s”: use scheme:address, for example xmpp:alice@example.org."),
                   uri ? uri : "");
      return NULL;
    }
  g_autofree char *scheme = g_ascii_strdown (uri, colon - uri);
  return rt_endpoint_new (scheme, colon + 1, NULL);
}

char *
rt_endpoint_format (const RtEndpoint *ep)
{
  return g_strdup_printf ("%s:%s", ep->scheme, ep->address);
}

const char *
rt_endpoint_protocol (const RtEndpoint *ep)
{
  if (!ep->scheme)
    return NULL;
  if (g_str_equal (ep->scheme, "xmpp"))
    return "prpl-jabber";
  if (g_str_equal (ep->scheme, "irc"))
    return "prpl-irc";
  if (g_str_has_prefix (ep->scheme, "prpl-") && ep->scheme[5] != '\0')
    return ep->scheme;
  return NULL;
}

gint
rt_member_find_scheme (const RtMember *m, const char *scheme)
{
  for (guint i = 0; m->endpoints && i < m->endpoints->len; i++)
    if (g_strcmp0 (((const RtEndpoint *) g_ptr_array_index (m->endpoints, i))->scheme, scheme) == 0)
      return (gint) i;
  return -1;
}

gint
rt_member_mail_endpoint (const RtMember *m)
{
  for (guint i = 0; m->endpoints && i < m->endpoints->len; i++)
    {
      const RtEndpoint *ep = g_ptr_array_index (m->endpoints, i);
      if (g_strcmp0 (ep->scheme, RT_EMAIL_SCHEME) == 0 && ep->failing_us == 0)
        return (gint) i;
    }
  return -1;
}

gboolean
rt_member_wants_immediate_mail (const RtMember *m, const RtWorkspace *ws)
{
  switch (m->immediate_mail)
    {
    case RT_IMMEDIATE_YES: return TRUE;
    case RT_IMMEDIATE_NO: return FALSE;
    case RT_IMMEDIATE_FOLLOW: break;
    }
  return ws != NULL && ws->immediate_mail;
}

char *
rt_member_label (const RtMember *m)
{
  const char *name = m->name && *m->name ? m->name : m->handle;
  if (m->site && *m->site)
    return g_strdup_printf ("%s (%s)", name, m->site);
  return g_strdup (name);
}

char *
rt_guest_label (const char *nick)
{
  /* TRANSLATORS: label of a speaker who is not a workspace member. */
  return g_strdup_printf (_("%s (guest)"), nick);
}
