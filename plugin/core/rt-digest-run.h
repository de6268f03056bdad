/* rt-digest-run.h: who gets a digest now, what is in it, and the fields of
 * the mail. libpurple-free (the glue's rt-digester.c arms the timer and
 * calls the mail plugin); docs/digests.md, "Wiring", explains the rules.
 *
 * A person is an email address: every member row (in any workspace) whose
 * mail address (rt_member_mail_endpoint) is that address, compared
 * case-insensitively. When one of a person's rows has a slot due, the
 * person gets one digest with the items kept for all their rows. */
#pragma once
#include "rt-store.h"
#include "rt-digest.h"

G_BEGIN_DECLS

/* Can this member row get digests (and mention mails) at all: a schedule
 * other than off, not unsubscribed, an email address that is not failing,
 * and a workspace with a mailbox. ws may be NULL (no). */
gboolean rt_digest_row_eligible (const RtMember *member, const RtWorkspace *ws);

/* One row's timing, given since_us, when the oldest item of its person was
 * kept. Returns the slot due now (the latest slot in (last_digest_slot,
 * now_us] that is not before since_us), or 0; then *next_us (may be NULL)
 * is the first later instant at which a slot of this row will be due for
 * those items (0: never, e.g. off). Items kept after a slot wait for the
 * next one: a message at 09:00 does not fire the 08:00 digest late. */
gint64   rt_digest_row_due (const RtMember *member, gint64 since_us, gint64 now_us,
                            gint64 *next_us);

/* A row offered to rt_digest_people. */
typedef struct {
  const RtMember *member;   /* borrowed; eligible */
  gint64          since_us; /* oldest item kept for this row, 0 if none */
} RtDigestRow;

typedef struct {
  char      *address;   /* casefolded address: the person's key */
  GPtrArray *rows;      /* const RtMember* (borrowed), by member id */
  gint64     since_us;  /* oldest item kept over the rows */
  const RtMember *due;  /* the row whose digest goes now (latest due slot,
                           then lowest id), or NULL */
  gint64     due_slot;  /* its slot */
  GArray    *slots;     /* gint64 pairs (member id, slot) of every row due now */
  gint64     next_us;   /* if none is due: when one will be (0: never) */
} RtDigestPerson;

void rt_digest_person_free (RtDigestPerson *person);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtDigestPerson, rt_digest_person_free)

/* Group rows by address and time each person that has items kept.
 * (transfer full: RtDigestPerson*, by address) */
GPtrArray *rt_digest_people (const RtDigestRow *rows, guint n_rows, gint64 now_us);

/* The contents of one person's digest, read from the store. */
typedef struct {
  GArray    *items;     /* RtDigestItem; strings point into the fields below */
  GArray    *rows;      /* RtPendingRow included (to mark them sent) */
  GPtrArray *messages;  /* RtMessage*, owned */
  GPtrArray *workspaces;/* RtWorkspace*, owned */
  GPtrArray *strings;   /* char*, owned (thread titles) */
} RtDigestBatch;

/* Items of pending (RtPendingRow of the person's rows, by member) with the
 * message, workspace name, thread (the first words of the message a thread
 * answers), mention (of the row that keeps it) and decision flags. Messages
 * gone meanwhile are left out. (transfer full) */
RtDigestBatch *rt_digest_batch_load (RtStore *store, const RtDigestPerson *person,
                                     const RtPendingRow *pending, guint n_pending);
void           rt_digest_batch_free (RtDigestBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtDigestBatch, rt_digest_batch_free)

/* "<ws-ID.roundtable.DOMAIN>" with DOMAIN of mailbox ("invalid" if that is
 * not an address). (transfer full) */
char *rt_digest_list_id (gint64 ws_id, const char *mailbox);

/* The reply address ("hub+r-…@domain") or, for RT_TOKEN_UNSUBSCRIBE, the
 * List-Unsubscribe URL ("mailto:hub+u-…@domain") of member in ws_id, at
 * the hub address mailbox. NULL with error if mailbox is not usable.
 * Tokens are credentials: never log the result. (transfer full) */
char *rt_digest_token_address (const guint8 *key, gsize key_len, int purpose,
                               gint64 member_id, gint64 ws_id, const char *mailbox,
                               GError **error);

/* The fields of a digest or mention mail for the mail plugin's send-mail
 * IPC (keys as rt-mail-ipc.h names them). */
typedef struct {
  char *subject;
  char *text;
  char *html;
  char *reply_to;
  char *list_id;
  char *list_unsubscribe;   /* "<mailto:…>" */
  char *message_id;         /* "<rt-digest-MEMBER-SLOT@DOMAIN>" */
} RtDigestMail;

void rt_digest_mail_free (RtDigestMail *mail);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtDigestMail, rt_digest_mail_free)

/* The digest mail of person (due row, due slot) from batch, composed with
 * rt_digest_compose in the due row's language and time zone, sent from
 * mailbox with reply and unsubscribe links per workspace. NULL with error
 * when mailbox is not a usable address; NULL without error when the batch
 * is empty. */
RtDigestMail *rt_digest_mail_new (const RtDigestPerson *person, const RtDigestBatch *batch,
                                  const char *mailbox, const guint8 *key, gsize key_len,
                                  gint64 now_us, GError **error);

/* The short mail for a mention of member in msg (in ws), composed in the
 * member's language and time zone: subject "[WS] AUTHOR mentioned you",
 * the line, how to answer. Message-ID "<rt-mention-MSG-MEMBER@DOMAIN>".
 * NULL with error when mailbox is not a usable address. */
RtDigestMail *rt_mention_mail_new (const RtMember *member, const RtWorkspace *ws,
                                   const RtMessage *msg, const char *mailbox,
                                   const guint8 *key, gsize key_len, GError **error);

G_END_DECLS
