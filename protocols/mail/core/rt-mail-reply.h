/* rt-mail-reply.h: what a reply mail adds to the conversation. The new text
 * of a reply without its quoted history and signature, and whether a mail
 * came from a person, an auto-responder or a mail server reporting a failed
 * delivery. Pure GLib + GMime, no libpurple; docs/mail-replies.md has the
 * rules, the client formats recognized and the known limits. */
#pragma once
#include <glib.h>
#include <gmime/gmime.h>

G_BEGIN_DECLS

/* Lines longer than this are never matched against reply-header patterns
 * (a real attribution or Outlook header line is far shorter), which keeps
 * the cost of a hostile 1 MB line at one scan. */
#define RT_MAIL_REPLY_MAX_HEADER_LINE 1000

/* Only the new text of a plain-text reply (UTF-8; invalid bytes become
 * U+FFFD; CRLF or LF). Removed: lines quoted with ">", the attribution line
 * above them ("On ... wrote:" and its nl/fr/de forms, also wrapped over up
 * to three lines), everything from an Outlook header block
 * (From/Sent/To/Subject in en, nl, fr, de) or an "-----Original
 * Message-----" line on, a signature from a "-- " line (or a "--" line
 * followed by a short block) or a mobile "Sent from my iPhone" line down to
 * the next quoted block. Text between quoted blocks (bottom-posting,
 * interleaved answers) is kept, the pieces separated by one blank line.
 * Trailing spaces go, blank lines collapse to one, the result is trimmed.
 * When nothing is left (a reply that only quotes), the whole text comes back
 * trimmed: text is never lost. Linear in the length of text. Never NULL.
 * (transfer full) */
char *rt_mail_reply_new_text (const char *text);

/* The same for an HTML-only reply: quoted blocks (<blockquote type="cite">,
 * Gmail's blockquote.gmail_quote), attribution and signature containers
 * (gmail_attr, moz-cite-prefix, gmail_signature, moz-signature, Outlook's
 * div#Signature) are removed and the HTML is cut at Outlook's reply header
 * (div#appendonsend, div#divRplyFwdMsg, its <hr tabindex="-1">, the desktop
 * client's border-top div) before rt_html_to_text; the text rules above then
 * run on the result. Linear in the length of html. Never NULL.
 * (transfer full) */
char *rt_mail_reply_new_text_html (const char *html);

typedef enum {
  RT_MAIL_AUTO_HUMAN,       /* written by a person: may be posted */
  RT_MAIL_AUTO_REPLY,       /* auto-responder, vacation, list or bulk mail,
                             * read receipt, delay warning: never posted */
  RT_MAIL_AUTO_BOUNCE,      /* a delivery failure report: never posted, the
                             * recipient's endpoint is failing */
} RtMailAutoKind;

/* Who wrote msg. BOUNCE: a multipart/report; report-type=delivery-status
 * whose status says a delivery failed (or says nothing usable), or a mail
 * from the null sender, MAILER-DAEMON or postmaster with a delivery-failure
 * subject. AUTO_REPLY: Auto-Submitted other than "no", X-Autoreply,
 * X-Autorespond, Precedence bulk/junk/list/auto_reply, an out-of-office
 * subject (en, nl, fr, de), any other multipart/report (read receipts,
 * delay warnings). X-Auto-Response-Suppress alone says nothing. */
RtMailAutoKind rt_mail_classify_auto (GMimeMessage *msg);

/* The recipient whose delivery failed, from the message/delivery-status
 * part of a bounce: Original-Recipient (the address as we sent it) of the
 * first failed recipient, else its Final-Recipient; the "rfc822;" type and
 * angle brackets dropped. NULL when msg has no such part or no address in
 * it. (transfer full) */
char *rt_mail_bounce_recipient (GMimeMessage *msg);

G_END_DECLS
