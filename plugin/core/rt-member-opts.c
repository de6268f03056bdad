/* rt-member-opts.c: "/ws member add|set" options, applied all or nothing. */
#include "config.h"
#include <string.h>
#include <glib/gi18n-lib.h>
#include "rt-member-opts.h"
#include "rt-error.h"
#include "rt-email.h"
#include "rt-args.h"
#include "rt-watch.h"
#include "rt-audience.h"

static void
set_str (char **field, const char *value)
{
  g_free (*field);
  *field = *value ? g_strdup (value) : NULL;
}


static gboolean
all_alpha (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalpha (s[i]))
      return FALSE;
  return TRUE;
}

/* "fr", "pt_BR", "pt-BR" -> "pt_BR"; NULL if malformed. */
static char *
normalize_lang (const char *value)
{
  gsize len = strlen (value);
  const char *sep = strpbrk (value, "_-");
  gsize lang_len = sep ? (gsize) (sep - value) : len;

  if (lang_len < 2 || lang_len > 3 || !all_alpha (value, lang_len))
    return NULL;
  g_autofree char *lang = g_ascii_strdown (value, lang_len);
  if (!sep)
    return g_steal_pointer (&lang);
  if (strlen (sep + 1) != 2 || !all_alpha (sep + 1, 2))
    return NULL;
  g_autofree char *region = g_ascii_strup (sep + 1, 2);
  return g_strdup_printf ("%s_%s", lang, region);
}

static gint
find_endpoint (const RtMember *m, const RtEndpoint *ep)
{
  for (guint i = 0; i < m->endpoints->len; i++)
    {
      const RtEndpoint *have = g_ptr_array_index (m->endpoints, i);
      if (g_str_equal (have->scheme, ep->scheme) &&
          g_ascii_strcasecmp (have->address, ep->address) == 0)
        return i;
    }
  return -1;
}

static RtEndpoint *
parse_im (const char *value, GError **error)
{
  g_autoptr (RtEndpoint) ep = rt_endpoint_parse (value, error);
  if (!ep)
    return NULL;
  if (g_str_equal (ep->scheme, RT_EMAIL_SCHEME))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("“%s” is a mail address: use --email for it."), value);
      return NULL;
    }
  if (!rt_endpoint_protocol (ep))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("Unknown IM scheme “%s”: use xmpp:, irc: or a protocol id such as prpl-sipe:."),
                   ep->scheme);
      return NULL;
    }
  return g_steal_pointer (&ep);
}

