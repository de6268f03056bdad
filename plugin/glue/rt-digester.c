/* rt-digester.c: digests at each member's slots, and mention mails, on the
 * libpurple event loop. One timer: each tick mails the mentions that are due
 * (a few), then looks at who has messages kept for a digest (one scan of the
 * undelivered rows, at most once a second), queues the people whose slot is
 * due and mails a few of them per tick (re-armed at 0 ms while any are
 * left), then sleeps until the earliest next slot, mention or retry.
 *
 * The rules (who, when, what) are the core's: rt-digest-run.[ch]. A mail
 * the mail plugin accepted is in flight (rt-mail-flight.c) until it says
 * how it ended: a digest sent is marked sent with its slot, in one
 * transaction; a digest that failed is kept again, its slot not recorded,
 * and the next look sends it again; a mention mail that failed is retried
 * with backoff. A mailbox that is offline makes them wait, nothing is lost.
 * docs/digests.md ("Wiring") has the details. */
#include "rt-glue.h"
#include "rt-clock.h"
#include "rt-token.h"

#define MIN_GAP_US         (1 * G_USEC_PER_SEC)    /* looks at most once a second */
#define ACCEPT_GAP_US      (30 * G_USEC_PER_SEC)   /* ... after a new message: every 30 s */
#define IDLE_RECHECK_US    (600 * G_USEC_PER_SEC)  /* look anyway after 10 min */
#define WAIT_US            (30 * G_USEC_PER_SEC)   /* no mailbox online: again in 30 s */
#define REFUSED_US         (300 * G_USEC_PER_SEC)  /* the IPC refused: again in 5 min */
#define DIGESTS_PER_SLICE  3
#define MENTIONS_PER_SLICE 8
/* A mention mail that failed is retried after 2 s, 4 s, ... at most 5 min,
 * and dropped after this many tries (the digest has the message). */
#define MENTION_RETRY_BASE_US (2 * G_USEC_PER_SEC)
#define MENTION_MAX_TRIES     6

/* One look: the members (copies: the store's cached arrays change when a
 * digest is marked sent), the people, and the rows kept for those due. */
typedef struct {
  GPtrArray *members;   /* RtMember*, owned */
  GPtrArray *people;    /* RtDigestPerson*, owned */
  GPtrArray *due;       /* RtDigestPerson*, borrowed: to mail, in order */
  guint      next;      /* index into due */
  GArray    *pending;   /* RtPendingRow of the due people's rows, by member */
} Look;

static guint timer;
static gint64 timer_at_mono;      /* when timer fires (monotonic µs) */
static gint64 last_look_mono;
static gboolean running;
static Look *look;
static GHashTable *retry_at;      /* person address -> gint64* (rt_clock µs) */
static GHashTable *in_flight;     /* person addresses whose digest is in flight */
static guint8 *token_key;
static gsize token_key_len;

static void
look_free (Look *l)
{
  if (l == NULL)
    return;
  g_ptr_array_unref (l->due);
  g_ptr_array_unref (l->people);
  g_ptr_array_unref (l->members);
  g_array_unref (l->pending);
  g_free (l);
}

static void arm (gint64 delay_us);

