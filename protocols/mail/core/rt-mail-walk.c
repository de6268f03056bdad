/* rt-mail-walk.c: the MIME tree of a parsed mail to one text and a list of
 * attachments, within the depth, part and size limits of rt-mail-parse.h. */
#include "rt-mail-gmime.h"
#include "rt-mail-charset.h"
#include "rt-html-text.h"

#include <string.h>

typedef struct {
  RtMailMessage *msg;
  GMimePart *plain;   /* first inline text/plain (transfer none) */
  GMimePart *html;    /* first inline text/html (transfer none) */
  guint leaves;
} Walk;

static char *
type_string (GMimeObject *obj)
{
  GMimeContentType *ct = g_mime_object_get_content_type (obj);
  g_autofree char *type = ct != NULL ? g_mime_content_type_get_mime_type (ct)
                                     : g_strdup ("application/octet-stream");
  g_autofree char *lower = g_ascii_strdown (type, -1);
  char *valid = rt_mail_utf8_valid (lower, -1);

  rt_mail_clip_chars (&valid, 255, NULL);
  return valid;
}

/* Decoded size of the part's content, streamed to a counting sink. */
static guint64
decoded_size (GMimeObject *obj)
{
  g_autoptr(GMimeStream) sink = g_mime_stream_null_new ();

  if (GMIME_IS_PART (obj))
    {
      GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (obj));

      if (content == NULL)
        return 0;
      g_mime_data_wrapper_write_to_stream (content, sink);
    }
  else
    g_mime_object_write_to_stream (obj, NULL, sink);
  return (guint64) GMIME_STREAM_NULL (sink)->written;
}

static void
attachment_free (gpointer data)
{
  RtMailAttachment *a = data;

  g_free (a->filename);
  g_free (a->content_type);
  g_free (a);
}

static void
add_attachment (Walk *w, GMimeObject *obj, const char *filename)
{
  RtMailAttachment *a = g_new0 (RtMailAttachment, 1);

  if (w->msg->attachments == NULL)
    w->msg->attachments = g_ptr_array_new_with_free_func (attachment_free);
  a->filename = rt_mail_utf8_valid (filename != NULL && *filename != '\0'
                                    ? filename : "unnamed", -1);
  rt_mail_clip_chars (&a->filename, RT_MAIL_MAX_FILENAME_CHARS, NULL);
  a->content_type = type_string (obj);
  a->size = decoded_size (obj);
  g_ptr_array_add (w->msg->attachments, a);
}

static void
walk_leaf (Walk *w, GMimeObject *obj)
{
  GMimeContentType *ct = g_mime_object_get_content_type (obj);
  GMimeContentDisposition *disp = g_mime_object_get_content_disposition (obj);
  gboolean attached = disp != NULL && g_mime_content_disposition_is_attachment (disp);
  const char *filename = NULL;

  if (GMIME_IS_PART (obj))
    filename = g_mime_part_get_filename (GMIME_PART (obj));
  if (GMIME_IS_PART (obj) && !attached && filename == NULL
      && (ct == NULL || g_mime_content_type_is_type (ct, "text", "plain")))
    {
      if (w->plain == NULL)
        w->plain = GMIME_PART (obj);
      return;  /* later inline text parts are alternatives or footers */
    }
  if (GMIME_IS_PART (obj) && !attached && filename == NULL
      && g_mime_content_type_is_type (ct, "text", "html"))
    {
      if (w->html == NULL)
        w->html = GMIME_PART (obj);
      return;
    }
  if (GMIME_IS_MESSAGE_PART (obj) && filename == NULL)
    filename = "message.eml";
  add_attachment (w, obj, filename);
}

static void
walk (Walk *w, GMimeObject *obj, guint depth)
{
  GMimeContentType *ct = g_mime_object_get_content_type (obj);

  if (depth >= RT_MAIL_MAX_DEPTH || w->leaves >= RT_MAIL_MAX_PARTS)
    {
      w->msg->truncated = TRUE;
      return;
    }
  if (GMIME_IS_MULTIPART (obj))
    {
      GMimeMultipart *mp = GMIME_MULTIPART (obj);
      const char *report = g_mime_content_type_get_parameter (ct, "report-type");
      int n = g_mime_multipart_get_count (mp);

      if (g_mime_content_type_is_type (ct, "multipart", "report")
          && report != NULL && g_ascii_strcasecmp (report, "delivery-status") == 0)
        w->msg->is_bounce = TRUE;
      for (int i = 0; i < n; i++)
        walk (w, g_mime_multipart_get_part (mp, i), depth + 1);
      return;
    }
  w->leaves++;
  walk_leaf (w, obj);
}

