/* rt-mail-smtp.c: send one mail per IM over libcurl SMTP. */
#include "config.h"
#include "rt-mail-smtp.h"
#include "rt-mail-build.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>

/* Longest subject taken from the first line, in characters. */
#define RT_MAIL_SUBJECT_CHARS 78

/* A temporary failure (no connection, SMTP 4xx such as 421/450/451) is
 * retried after 2 s, 4 s, ... at most 60 s between tries, RT_MAIL_SEND_TRIES
 * tries in all (about 6 minutes); then it is reported like a permanent one. */
#define RT_MAIL_RETRY_MIN 2
#define RT_MAIL_RETRY_MAX 60
#define RT_MAIL_SEND_TRIES 10

typedef struct {
  RtMailAccount *ma;
  char *who;
  GBytes *data;
  gsize offset;
  struct curl_slist *rcpt;
  guint64 xfer;          /* transfer in flight, 0 while waiting to retry */
  guint timer;           /* retry timer, 0 if none */
  guint tries;           /* transfers started */
  guint delay;           /* seconds before the last retry */
  char *reply;           /* the last 4xx/5xx reply line of this try, or NULL */
} RtMailSend;

static void
send_free (RtMailSend *s)
{
  if (s->timer != 0)
    purple_timeout_remove (s->timer);
  g_free (s->who);
  g_free (s->reply);
  g_bytes_unref (s->data);
  curl_slist_free_all (s->rcpt);
  g_free (s);
}

static size_t
on_read (char *buffer, size_t size, size_t nitems, void *data)
{
  RtMailSend *s = data;
  gsize len = 0;
  const char *bytes = g_bytes_get_data (s->data, &len);
  size_t n = MIN (size * nitems, len - s->offset);
  memcpy (buffer, bytes + s->offset, n);
  s->offset += n;
  return n;
}

static void on_sent (CURL *easy, CURLcode result, gpointer data);

/* libcurl passes the server's reply lines here: keep the last error reply
 * ("554 5.7.1 <x@y>: Relay access denied") for the message's error. */
static size_t
on_reply (char *buffer, size_t size, size_t nitems, void *data)
{
  RtMailSend *s = data;
  size_t n = size * nitems;
  if (n >= 3 && (buffer[0] == '4' || buffer[0] == '5') && g_ascii_isdigit (buffer[1]) && g_ascii_isdigit (buffer[2]))
    {
      g_free (s->reply);
      s->reply = g_strndup (buffer, MIN (n, 200));
      for (char *c = s->reply; *c; c++)
        if ((unsigned char) *c < 0x20 || (unsigned char) *c >= 0x7f)
          *c = ' ';
      g_strstrip (s->reply);
    }
  return n;
}