static gboolean
ensure_key (void)
{
  g_autoptr(GError) error = NULL;
  if (token_key != NULL)
    return TRUE;
  if (!rt_store_token_key (rt_glue ()->store, &token_key, &token_key_len, &error))
    {
      purple_debug_error (RT_DEBUG_CAT, "no reply-token key: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

/* The account that mails for ws_id, if it can send now. */
static PurpleAccount *
ready_mailbox (gint64 ws_id, char **mailbox)
{
  g_autoptr(RtWorkspace) ws = rt_store_workspace_get (rt_glue ()->store, ws_id);
  PurpleAccount *account = ws != NULL ? rt_mailer_account (ws->mailbox) : NULL;
  if (!rt_mailer_ready (account))
    return NULL;
  *mailbox = g_strdup (purple_account_get_username (account));
  return account;
}

static void
retry_later (const char *address, gint64 at)
{
  gint64 *v = g_new (gint64, 1);
  *v = at;
  g_hash_table_replace (retry_at, g_strdup (address), v);
}

/* ---- mention mails --------------------------------------------------- */

static void
mention_done (const RtMentionRow *r, int state, const char *message_id, gint64 ws_id,
              const char *why)
{
  g_autoptr(GError) error = NULL;
  if (!rt_store_mention_done (rt_glue ()->store, r->msg_id, r->member_id, state, message_id,
                              ws_id, &error))
    purple_debug_error (RT_DEBUG_CAT, "mention %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                        " not recorded: %s\n", r->msg_id, r->member_id, error->message);
  else
    purple_debug_info (RT_DEBUG_CAT, "mention %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " %s\n",
                       r->msg_id, r->member_id, why);
}

static void
mention_defer (const RtMentionRow *r, gint64 at, const char *why)
{
  rt_store_mention_defer (rt_glue ()->store, r->msg_id, r->member_id, at, NULL);
  purple_debug_info (RT_DEBUG_CAT, "mention %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                     " waits (%s)\n", r->msg_id, r->member_id, why);
}

static void wake_for_mentions (void);

/* The mail plugin's outcome of a mention mail (data: its RtMentionRow). */
static void
mention_landed (gboolean sent, const char *error_text, gpointer data)
{
  const RtMentionRow *r = data;
  g_autoptr(GError) error = NULL;
  if (!running || rt_glue () == NULL)
    return;
  if (sent)
    {
      /* Its Message-ID went to mail_out when it was queued. */
      mention_done (r, RT_MENTION_SENT, NULL, 0, "sent");
      return;
    }
  gboolean give_up = r->attempts + 1 >= MENTION_MAX_TRIES;
  gint64 due = rt_clock_now () + MIN (MENTION_RETRY_BASE_US << MIN (r->attempts, 10), REFUSED_US);
  if (!rt_store_mention_failed (rt_glue ()->store, r->msg_id, r->member_id, due, give_up, &error))
    purple_debug_error (RT_DEBUG_CAT, "mention not updated: %s\n", error->message);
  purple_debug_info (RT_DEBUG_CAT, "mention %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " mail failed (%s), %s\n",
                     r->msg_id, r->member_id, error_text, give_up ? "dropped" : "will retry");
  wake_for_mentions ();
}

static void
handle_mention (const RtMentionRow *r, gint64 now)
{
  RtGlue *glue = rt_glue ();
  g_autoptr(RtMember) m = rt_store_member_get (glue->store, r->member_id);
  g_autoptr(RtMessage) msg = rt_store_message_get (glue->store, r->msg_id);
  g_autoptr(RtWorkspace) ws = msg != NULL ? rt_store_workspace_get (glue->store, msg->ws_id) : NULL;
  if (m == NULL || msg == NULL || ws == NULL)
    {
      mention_done (r, RT_MENTION_DROPPED, NULL, 0, "dropped (gone)");
      return;
    }
  /* Live now counts as seen: they can read it where they are. */
  RtReachability reach = rt_hub_reach (&glue->world, m, now);
  if (reach.reach == RT_REACH_LIVE || glue->world.member_in_room (m, m->ws_id, glue->world.data))
    rt_store_member_seen_live (glue->store, m->id, now, NULL);
  if (rt_store_member_last_live (glue->store, m->id) >= msg->created_us)
    {
      mention_done (r, RT_MENTION_DROPPED, NULL, 0, "dropped (seen live since)");
      return;
    }
  if (!rt_digest_row_eligible (m, ws))
    {
      mention_done (r, RT_MENTION_DROPPED, NULL, 0,
                    "dropped (no mail: schedule off, unsubscribed, no working address or no mailbox)");
      return;
    }
  g_autofree char *mailbox = NULL;
  PurpleAccount *account = ready_mailbox (ws->id, &mailbox);
  if (account == NULL)
    {
      mention_defer (r, now + WAIT_US, "mailbox offline");
      return;
    }
  if (!ensure_key ())
    {
      mention_defer (r, now + REFUSED_US, "no key");
      return;
    }
  g_autoptr(GError) error = NULL;
  g_autoptr(RtDigestMail) mail = rt_mention_mail_new (m, ws, msg, mailbox, token_key,
                                                      token_key_len, &error);
  if (mail == NULL)
    {
      purple_debug_error (RT_DEBUG_CAT, "mention mail not made: %s\n", error->message);
      mention_done (r, RT_MENTION_DROPPED, NULL, 0, "dropped (mail not made)");
      return;
    }
  const RtEndpoint *ep = g_ptr_array_index (m->endpoints, rt_member_mail_endpoint (m));
  const char *why = NULL;
  switch (rt_mailer_send_rich (account, ep->address, mail, &why))
    {
    case RT_MAILER_QUEUED:
      if (!rt_mail_flight_tracking ())
        {
          mention_done (r, RT_MENTION_SENT, mail->message_id, ws->id, "mailed");
          break;
        }
      if (!rt_store_mention_in_flight (glue->store, r->msg_id, r->member_id, mail->message_id, ws->id,
                                       &error))
        purple_debug_error (RT_DEBUG_CAT, "mention in flight not recorded: %s\n", error->message);
      purple_debug_info (RT_DEBUG_CAT, "mention %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " queued, %s\n",
                         r->msg_id, r->member_id, mail->message_id);
      rt_mail_flight_add (mail->message_id, mention_landed, g_memdup2 (r, sizeof *r), g_free);
      break;
    case RT_MAILER_WAIT:
      mention_defer (r, now + WAIT_US, why);
      break;
    case RT_MAILER_NO_ROUTE:
      mention_done (r, RT_MENTION_DROPPED, NULL, 0, why);
      break;
    case RT_MAILER_REFUSED:
      mention_defer (r, now + REFUSED_US, why);
      break;
    }
}

/* Mails the mentions due; returns how many it handled. */
static guint
mentions_slice (gint64 now)
{
  g_autoptr(GArray) due = rt_store_mentions_due (rt_glue ()->store, now, MENTIONS_PER_SLICE);
  for (guint i = 0; i < due->len; i++)
    handle_mention (&g_array_index (due, RtMentionRow, i), now);
  return due->len;
}

/* ---- digests --------------------------------------------------------- */

/* Who has messages kept, and who is due now. Returns when to look again. */
static gint64
look_now (gint64 now)
{
  RtGlue *glue = rt_glue ();
  gint64 next = now + IDLE_RECHECK_US;
  last_look_mono = g_get_monotonic_time ();

  /* Every member who can get digests (borrowed from the store's cached
   * arrays: nothing writes members during the look), then when the oldest
   * item of each was kept: one index seek per member. */
  g_autoptr(GPtrArray) eligible = g_ptr_array_new ();
  g_autoptr(GArray) eligible_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) workspaces = rt_store_workspaces (glue->store);
  for (guint w = 0; w < workspaces->len; w++)
    {
      const RtWorkspace *ws = g_ptr_array_index (workspaces, w);
      GPtrArray *members = rt_store_members (glue->store, ws->id);
      for (guint i = 0; i < members->len; i++)
        {
          const RtMember *m = g_ptr_array_index (members, i);
          if (!rt_digest_row_eligible (m, ws))
            continue;
          g_ptr_array_add (eligible, (gpointer) m);
          g_array_append_val (eligible_ids, m->id);
        }
    }
  g_autoptr(GArray) since = rt_store_pending_since (glue->store, (const gint64 *) eligible_ids->data,
                                                    eligible_ids->len);
  if (since->len == 0)
    return next;
  g_autoptr(GHashTable) since_of = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < since->len; i++)
    {
      RtPendingSince *p = &g_array_index (since, RtPendingSince, i);
      g_hash_table_insert (since_of, &p->member_id, p);
    }

  /* Rows without items count too (the person's slot may be theirs). The
   * look keeps copies: the cached arrays change when a digest is marked
   * sent. */
  Look *l = g_new0 (Look, 1);
  l->members = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_member_free);
  l->due = g_ptr_array_new ();
  l->pending = g_array_new (FALSE, FALSE, sizeof (RtPendingRow));
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (RtDigestRow));
  for (guint i = 0; i < eligible->len; i++)
    {
      RtMember *copy = rt_member_copy (g_ptr_array_index (eligible, i));
      g_ptr_array_add (l->members, copy);
      RtPendingSince *p = g_hash_table_lookup (since_of, &copy->id);
      RtDigestRow row = { copy, p != NULL ? p->since_us : 0 };
      g_array_append_val (rows, row);
    }
  l->people = rt_digest_people ((const RtDigestRow *) rows->data, rows->len, now);

  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < l->people->len; i++)
    {
      RtDigestPerson *p = g_ptr_array_index (l->people, i);
      gint64 *retry = g_hash_table_lookup (retry_at, p->address);
      if (p->due != NULL && g_hash_table_contains (in_flight, p->address))
        continue;   /* its outcome looks again */
      if (p->due != NULL && retry != NULL && *retry > now)
        next = MIN (next, *retry);
      else if (p->due != NULL)
        {
          g_ptr_array_add (l->due, p);
          for (guint r = 0; r < p->rows->len; r++)
            g_array_append_val (ids, ((RtMember *) g_ptr_array_index (p->rows, r))->id);
        }
      else if (p->next_us != 0)
        next = MIN (next, p->next_us);
    }
  if (l->due->len > 0)
    {
      g_array_unref (l->pending);
      l->pending = rt_store_pending_rows (glue->store, (const gint64 *) ids->data, ids->len);
      look = l;
    }
  else
    look_free (l);
  return next;
}

