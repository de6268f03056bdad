/* rt-mail-account.c: what IMAP and SMTP transfers of an account share. */
#include "config.h"
#include "rt-mail-account.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

/* A certificate file bigger than this is refused (a CA bundle is ~200 KB). */
#define RT_MAIL_CERT_MAX_BYTES (1024 * 1024)

/* The option's label as the account editor shows it; keep it equal to the
 * label in rt-mail-prpl.c. */
#define CERT_OPTION_LABEL _("Trusted server certificate (PEM file)")

static void
certificate_error (RtMailAccount *ma, const char *why)
{
  g_autofree char *msg = g_strdup_printf (_("The account option \"%s\" (%s) cannot be used: %s"),
                                          CERT_OPTION_LABEL, RT_MAIL_OPT_TLS_CERTIFICATE, why);
  purple_debug_error ("roundtable-mail", "%s: %s\n", ma->address, msg);
  ma->failed = TRUE;
  purple_connection_error_reason (ma->gc, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS, msg);
}

gboolean
rt_mail_account_load_certificate (RtMailAccount *ma)
{
  const char *opt = purple_account_get_string (ma->account, RT_MAIL_OPT_TLS_CERTIFICATE, "");
  g_autofree char *path = g_strstrip (g_strdup (opt ? opt : ""));
  if (*path == '\0')
    return TRUE;
  if (ma->security == RT_MAIL_SECURITY_NONE)
    {
      purple_debug_warning ("roundtable-mail", "%s: security \"none\": %s ignored\n", ma->address,
                            RT_MAIL_OPT_TLS_CERTIFICATE);
      return TRUE;
    }
  if (g_str_has_prefix (path, "~/"))
    {
      char *home = g_build_filename (g_get_home_dir (), path + 2, NULL);
      g_free (path);
      path = home;
    }
  if (!g_path_is_absolute (path))
    {
      g_autofree char *why = g_strdup_printf (_("\"%s\" is not an absolute path."), path);
      certificate_error (ma, why);
      return FALSE;
    }
  /* Checked here, once, so a wrong setting is one clear error at login
   * instead of a TLS failure on every transfer. */
  GStatBuf st;
  if (g_stat (path, &st) == 0 && st.st_size > RT_MAIL_CERT_MAX_BYTES)
    {
      g_autofree char *why = g_strdup_printf (_("\"%s\" is too big for a certificate file."), path);
      certificate_error (ma, why);
      return FALSE;
    }
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = NULL;
  if (!g_file_get_contents (path, &pem, NULL, &error))
    {
      certificate_error (ma, error->message);
      return FALSE;
    }
  if (strstr (pem, "-----BEGIN CERTIFICATE-----") == NULL)
    {
      g_autofree char *why = g_strdup_printf (_("\"%s\" holds no PEM certificate "
                                                "(-----BEGIN CERTIFICATE-----)."), path);
      certificate_error (ma, why);
      return FALSE;
    }
  purple_debug_info ("roundtable-mail", "%s: TLS trusts only the certificate(s) in %s\n", ma->address, path);
  ma->tls_certificate = g_steal_pointer (&path);
  return TRUE;
}

char *
rt_mail_account_base_url (RtMailAccount *ma, gboolean smtp)
{
  const char *scheme = smtp ? (ma->security == RT_MAIL_SECURITY_TLS ? "smtps" : "smtp")
                            : (ma->security == RT_MAIL_SECURITY_TLS ? "imaps" : "imap");
  const char *host = smtp ? ma->smtp_host : ma->imap_host;
  gboolean v6 = strchr (host, ':') != NULL;
  return g_strdup_printf ("%s://%s%s%s:%d", scheme, v6 ? "[" : "", host, v6 ? "]" : "",
                          smtp ? ma->smtp_port : ma->imap_port);
}

