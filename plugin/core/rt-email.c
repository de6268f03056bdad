/* rt-email.c: plain mail addresses (addr-spec) checked and normalized. */
#include "config.h"
#include <string.h>
#include <glib/gi18n-lib.h>
#include "rt-email.h"
#include "rt-error.h"

/* RFC 5322 dot-atom: atext runs separated by single dots. */
#define DOT_ATOM "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$"
/* RFC 1035 host name labels (after IDNA), lower case: 1-63 characters, no
 * hyphen at either end. */
#define HOST_NAME "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"

#define MAX_LOCAL   64    /* RFC 5321 4.5.3.1.1 */
#define MAX_DOMAIN  253
#define MAX_ADDRESS 254   /* a path of 256 octets minus the angle brackets */

static char *
normalize_domain (const char *domain)
{
  /* An internationalized domain becomes its ASCII (punycode) form; a domain
   * g_hostname_to_ascii cannot convert is refused. */
  g_autofree char *ascii = g_hostname_to_ascii (domain);
  if (ascii == NULL)
    return NULL;
  g_autofree char *lower = g_ascii_strdown (ascii, -1);
  if (strlen (lower) > MAX_DOMAIN || !g_regex_match_simple (HOST_NAME, lower, 0, 0))
    return NULL;
  return g_steal_pointer (&lower);
}

char *
rt_email_normalize (const char *value, GError **error)
{
  g_autofree char *clean = g_strstrip (g_strdup (value ? value : ""));
  const char *addr = clean;
  if (g_ascii_strncasecmp (addr, "mailto:", 7) == 0)
    addr += 7;

  const char *at = strrchr (addr, '@');
  g_autofree char *local = at ? g_strndup (addr, at - addr) : NULL;
  g_autofree char *domain = at ? normalize_domain (at + 1) : NULL;
  if (local == NULL || domain == NULL || *local == '\0' || strlen (local) > MAX_LOCAL
      || !g_regex_match_simple (DOT_ATOM, local, 0, 0)
      || strlen (local) + 1 + strlen (domain) > MAX_ADDRESS)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("Bad email address “%s”: use a plain address such as bob@example.org."),
                   clean);
      return NULL;
    }
  return g_strdup_printf ("%s@%s", local, domain);
}

const char *
rt_email_domain (const char *address)
{
  const char *at = address ? strrchr (address, '@') : NULL;
  return at ? at + 1 : NULL;
}