/* The pending rows of person's rows (l->pending is sorted by member). */
static GArray *
person_pending (const Look *l, const RtDigestPerson *p)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (RtPendingRow));
  g_autoptr(GHashTable) mine = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint r = 0; r < p->rows->len; r++)
    g_hash_table_add (mine, &((RtMember *) g_ptr_array_index (p->rows, r))->id);
  for (guint i = 0; i < l->pending->len; i++)
    {
      RtPendingRow *row = &g_array_index (l->pending, RtPendingRow, i);
      if (g_hash_table_contains (mine, &row->member_id))
        g_array_append_val (out, *row);
    }
  return out;
}

static void
record_sent (const GArray *rows, const GArray *slots, const char *message_id, gint64 ws_id,
             gint64 member_id)
{
  g_autoptr(GError) error = NULL;
  if (!rt_store_digest_sent (rt_glue ()->store, (const RtPendingRow *) rows->data, rows->len,
                             (const gint64 *) slots->data, slots->len / 2, message_id, ws_id,
                             member_id, &error))
    purple_debug_error (RT_DEBUG_CAT, "digest of member %" G_GINT64_FORMAT " not recorded: %s\n",
                        member_id, error->message);
}

/* A digest the mail plugin accepted, until it says how it ended. */
typedef struct {
  char   *address;      /* the person */
  char   *message_id;
  GArray *rows;         /* RtPendingRow included */
  GArray *slots;        /* (member id, slot) pairs to record once sent */
  gint64  member_id;    /* the due row */
  gint64  ws_id;
  guint   n_items;
  char   *to;
} DigestFlight;

