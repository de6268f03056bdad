/* bench-reply.c: reply mails processed per second by the hub, the way a
 * reply to a digest or mention mail flows into the workspace (issue 4),
 * against raw GMime parsing of the same mails, in the same run.
 *
 * Ours, per mail, the libpurple-free steps of the mail plugin and the core
 * plugin in the order they run (protocols/mail/plugin/rt-mail-received.c,
 * plugin/glue/rt-mail-in.c):
 *   parse:  rt_mail_parse, then the second GMime parse the mail plugin makes
 *           for rt_mail_classify_auto and the raw HTML of an HTML-only mail;
 *   trim:   rt_mail_reply_new_text (text/plain), else
 *           rt_mail_reply_new_text_html (the decoded text/html part);
 *   verify: rt_mailin_key and rt_mailin_decide against the store (the reply
 *           token in To checked with the hub's key, the member and sender,
 *           mail seen before, the thread from mail_out);
 *   post:   rt_hub_accept of the new text as the member into a real SQLite
 *           store (WAL, synchronous=NORMAL: planned for the workspace's 30
 *           members, kept for their digests), then rt_store_mailin_record
 *           (mail_in and the thread), two transactions as in the plugin.
 * Every pass gives each mail a new Message-ID (suffix ".PASS"), so nothing
 * is a duplicate and every mail is posted.
 * Raw: g_mime_parser_construct_message on a memory stream of the same bytes,
 * the message then dropped (as bench-mail-parse.c).
 *
 * Usage: bench-reply DIR [SECONDS_PER_ROUND [ROUNDS [MAILS]]]
 *   defaults: 0.25 s, 8 rounds (ours and raw alternate), 200 mails.
 *
 * The corpus is generated here, deterministically: replies to a digest in
 * five client styles taken in turn: Gmail (en, multipart/alternative,
 * "On … wrote:" and "> " quotes, gmail_quote HTML), Outlook desktop (nl,
 * multipart/alternative, the Van/Verzonden/Aan/Onderwerp block), Thunderbird
 * (fr, text/plain format=flowed, "-- " signature, "Le … a écrit :"), Apple
 * Mail on an iPhone (de, text/plain quoted-printable, "Von meinem iPhone
 * gesendet", "Am … schrieb …:") and Outlook on the web (en, HTML only,
 * base64, appendonsend and divRplyFwdMsg); each quotes the digest it
 * answers (about 2 KB). Before timing, every mail's posted text is checked
 * against the new text written into it.
 *
 * Prints one tab-separated line on stdout:
 *   reply_mail_rate  V  mails/s  raw_gmime_parse  B  V/B
 * Diagnostics (corpus, per-round rates) on stderr. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gmime/gmime.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "rt-hub.h"
#include "bench-util.h"
#include "bench-raw-gmime.h"
#include "rt-mailin.h"
#include "rt-mail-charset.h"
#include "rt-mail-common.h"
#include "rt-mail-parse.h"
#include "rt-mail-reply.h"
#include "rt-token.h"

#define N_MEMBERS 30
#define HUB "hub@site-a.test"

static const char *const sentences[] = {
  "Thanks, the pricing annex looks right to me.",
  "I can take the São Paulo call on Thursday at 10:00.",
  "Agreed on lot 2; let us keep the delivery plan as it is.",
  "Please send me the updated risk register before Friday.",
  "Łukasz checked the figures and they match the customer's sheet.",
  "We should ask Acme about the penalty clause in section 3.",
  "Zoë will draft the answer to question 14 tonight.",
};

static const char *const digest_lines[] = {
  "09:12 Alice Dubois (Brussels): Decision: we bid on lot 2 with the revised price.",
  "09:40 Bob Silva (São Paulo): The logistics figures are ready for review.",
  "10:05 Chloé Martin (Paris): Who can check the annex before the call?",
  "11:30 carol (guest): Reminder: the customer meeting moved to Thursday.",
  "13:02 Dana Schmidt (Berlin): I updated the schedule in the shared folder.",
  "14:45 Alice Dubois (Brussels): Legal wants the penalty clause reviewed.",
  "15:20 Erin Walsh (Dublin): The draft of section 3 is in the folder.",
};

typedef struct {
  GBytes *bytes;
  char   *new_text;   /* what must be posted */
} Mail;

static void
mail_free (Mail *m)
{
  g_bytes_unref (m->bytes);
  g_free (m->new_text);
  g_free (m);
}

