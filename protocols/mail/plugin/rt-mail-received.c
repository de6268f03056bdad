/* rt-mail-received.c: every new mail is offered to other plugins
 * ("roundtable-mail-received", rt-mail-ipc.h) before it becomes an IM.
 *
 * rt_mail_parse gives the sender, subject, ids and text; what a reply
 * handler also needs (Cc, Delivered-To, Return-Path, the automatic class,
 * the bounce's recipient and status, the raw HTML of an HTML-only reply,
 * whose quote markers rt_mail_parse's text no longer has) is read here from
 * a second GMime parse of the same bytes: a fraction of a millisecond for a
 * usual mail (docs/benchmarks.md). */
#include "config.h"
#include "rt-mail-received.h"
#include "rt-mail-ipc.h"
#include "rt-mail-reply.h"
#include "rt-mail-charset.h"
#include "rt-mail-gmime.h"

#include <string.h>

G_STATIC_ASSERT (RT_MAIL_RECEIVED_HUMAN == (int) RT_MAIL_AUTO_HUMAN);
G_STATIC_ASSERT (RT_MAIL_RECEIVED_AUTO_REPLY == (int) RT_MAIL_AUTO_REPLY);
G_STATIC_ASSERT (RT_MAIL_RECEIVED_BOUNCE == (int) RT_MAIL_AUTO_BOUNCE);

/* A delivery status is read up to this size; a status text is clipped. */
#define DSN_MAX_BYTES (64 * 1024)
#define STATUS_MAX_CHARS 200

void
rt_mail_received_register (PurplePlugin *plugin)
{
  purple_signal_register (plugin, RT_MAIL_SIGNAL_RECEIVED, purple_marshal_BOOLEAN__POINTER_POINTER,
                          purple_value_new (PURPLE_TYPE_BOOLEAN), 2,
                          purple_value_new (PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_ACCOUNT),
                          purple_value_new (PURPLE_TYPE_POINTER));
  purple_signal_register (plugin, RT_MAIL_SIGNAL_SENT, purple_marshal_VOID__POINTER_POINTER, NULL, 2,
                          purple_value_new (PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_ACCOUNT),
                          purple_value_new (PURPLE_TYPE_STRING));
  purple_signal_register (plugin, RT_MAIL_SIGNAL_FAILED, purple_marshal_VOID__POINTER_POINTER_POINTER, NULL, 3,
                          purple_value_new (PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_ACCOUNT),
                          purple_value_new (PURPLE_TYPE_STRING),
                          purple_value_new (PURPLE_TYPE_STRING));
}

/* Addresses of every header called name (Delivered-To may appear once per
 * hop), in header order. */
static void
add_header_addresses (GPtrArray *out, GMimeObject *obj, const char *name)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (obj);
  int n = g_mime_header_list_get_count (headers);
  for (int i = 0; i < n && out->len < RT_MAIL_MAX_LIST; i++)
    {
      GMimeHeader *h = g_mime_header_list_get_header_at (headers, i);
      if (g_ascii_strcasecmp (g_mime_header_get_name (h), name) != 0)
        continue;
      InternetAddressList *list = internet_address_list_parse (NULL, g_mime_header_get_value (h));
      if (list != NULL)
        {
          rt_mail_add_addresses (out, list);
          g_object_unref (list);
        }
    }
}

/* Return-Path without <> and white space: "" for the null sender, NULL
 * when there is none. (transfer full) */
static char *
return_path (GMimeObject *obj)
{
  const char *rp = g_mime_object_get_header (obj, "Return-Path");
  if (rp == NULL)
    return NULL;
  GString *out = g_string_new (NULL);
  for (const char *r = rp; *r != '\0' && out->len < RT_MAIL_MAX_HEADER_CHARS; r++)
    if (!g_ascii_isspace (*r) && *r != '<' && *r != '>')
      g_string_append_c (out, *r);
  char *s = g_string_free (out, FALSE);
  char *valid = g_utf8_make_valid (s, -1);
  g_free (s);
  return valid;
}

