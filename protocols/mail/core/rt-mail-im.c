/* rt-mail-im.c: an incoming mail as IM markup (see rt-mail-im.h). */
#include "config.h"
#include "rt-mail-im.h"

#include <glib/gi18n-lib.h>

char *
rt_mail_im_markup (const RtMailMessage *m)
{
  GString *text = g_string_new (NULL);
  g_string_append_printf (text, "%s %s\n", _("Subject:"), *m->subject ? m->subject : _("(no subject)"));
  g_string_append (text, m->text);
  for (guint i = 0; i < m->attachments->len; i++)
    {
      const RtMailAttachment *a = g_ptr_array_index (m->attachments, i);
      g_autofree char *size = g_format_size (a->size);
      g_string_append_printf (text, "\n[%s %s, %s, %s]", _("attachment:"), a->filename, a->content_type, size);
    }
  g_autofree char *plain = g_string_free (text, FALSE);
  g_strchomp (plain);
  g_autofree char *escaped = g_markup_escape_text (plain, -1);
  g_auto(GStrv) lines = g_strsplit (escaped, "\n", -1);
  return g_strjoinv ("<br>", lines);
}
