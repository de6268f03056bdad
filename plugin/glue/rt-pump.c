/* rt-pump.c: the outbox pump. Sends due deliveries in short slices on the
 * libpurple event loop, so a burst never freezes the client; marks each one
 * sent right after it went out, so a restart resends nothing that was sent.
 * A mail is only queued by the mail plugin: it stays in flight until the
 * plugin says it was sent (then sent) or failed (then retried with backoff,
 * as a failed IM), rt-mail-flight.c.
 *
 * Failures: a room whose account is offline or not joined yet waits, checked
 * every second, until it is back (its lines are never dropped); so does a
 * mail while the workspace's mailbox account is offline or missing; a failed
 * send (or a mail the IPC refused) backs off exponentially; a member whose IM
 * endpoint went offline since planning falls back to their next digest, as
 * does a member after MAX_SEND_ATTEMPTS failed sends. A target's later deliveries wait
 * behind its earlier ones, so order is kept. A long message goes out as
 * several pieces and is marked sent after the last one; should a piece fail,
 * the retry sends all pieces again (rare: a failed local write). */
#include "rt-glue.h"
#include "rt-clock.h"
#include "rt-mailout.h"
#include "rt-text.h"

#define SLICE_BUDGET_US   4000     /* stop a slice after 4 ms */
#define RETRY_BASE_US     (2 * G_USEC_PER_SEC)
#define RETRY_MAX_US      (300 * G_USEC_PER_SEC)
#define IDLE_RECHECK_MS   30000

#define WAIT_US           (1 * G_USEC_PER_SEC)

static guint pump_timer;
static gint64 pump_timer_due;   /* monotonic µs when pump_timer fires */
static gboolean pump_running;

/* Failed sends back off exponentially. Waiting for our own account or room
 * is a cheap local check, repeated every WAIT_US. */
static gint64
backoff_us (gint attempts)
{
  gint64 delay = RETRY_BASE_US << MIN (attempts, 10);
  return MIN (delay, RETRY_MAX_US);
}

/* Send markup in pieces no longer than the protocols handle comfortably. */
typedef int (*SendFunc) (PurpleConnection *gc, gpointer target, const char *markup);

static int
send_chat (PurpleConnection *gc, gpointer target, const char *markup)
{
  return serv_chat_send (gc, GPOINTER_TO_INT (target), markup, 0);
}

/* Protocols may look up the IM conversation while sending (prpl-jabber does,
 * for XHTML smileys, and asserts it exists), so one is made first; what was
 * sent is written there too, so the hub's operator sees it. */
static int
send_im (PurpleConnection *gc, gpointer target, const char *markup)
{
  PurpleAccount *account = purple_connection_get_account (gc);
  PurpleConversation *conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, target, account);
  if (conv == NULL)
    conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, account, target);
  int rc = serv_send_im (gc, target, markup, 0);
  if (rc >= 0)
    purple_conv_im_write (PURPLE_CONV_IM (conv), NULL, markup, PURPLE_MESSAGE_SEND, time (NULL));
  return rc;
}

static gboolean
send_pieces (PurpleConnection *gc, SendFunc send, gpointer target, const RtMessage *msg)
{
  g_autoptr(GPtrArray) pieces = rt_text_split (msg->text, RT_TEXT_CHUNK_BYTES);
  for (guint i = 0; i < pieces->len; i++)
    {
      g_autofree char *markup = rt_text_render (msg->author_label, g_ptr_array_index (pieces, i));
      if (send (gc, target, markup) < 0)
        return FALSE;
    }
  return TRUE;
}

typedef enum {
  OUTCOME_SENT,
  OUTCOME_IN_FLIGHT,  /* a mail the mail plugin queued: its outcome comes later */
  OUTCOME_WAIT,       /* our side is not ready (account offline, room not
                         joined, mailbox offline): check again soon */
  OUTCOME_RETRY,      /* the send failed: back off */
  OUTCOME_FALLBACK,   /* the member cannot take it live: keep for the digest */
} Outcome;

#define MAX_SEND_ATTEMPTS 6

/* A room's lines go out through the chat; a stream link's through the
 * stream plugin's IPC (rt-stream-out.c), in flight until its outcome. */
