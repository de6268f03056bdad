/* rt-mail-smtp.c: send one mail per IM over libcurl SMTP. */
#include "config.h"
#include "rt-mail-smtp.h"
#include "rt-mail-build.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>

/* Longest subject taken from the first line, in characters. */
#define RT_MAIL_SUBJECT_CHARS 78

typedef struct {
  RtMailAccount *ma;
  char *who;
  GBytes *data;
  gsize offset;
  struct curl_slist *rcpt;
  guint64 xfer;
} RtMailSend;

static void
send_free (RtMailSend *s)
{
  g_free (s->who);
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

static void
on_sent (CURL *easy, CURLcode result, gpointer data)
{
  RtMailSend *s = data;
  RtMailAccount *ma = s->ma;
  ma->sends = g_list_remove (ma->sends, s);
  if (result == CURLE_OK)
    purple_debug_info ("roundtable-mail", "mail to %s sent\n", s->who);
  else
    {
      long code = 0;
      curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &code);
      g_autofree char *what = code
        ? g_strdup_printf (_("The mail could not be sent: %s (SMTP %ld)."), curl_easy_strerror (result), code)
        : g_strdup_printf (_("The mail could not be sent: %s."), curl_easy_strerror (result));
      purple_debug_warning ("roundtable-mail", "mail to %s: %s\n", s->who, what);
      purple_conv_present_error (s->who, ma->account, what);
      if (result == CURLE_LOGIN_DENIED || rt_mail_curl_is_network (result))
        rt_mail_account_fail (ma, result, _("SMTP"), NULL);
    }
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
  g_autofree char *from = g_strdup_printf ("<%s>", ma->address);
  g_autofree char *url = rt_mail_account_base_url (ma, TRUE);
  CURL *easy = rt_mail_account_easy (ma, url, "smtp,smtps");
  curl_easy_setopt (easy, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt (easy, CURLOPT_MAIL_RCPT, s->rcpt);
  curl_easy_setopt (easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (easy, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt (easy, CURLOPT_READDATA, s);
  curl_easy_setopt (easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t) g_bytes_get_size (data));
  s->xfer = rt_curl_loop_add (ma->loop, easy, on_sent, s);
  if (s->xfer == 0)
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
      rt_curl_loop_cancel (ma->loop, s->xfer);
      send_free (s);
    }
  g_clear_pointer (&ma->sends, g_list_free);
}