CURL *
rt_mail_account_easy (RtMailAccount *ma, const char *url, const char *protocols)
{
  CURL *easy = curl_easy_init ();
  g_assert (easy != NULL);
  curl_easy_setopt (easy, CURLOPT_URL, url);
  curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt (easy, CURLOPT_VERBOSE, 0L);   /* it would log the password */
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_USERNAME, ma->address);
  curl_easy_setopt (easy, CURLOPT_PASSWORD, purple_account_get_password (ma->account));
  curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT, 30L);
  /* A stalled server: less than 1 byte/s for 60 s aborts the transfer. */
  curl_easy_setopt (easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (easy, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (ma->tls_certificate != NULL)
    {
      /* The named certificate replaces the system's authorities for this
       * account (no CA directory); the host name is still checked against
       * it. libcurl's default partial-chain mode also lets it be a leaf
       * signed by a private CA. */
      curl_easy_setopt (easy, CURLOPT_CAINFO, ma->tls_certificate);
      curl_easy_setopt (easy, CURLOPT_CAPATH, NULL);
    }
  curl_easy_setopt (easy, CURLOPT_USE_SSL,
                    ma->security == RT_MAIL_SECURITY_NONE ? (long) CURLUSESSL_NONE : (long) CURLUSESSL_ALL);
  if (ma->source_address != NULL)
    curl_easy_setopt (easy, CURLOPT_INTERFACE, ma->source_address);
  return easy;
}

gboolean
rt_mail_curl_is_network (CURLcode code)
{
  switch (code)
    {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_INTERFACE_FAILED:
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
rt_mail_curl_is_certificate (CURLcode code)
{
  switch (code)
    {
    case CURLE_PEER_FAILED_VERIFICATION:   /* unknown issuer, wrong host name, expired */
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CACERT_BADFILE:         /* the trusted certificates could not be loaded */
      return TRUE;
    default:
      return FALSE;
    }
}

void
rt_mail_account_fail (RtMailAccount *ma, CURLcode code, const char *what, const char *detail)
{
  if (ma->failed)
    return;
  PurpleConnectionError reason;
  const char *why;
  g_autofree char *why_owned = NULL;
  if (code == CURLE_LOGIN_DENIED)
    {
      reason = PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED;
      why = _("the server refused the user name or password");
    }
  else if (code == CURLE_SSL_CACERT_BADFILE && ma->tls_certificate != NULL)
    {
      /* Readable at login, not any more (removed, replaced by garbage). */
      g_autofree char *why_file = g_strdup_printf (_("%s: the certificate file \"%s\" could not be loaded."),
                                                   what, ma->tls_certificate);
      certificate_error (ma, why_file);
      return;
    }
  else if (code == CURLE_SSL_CACERT_BADFILE)
    {
      reason = PURPLE_CONNECTION_ERROR_CERT_OTHER_ERROR;
      why = _("the system's trusted certificate authorities could not be loaded");
    }
  else if (rt_mail_curl_is_certificate (code))
    {
      /* Not retried: the same certificate will be presented again. libcurl
       * gives one code for an untrusted issuer and a wrong host name. */
      reason = PURPLE_CONNECTION_ERROR_CERT_UNTRUSTED;
      detail = NULL;   /* e.g. the folder: beside the point here */
      if (ma->tls_certificate != NULL)
        why = _("the server's certificate was not trusted: it is not the account's trusted server "
                "certificate (nor signed by it), or it does not name this host");
      else
        why = why_owned = g_strdup_printf (_("the server's certificate was not trusted: it is not signed "
                                             "by an authority this system trusts, or it does not name "
                                             "this host (for a self-signed server certificate, set the "
                                             "account option \"%s\")"), CERT_OPTION_LABEL);
    }
  else if (code == CURLE_SSL_CONNECT_ERROR || code == CURLE_USE_SSL_FAILED)
    {
      reason = PURPLE_CONNECTION_ERROR_ENCRYPTION_ERROR;
      why = curl_easy_strerror (code);
    }
  else if (rt_mail_curl_is_network (code))
    {
      reason = PURPLE_CONNECTION_ERROR_NETWORK_ERROR;
      why = curl_easy_strerror (code);
    }
  else
    {
      /* A protocol-level refusal we do not understand: retrying later is the
       * safer guess (the server may be misconfigured for a moment). */
      reason = PURPLE_CONNECTION_ERROR_NETWORK_ERROR;
      why = curl_easy_strerror (code);
    }
  g_autofree char *msg = detail && *detail
    ? g_strdup_printf ("%s: %s (%s)", what, why, detail)
    : g_strdup_printf ("%s: %s", what, why);
  purple_debug_error ("roundtable-mail", "%s: %s\n", ma->address, msg);
  ma->failed = TRUE;
  purple_connection_error_reason (ma->gc, reason, msg);
}

void
rt_mail_thread_free (RtMailThread *t)
{
  g_free (t->message_id);
  g_free (t->subject);
  g_strfreev (t->references);
  g_free (t);
}
