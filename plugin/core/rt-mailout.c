/* rt-mailout.c: subject, text, HTML and List-Id of a workspace message sent
 * by immediate mail. */
#include "config.h"
#include <string.h>
#include <glib/gi18n-lib.h>
#include "rt-mailout.h"
#include "rt-email.h"

char *
rt_mailout_first_words (const char *text, guint max_chars)
{
  GString *line = g_string_new (NULL);
  gboolean space = FALSE;
  const char *p = text ? text : "";

  /* Skip blank lines, then take one line with runs of white space and
   * control characters as one space (a subject is one header line). */
  for (; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c == '\n' && line->len > 0)
        break;
      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        space = line->len > 0;
      else
        {
          if (space)
            g_string_append_c (line, ' ');
          space = FALSE;
          g_string_append_unichar (line, c);
        }
    }
  if (g_utf8_strlen (line->str, -1) <= (glong) max_chars)
    return g_string_free (line, FALSE);

  /* Cut at the last space that leaves room for the ellipsis. */
  guint keep = max_chars > 1 ? max_chars - 1 : 0;
  const char *cut = g_utf8_offset_to_pointer (line->str, keep);
  const char *space_at = g_utf8_strrchr (line->str, cut - line->str + 1, ' ');
  if (space_at != NULL && space_at > line->str)
    cut = space_at;
  g_autofree char *head = g_strndup (line->str, cut - line->str);
  g_string_free (line, TRUE);
  return g_strconcat (head, "…", NULL);
}

/* A whole name on one line: every run of white space one space. */
static char *
one_line (const char *text)
{
  g_autofree char *flat = g_strdelimit (g_strdup (text ? text : ""), "\r\n", ' ');
  return rt_mailout_first_words (flat, G_MAXINT);
}

static char *
html_paragraphs (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_auto(GStrv) lines = g_strsplit (escaped, "\n", -1);
  return g_strjoinv ("<br>\n", lines);
}

RtMailOut *
rt_mailout_new (const RtWorkspace *ws, const RtMessage *msg)
{
  RtMailOut *out = g_new0 (RtMailOut, 1);
  const char *label = msg->author_label ? msg->author_label : "";
  const char *text = msg->text ? msg->text : "";
  g_autofree char *words = rt_mailout_first_words (text, RT_MAILOUT_SUBJECT_WORDS);
  g_autofree char *ws_line = one_line (ws->name);
  g_autofree char *label_line = one_line (label);

  /* TRANSLATORS: subject of a workspace message sent by mail: workspace
   * name, author, the message's first words. */
  out->subject = g_strdup_printf (_("[%s] %s: %s"), ws_line, label_line, words);

  /* TRANSLATORS: first line of a workspace message sent by mail: author,
   * workspace name. */
  g_autofree char *intro = g_strdup_printf (_("%s wrote in “%s”:"), label, ws->name);
  /* TRANSLATORS: footer of a workspace message sent by mail. */
  g_autofree char *footer = g_strdup_printf (_("You get the messages of “%s” by mail at once. "
                                               "Reply to this mail to answer in the workspace."),
                                             ws->name);
  out->text = g_strdup_printf ("%s\n\n%s\n\n-- \n%s\n", intro, text, footer);

  g_autofree char *h_intro = html_paragraphs (intro);
  g_autofree char *h_text = html_paragraphs (text);
  g_autofree char *h_footer = html_paragraphs (footer);
  out->html = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n"
                               "<p>%s</p>\n<blockquote>%s</blockquote>\n"
                               "<p style=\"color:#666\">%s</p>\n</body></html>\n",
                               h_intro, h_text, h_footer);

  /* The mailbox is an account's user name: only a valid address lends its
   * domain to a header. */
  g_autofree char *mailbox = rt_email_normalize (ws->mailbox, NULL);
  out->list_id = g_strdup_printf ("<ws-%" G_GINT64_FORMAT ".roundtable.%s>", ws->id,
                                  mailbox ? rt_email_domain (mailbox) : "invalid");
  return out;
}

char *
rt_mailout_message_id (const RtWorkspace *ws, gint64 msg_id, gint64 member_id)
{
  g_autofree char *mailbox = rt_email_normalize (ws->mailbox, NULL);
  return g_strdup_printf ("<rt-mail-%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "@%s>", msg_id, member_id,
                          mailbox ? rt_email_domain (mailbox) : "invalid");
}

void
rt_mailout_free (RtMailOut *out)
{
  if (!out)
    return;
  g_free (out->subject);
  g_free (out->text);
  g_free (out->html);
  g_free (out->list_id);
  g_free (out);
}
