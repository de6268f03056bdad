/* rt-mail-im.h: an incoming mail as the text of an IM, shared by the mail
 * protocol plugin (what serv_got_im gets) and the parse benchmark. No
 * libpurple. */
#pragma once
#include "rt-mail-parse.h"

G_BEGIN_DECLS

/* Markup for libpurple: a "Subject: ..." line, the text, one
 * "[attachment: name, type, size]" line per attachment; every character
 * escaped (g_markup_escape_text), line breaks as <br>, trailing white space
 * dropped. (transfer full) */
char *rt_mail_im_markup (const RtMailMessage *m);

G_END_DECLS
