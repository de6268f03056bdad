/* rt-mail-smtp.c: send one mail per IM over libcurl SMTP. */
#include "config.h"
#include "rt-mail-smtp.h"
#include "rt-mail-build.h"
#include "rt-mail-ipc.h"

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
  char *message_id;      /* without <> */
  gboolean ipc;          /* queued by "send-mail": its outcome is signalled */
} RtMailSend;

static void
send_free (RtMailSend *s)
{
  if (s->timer != 0)
    purple_timeout_remove (s->timer);
  g_free (s->who);
  g_free (s->reply);
  g_free (s->message_id);
  g_bytes_unref (s->data);
  curl_slist_free_all (s->rcpt);
  g_free (s);
}

/* The outcome of an IPC mail: "roundtable-mail-sent" (error NULL) or
 * "roundtable-mail-failed" (rt-mail-ipc.h). IMs typed by the user emit
 * nothing: their failures are written in the conversation. */
static void
signal_outcome (RtMailSend *s, const char *error)
{
  PurplePlugin *plugin = purple_plugins_find_with_id (RT_MAIL_PRPL_ID);
  if (!s->ipc || plugin == NULL)
    return;
  if (error == NULL)
    purple_signal_emit (plugin, RT_MAIL_SIGNAL_SENT, s->ma->account, s->message_id);
  else
    purple_signal_emit (plugin, RT_MAIL_SIGNAL_FAILED, s->ma->account, s->message_id, error);
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
      signal_outcome (s, _("The mail could not be sent."));
      send_free (s);
    }
  return FALSE;
}

/* Worth trying again later: the server could not be reached or the link
 * broke before a reply (code 0), or its last reply was 4xx, whatever libcurl
 * made of it: 421 closing (as the greeting: CURLE_WEIRD_SERVER_REPLY; to
 * AUTH: CURLE_LOGIN_DENIED; to MAIL or RCPT: CURLE_SEND_ERROR), 450/451 try
 * again later, 452 no room now, 454 temporary authentication failure (e.g.
 * the SMTP server lost its link to the auth server). Never a certificate
 * that is not trusted: it would be presented again. */
static gboolean
is_temporary (CURLcode result, long code)
{
  if (rt_mail_curl_is_certificate (result))
    return FALSE;
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
      signal_outcome (s, NULL);
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
   * reported in this message's conversation; the account stays, unless
   * the account itself is wrong (below). */
  ma->sends = g_list_remove (ma->sends, s);
  gboolean certificate = rt_mail_curl_is_certificate (result);
  g_autofree char *what = result == CURLE_SSL_CACERT_BADFILE
    ? g_strdup (_("The mail could not be sent: the trusted certificates could not be loaded."))
    : certificate
    ? g_strdup (_("The mail could not be sent: the SMTP server's certificate was not trusted."))
    : s->reply
    ? g_strdup_printf (_("The mail could not be sent: the server answered \"%s\"."), s->reply)
    : code
    ? g_strdup_printf (_("The mail could not be sent: %s (SMTP %ld)."), curl_easy_strerror (result), code)
    : g_strdup_printf (_("The mail could not be sent: %s."), curl_easy_strerror (result));
  purple_debug_warning ("roundtable-mail", "mail to %s: %s (after %u tries)\n", s->who, what, s->tries);
  purple_conv_present_error (s->who, ma->account, what);
  signal_outcome (s, what);
  /* A refused login or an untrusted certificate fails every later send too:
   * the account's error, so the user sees what to fix. */
  if ((result == CURLE_LOGIN_DENIED && !is_temporary (result, code)) || certificate)
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

/* Builds draft and queues it to who (its only recipient). Returns 1 when
 * queued, -EINVAL when it cannot be built, -EIO when the loop refused it. */
static int
queue_draft (RtMailAccount *ma, const char *who, const RtMailDraft *draft, gboolean ipc)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = NULL;
  GBytes *data = rt_mail_build (draft, &message_id, &error);
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
  s->ipc = ipc;
  g_autofree char *rcpt = g_strdup_printf ("<%s>", who);
  s->rcpt = curl_slist_append (NULL, rcpt);
  if (!send_start (s))
    {
      send_free (s);
      return -EIO;
    }
  ma->sends = g_list_prepend (ma->sends, s);
  purple_debug_info ("roundtable-mail", "mail to %s queued, Message-ID <%s>\n", who, message_id);
  s->message_id = g_steal_pointer (&message_id);
  return 1;
}

static char *
thread_key (const char *address)
{
  return g_ascii_strdown (address, -1);
}

/* "Re: " + subject, without stacking prefixes: any leading "Re:" (any case,
 * also "Re[2]:" and "Re :" forms) are dropped first. (transfer full) */
static char *
reply_subject (const char *subject)
{
  const char *p = subject;
  for (;;)
    {
      while (*p == ' ' || *p == '\t')
        p++;
      if (g_ascii_strncasecmp (p, "re", 2) != 0)
        break;
      const char *q = p + 2;
      if (*q == '[')
        {
          q++;
          while (g_ascii_isdigit (*q))
            q++;
          if (*q != ']')
            break;
          q++;
        }
      while (*q == ' ')
        q++;
      if (*q != ':')
        break;
      p = q + 1;
    }
  return g_strconcat ("Re: ", p, NULL);
}

