/* rt-mail-account.c: what IMAP and SMTP transfers of an account share. */
#include "config.h"
#include "rt-mail-account.h"

#include <glib/gi18n-lib.h>
#include <string.h>

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

void
rt_mail_account_fail (RtMailAccount *ma, CURLcode code, const char *what, const char *detail)
{
  if (ma->failed)
    return;
  ma->failed = TRUE;
  PurpleConnectionError reason;
  const char *why;
  if (code == CURLE_LOGIN_DENIED)
    {
      reason = PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED;
      why = _("the server refused the user name or password");
    }
  else if (code == CURLE_SSL_CONNECT_ERROR || code == CURLE_PEER_FAILED_VERIFICATION
           || code == CURLE_USE_SSL_FAILED || code == CURLE_SSL_CACERT_BADFILE)
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