static Outcome
deliver_link (RtGlue *glue, const RtOutboxItem *item, const RtMessage *msg, const char **why)
{
  RtLink *link = NULL;
  g_autoptr(GPtrArray) links = rt_store_links (glue->store, msg->ws_id);
  for (guint i = 0; i < links->len; i++)
    if (((RtLink *) g_ptr_array_index (links, i))->id == item->target)
      link = g_ptr_array_index (links, i);
  if (link == NULL)
    {
      *why = "link removed";
      return OUTCOME_FALLBACK;
    }
  if (rt_bridge_is_stream_link (link))
    {
      g_autoptr(GError) error = NULL;
      switch (rt_stream_out_post (link, msg, why))
        {
        case RT_STREAM_OUT_QUEUED:
          if (!rt_store_stream_queued (glue->store, item->msg_id, link->id, &error))
            purple_debug_error (RT_DEBUG_CAT, "post in flight not recorded: %s\n", error->message);
          return OUTCOME_IN_FLIGHT;
        case RT_STREAM_OUT_WAIT:
          return OUTCOME_WAIT;
        case RT_STREAM_OUT_REFUSED:
          break;
        }
      /* A refusal is about the post itself (empty, a bad timeline): give
       * it up after a few tries. */
      return item->attempts + 1 >= MAX_SEND_ATTEMPTS ? OUTCOME_FALLBACK : OUTCOME_RETRY;
    }
  PurpleConversation *conv = rt_bridge_link_conversation (link);
  if (conv == NULL)
    {
      *why = "room not joined";
      return OUTCOME_WAIT;
    }
  PurpleConnection *gc = purple_conversation_get_gc (conv);
  int id = purple_conv_chat_get_id (PURPLE_CONV_CHAT (conv));
  if (!send_pieces (gc, send_chat, GINT_TO_POINTER (id), msg))
    {
      *why = "chat send failed";
      return OUTCOME_RETRY;
    }
  return OUTCOME_SENT;
}

static void mail_landed (gboolean sent, const char *error, gpointer data);

/* A mail goes to the planned endpoint if it is still an email address, else
 * to the member's first one (endpoints may have been edited since). The mail
 * plugin queues it and retries temporary SMTP failures itself; the row is
 * in flight until it says how the mail ended. */
static Outcome
deliver_mail (RtGlue *glue, const RtOutboxItem *item, const RtMessage *msg,
              const RtMember *member, const char **why)
{
  gint index = item->endpoint;
  if (index < 0 || (guint) index >= member->endpoints->len
      || g_strcmp0 (((RtEndpoint *) g_ptr_array_index (member->endpoints, index))->scheme,
                    RT_EMAIL_SCHEME) != 0)
    index = rt_member_find_scheme (member, RT_EMAIL_SCHEME);
  g_autoptr(RtWorkspace) ws = rt_store_workspace_get (glue->store, msg->ws_id);
  if (index < 0 || ws == NULL)
    {
      *why = "email address removed";
      return OUTCOME_FALLBACK;
    }
  const RtEndpoint *ep = g_ptr_array_index (member->endpoints, index);
  g_autofree char *message_id = rt_mailout_message_id (ws, msg->id, member->id);
  g_autoptr(GError) error = NULL;
  switch (rt_mailer_send (ws, msg, ep->address, message_id, why))
    {
    case RT_MAILER_QUEUED:
      purple_debug_info (RT_DEBUG_CAT, "delivery %" G_GINT64_FORMAT "/M%" G_GINT64_FORMAT
                         " mailed to %s from %s, %s\n", item->msg_id, item->target, ep->address, ws->mailbox,
                         message_id);
      if (!rt_mail_flight_tracking ())
        {
          rt_store_mail_out_add (glue->store, message_id, "immediate", ws->id, member->id, msg->id, &error);
          return OUTCOME_SENT;
        }
      if (!rt_store_outbox_mail_queued (glue->store, item->msg_id, member->id, message_id, ws->id, &error))
        purple_debug_error (RT_DEBUG_CAT, "mail in flight not recorded: %s\n", error->message);
      rt_mail_flight_add (message_id, mail_landed, g_memdup2 (item, sizeof *item), g_free);
      return OUTCOME_IN_FLIGHT;
    case RT_MAILER_WAIT: return OUTCOME_WAIT;
    case RT_MAILER_NO_ROUTE: return OUTCOME_FALLBACK;
    case RT_MAILER_REFUSED: break;
    }
  return item->attempts + 1 >= MAX_SEND_ATTEMPTS ? OUTCOME_FALLBACK : OUTCOME_RETRY;
}

