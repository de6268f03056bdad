/* rt-mailin.h: a mail that reached a workspace's mailbox: what to do with
 * it (post as a member, unsubscribe, refuse and explain, mark a bounced
 * address failing, or leave it alone) and the store writes that go with it.
 * libpurple-free; the glue (plugin/glue/rt-mail-in.c) feeds it from the mail
 * plugin's "roundtable-mail-received" signal. docs/mail-replies.md, Wiring. */
#pragma once
#include "rt-store.h"

G_BEGIN_DECLS

typedef enum {
  RT_MAILIN_HUMAN,        /* written by a person */
  RT_MAILIN_AUTOMATIC,    /* auto-reply, vacation, list, bulk, receipt */
  RT_MAILIN_BOUNCED,      /* a delivery failure report */
} RtMailinKind;

/* What the decision reads of a mail (all borrowed). */
typedef struct {
  const char *mailbox;             /* the address of the account it arrived in */
  const char *from_address;        /* From, or NULL */
  const char *return_path;         /* envelope sender: "" null sender, NULL unknown */
  const char *const *recipients;   /* To, Cc, Delivered-To, X-Original-To
                                    * addresses, NULL-terminated */
  const char *message_id;          /* without <>, or NULL */
  const char *in_reply_to;         /* or NULL */
  const char *const *references;   /* oldest first, NULL-terminated, or NULL */
  RtMailinKind kind;
  const char *bounce_recipient;    /* BOUNCED: the failed address, or NULL */
  const char *bounce_status;       /* BOUNCED: why, or NULL */
  const char *new_text;            /* the reply's new text (never NULL) */
  const char *subject;             /* or NULL */
  gint64 date_us;                  /* Date:, 0 if none */
} RtMailinMail;

typedef enum {
  RT_MAILIN_NOT_OURS,     /* not a workspace's mailbox, the hub's own mail, or
                           * a stranger without a token: left to the mail
                           * plugin (an IM, as any mail) */
  RT_MAILIN_DUPLICATE,    /* seen before (mail_in): ignored */
  RT_MAILIN_POST,         /* post new_text as member_id into ws_id */
  RT_MAILIN_UNSUBSCRIBE,  /* member_id unsubscribes from email digests */
  RT_MAILIN_REFUSE,       /* a bad token, a removed member's, or one from
                           * another address: nothing posted */
  RT_MAILIN_AUTO,         /* automatic: nothing posted, nothing answered */
  RT_MAILIN_BOUNCE,       /* mark bounce_recipient's endpoints failing */
  RT_MAILIN_EMPTY,        /* a member's mail with no new text: nothing */
} RtMailinAction;

typedef struct {
  RtMailinAction action;
  gint64 ws_id;           /* POST, UNSUBSCRIBE, REFUSE (when the token named
                           * a workspace of this mailbox), else 0 */
  gint64 member_id;       /* POST, UNSUBSCRIBE */
  gint64 thread_id;       /* POST: the message answered (mail_out), 0: none */
  gboolean explain;       /* REFUSE: the sender may get an explanation (a
                           * person, not the hub; the daily limit is the
                           * store's, rt_store_mailin_record) */
  const char *why;        /* static English: the mail_in outcome and the
                           * debug log; never contains the token */
} RtMailinDecision;

/* The key mail_in remembers the mail by: its Message-ID, or for a mail
 * without one a digest of sender, date, subject and text ("sha256:…").
 * (transfer full) */
char *rt_mailin_key (const RtMailinMail *mail, const char *text);

/* Decides what to do with mail (key from rt_mailin_key) against the store:
 * token checks (rt-token.h: purpose, member still in that workspace, sender
 * one of the member's email addresses), automatic mail and bounces, mail
 * seen before. key/key_len: the hub's reply-token key. Reads only. */
void rt_mailin_decide (RtStore *store, const guint8 *key, gsize key_len, const char *mail_key,
                       const RtMailinMail *mail, RtMailinDecision *out);

/* May an explanation go to address at all: a person's address that is not
 * MAILER-DAEMON, postmaster, a workspace's mailbox or a +tag of one, and the
 * envelope sender is not null. */
gboolean rt_mailin_may_explain (RtStore *store, const RtMailinMail *mail);

/* The explanation mail for a refused one, in English and, when it differs,
 * the hub's language (gettext). Names the mailbox, never the token.
 * (transfer full) */
char *rt_mailin_explain_subject (void);
char *rt_mailin_explain_text (const char *mailbox);

/* "NAME ↪ PARENT" for a reply in a thread: the author's label and the
 * answered message's author (its label without the site, clipped).
 * (transfer full) */
char *rt_mailin_thread_label (const char *author_label, const char *parent_label);

/* ---- store (rt-store-mailin.c) ------------------------------------- */

/* Was a mail with this key taken in already? */
gboolean rt_store_mailin_seen (RtStore *store, const char *key);

/* The workspace message a Message-ID the hub mailed stands for (mail_out,
 * in ws_id; message_id without <>, the row with or without), or the root of
 * that message's thread; 0 if none. */
gint64 rt_store_mailin_thread_of (RtStore *store, gint64 ws_id, const char *message_id);

/* Records the mail's outcome (mail_in; a key seen before keeps its first
 * outcome) in one transaction with what goes with it: the thread of the
 * posted message msg_id (thread_id, 0: none), and for explain_to (or NULL)
 * the daily limit of explanation mails: *explain is TRUE when none went to
 * that address in the last 24 h (and now counts as sent). */
gboolean rt_store_mailin_record (RtStore *store, const char *key, gint64 ws_id, gint64 msg_id,
                                 gint64 thread_id, const char *outcome, const char *explain_to,
                                 gboolean *explain, GError **error);

/* The member unsubscribed from email digests now (members.unsubscribed_us;
 * a second request keeps the first time). *changed: it was not before. */
gboolean rt_store_mailin_unsubscribe (RtStore *store, gint64 member_id, gboolean *changed,
                                      GError **error);

/* Marks (reason non-NULL) or clears (reason NULL) as failing every email
 * endpoint with this address of a member of a workspace whose mailbox is
 * mailbox. Returns the number of endpoints changed, -1 on error. */
gint rt_store_mailin_set_failing (RtStore *store, const char *mailbox, const char *address,
                                  const char *reason, GError **error);

/* Why the endpoint is failing (never NULL when failing: "" if no reason is
 * known) and since when; NULL when it is not. (transfer full) */
char *rt_store_mailin_failing (RtStore *store, gint64 endpoint_id, gint64 *since_us);

G_END_DECLS