/* Starts (again) the transfer of s; FALSE if the loop refused it. */
static gboolean
send_start (RtMailSend *s)
{
  RtMailAccount *ma = s->ma;
  s->offset = 0;
  s->tries++;
  g_clear_pointer (&s->reply, g_free);
  g_autofree char *from = g_strdup_printf ("<%s>", ma->address);
  g_autofree char *url = rt_mail_account_base_url (ma, TRUE);
  CURL *easy = rt_mail_account_easy (ma, url, "smtp,smtps");
  curl_easy_setopt (easy, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt (easy, CURLOPT_MAIL_RCPT, s->rcpt);
  curl_easy_setopt (easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (easy, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt (easy, CURLOPT_READDATA, s);
  curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, on_reply);
  curl_easy_setopt (easy, CURLOPT_HEADERDATA, s);
  curl_easy_setopt (easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t) g_bytes_get_size (s->data));
  s->xfer = rt_curl_loop_add (ma->loop, easy, on_sent, s);
  return s->xfer != 0;
}

static gboolean
on_retry (gpointer data)
{
  RtMailSend *s = data;
  s->timer = 0;
  if (!send_start (s))
    {
      RtMailAccount *ma = s->ma;
      ma->sends = g_list_remove (ma->sends, s);
      purple_conv_present_error (s->who, ma->account, _("The mail could not be sent."));
      send_free (s);
    }
  return FALSE;
}

/* Worth trying again later: the server could not be reached or the link
 * broke before a reply (code 0), or it answered 4xx (421 closing, 450/451
 * try again later, 452 no room now, 454 temporary authentication failure,
 * e.g. the SMTP server lost its link to the auth server). */
static gboolean
is_temporary (CURLcode result, long code)
{
  if (code >= 400 && code < 500)
    return TRUE;
  return code == 0 && rt_mail_curl_is_network (result);
}

static void
on_sent (CURL *easy, CURLcode result, gpointer data)
{
  RtMailSend *s = data;
  RtMailAccount *ma = s->ma;
  s->xfer = 0;
  if (result == CURLE_OK)
    {
      purple_debug_info ("roundtable-mail", "mail to %s sent (try %u)\n", s->who, s->tries);
      ma->sends = g_list_remove (ma->sends, s);
      send_free (s);
      return;
    }
  long code = 0;
  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &code);
  if (is_temporary (result, code) && s->tries < RT_MAIL_SEND_TRIES)
    {
      s->delay = s->delay == 0 ? RT_MAIL_RETRY_MIN : MIN (s->delay * 2, RT_MAIL_RETRY_MAX);
      purple_debug_warning ("roundtable-mail", "mail to %s: temporary failure (%s, SMTP %ld%s%s), try %u; "
                            "retry in %u s\n", s->who, curl_easy_strerror (result), code,
                            s->reply ? ": " : "", s->reply ? s->reply : "", s->tries, s->delay);
      s->timer = purple_timeout_add_seconds (s->delay, on_retry, s);
      return;
    }
  /* Permanent (5xx, e.g. 550/554 for this recipient), or out of tries:
   * reported in this message's conversation only; the account stays. */
  ma->sends = g_list_remove (ma->sends, s);
  g_autofree char *what = s->reply
    ? g_strdup_printf (_("The mail could not be sent: the server answered \"%s\"."), s->reply)
    : code
    ? g_strdup_printf (_("The mail could not be sent: %s (SMTP %ld)."), curl_easy_strerror (result), code)
    : g_strdup_printf (_("The mail could not be sent: %s."), curl_easy_strerror (result));
  purple_debug_warning ("roundtable-mail", "mail to %s: %s (after %u tries)\n", s->who, what, s->tries);
  purple_conv_present_error (s->who, ma->account, what);
  if (result == CURLE_LOGIN_DENIED && !is_temporary (result, code))
    rt_mail_account_fail (ma, result, _("SMTP"), NULL);
  send_free (s);
}

/* The first non-empty line, clipped, or NULL. (transfer full) */
static char *
first_line (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_strstrip (*l);
      if (**l == '\0')
        continue;
      char *line = g_strdup (*l);
      if (g_utf8_strlen (line, -1) > RT_MAIL_SUBJECT_CHARS)
        {
          char *cut = g_utf8_offset_to_pointer (line, RT_MAIL_SUBJECT_CHARS - 1);
          *cut = '\0';
          char *with = g_strconcat (line, "…", NULL);
          g_free (line);
          line = with;
        }
      return line;
    }
  return NULL;
}

int
rt_mail_smtp_send (RtMailAccount *ma, const char *who, const char *message)
{
  /* Strips tags, turns <br> into newlines and entities into characters. */
  g_autofree char *text = purple_markup_strip_html (message);
  g_autofree char *subject = first_line (text);
  if (subject == NULL)
    subject = g_strdup_printf (_("Message from %s"), ma->from_name ? ma->from_name : ma->address);
  const char *to[] = { who, NULL };
  RtMailDraft draft = {
    .from_address = ma->address,
    .from_name = ma->from_name,
    .to = to,
    .subject = subject,
    .text = text,
    .domain = ma->domain,
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = NULL;
  GBytes *data = rt_mail_build (&draft, &message_id, &error);
  if (data == NULL)
    {
      purple_debug_warning ("roundtable-mail", "mail to %s not built: %s\n", who, error->message);
      return -EINVAL;
    }
  /* rt_mail_build checked both addresses: no CR, LF or <> in them. */
  RtMailSend *s = g_new0 (RtMailSend, 1);
  s->ma = ma;
  s->who = g_strdup (who);
  s->data = data;
  g_autofree char *rcpt = g_strdup_printf ("<%s>", who);
  s->rcpt = curl_slist_append (NULL, rcpt);
  if (!send_start (s))
    {
      send_free (s);
      return -EIO;
    }
  ma->sends = g_list_prepend (ma->sends, s);
  purple_debug_info ("roundtable-mail", "mail to %s queued, Message-ID <%s>\n", who, message_id);
  return 1;
}

void
rt_mail_smtp_stop (RtMailAccount *ma)
{
  for (GList *l = ma->sends; l; l = l->next)
    {
      RtMailSend *s = l->data;
      if (s->xfer != 0)
        rt_curl_loop_cancel (ma->loop, s->xfer);
      send_free (s);
    }
  g_clear_pointer (&ma->sends, g_list_free);
}