/* The digest a reply quotes, one line per entry, about 2 KB. */
static char *
digest_text (guint seed)
{
  GString *out = g_string_new ("RFP Acme 2027: 1 mention, 1 decision, 14 messages\n\n"
                               "Newest first. Times are in your time zone, Europe/Paris.\n\n"
                               "Mentions of you and decisions\n\nTuesday 10 March\n");
  for (guint i = 0; i < 14; i++)
    g_string_append_printf (out, "  %s\n", digest_lines[(seed + i) % G_N_ELEMENTS (digest_lines)]);
  g_string_append (out, "\nTo post in RFP Acme 2027, reply to this email.\n"
                        "To stop these emails for RFP Acme 2027: mailto:hub+u-1-1-aaaa@site-a.test\n");
  return g_string_free (out, FALSE);
}

static char *
quoted (const char *text, const char *prefix)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GString *out = g_string_new (NULL);
  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (out, "%s%s\n", prefix, lines[i]);
  return g_string_free (out, FALSE);
}

static char *
html_of (const char *text, const char *open, const char *close)
{
  g_autofree char *esc = g_markup_escape_text (text, -1);
  g_auto (GStrv) lines = g_strsplit (esc, "\n", -1);
  GString *out = g_string_new (NULL);
  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (out, "%s%s%s\n", open, *lines[i] ? lines[i] : "<br>", close);
  return g_string_free (out, FALSE);
}