typedef struct {
  GMimePart *plain;     /* first inline text/plain */
  GMimePart *html;      /* first inline text/html */
  GMimePart *dsn;       /* first message/delivery-status */
  guint visited;
} Parts;

/* The parts a reply handler reads, as rt-mail-walk.c picks them (inline
 * means no attachment disposition and no file name); attached messages are
 * not entered. Bounded like rt_mail_parse. */
static void
find_parts (GMimeObject *obj, guint depth, Parts *p)
{
  if (obj == NULL || depth >= RT_MAIL_MAX_DEPTH || ++p->visited > RT_MAIL_MAX_PARTS)
    return;
  if (GMIME_IS_MULTIPART (obj))
    {
      GMimeMultipart *mp = GMIME_MULTIPART (obj);
      int n = g_mime_multipart_get_count (mp);
      for (int i = 0; i < n; i++)
        find_parts (g_mime_multipart_get_part (mp, i), depth + 1, p);
      return;
    }
  if (!GMIME_IS_PART (obj))
    return;
  GMimeContentType *ct = g_mime_object_get_content_type (obj);
  GMimeContentDisposition *disp = g_mime_object_get_content_disposition (obj);
  gboolean inline_part = (disp == NULL || !g_mime_content_disposition_is_attachment (disp))
                         && g_mime_part_get_filename (GMIME_PART (obj)) == NULL;
  if (ct != NULL && (g_mime_content_type_is_type (ct, "message", "delivery-status")
                     || g_mime_content_type_is_type (ct, "message", "global-delivery-status")))
    {
      if (p->dsn == NULL)
        p->dsn = GMIME_PART (obj);
    }
  else if (inline_part && (ct == NULL || g_mime_content_type_is_type (ct, "text", "plain")))
    {
      if (p->plain == NULL)
        p->plain = GMIME_PART (obj);
    }
  else if (inline_part && g_mime_content_type_is_type (ct, "text", "html"))
    {
      if (p->html == NULL)
        p->html = GMIME_PART (obj);
    }
}

/* Decoded content of part, at most max bytes, as valid UTF-8 in the
 * part's charset. (transfer full) */
static char *
part_text (GMimePart *part, gsize max)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  if (content == NULL)
    return g_strdup ("");
  GMimeStream *mem = g_mime_stream_mem_new ();
  g_mime_data_wrapper_write_to_stream (content, mem);   /* decodes */
  GByteArray *bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
  const char *charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part), "charset");
  char *text = bytes != NULL && bytes->len > 0
    ? rt_mail_charset_to_utf8 ((const char *) bytes->data, MIN (bytes->len, max), charset)
    : g_strdup ("");
  g_object_unref (mem);
  return text;
}

/* The Diagnostic-Code of a delivery status (after its "smtp;" type), else
 * its Status, folded lines joined; control characters become spaces.
 * NULL when there is neither. (transfer full) */
static char *
bounce_status (GMimePart *dsn)
{
  g_autofree char *text = part_text (dsn, DSN_MAX_BYTES);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *diagnostic = NULL, *status = NULL;
  for (guint i = 0; lines[i] != NULL && diagnostic == NULL; i++)
    {
      const char *line = lines[i];
      gboolean is_diag = g_ascii_strncasecmp (line, "Diagnostic-Code:", 16) == 0;
      gboolean is_status = g_ascii_strncasecmp (line, "Status:", 7) == 0;
      if (!is_diag && !(is_status && status == NULL))
        continue;
      GString *value = g_string_new (strchr (line, ':') + 1);
      for (guint j = i + 1; lines[j] != NULL && (lines[j][0] == ' ' || lines[j][0] == '\t'); j++)
        g_string_append (value, lines[j]);
      char *v = g_string_free (value, FALSE);
      if (is_diag)
        {
          const char *semi = strchr (v, ';');
          diagnostic = g_strdup (semi != NULL ? semi + 1 : v);
          g_free (v);
        }
      else
        status = v;
    }
  char *out = diagnostic != NULL ? g_steal_pointer (&diagnostic) : g_steal_pointer (&status);
  if (out == NULL)
    return NULL;
  for (char *c = out; *c != '\0'; c++)
    if ((guchar) *c < 0x20 || *c == 0x7F)
      *c = ' ';
  g_strstrip (out);
  if (g_utf8_strlen (out, -1) > STATUS_MAX_CHARS)
    *g_utf8_offset_to_pointer (out, STATUS_MAX_CHARS) = '\0';
  return out;
}