static void
digest_flight_free (DigestFlight *d)
{
  g_free (d->address);
  g_free (d->message_id);
  g_array_unref (d->rows);
  g_array_unref (d->slots);
  g_free (d->to);
  g_free (d);
}

static void
digest_landed (gboolean sent, const char *error_text, gpointer data)
{
  DigestFlight *d = data;
  g_autoptr(GError) error = NULL;
  if (!running || rt_glue () == NULL)
    return;
  g_hash_table_remove (in_flight, d->address);
  if (sent)
    {
      record_sent (d->rows, d->slots, NULL, d->ws_id, d->member_id);
      purple_debug_info (RT_DEBUG_CAT, "digest %s of member %" G_GINT64_FORMAT " mailed to %s: %u messages\n",
                         d->message_id, d->member_id, d->to, d->n_items);
    }
  else
    {
      /* Kept again, the slot not recorded: the next look sends it again
       * (at once when its mailbox signs on again). */
      if (!rt_store_digest_failed (rt_glue ()->store, (const RtPendingRow *) d->rows->data, d->rows->len,
                                   &error))
        purple_debug_error (RT_DEBUG_CAT, "digest rows not kept again: %s\n", error->message);
      purple_debug_info (RT_DEBUG_CAT, "digest %s of member %" G_GINT64_FORMAT " failed (%s), will retry\n",
                         d->message_id, d->member_id, error_text);
      retry_later (d->address, rt_clock_now () + REFUSED_US);
    }
  rt_digester_kick ();
}