/* Apply one option with its value to m. */
static gboolean
apply_one (RtMember *m, const char *opt, const char *value, GError **error)
{
  if (g_str_equal (opt, "--name"))
    set_str (&m->name, value);
  else if (g_str_equal (opt, "--site"))
    set_str (&m->site, value);
  else if (g_str_equal (opt, "--country"))
    {
      if (strlen (value) != 2 || !all_alpha (value, 2))
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                       _("Bad country “%s”: use a two-letter code such as BE or BR."), value);
          return FALSE;
        }
      g_free (m->country);
      m->country = g_ascii_strup (value, 2);
    }
  else if (g_str_equal (opt, "--tz"))
    {
      if (!rt_tz_valid (value))
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                       _("Unknown time zone “%s”. Use an IANA name such as Europe/Brussels."), value);
          return FALSE;
        }
      set_str (&m->tz, value);
    }
  else if (g_str_equal (opt, "--lang"))
    {
      char *lang = normalize_lang (value);
      if (!lang)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                       _("Bad language “%s”: use a code such as fr, nl or pt_BR."), value);
          return FALSE;
        }
      g_free (m->lang);
      m->lang = lang;
    }
  else if (g_str_equal (opt, "--hours"))
    return rt_hours_parse (value, &m->hours, error);
  else if (g_str_equal (opt, "--days"))
    return rt_days_parse (value, &m->hours, error);
  else if (g_str_equal (opt, "--offhours-im"))
    {
      if (!rt_args_parse_bool (value, &m->offhours_im))
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                       _("Bad value “%s” for --offhours-im: use yes or no."), value);
          return FALSE;
        }
    }
  else if (g_str_equal (opt, "--im"))
    {
      RtEndpoint *ep = parse_im (value, error);
      if (!ep)
        return FALSE;
      if (find_endpoint (m, ep) >= 0)
        rt_endpoint_free (ep);   /* already there: nothing to do */
      else
        g_ptr_array_add (m->endpoints, ep);
    }
  else if (g_str_equal (opt, "--no-im"))
    {
      g_autoptr (RtEndpoint) ep = rt_endpoint_parse (value, error);
      if (!ep)
        return FALSE;
      gint i = find_endpoint (m, ep);
      if (i < 0)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                       _("--no-im: %s has no endpoint “%s”."), m->handle, value);
          return FALSE;
        }
      g_ptr_array_remove_index (m->endpoints, i);
    }
  else if (g_str_equal (opt, "--email") || g_str_equal (opt, "--no-email"))
    {
      g_autofree char *address = rt_email_normalize (value, error);
      if (address == NULL)
        return FALSE;
      g_autoptr (RtEndpoint) ep = rt_endpoint_new (RT_EMAIL_SCHEME, address, NULL);
      gint i = find_endpoint (m, ep);
      if (g_str_equal (opt, "--email"))
        {
          if (i < 0)   /* already there: nothing to do */
            g_ptr_array_add (m->endpoints, g_steal_pointer (&ep));
        }
      else if (i < 0)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                       _("--no-email: %s has no email address “%s”."), m->handle, address);
          return FALSE;
        }
      else
        g_ptr_array_remove_index (m->endpoints, i);
    }
  else if (g_str_equal (opt, "--immediate-mail"))
    {
      gboolean yes = FALSE;
      if (g_ascii_strcasecmp (value, "default") == 0)
        m->immediate_mail = RT_IMMEDIATE_FOLLOW;
      else if (rt_args_parse_bool (value, &yes))
        m->immediate_mail = yes ? RT_IMMEDIATE_YES : RT_IMMEDIATE_NO;
      else
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                       _("Bad value “%s” for --immediate-mail: use yes, no or default "
                         "(follow the workspace)."), value);
          return FALSE;
        }
    }
  else if (g_str_equal (opt, "--role"))
    return rt_roles_parse (value, &m->roles, error);
  else if (g_str_equal (opt, "--stream") || g_str_equal (opt, "--no-stream"))
    {
      /* A social stream handle: the member is the author of posts from it. */
      g_autofree char *handle = rt_watch_parse_stream_handle (value, error);
      if (handle == NULL)
        return FALSE;
      g_autoptr (RtEndpoint) ep = rt_endpoint_new (RT_STREAM_SCHEME, handle, NULL);
      gint i = find_endpoint (m, ep);
      if (g_str_equal (opt, "--stream"))
        {
          if (i < 0)   /* already there: nothing to do */
            g_ptr_array_add (m->endpoints, g_steal_pointer (&ep));
        }
      else if (i < 0)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                       _("--no-stream: %s has no stream handle “@%s”."), m->handle, handle);
          return FALSE;
        }
      else
        g_ptr_array_remove_index (m->endpoints, i);
    }
  else if (g_str_equal (opt, "--digest"))
    return rt_schedule_parse (value, &m->digest, error);
  else if (g_str_equal (opt, "--quiet"))
    return rt_quiet_parse (value, &m->quiet, error);
  else
    g_return_val_if_reached (FALSE);   /* option_known() lets only these through */
  return TRUE;
}

static gboolean
option_known (const char *opt, GError **error)
{
  static const char *const known[] = {
    "--name", "--site", "--country", "--tz", "--lang", "--hours", "--days",
    "--offhours-im", "--im", "--no-im", "--email", "--no-email", "--immediate-mail",
    "--digest", "--quiet", "--role", "--stream", "--no-stream", NULL
  };

  if (g_strv_contains (known, opt))
    return TRUE;
  if (g_str_has_prefix (opt, "--"))
    g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                 _("Unknown option “%s”. Options: --name --site --country --tz --lang "
                   "--hours --days --offhours-im --im --no-im --email --no-email "
                   "--immediate-mail --digest --quiet --role --stream --no-stream."), opt);
  else
    g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                 _("Unexpected “%s”: options start with --, for example --tz Europe/Brussels."),
                 opt);
  return FALSE;
}

gboolean
rt_member_apply_options (RtMember *member, char **argv, GError **error)
{
  g_autoptr (RtMember) copy = rt_member_copy (member);

  for (guint i = 0; argv && argv[i]; i++)
    {
      g_autofree char *opt = NULL;
      const char *value;
      const char *eq = strchr (argv[i], '=');

      if (g_str_has_prefix (argv[i], "--") && eq)   /* --tz=Europe/Brussels */
        {
          opt = g_strndup (argv[i], eq - argv[i]);
          value = eq + 1;
        }
      else
        {
          opt = g_strdup (argv[i]);
          if (!option_known (opt, error))
            return FALSE;
          value = argv[i + 1];
          if (!value)
            {
              g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                           _("Option %s needs a value."), opt);
              return FALSE;
            }
          i++;
        }
      if (!option_known (opt, error) || !apply_one (copy, opt, value, error))
        return FALSE;
    }

  /* Success: swap the whole struct so the caller's pointer gets the changes. */
  RtMember tmp = *member;
  *member = *copy;
  *copy = tmp;
  return TRUE;
}