static Outcome
deliver_member (RtGlue *glue, const RtOutboxItem *item, const RtMessage *msg, const char **why)
{
  g_autoptr(RtMember) member = rt_store_member_get (glue->store, item->target);
  if (member != NULL && item->route == RT_ROUTE_MAIL)
    return deliver_mail (glue, item, msg, member, why);
  if (member == NULL || item->endpoint < 0 || (guint) item->endpoint >= member->endpoints->len)
    {
      *why = "member or endpoint removed";
      return OUTCOME_FALLBACK;
    }
  const RtEndpoint *ep = g_ptr_array_index (member->endpoints, item->endpoint);
  PurpleAccount *account = rt_presence_account_for (ep);
  PurpleConnection *gc = account ? purple_account_get_connection (account) : NULL;
  if (gc == NULL || !rt_presence_settled (account))
    {
      /* Our side is offline or still learning presences: not the member's
       * fault, wait. */
      *why = gc == NULL ? "hub account offline" : "hub account still learning presences";
      return OUTCOME_WAIT;
    }
  if (glue->world.endpoint_presence (ep, glue->world.data) == RT_PRESENCE_OFFLINE)
    {
      *why = "endpoint went offline";
      return OUTCOME_FALLBACK;
    }
  if (!send_pieces (gc, send_im, ep->address, msg))
    {
      *why = "IM send failed";
      return item->attempts + 1 >= MAX_SEND_ATTEMPTS ? OUTCOME_FALLBACK : OUTCOME_RETRY;
    }
  return OUTCOME_SENT;
}

/* Targets (a room or a member) held back until a time: while one of a
 * target's deliveries waits or backs off, its later ones wait too, so every
 * room and member sees the workspace in order. Not durable: at start every
 * undelivered row is made due again, in message order. */
static GHashTable *held;   /* target key -> gint64* until (µs, rt_clock) */

static gpointer
target_key (const RtOutboxItem *item)
{
  return GSIZE_TO_POINTER ((gsize) item->target * 2 + (item->kind == 'M'));
}

static gint64
held_until (const RtOutboxItem *item, gint64 now)
{
  gint64 *until = g_hash_table_lookup (held, target_key (item));
  return until != NULL && *until > now ? *until : 0;
}

static void
hold (const RtOutboxItem *item, gint64 until)
{
  gint64 *value = g_new (gint64, 1);
  *value = until;
  g_hash_table_replace (held, target_key (item), value);
}

/* The mail plugin's outcome of a mail in flight (data: its RtOutboxItem as
 * it was queued). Failed: retried like a failed IM, with backoff, and kept
 * for the digest after MAX_SEND_ATTEMPTS; the member's later rows wait. */
static void
mail_landed (gboolean sent, const char *error_text, gpointer data)
{
  const RtOutboxItem *item = data;
  RtGlue *glue = rt_glue ();
  g_autoptr(GError) error = NULL;
  if (glue == NULL || !pump_running)
    return;
  if (sent)
    rt_store_outbox_sent (glue->store, item->msg_id, item->kind, item->target, &error);
  else
    {
      gint64 now = rt_clock_now ();
      gboolean give_up = item->attempts + 1 >= MAX_SEND_ATTEMPTS;
      gint64 at = give_up ? now : now + backoff_us (item->attempts);
      if (!give_up)
        hold (item, at);
      rt_store_outbox_retry (glue->store, item->msg_id, item->kind, item->target, at, give_up,
                             error_text, &error);
      purple_debug_info (RT_DEBUG_CAT, "delivery %" G_GINT64_FORMAT "/M%" G_GINT64_FORMAT
                         " mail failed (%s), %s\n", item->msg_id, item->target, error_text,
                         give_up ? "kept for digest" : "will retry");
    }
  if (error != NULL)
    purple_debug_error (RT_DEBUG_CAT, "outbox update failed: %s\n", error->message);
  rt_pump_kick ();
}