static void
send_digest (const Look *l, const RtDigestPerson *p, gint64 now)
{
  RtGlue *glue = rt_glue ();
  /* The due row's mailbox, else any of the person's that is online. */
  g_autofree char *mailbox = NULL;
  gint64 ws_id = p->due->ws_id;
  PurpleAccount *account = ready_mailbox (ws_id, &mailbox);
  for (guint r = 0; account == NULL && r < p->rows->len; r++)
    {
      ws_id = ((RtMember *) g_ptr_array_index (p->rows, r))->ws_id;
      account = ready_mailbox (ws_id, &mailbox);
    }
  if (account == NULL)
    {
      purple_debug_info (RT_DEBUG_CAT, "digest of member %" G_GINT64_FORMAT
                         " waits: no mailbox of theirs is online\n", p->due->id);
      retry_later (p->address, now + WAIT_US);
      return;
    }
  if (!ensure_key ())
    {
      retry_later (p->address, now + REFUSED_US);
      return;
    }
  g_autoptr(GArray) pending = person_pending (l, p);
  g_autoptr(RtDigestBatch) batch = rt_digest_batch_load (glue->store, p,
                                                         (const RtPendingRow *) pending->data,
                                                         pending->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(RtDigestMail) mail = rt_digest_mail_new (p, batch, mailbox, token_key, token_key_len,
                                                     now, &error);
  if (mail == NULL && error != NULL)
    {
      purple_debug_error (RT_DEBUG_CAT, "digest of member %" G_GINT64_FORMAT " not made: %s\n",
                          p->due->id, error->message);
      retry_later (p->address, now + REFUSED_US);
      return;
    }
  if (mail == NULL)
    {
      /* Its messages were deleted meanwhile: the slot is used up. */
      record_sent (batch->rows, p->slots, NULL, ws_id, p->due->id);
      return;
    }
  const RtEndpoint *ep = g_ptr_array_index (p->due->endpoints, rt_member_mail_endpoint (p->due));
  const char *why = NULL;
  switch (rt_mailer_send_rich (account, ep->address, mail, &why))
    {
    case RT_MAILER_QUEUED:
      g_hash_table_remove (retry_at, p->address);
      if (!rt_mail_flight_tracking ())
        {
          record_sent (batch->rows, p->slots, mail->message_id, ws_id, p->due->id);
          purple_debug_info (RT_DEBUG_CAT, "digest %s of member %" G_GINT64_FORMAT " mailed to %s: "
                             "%u messages\n", mail->message_id, p->due->id, ep->address, batch->items->len);
          break;
        }
      if (!rt_store_digest_in_flight (glue->store, (const RtPendingRow *) batch->rows->data, batch->rows->len,
                                      mail->message_id, ws_id, p->due->id, &error))
        purple_debug_error (RT_DEBUG_CAT, "digest in flight not recorded: %s\n", error->message);
      DigestFlight *d = g_new0 (DigestFlight, 1);
      d->address = g_strdup (p->address);
      d->message_id = g_strdup (mail->message_id);
      d->rows = g_array_ref (batch->rows);
      d->slots = g_array_ref (p->slots);
      d->member_id = p->due->id;
      d->ws_id = ws_id;
      d->n_items = batch->items->len;
      d->to = g_strdup (ep->address);
      g_hash_table_add (in_flight, g_strdup (p->address));
      purple_debug_info (RT_DEBUG_CAT, "digest %s of member %" G_GINT64_FORMAT " queued from %s\n",
                         mail->message_id, p->due->id, mailbox);
      rt_mail_flight_add (mail->message_id, digest_landed, d, (GDestroyNotify) digest_flight_free);
      break;
    case RT_MAILER_WAIT:
      retry_later (p->address, now + WAIT_US);
      break;
    case RT_MAILER_NO_ROUTE:
    case RT_MAILER_REFUSED:
      purple_debug_error (RT_DEBUG_CAT, "digest of member %" G_GINT64_FORMAT " not sent (%s), "
                          "will retry\n", p->due->id, why);
      retry_later (p->address, now + REFUSED_US);
      break;
    }
}

/* ---- the timer ------------------------------------------------------- */

/* When the next look is wanted (monotonic µs): at the earliest next slot,
 * after a retry delay, or soon after a change. */
static gint64 next_look_mono;

static gint64
mono_of (gint64 clock_us, gint64 now, gint64 mono)
{
  return mono + MAX (clock_us - now, 0);
}

static gboolean
tick (gpointer data)
{
  timer = 0;
  if (!running || rt_glue () == NULL)
    return FALSE;
  gint64 now = rt_clock_now ();
  gint64 mono = g_get_monotonic_time ();

  if (mentions_slice (now) == MENTIONS_PER_SLICE)
    {
      arm (0);   /* more may be due: next slice */
      return FALSE;
    }
  if (look == NULL && mono >= next_look_mono)
    next_look_mono = mono_of (look_now (now), now, mono);
  for (guint n = 0; look != NULL && n < DIGESTS_PER_SLICE && look->next < look->due->len; n++)
    send_digest (look, g_ptr_array_index (look->due, look->next++), now);
  if (look != NULL && look->next < look->due->len)
    {
      arm (0);
      return FALSE;
    }
  if (look != NULL)
    {
      /* This look is done: look again (what was sent is no longer kept,
       * retries are honoured) once the gap has passed. */
      g_clear_pointer (&look, look_free);
      next_look_mono = MIN (next_look_mono, last_look_mono + MIN_GAP_US);
    }
  gint64 wake = next_look_mono;
  gint64 mention = rt_store_mentions_next (rt_glue ()->store);
  if (mention >= 0)
    wake = MIN (wake, mono_of (mention, now, mono));
  arm (wake - g_get_monotonic_time ());
  return FALSE;
}

static void
arm (gint64 delay_us)
{
  if (timer != 0)
    purple_timeout_remove (timer);
  delay_us = CLAMP (delay_us, 0, IDLE_RECHECK_US);
  timer_at_mono = g_get_monotonic_time () + delay_us;
  /* Round up: waking a little late is fine, early would only re-arm. */
  timer = purple_timeout_add ((guint) ((delay_us + 999) / 1000), tick, NULL);
}

/* Look again no later than gap after the last look. */
static void
want_look (gint64 gap_us)
{
  if (!running)
    return;
  gint64 mono = g_get_monotonic_time ();
  gint64 want = MAX (mono, last_look_mono + gap_us);
  next_look_mono = MIN (next_look_mono, want);
  if (timer == 0 || timer_at_mono > want)
    arm (want - mono);
}

void
rt_digester_kick (void)
{
  want_look (MIN_GAP_US);
}

/* Wake up in time for the earliest waiting mention. */
static void
wake_for_mentions (void)
{
  gint64 now = rt_clock_now (), mono = g_get_monotonic_time ();
  gint64 mention = rt_store_mentions_next (rt_glue ()->store);
  if (running && mention >= 0 && (timer == 0 || timer_at_mono > mono_of (mention, now, mono)))
    arm (mention - now);
}

void
rt_digester_note_message (void)
{
  if (!running)
    return;
  /* A new item only matters at its member's next slot, at least a minute
   * away: looking every ACCEPT_GAP_US at most keeps a busy workspace from
   * scanning the kept rows after every line. */
  want_look (ACCEPT_GAP_US);
  /* A mention row may be due before that. */
  wake_for_mentions ();
}

void
rt_digester_retry_now (void)
{
  if (!running)
    return;
  g_hash_table_remove_all (retry_at);   /* a mailbox may be back */
  rt_digester_kick ();
}

void
rt_digester_seen_live (gint64 member_id)
{
  RtGlue *glue = rt_glue ();
  g_autoptr(GError) error = NULL;
  if (glue != NULL && !rt_store_member_seen_live (glue->store, member_id, rt_clock_now (), &error))
    purple_debug_error (RT_DEBUG_CAT, "last live time not recorded: %s\n", error->message);
}

void
rt_digester_start (void)
{
  retry_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  running = TRUE;
  last_look_mono = 0;
  next_look_mono = 0;
  /* At load: a slot missed while the hub was down goes out now, once. */
  arm (0);
}

void
rt_digester_stop (void)
{
  running = FALSE;
  if (timer != 0)
    purple_timeout_remove (timer);
  timer = 0;
  g_clear_pointer (&look, look_free);
  g_clear_pointer (&retry_at, g_hash_table_destroy);
  g_clear_pointer (&in_flight, g_hash_table_destroy);
  if (token_key != NULL)
    memset (token_key, 0, token_key_len);
  g_clear_pointer (&token_key, g_free);
  token_key_len = 0;
}
