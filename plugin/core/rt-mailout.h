/* rt-mailout.h: the mail that carries one workspace message to a member who
 * asked for immediate mail. Pure: builds the strings, the glue hands them to
 * the mail plugin's IPC "send-mail" (protocols/mail/plugin/rt-mail-ipc.h). */
#pragma once
#include "rt-model.h"

G_BEGIN_DECLS

/* Longest "first words" part of a subject, in characters. */
#define RT_MAILOUT_SUBJECT_WORDS 60

typedef struct {
  char *subject;   /* "[WORKSPACE] AUTHOR LABEL: first words…" */
  char *text;      /* text/plain: who wrote in which workspace, the text, a footer */
  char *html;      /* text/html: the same, every foreign string escaped */
  char *list_id;   /* "<ws-ID.roundtable.DOMAIN>", DOMAIN of ws->mailbox */
} RtMailOut;

/* The mail for msg in ws (ws->mailbox gives the List-Id domain; without
 * one, "invalid"). Subject and text are translated (gettext). */
RtMailOut *rt_mailout_new (const RtWorkspace *ws, const RtMessage *msg);
/* The stable Message-ID of msg mailed to member_id from ws->mailbox:
 * "<rt-mail-MSGID-MEMBERID@DOMAIN>" (DOMAIN "invalid" if the mailbox is not
 * an address). The same delivery sent again has the same id, so a mail
 * client shows a duplicate once. (transfer full) */
char      *rt_mailout_message_id (const RtWorkspace *ws, gint64 msg_id, gint64 member_id);
void       rt_mailout_free (RtMailOut *out);

/* The first non-empty line of text with white space and control characters
 * collapsed to single spaces, clipped at a word boundary to at most
 * max_chars characters ("…" added when something was cut; a single longer
 * word is cut inside). (transfer full) */
char      *rt_mailout_first_words (const char *text, guint max_chars);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtMailOut, rt_mailout_free)

G_END_DECLS