/* NULL-terminated view of a GPtrArray of strings (the strings borrowed). */
static GPtrArray *
terminated (GPtrArray *list)
{
  GPtrArray *out = g_ptr_array_sized_new ((list != NULL ? list->len : 0) + 1);
  for (guint i = 0; list != NULL && i < list->len; i++)
    g_ptr_array_add (out, g_ptr_array_index (list, i));
  g_ptr_array_add (out, NULL);
  return out;
}

static gboolean emit (RtMailAccount *ma, PurplePlugin *plugin, GMimeMessage *gm,
                      const RtMailMessage *m, int *auto_kind);

gboolean
rt_mail_received_emit (RtMailAccount *ma, GMimeMessage *gm, const RtMailMessage *m, int *auto_kind)
{
  *auto_kind = RT_MAIL_RECEIVED_HUMAN;
  PurplePlugin *plugin = purple_plugins_find_with_id (RT_MAIL_PRPL_ID);
  if (plugin == NULL)
    return FALSE;
  return emit (ma, plugin, gm, m, auto_kind);
}

static gboolean
emit (RtMailAccount *ma, PurplePlugin *plugin, GMimeMessage *gm, const RtMailMessage *m, int *auto_kind)
{
  GMimeObject *obj = GMIME_OBJECT (gm);

  RtMailAutoKind kind = rt_mail_classify_auto (gm);
  *auto_kind = (int) kind;
  Parts parts = { 0 };
  find_parts (g_mime_message_get_mime_part (gm), 0, &parts);
  g_autofree char *new_text = NULL;
  if (parts.plain == NULL && parts.html != NULL)
    {
      g_autofree char *html = part_text (parts.html, RT_MAIL_MAX_HTML_BYTES);
      new_text = rt_mail_reply_new_text_html (html);
    }
  else
    new_text = rt_mail_reply_new_text (m->text);
  g_autofree char *bounce_to = kind == RT_MAIL_AUTO_BOUNCE ? rt_mail_bounce_recipient (gm) : NULL;
  g_autofree char *status = kind == RT_MAIL_AUTO_BOUNCE && parts.dsn != NULL ? bounce_status (parts.dsn) : NULL;
  g_autofree char *rp = return_path (obj);

  g_autoptr(GPtrArray) cc_list = g_ptr_array_new_with_free_func (g_free);
  rt_mail_add_addresses (cc_list, g_mime_message_get_cc (gm));
  g_autoptr(GPtrArray) delivered_list = g_ptr_array_new_with_free_func (g_free);
  add_header_addresses (delivered_list, obj, "Delivered-To");
  add_header_addresses (delivered_list, obj, "X-Original-To");
  g_autoptr(GPtrArray) to = terminated (m->to);
  g_autoptr(GPtrArray) cc = terminated (cc_list);
  g_autoptr(GPtrArray) delivered = terminated (delivered_list);
  g_autoptr(GPtrArray) refs = terminated (m->references);

  RtMailReceived mail = {
    .struct_size = sizeof (RtMailReceived),
    .account = ma->account,
    .from_address = m->from_address,
    .from_name = m->from_name,
    .return_path = rp,
    .to = (const char *const *) to->pdata,
    .cc = (const char *const *) cc->pdata,
    .delivered_to = (const char *const *) delivered->pdata,
    .subject = m->subject,
    .date_us = m->date,
    .message_id = m->message_id,
    .in_reply_to = m->in_reply_to,
    .references = (const char *const *) refs->pdata,
    .auto_kind = (int) kind,
    .bounce_recipient = bounce_to,
    .bounce_status = status,
    .text = m->text,
    .new_text = new_text,
  };
  gpointer taken = purple_signal_emit_return_1 (plugin, RT_MAIL_SIGNAL_RECEIVED, ma->account, &mail);
  return GPOINTER_TO_INT (taken) != 0;
}