/* Returns TRUE if a message went out. */
static gboolean
deliver_one (RtGlue *glue, const RtOutboxItem *item, RtMessage **current, gint64 now)
{
  g_autoptr(GError) error = NULL;
  gint64 until = held_until (item, now);
  if (until != 0)
    {
      rt_store_outbox_defer (glue->store, item->msg_id, item->kind, item->target, until, &error);
      return FALSE;
    }

  /* Rows come in message order: a fan-out reads its message once. */
  if (*current == NULL || (*current)->id != item->msg_id)
    {
      g_clear_pointer (current, rt_message_free);
      *current = rt_store_message_get (glue->store, item->msg_id);
    }
  const RtMessage *msg = *current;
  const char *why = "message removed";
  Outcome outcome = OUTCOME_FALLBACK;
  if (msg != NULL)
    outcome = item->kind == 'L' ? deliver_link (glue, item, msg, &why)
                                : deliver_member (glue, item, msg, &why);

  switch (outcome)
    {
    case OUTCOME_SENT:
      rt_store_outbox_sent (glue->store, item->msg_id, item->kind, item->target, &error);
      break;
    case OUTCOME_IN_FLIGHT:
      break;
    case OUTCOME_WAIT:
      hold (item, now + WAIT_US);
      rt_store_outbox_defer (glue->store, item->msg_id, item->kind, item->target, now + WAIT_US, &error);
      break;
    case OUTCOME_RETRY:
      hold (item, now + backoff_us (item->attempts));
      rt_store_outbox_retry (glue->store, item->msg_id, item->kind, item->target,
                             now + backoff_us (item->attempts), FALSE, why, &error);
      break;
    case OUTCOME_FALLBACK:
      rt_store_outbox_retry (glue->store, item->msg_id, item->kind, item->target,
                             now, TRUE, why, &error);
      break;
    }
  if (outcome != OUTCOME_SENT && outcome != OUTCOME_IN_FLIGHT)
    purple_debug_info (RT_DEBUG_CAT, "delivery %" G_GINT64_FORMAT "/%c%" G_GINT64_FORMAT
                       " not sent (%s)%s\n", item->msg_id, item->kind, item->target, why,
                       outcome == OUTCOME_FALLBACK ? (item->kind == 'M' ? ", kept for digest" : ", dropped")
                                                   : ", will retry");
  if (error != NULL)
    purple_debug_error (RT_DEBUG_CAT, "outbox update failed: %s\n", error->message);
  return outcome == OUTCOME_SENT || outcome == OUTCOME_IN_FLIGHT;
}

static void schedule (guint delay_ms);

static gboolean
pump_tick (gpointer data)
{
  RtGlue *glue = rt_glue ();
  pump_timer = 0;
  if (glue == NULL || !pump_running)
    return FALSE;

  gint64 started = g_get_monotonic_time ();
  gint batch = MAX (1, purple_prefs_get_int (RT_PREFS_ROOT "/pump_batch"));
  gint64 now = rt_clock_now ();
  /* Look further than one batch: rows of held targets are only moved. */
  g_autoptr(GArray) due = rt_store_outbox_due (glue->store, now, batch * 4 + 64);
  gint sent = 0;
  guint seen = 0;
  g_autoptr(RtMessage) current = NULL;
  /* At least one row per slice, whatever the query cost. */
  while (seen < due->len && sent < batch
         && (seen == 0 || g_get_monotonic_time () - started < SLICE_BUDGET_US))
    sent += deliver_one (glue, &g_array_index (due, RtOutboxItem, seen++), &current, now);

  if (seen > 0)
    schedule (sent > 0 ? (guint) MAX (0, purple_prefs_get_int (RT_PREFS_ROOT "/pump_interval_ms")) : 0);
  else
    {
      gint64 next = rt_store_outbox_next_due (glue->store);
      gint64 wait_ms = next < 0 ? IDLE_RECHECK_MS : (next - now) / 1000 + 1;
      schedule ((guint) CLAMP (wait_ms, 1, IDLE_RECHECK_MS));
    }
  return FALSE;
}

static void
schedule (guint delay_ms)
{
  if (pump_timer != 0)
    purple_timeout_remove (pump_timer);
  pump_timer_due = g_get_monotonic_time () + (gint64) delay_ms * 1000;
  pump_timer = purple_timeout_add (delay_ms, pump_tick, NULL);
}

void
rt_pump_kick (void)
{
  if (!pump_running)
    return;
  /* Keep an earlier or throttled slice already planned: only an idle wait
   * (next retry far away) is cut short. */
  gint64 throttle_us = (gint64) MAX (0, purple_prefs_get_int (RT_PREFS_ROOT "/pump_interval_ms")) * 1000;
  if (pump_timer != 0 && pump_timer_due <= g_get_monotonic_time () + throttle_us)
    return;
  schedule (0);
}

void
rt_pump_start (void)
{
  g_autoptr(GError) error = NULL;
  held = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  if (!rt_store_outbox_reschedule_all (rt_glue ()->store, rt_clock_now (), &error))
    purple_debug_error (RT_DEBUG_CAT, "cannot reschedule the outbox: %s\n", error->message);
  pump_running = TRUE;
  schedule (0);
}

void
rt_pump_stop (void)
{
  pump_running = FALSE;
  if (pump_timer != 0)
    purple_timeout_remove (pump_timer);
  pump_timer = 0;
  g_clear_pointer (&held, g_hash_table_destroy);
}