/* Decoded bytes of the part's content, at most max + 1 of them (so the
 * caller can tell the content was longer). (transfer full) */
static GByteArray *
read_decoded (GMimePart *part, gsize max)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  GByteArray *bytes = g_byte_array_new ();
  g_autoptr(GMimeStream) filtered = NULL;
  GMimeContentEncoding enc;
  GMimeStream *raw;
  guint8 buf[4096];

  if (content == NULL || (raw = g_mime_data_wrapper_get_stream (content)) == NULL)
    return bytes;
  g_mime_stream_reset (raw);
  filtered = g_mime_stream_filter_new (raw);
  enc = g_mime_data_wrapper_get_encoding (content);
  if (enc == GMIME_CONTENT_ENCODING_BASE64 || enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE
      || enc == GMIME_CONTENT_ENCODING_UUENCODE)
    {
      g_autoptr(GMimeFilter) dec = g_mime_filter_basic_new (enc, FALSE);

      g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), dec);
    }
  while (bytes->len <= max)
    {
      gsize want = MIN (sizeof buf, max + 1 - bytes->len);
      gssize got = g_mime_stream_read (filtered, (char *) buf, want);

      if (got <= 0)
        break;
      g_byte_array_append (bytes, buf, (guint) got);
    }
  return bytes;
}

static char *
part_text (GMimePart *part, gsize max, gboolean *over)
{
  g_autoptr(GByteArray) raw = read_decoded (part, max);
  const char *charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part),
                                                                  "charset");

  *over = raw->len > max;
  return rt_mail_charset_to_utf8 ((const char *) raw->data,
                                  MIN (raw->len, max), charset);
}

/* CRLF and lone CR to LF, in place. */
static void
normalize_newlines (char *text)
{
  char *w = text;

  for (const char *r = text; *r != '\0'; r++)
    {
      if (*r == '\r' && r[1] == '\n')
        continue;
      *w++ = *r == '\r' ? '\n' : *r;
    }
  *w = '\0';
}

void
rt_mail_walk (GMimeObject *root, RtMailMessage *msg)
{
  Walk w = { .msg = msg };
  gboolean over = FALSE;
  char *text = NULL;

  if (root != NULL)
    walk (&w, root, 0);
  if (w.plain != NULL)
    text = part_text (w.plain, RT_MAIL_MAX_TEXT_BYTES, &over);
  else if (w.html != NULL)
    {
      g_autofree char *html = part_text (w.html, RT_MAIL_MAX_HTML_BYTES, &over);

      text = rt_html_to_text (html, -1);
    }
  else if (root != NULL && GMIME_IS_MULTIPART (root)
           && g_mime_multipart_get_prologue (GMIME_MULTIPART (root)) != NULL)
    {
      /* Boundary never found: the body sits in the prologue. */
      const char *pro = g_mime_multipart_get_prologue (GMIME_MULTIPART (root));
      gsize len = strlen (pro);

      over = len > RT_MAIL_MAX_TEXT_BYTES;
      text = rt_mail_charset_to_utf8 (pro, MIN (len, RT_MAIL_MAX_TEXT_BYTES), NULL);
    }
  else
    text = g_strdup ("");
  normalize_newlines (text);
  g_strstrip (text);
  if (rt_mail_clip_bytes (&text, RT_MAIL_MAX_TEXT_BYTES, RT_MAIL_TRUNCATED_MARKER))
    msg->text_truncated = TRUE;
  else if (over)
    {
      char *marked = g_strconcat (text, RT_MAIL_TRUNCATED_MARKER, NULL);

      g_free (text);
      text = marked;
      msg->text_truncated = TRUE;
    }
  msg->text = text;
  if (msg->attachments == NULL)
    msg->attachments = g_ptr_array_new_with_free_func (attachment_free);
}
