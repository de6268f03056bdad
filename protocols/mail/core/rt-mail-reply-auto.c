/* rt-mail-reply-auto.c: is a mail from a person, an auto-responder or a
 * mail server reporting a failed delivery (RFC 3834 Auto-Submitted, RFC
 * 3464/6522 delivery status reports, the de-facto headers and subjects of
 * Exchange, Gmail, Postfix, Exim, Sendmail and qmail). */
#include "rt-mail-reply.h"
#include "rt-mail-gmime.h"

#include <string.h>

#define DSN_MAX_BYTES (64 * 1024)  /* a status part is a few hundred bytes */
#define SUBJECT_MAX_CHARS 200

/* The first token of a header value, lower case: "Auto-Submitted:
 * Auto-Replied; owner=x" gives "auto-replied". NULL when the header is
 * absent, "" when it is empty. (transfer full) */
static char *
header_token (GMimeObject *obj, const char *name)
{
  const char *v = g_mime_object_get_header (obj, name);
  const char *end;

  if (v == NULL)
    return NULL;
  while (g_ascii_isspace (*v))
    v++;
  for (end = v; *end != '\0' && *end != ';' && *end != '(' && !g_ascii_isspace (*end); end++)
    ;
  return g_ascii_strdown (v, end - v);
}

static gboolean
token_in (const char *token, const char *const *list)
{
  for (; token != NULL && *list != NULL; list++)
    if (strcmp (token, *list) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
has_auto_headers (GMimeObject *obj)
{
  static const char *const precedence[] = { "bulk", "junk", "list", "auto_reply", NULL };
  g_autofree char *submitted = header_token (obj, "Auto-Submitted");
  g_autofree char *prec = header_token (obj, "Precedence");

  return (submitted != NULL && strcmp (submitted, "no") != 0)
      || g_mime_object_get_header (obj, "X-Autoreply") != NULL
      || g_mime_object_get_header (obj, "X-Autorespond") != NULL
      || token_in (prec, precedence);
}

/* The subject, NFC, case-folded, its first SUBJECT_MAX_CHARS characters.
 * (transfer full) */
static char *
folded_subject (GMimeMessage *msg)
{
  const char *subject = g_mime_message_get_subject (msg);
  g_autofree char *valid = g_utf8_make_valid (subject != NULL ? subject : "", -1);
  g_autofree char *nfc = NULL;
  const char *start = valid, *end;

  while (*start == ' ' || *start == '\t')
    start++;
  end = g_utf8_offset_to_pointer (start, MIN (g_utf8_strlen (start, -1), SUBJECT_MAX_CHARS));
  nfc = g_utf8_normalize (start, end - start, G_NORMALIZE_DEFAULT_COMPOSE);
  return g_utf8_casefold (nfc != NULL ? nfc : "", -1);
}

/* "Automatic reply: ...", "Réponse automatique : ...", "Out of Office". */
static gboolean
is_out_of_office_subject (const char *folded)
{
  static const char *const phrases[] = {
    "out of office autoreply", "out of office", "out of the office",
    "automatic reply", "auto reply", "auto-reply", "autoreply",
    "afwezig", "automatisch antwoord",
    "absence du bureau", "absence", "réponse automatique",
    "abwesenheitsnotiz", "automatische antwort", NULL };

  for (const char *const *ph = phrases; *ph != NULL; ph++)
    {
      const char *rest;

      if (!g_str_has_prefix (folded, *ph))
        continue;
      rest = folded + strlen (*ph);
      while (*rest == ' ' || g_str_has_prefix (rest, "\xC2\xA0")
             || g_str_has_prefix (rest, "\xE2\x80\xAF"))
        rest += *rest == ' ' ? 1 : (*rest == '\xC2' ? 2 : 3);
      if (*rest == '\0' || *rest == ':')
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_failure_subject (const char *folded)
{
  static const char *const words[] = {
    "undelivered mail", "undeliverable", "mail delivery failed",
    "delivery status notification (failure)", "returned mail", "failure notice",
    "delivery failure", "delivery has failed", "returned to sender",
    "onbestelbaar", "niet bezorgd", "kan niet worden bezorgd",
    "non remis", "non distribuable", "échec de la remise",
    "unzustellbar", "nicht zustellbar", NULL };

  for (const char *const *w = words; *w != NULL; w++)
    if (strstr (folded, *w) != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
is_system_address (const char *addr)
{
  const char *at;
  gsize local;

  if (addr == NULL)
    return FALSE;
  while (*addr == '<' || g_ascii_isspace (*addr))
    addr++;
  at = strchr (addr, '@');
  local = at != NULL ? (gsize) (at - addr) : strcspn (addr, "> \t");
  return (local == 13 && g_ascii_strncasecmp (addr, "mailer-daemon", 13) == 0)
      || (local == 10 && g_ascii_strncasecmp (addr, "postmaster", 10) == 0);
}

/* The null sender (Return-Path: <>), MAILER-DAEMON or postmaster. */
static gboolean
is_system_sender (GMimeMessage *msg)
{
  const char *rp = g_mime_object_get_header (GMIME_OBJECT (msg), "Return-Path");
  InternetAddressList *from = g_mime_message_get_from (msg);

  if (rp != NULL)
    {
      g_autofree char *t = g_strdup (rp);
      char *w = t;

      for (const char *r = rp; *r != '\0'; r++)  /* "< >" is "<>" too */
        if (!g_ascii_isspace (*r))
          *w++ = *r;
      *w = '\0';
      if (strcmp (t, "<>") == 0 || strcmp (t, "") == 0 || is_system_address (t))
        return TRUE;
    }
  for (int i = 0; from != NULL && i < internet_address_list_length (from); i++)
    {
      InternetAddress *a = internet_address_list_get_address (from, i);

      if (INTERNET_ADDRESS_IS_MAILBOX (a)
          && is_system_address (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (a))))
        return TRUE;
    }
  return FALSE;
}

/* The first multipart/report in the MIME tree (not inside attached
 * messages), within the walk limits of rt-mail-parse.h. (transfer none) */
static GMimeMultipart *
find_report (GMimeObject *obj, guint depth, guint *visited)
{
  GMimeMultipart *mp;
  int n;

  if (obj == NULL || !GMIME_IS_MULTIPART (obj) || depth >= RT_MAIL_MAX_DEPTH
      || ++*visited > RT_MAIL_MAX_PARTS)
    return NULL;
  mp = GMIME_MULTIPART (obj);
  if (g_mime_content_type_is_type (g_mime_object_get_content_type (obj), "multipart", "report"))
    return mp;
  n = g_mime_multipart_get_count (mp);
  for (int i = 0; i < n; i++)
    {
      GMimeMultipart *found = find_report (g_mime_multipart_get_part (mp, i), depth + 1, visited);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_delivery_status_report (GMimeMultipart *report)
{
  const char *type = g_mime_object_get_content_type_parameter (GMIME_OBJECT (report),
                                                               "report-type");

  return type != NULL && (g_ascii_strcasecmp (type, "delivery-status") == 0
                          || g_ascii_strcasecmp (type, "global-delivery-status") == 0);
}

/* The decoded text of the report's message/delivery-status part, or NULL.
 * (transfer full) */
static char *
status_text (GMimeMultipart *report)
{
  int n = g_mime_multipart_get_count (report);

  for (int i = 0; i < n; i++)
    {
      GMimeObject *part = g_mime_multipart_get_part (report, i);
      GMimeContentType *ct = g_mime_object_get_content_type (part);
      GMimeDataWrapper *content;
      g_autoptr(GMimeStream) mem = NULL;
      GByteArray *bytes;

      if (!GMIME_IS_PART (part)
          || !(g_mime_content_type_is_type (ct, "message", "delivery-status")
               || g_mime_content_type_is_type (ct, "message", "global-delivery-status")))
        continue;
      content = g_mime_part_get_content (GMIME_PART (part));
      if (content == NULL)
        return NULL;
      mem = g_mime_stream_mem_new ();
      g_mime_data_wrapper_write_to_stream (content, mem);  /* decodes */
      bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
      if (bytes == NULL || bytes->len == 0)
        return NULL;
      return g_utf8_make_valid ((const char *) bytes->data, MIN (bytes->len, DSN_MAX_BYTES));
    }
  return NULL;
}

typedef struct {
  gboolean any_action;
  gboolean any_failed;
  char *recipient;      /* of the first failed block, else of the first block */
} Status;

/* "rfc822; <bob@example.org>" -> "bob@example.org"; NULL when not an
 * address. (transfer full) */
static char *
recipient_address (const char *value)
{
  const char *semi = strchr (value, ';');
  g_autofree char *addr = g_strdup (semi != NULL ? semi + 1 : value);
  char *a = g_strstrip (addr);
  gsize len;

  if (*a == '<')
    a++;
  len = strlen (a);
  if (len > 0 && a[len - 1] == '>')
    a[--len] = '\0';
  if (len == 0 || len > RT_MAIL_MAX_HEADER_CHARS)
    return NULL;
  for (const char *c = a; *c != '\0'; c++)
    if ((guchar) *c <= ' ' || *c == '<' || *c == '>' || *c == 0x7F)
      return NULL;
  return g_strdup (a);
}

typedef struct {
  char *final;
  char *original;
  char *action;
} Block;

static void
block_end (Block *b, Status *s)
{
  char *addr = b->original != NULL ? b->original : b->final;
  gboolean failed = b->action != NULL && strcmp (b->action, "failed") == 0;

  if (b->action != NULL)
    s->any_action = TRUE;
  if (addr != NULL && (s->recipient == NULL || (failed && !s->any_failed)))
    {
      g_free (s->recipient);
      s->recipient = g_strdup (addr);
    }
  s->any_failed = s->any_failed || failed;
  g_clear_pointer (&b->final, g_free);
  g_clear_pointer (&b->original, g_free);
  g_clear_pointer (&b->action, g_free);
}

static void
field (Block *b, const char *line)
{
  const char *colon = strchr (line, ':');
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;

  if (colon == NULL)
    return;
  name = g_strstrip (g_ascii_strdown (line, colon - line));
  value = g_strstrip (g_strdup (colon + 1));
  if (strcmp (name, "final-recipient") == 0 && b->final == NULL)
    b->final = recipient_address (value);
  else if (strcmp (name, "original-recipient") == 0 && b->original == NULL)
    b->original = recipient_address (value);
  else if (strcmp (name, "action") == 0 && b->action == NULL)
    b->action = g_ascii_strdown (value, strcspn (value, " \t("));
}

/* RFC 3464: a per-message block, then one block per recipient, separated
 * by blank lines; long fields folded. */
static void
parse_status (const char *text, Status *s)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GString) logical = g_string_new (NULL);
  Block b = { 0 };

  for (char **l = lines; ; l++)
    {
      char *line = *l != NULL ? g_strchomp (*l) : NULL;

      if (line != NULL && (*line == ' ' || *line == '\t') && logical->len > 0)
        {
          g_string_append (logical, line);  /* a folded continuation */
          continue;
        }
      if (logical->len > 0)
        field (&b, logical->str);
      g_string_truncate (logical, 0);
      if (line == NULL || *line == '\0')
        block_end (&b, s);
      if (line == NULL)
        break;
      g_string_append (logical, line);
    }
}

static void
status_of (GMimeMultipart *report, Status *s)
{
  g_autofree char *text = status_text (report);

  if (text != NULL)
    parse_status (text, s);
}

RtMailAutoKind
rt_mail_classify_auto (GMimeMessage *msg)
{
  GMimeMultipart *report;
  guint visited = 0;
  g_autofree char *subject = NULL;

  g_return_val_if_fail (GMIME_IS_MESSAGE (msg), RT_MAIL_AUTO_HUMAN);
  report = find_report (g_mime_message_get_mime_part (msg), 0, &visited);
  if (report != NULL)
    {
      Status s = { 0 };

      if (!is_delivery_status_report (report))
        return RT_MAIL_AUTO_REPLY;  /* read receipt or another report */
      status_of (report, &s);
      g_free (s.recipient);
      /* Only "delayed", "delivered", "relayed" or "expanded": a warning or
       * a success notice, not a failure. */
      return s.any_action && !s.any_failed ? RT_MAIL_AUTO_REPLY : RT_MAIL_AUTO_BOUNCE;
    }
  subject = folded_subject (msg);
  if (is_system_sender (msg))
    return is_failure_subject (subject) ? RT_MAIL_AUTO_BOUNCE : RT_MAIL_AUTO_REPLY;
  if (has_auto_headers (GMIME_OBJECT (msg)) || is_out_of_office_subject (subject))
    return RT_MAIL_AUTO_REPLY;
  return RT_MAIL_AUTO_HUMAN;
}

char *
rt_mail_bounce_recipient (GMimeMessage *msg)
{
  GMimeMultipart *report;
  guint visited = 0;
  Status s = { 0 };

  g_return_val_if_fail (GMIME_IS_MESSAGE (msg), NULL);
  report = find_report (g_mime_message_get_mime_part (msg), 0, &visited);
  if (report == NULL || !is_delivery_status_report (report))
    return NULL;
  status_of (report, &s);
  return s.recipient;
}