void
rt_mail_smtp_remember (RtMailAccount *ma, const char *from, const char *message_id,
                       const char *subject, GPtrArray *references)
{
  if (from == NULL)
    return;
  if (ma->threads == NULL)
    ma->threads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) rt_mail_thread_free);
  char *key = thread_key (from);
  if (message_id == NULL || *message_id == '\0')
    {
      /* The last mail from them cannot be answered in a thread. */
      g_hash_table_remove (ma->threads, key);
      g_free (key);
      return;
    }
  RtMailThread *t = g_new0 (RtMailThread, 1);
  t->message_id = g_strdup (message_id);
  t->subject = g_strdup (subject ? subject : "");
  t->references = g_new0 (char *, (references ? references->len : 0) + 1);
  for (guint i = 0; references && i < references->len; i++)
    t->references[i] = g_strdup (g_ptr_array_index (references, i));
  g_hash_table_replace (ma->threads, key, t);
}

int
rt_mail_smtp_send (RtMailAccount *ma, const char *who, const char *message)
{
  /* Strips tags, turns <br> into newlines and entities into characters. */
  g_autofree char *text = purple_markup_strip_html (message);
  g_autofree char *key = thread_key (who);
  const RtMailThread *t = ma->threads ? g_hash_table_lookup (ma->threads, key) : NULL;
  g_autofree char *subject = NULL;
  if (t != NULL && *t->subject)
    subject = reply_subject (t->subject);
  else
    subject = first_line (text);
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
    /* References = theirs + their Message-ID (rt_mail_build appends it). */
    .in_reply_to = t ? t->message_id : NULL,
    .references = t ? (const char *const *) t->references : NULL,
  };
  return queue_draft (ma, who, &draft, FALSE);
}

/* Keys of the IPC "send-mail" fields (rt-mail-ipc.h) and the header each
 * becomes (NULL: a draft field). */
static const struct {
  const char *key;
  const char *header;
} mail_fields[] = {
  { "subject", NULL },
  { "text", NULL },
  { "html", NULL },
  { "in-reply-to", NULL },
  { "message-id", NULL },
  { "references", NULL },
  { "reply-to", "Reply-To" },
  { "list-id", "List-Id" },
  { "list-unsubscribe", "List-Unsubscribe" },
  { "auto-submitted", "Auto-Submitted" },
};

gboolean
rt_mail_smtp_send_fields (RtMailAccount *ma, const char *to_address, GHashTable *fields)
{
  if (to_address == NULL || fields == NULL)
    return FALSE;
  const char *headers[2 * G_N_ELEMENTS (mail_fields) + 1] = { NULL };
  guint nh = 0;
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, fields);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      gboolean known = FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (mail_fields); i++)
        if (k != NULL && g_str_equal (k, mail_fields[i].key))
          {
            known = TRUE;
            if (mail_fields[i].header != NULL && v != NULL)
              {
                headers[nh++] = mail_fields[i].header;
                headers[nh++] = v;
              }
          }
      if (!known || v == NULL)
        {
          purple_debug_warning ("roundtable-mail", "send-mail to %s refused: field %s%s\n", to_address,
                                k ? (const char *) k : "(null)", known ? " has no value" : " is unknown");
          return FALSE;
        }
    }
  const char *text = g_hash_table_lookup (fields, "text");
  if (text == NULL)
    {
      purple_debug_warning ("roundtable-mail", "send-mail to %s refused: no text\n", to_address);
      return FALSE;
    }
  const char *message_id = g_hash_table_lookup (fields, "message-id");
  if (message_id != NULL && !rt_mail_msgid_valid (message_id))
    {
      purple_debug_warning ("roundtable-mail", "send-mail to %s refused: message-id is not a msg-id\n",
                            to_address);
      return FALSE;
    }
  const char *in_reply_to = g_hash_table_lookup (fields, "in-reply-to");
  const char *references = g_hash_table_lookup (fields, "references");
  if (references != NULL && in_reply_to == NULL)
    {
      purple_debug_warning ("roundtable-mail", "send-mail to %s refused: references without in-reply-to\n",
                            to_address);
      return FALSE;
    }
  /* White-space separated ids; rt_mail_build checks each one. */
  g_auto(GStrv) refs = references != NULL ? g_regex_split_simple ("\\s+", references, 0, 0) : NULL;
  if (refs != NULL)
    {
      guint n = 0;
      for (guint i = 0; refs[i] != NULL; i++)
        if (*refs[i] != '\0')
          refs[n++] = refs[i];
        else
          g_free (refs[i]);
      refs[n] = NULL;
    }
  g_autofree char *subject = g_strdup (g_hash_table_lookup (fields, "subject"));
  if (subject == NULL)
    subject = first_line (text);
  if (subject == NULL)
    subject = g_strdup_printf (_("Message from %s"), ma->from_name ? ma->from_name : ma->address);
  const char *to[] = { to_address, NULL };
  RtMailDraft draft = {
    .from_address = ma->address,
    .from_name = ma->from_name,
    .to = to,
    .subject = subject,
    .text = text,
    .html = g_hash_table_lookup (fields, "html"),
    .domain = ma->domain,
    .in_reply_to = in_reply_to,
    .references = (const char *const *) refs,
    .headers = nh > 0 ? headers : NULL,
    .message_id = message_id,
  };
  return queue_draft (ma, to_address, &draft, TRUE) == 1;
}

void
rt_mail_smtp_stop (RtMailAccount *ma)
{
  for (GList *l = ma->sends; l; l = l->next)
    {
      RtMailSend *s = l->data;
      if (s->xfer != 0)
        rt_curl_loop_cancel (ma->loop, s->xfer);
      signal_outcome (s, _("The mail was not sent: the mail account disconnected."));
      send_free (s);
    }
  g_clear_pointer (&ma->sends, g_list_free);
  g_clear_pointer (&ma->threads, g_hash_table_unref);
}