static char *
qp_encode (const char *text)
{
  GMimeEncoding enc;
  g_mime_encoding_init_encode (&enc, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  gsize len = strlen (text);
  char *out = g_malloc (g_mime_encoding_outlen (&enc, len) + 16);
  gsize n = g_mime_encoding_flush (&enc, text, len, out);
  out[n] = '\0';
  return out;
}

static char *
b64_lines (const char *text)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) text, strlen (text));
  GString *out = g_string_new (NULL);
  for (gsize i = 0, n = strlen (b64); i < n; i += 76)
    {
      g_string_append_len (out, b64 + i, MIN (76, n - i));
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

/* One reply in style i % 5 from member (its token address in To). */
static Mail *
make_mail (guint i, const char *from, const char *to)
{
  GString *nt = g_string_new (NULL);
  guint n = 1 + i % 3;
  for (guint s = 0; s < n; s++)
    g_string_append_printf (nt, "%s%s", s ? "\n\n" : "", sentences[(i * 3 + s) % G_N_ELEMENTS (sentences)]);
  g_autofree char *digest = digest_text (i);
  g_autofree char *subject = g_strdup ("Re: RFP Acme 2027: 1 mention, 1 decision, 14 messages");
  GString *m = g_string_new (NULL);
  g_string_append_printf (m, "Return-Path: <%s>\nDelivered-To: %s\nFrom: Member <%s>\nTo: %s\n"
                             "Subject: %s\nDate: Tue, 10 Mar 2026 10:%02u:00 +0100\n"
                             "Message-ID: <reply-%u@site-b.test>\n"
                             "In-Reply-To: <rt-digest-1-%u@site-a.test>\n"
                             "References: <rt-digest-1-%u@site-a.test>\nMIME-Version: 1.0\n",
                          from, to, from, to, subject, i % 60, i, i % 7, i % 7);
  const char *boundary = "----=_Part_4242_1.1773136800";
  switch (i % 5)
    {
    case 0:   /* Gmail, en */
      {
        g_autofree char *q = quoted (digest, "> ");
        g_autofree char *h_new = html_of (nt->str, "<div dir=\"ltr\">", "</div>");
        g_autofree char *h_q = html_of (digest, "", "<br>");
        g_string_append_printf (m, "Content-Type: multipart/alternative; boundary=\"%s\"\n\n"
                                   "--%s\nContent-Type: text/plain; charset=\"UTF-8\"\n"
                                   "Content-Transfer-Encoding: 8bit\n\n%s\n\n"
                                   "On Tue, 10 Mar 2026 at 09:10, Hub Zoë <%s> wrote:\n\n%s\n"
                                   "--%s\nContent-Type: text/html; charset=\"UTF-8\"\n"
                                   "Content-Transfer-Encoding: 8bit\n\n%s<br><div class=\"gmail_quote\">"
                                   "<div dir=\"ltr\" class=\"gmail_attr\">On Tue, 10 Mar 2026 at 09:10, "
                                   "Hub Zoë &lt;%s&gt; wrote:<br></div><blockquote class=\"gmail_quote\" "
                                   "style=\"margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);"
                                   "padding-left:1ex\">%s</blockquote></div>\n--%s--\n",
                                boundary, boundary, nt->str, HUB, q, boundary, h_new, HUB, h_q, boundary);
        break;
      }
    case 1:   /* Outlook desktop, nl */
      {
        g_autofree char *h_new = html_of (nt->str, "<p class=\"MsoNormal\">", "</p>");
        g_autofree char *h_q = html_of (digest, "<p class=\"MsoNormal\">", "</p>");
        g_string_append_printf (m, "Content-Type: multipart/alternative; boundary=\"%s\"\n\n"
                                   "--%s\nContent-Type: text/plain; charset=\"utf-8\"\n"
                                   "Content-Transfer-Encoding: 8bit\n\n%s\n\n"
                                   "Van: Hub Zoë <%s>\nVerzonden: dinsdag 10 maart 2026 09:10\n"
                                   "Aan: Member <%s>\nOnderwerp: RFP Acme 2027: 1 mention\n\n%s\n"
                                   "--%s\nContent-Type: text/html; charset=\"utf-8\"\n"
                                   "Content-Transfer-Encoding: 8bit\n\n<html><body lang=\"NL\"><div class=\"WordSection1\">"
                                   "%s<div style=\"border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm\">"
                                   "<p class=\"MsoNormal\"><b>Van:</b> Hub Zoë<br><b>Verzonden:</b> dinsdag 10 maart "
                                   "2026 09:10<br><b>Aan:</b> Member<br><b>Onderwerp:</b> RFP</p></div>%s"
                                   "</div></body></html>\n--%s--\n",
                                boundary, boundary, nt->str, HUB, from, digest, boundary, h_new, h_q, boundary);
        break;
      }
    case 2:   /* Thunderbird, fr */
      {
        g_autofree char *q = quoted (digest, "> ");
        g_string_append_printf (m, "User-Agent: Mozilla/5.0 Thunderbird/115.8.0\nContent-Language: fr\n"
                                   "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
                                   "Content-Transfer-Encoding: 8bit\n\n%s\n\n-- \nChloé Martin\nAcme Paris\n\n"
                                   "Le 10/03/2026 à 09:10, Hub Zoë a écrit :\n%s",
                                nt->str, q);
        break;
      }
    case 3:   /* Apple Mail on an iPhone, de */
      {
        g_autofree char *q = quoted (digest, "> ");
        g_autofree char *body = g_strdup_printf ("%s\n\nVon meinem iPhone gesendet\n\n"
                                                 "Am 10.03.2026 um 09:10 schrieb Hub Zoë <%s>:\n\n%s",
                                                 nt->str, HUB, q);
        g_autofree char *qp = qp_encode (body);
        g_string_append_printf (m, "Content-Type: text/plain; charset=utf-8\n"
                                   "Content-Transfer-Encoding: quoted-printable\n"
                                   "X-Mailer: iPhone Mail (21D61)\n\n%s\n", qp);
        break;
      }
    default:  /* Outlook on the web, en, HTML only */
      {
        g_autofree char *h_new = html_of (nt->str, "<div class=\"elementToProof\" style=\"font-family: "
                                          "Aptos, Calibri, sans-serif; font-size: 12pt;\">", "</div>");
        g_autofree char *h_q = html_of (digest, "", "<br>");
        g_autofree char *html = g_strdup_printf (
          "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
          "<style type=\"text/css\" style=\"display:none;\"> P {margin-top:0;margin-bottom:0;} </style>"
          "</head><body dir=\"ltr\">\n%s<div id=\"appendonsend\"></div>\n"
          "<hr style=\"display:inline-block;width:98%%\" tabindex=\"-1\">\n"
          "<div id=\"divRplyFwdMsg\" dir=\"ltr\"><font face=\"Calibri, sans-serif\"><b>From:</b> Hub Zoë "
          "&lt;%s&gt;<br><b>Sent:</b> Tuesday, March 10, 2026 9:10 AM<br><b>To:</b> Member<br>"
          "<b>Subject:</b> RFP Acme 2027</font><div>&nbsp;</div></div>\n<div>%s</div></body></html>\n",
          h_new, HUB, h_q);
        g_autofree char *b64 = b64_lines (html);
        g_string_append_printf (m, "Content-Type: text/html; charset=\"utf-8\"\n"
                                   "Content-Transfer-Encoding: base64\n\n%s", b64);
        break;
      }
    }
  Mail *mail = g_new0 (Mail, 1);
  gsize len = m->len;
  mail->bytes = g_bytes_new_take (g_string_free (m, FALSE), len);
  mail->new_text = g_string_free (nt, FALSE);
  return mail;
}

/* ---- the hub side ---------------------------------------------------- */

static RtPresence
all_offline (const RtEndpoint *ep, gpointer data)
{
  return RT_PRESENCE_OFFLINE;
}

static gboolean
never_in_room (const RtMember *member, gint64 ws_id, gpointer data)
{
  return FALSE;
}

typedef struct {
  RtStore  *store;
  gint64    ws;
  gint64    members[N_MEMBERS];
  guint8    key[RT_TOKEN_KEY_LEN];
  RtWorld   world;
  RtPolicy  policy;
  guint     pass;
  GPtrArray *corpus;   /* Mail* */
} Bench;

static gboolean
hub_setup (Bench *b, const char *path, guint n_mails)
{
  g_autoptr (GError) error = NULL;
  g_remove (path);
  b->store = rt_store_open (path, &error);
  if (b->store == NULL)
    {
      g_printerr ("bench-reply: %s\n", error->message);
      return FALSE;
    }
  b->ws = rt_store_workspace_create (b->store, "RFP Acme 2027", &error);
  if (b->ws <= 0 || !rt_store_workspace_set_mail (b->store, b->ws, HUB, FALSE, &error))
    {
      g_printerr ("bench-reply: workspace: %s\n", error ? error->message : "?");
      return FALSE;
    }
  for (guint i = 0; i < N_MEMBERS; i++)
    {
      g_autofree char *handle = g_strdup_printf ("m%u", i);
      g_autofree char *address = g_strdup_printf ("member%u@site-b.test", i);
      g_autoptr (RtMember) m = rt_member_new (handle);
      m->ws_id = b->ws;
      m->name = g_strdup_printf ("Member %u", i);
      m->site = g_strdup ("Paris");
      g_ptr_array_add (m->endpoints, rt_endpoint_new ("mailto", address, NULL));
      if (!rt_store_member_save (b->store, m, &error))
        {
          g_printerr ("bench-reply: member: %s\n", error->message);
          return FALSE;
        }
      b->members[i] = m->id;
    }
  /* The hub's key, as the plugin keeps it (meta). */
  guint8 *key = NULL;
  gsize key_len = 0;
  if (!rt_store_token_key (b->store, &key, &key_len, &error) || key_len != RT_TOKEN_KEY_LEN)
    {
      g_printerr ("bench-reply: token key: %s\n", error ? error->message : "size");
      return FALSE;
    }
  memcpy (b->key, key, key_len);
  g_free (key);
  b->world.endpoint_presence = all_offline;
  b->world.member_in_room = never_in_room;
  rt_policy_init_default (&b->policy);

  b->corpus = g_ptr_array_new_with_free_func ((GDestroyNotify) mail_free);
  for (guint i = 0; i < n_mails; i++)
    {
      guint who = i % N_MEMBERS;
      g_autofree char *from = g_strdup_printf ("member%u@site-b.test", who);
      g_autofree char *token = rt_token_make (b->key, sizeof b->key, RT_TOKEN_REPLY, b->members[who], b->ws);
      g_autofree char *to = rt_token_address (HUB, token, &error);
      if (to == NULL)
        {
          g_printerr ("bench-reply: token address: %s\n", error->message);
          return FALSE;
        }
      g_ptr_array_add (b->corpus, make_mail (i, from, to));
    }
  return TRUE;
}

/* The first inline text/plain and text/html parts, as the mail plugin picks
 * them (rt-mail-received.c). */
static void
find_parts (GMimeObject *obj, int depth, GMimePart **plain, GMimePart **html)
{
  if (obj == NULL || depth > RT_MAIL_MAX_DEPTH)
    return;
  if (GMIME_IS_MULTIPART (obj))
    {
      GMimeMultipart *mp = GMIME_MULTIPART (obj);
      for (int i = 0; i < g_mime_multipart_get_count (mp); i++)
        find_parts (g_mime_multipart_get_part (mp, i), depth + 1, plain, html);
      return;
    }
  if (!GMIME_IS_PART (obj))
    return;
  GMimeContentType *ct = g_mime_object_get_content_type (obj);
  GMimeContentDisposition *disp = g_mime_object_get_content_disposition (obj);
  if ((disp != NULL && g_mime_content_disposition_is_attachment (disp))
      || g_mime_part_get_filename (GMIME_PART (obj)) != NULL)
    return;
  if ((ct == NULL || g_mime_content_type_is_type (ct, "text", "plain")) && *plain == NULL)
    *plain = GMIME_PART (obj);
  else if (ct != NULL && g_mime_content_type_is_type (ct, "text", "html") && *html == NULL)
    *html = GMIME_PART (obj);
}

static char *
part_text (GMimePart *part)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  if (content == NULL)
    return g_strdup ("");
  GMimeStream *mem = g_mime_stream_mem_new ();
  g_mime_data_wrapper_write_to_stream (content, mem);
  GByteArray *bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
  const char *charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part), "charset");
  char *text = bytes->len > 0
    ? rt_mail_charset_to_utf8 ((const char *) bytes->data, MIN (bytes->len, RT_MAIL_MAX_HTML_BYTES), charset)
    : g_strdup ("");
  g_object_unref (mem);
  return text;
}

/* Time spent in each step of ours, for the split on stderr. */
enum { STEP_PARSE, STEP_TRIM, STEP_VERIFY, STEP_POST, N_STEPS };
static gint64 step_us[N_STEPS];
static const char *const step_names[N_STEPS] = { "parse", "trim", "verify", "post" };

/* Parse, verify, trim, post one mail; the posted text in *posted (may be
 * NULL). FALSE on anything unexpected. */
static gboolean
ours_one (Bench *b, const Mail *mail, char **posted)
{
  gsize len;
  const char *data = g_bytes_get_data (mail->bytes, &len);
  g_autoptr (GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  /* parse */
  g_autoptr (RtMailMessage) m = rt_mail_parse (data, len, &error);
  if (m == NULL)
    return FALSE;
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (data, len);
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  GMimeMessage *gm = g_mime_parser_construct_message (parser, NULL);
  g_object_unref (parser);
  g_object_unref (stream);
  if (gm == NULL)
    return FALSE;
  RtMailAutoKind kind = rt_mail_classify_auto (gm);
  gint64 t1 = g_get_monotonic_time ();
  /* trim */
  GMimePart *plain = NULL, *html = NULL;
  find_parts (g_mime_message_get_mime_part (gm), 0, &plain, &html);
  g_autofree char *new_text = NULL;
  if (plain == NULL && html != NULL)
    {
      g_autofree char *h = part_text (html);
      new_text = rt_mail_reply_new_text_html (h);
    }
  else
    new_text = rt_mail_reply_new_text (m->text);
  g_object_unref (gm);
  gint64 t2 = g_get_monotonic_time ();
  /* verify and decide */
  g_ptr_array_add (m->to, NULL);   /* NULL-terminated view */
  g_autofree char *message_id = g_strdup_printf ("%s.%u", m->message_id, b->pass);
  RtMailinMail in = {
    .mailbox = HUB,
    .from_address = m->from_address,
    .return_path = m->from_address,
    .recipients = (const char *const *) m->to->pdata,
    .message_id = message_id,
    .in_reply_to = m->in_reply_to,
    .kind = kind == RT_MAIL_AUTO_HUMAN ? RT_MAILIN_HUMAN : RT_MAILIN_AUTOMATIC,
    .new_text = new_text,
    .subject = m->subject,
    .date_us = m->date,
  };
  g_ptr_array_set_size (m->to, m->to->len - 1);
  g_autofree char *key = rt_mailin_key (&in, m->text);
  RtMailinDecision d;
  rt_mailin_decide (b->store, b->key, sizeof b->key, key, &in, &d);
  if (d.action != RT_MAILIN_POST)
    {
      g_printerr ("bench-reply: mail not posted: %s\n", d.why);
      return FALSE;
    }
  gint64 t3 = g_get_monotonic_time ();
  /* post */
  g_autoptr (RtMessage) msg = rt_message_new ();
  msg->ws_id = d.ws_id;
  msg->author_member = d.member_id;
  msg->author_label = g_strdup ("Member (Paris)");
  msg->text = g_strstrip (g_strdup (new_text));
  msg->origin = g_strconcat ("mail:", key, NULL);
  msg->thread_id = d.thread_id;
  if (!rt_hub_accept (b->store, &b->world, &b->policy, msg, &error) || msg->id <= 0)
    {
      g_printerr ("bench-reply: accept: %s\n", error ? error->message : "duplicate");
      return FALSE;
    }
  gboolean explain = FALSE;
  if (!rt_store_mailin_record (b->store, key, d.ws_id, msg->id, d.thread_id, d.why, NULL, &explain, &error))
    {
      g_printerr ("bench-reply: record: %s\n", error->message);
      return FALSE;
    }
  gint64 t4 = g_get_monotonic_time ();
  step_us[STEP_PARSE] += t1 - t0;
  step_us[STEP_TRIM] += t2 - t1;
  step_us[STEP_VERIFY] += t3 - t2;
  step_us[STEP_POST] += t4 - t3;
  if (posted != NULL)
    *posted = g_strdup (msg->text);
  return TRUE;
}

static gboolean
raw_one (Bench *b, const Mail *mail, char **posted)
{
  return bench_raw_gmime_parse (mail->bytes);
}

typedef gboolean (*OneFunc) (Bench *b, const Mail *mail, char **posted);

/* One pass over the corpus: the number of mails, -1 on a failure. */
static gint64
corpus_pass (Bench *b, OneFunc one)
{
  b->pass++;
  for (guint i = 0; i < b->corpus->len; i++)
    if (!one (b, g_ptr_array_index (b->corpus, i), NULL))
      return -1;
  return b->corpus->len;
}

static gint64
ours_pass (gpointer b)
{
  return corpus_pass (b, ours_one);
}

static gint64
raw_pass (gpointer b)
{
  return corpus_pass (b, raw_one);
}

static void
report_round (int round, const double *rates, gpointer user_data G_GNUC_UNUSED)
{
  g_printerr ("bench-reply: round %d: parse+verify+trim+post %.0f mails/s, raw GMime %.0f mails/s\n",
              round, rates[0], rates[1]);
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      g_printerr ("usage: %s DIR [SECONDS_PER_ROUND [ROUNDS [MAILS]]]\n", argv[0]);
      return 2;
    }
  double seconds = argc > 2 ? g_ascii_strtod (argv[2], NULL) : 0.25;
  int rounds = argc > 3 ? atoi (argv[3]) : 8;
  int n_mails = argc > 4 ? atoi (argv[4]) : 200;
  if (seconds <= 0 || rounds <= 0 || n_mails <= 0)
    {
      g_printerr ("usage: %s DIR [SECONDS_PER_ROUND [ROUNDS [MAILS]]]\n", argv[0]);
      return 2;
    }
  rt_mail_init ();
  g_autofree char *path = g_build_filename (argv[1], "reply.db", NULL);
  Bench b = { 0 };
  if (!hub_setup (&b, path, (guint) n_mails))
    return 1;

  /* Every style posts exactly the new text written into it. */
  gsize total = 0;
  b.pass = 0;
  for (guint i = 0; i < b.corpus->len; i++)
    {
      const Mail *mail = g_ptr_array_index (b.corpus, i);
      g_autofree char *posted = NULL;
      total += g_bytes_get_size (mail->bytes);
      if (!ours_one (&b, mail, &posted) || g_strcmp0 (posted, mail->new_text) != 0)
        {
          g_printerr ("bench-reply: mail %u (style %u) posted \"%s\", wanted \"%s\"\n", i, i % 5,
                      posted ? posted : "(nothing)", mail->new_text);
          return 1;
        }
      if (!raw_one (&b, mail, NULL))
        return 1;
    }
  g_printerr ("bench-reply: %u replies in 5 client styles, mean %.0f bytes; all post only their new text\n",
              b.corpus->len, (double) total / b.corpus->len);

  const BenchSide sides[] = { { ours_pass, &b }, { raw_pass, &b } };
  double med[2];
  if (!bench_rounds (sides, 2, rounds, seconds, report_round, NULL, med))
    return 1;
  gint64 all = 0;
  for (int i = 0; i < N_STEPS; i++)
    all += step_us[i];
  GString *split = g_string_new ("bench-reply: time split of ours:");
  for (int i = 0; i < N_STEPS; i++)
    g_string_append_printf (split, " %s %.0f%%", step_names[i], all ? 100.0 * step_us[i] / all : 0);
  g_printerr ("%s\n", split->str);
  g_string_free (split, TRUE);
  bench_print_figure ("reply_mail_rate", med[0], 0, "mails/s", "raw_gmime_parse", med[1], 3);
  fflush (stdout);
  g_ptr_array_unref (b.corpus);
  rt_store_close (b.store);
  return 0;
}
