/* rt-stream-timeline.c: reading one timeline (see the header).
 *
 * Positions: keys "stream_pos:SPEC" (Mastodon and Viva: the newest id
 * delivered; ids grow with time) and "stream_feed_seen:URL" (feeds: the
 * entry ids already seen, one per line) in the account's positions file
 * (rt-account-positions.h: written off the event loop, taken over once from
 * the account settings of the same names). The first read of a
 * timeline without a position only learns where it stands (the newest id,
 * or every entry of the feed): nothing older than the join is shown. */
#include "config.h"
#include "rt-stream-timeline.h"
#include "rt-stream-live.h"
#include "rt-stream-render.h"
#include "rt-stream-signals.h"
#include "rt-stream-buddies.h"
#include "rt-stream-mastodon.h"
#include "rt-stream-viva.h"
#include "rt-stream-feed.h"
#include "rt-stream-http.h"
#include "rt-stream-poll.h"
#include "rt-account-positions.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define MASTODON_PAGE 40
#define VIVA_MAX_GAP_PAGES 50
#define FEED_SEEN_MAX 1000
#define BACKOFF_BASE_US (2 * G_USEC_PER_SEC)
#define BACKOFF_CAP_US (5 * 60 * G_USEC_PER_SEC)
/* Viva Engage's combined read waits this long after sign-in, and this long
 * after each chat joined meanwhile, before its first read (see
 * rt_stream_timeline_start). */
#define VIVA_SETTLE_US (2 * G_USEC_PER_SEC)
#define VIVA_JOIN_SETTLE_US (1 * G_USEC_PER_SEC)

static void poll_start (RtStreamTimeline *tl);

/* ---- names --------------------------------------------------------------- */

static gboolean
all_digits (const char *s)
{
  if (s == NULL || *s == '\0' || strlen (s) > 64)
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

gboolean
rt_stream_timeline_parse (RtStreamAccount *sa, const char *spec, RtTimelineKind *kind,
                          char **arg, char **norm, char **why)
{
  g_autofree char *s = g_strstrip (g_strdup (spec ? spec : ""));
  *arg = NULL;
  switch (sa->service)
    {
    case RT_STREAM_SERVICE_MASTODON:
      if (g_ascii_strcasecmp (s, "home") == 0)
        {
          *kind = RT_TL_HOME;
          *norm = g_strdup ("home");
          return TRUE;
        }
      if (g_str_has_prefix (s, "list:") && all_digits (s + 5))
        {
          *kind = RT_TL_LIST;
          *arg = g_strdup (s + 5);
          *norm = g_strdup (s);
          return TRUE;
        }
      if (g_str_has_prefix (s, "tag:"))
        {
          const char *t = s[4] == '#' ? s + 5 : s + 4;
          gboolean ok = *t != '\0' && g_utf8_validate (t, -1, NULL) && g_utf8_strlen (t, -1) <= 100;
          for (const char *p = t; ok && *p; p = g_utf8_next_char (p))
            {
              gunichar c = g_utf8_get_char (p);
              ok = g_unichar_isalnum (c) || c == '_';
            }
          if (ok)
            {
              *kind = RT_TL_TAG;
              *arg = g_utf8_strdown (t, -1);
              *norm = g_strconcat ("tag:", *arg, NULL);
              return TRUE;
            }
        }
      *why = g_strdup_printf (_("\"%s\" is not a timeline of this account: use home, list:ID or tag:NAME."), s);
      return FALSE;
    case RT_STREAM_SERVICE_VIVA:
      if (g_ascii_strcasecmp (s, "feed") == 0)
        {
          *kind = RT_TL_VIVA_FEED;
          *norm = g_strdup ("feed");
          return TRUE;
        }
      if (g_str_has_prefix (s, "group:") && all_digits (s + 6))
        {
          *kind = RT_TL_VIVA_GROUP;
          *arg = g_strdup (s + 6);
          *norm = g_strdup (s);
          return TRUE;
        }
      *why = g_strdup_printf (_("\"%s\" is not a timeline of this account: use feed or group:ID."), s);
      return FALSE;
    default:
      if (g_str_has_prefix (s, "feed:") && all_digits (s + 5))
        {
          guint64 n = g_ascii_strtoull (s + 5, NULL, 10);
          if (n >= 1 && sa->feed_urls && n <= sa->feed_urls->len)
            {
              *kind = RT_TL_FEED;
              *arg = g_strdup (sa->feed_urls->pdata[n - 1]);
              *norm = g_strdup_printf ("feed:%u", (guint) n);
              return TRUE;
            }
        }
      *why = g_strdup_printf (_("\"%s\" is not a feed of this account: use feed:1 to feed:%u."), s,
                              sa->feed_urls ? sa->feed_urls->len : 0);
      return FALSE;
    }
}

/* ---- settings ------------------------------------------------------------ */

static char *
pos_key (RtStreamTimeline *tl)
{
  return tl->kind == RT_TL_FEED ? g_strconcat ("stream_feed_seen:", tl->arg, NULL)
                                : g_strconcat ("stream_pos:", tl->spec, NULL);
}

/* Every timeline holds one open of the account's positions
 * (rt_stream_timeline_free closes it; the last close writes them). */
static void
load_position (RtStreamTimeline *tl)
{
  g_autofree char *key = pos_key (tl);
  const char *v = rt_positions_get (rt_account_positions_open (tl->sa->account), key);
  if (v == NULL || *v == '\0')
    return;
  if (tl->kind == RT_TL_FEED)
    {
      tl->feed_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_auto(GStrv) ids = g_strsplit (v, "\n", -1);
      for (char **id = ids; *id; id++)
        if (**id)
          g_hash_table_add (tl->feed_seen, g_strdup (*id));
    }
  else if (all_digits (v))
    tl->pos = g_strdup (v);
}

static void
save_position (RtStreamTimeline *tl)
{
  g_autofree char *key = pos_key (tl);
  RtPositions *positions = rt_account_positions_lookup (tl->sa->account);
  if (tl->kind != RT_TL_FEED)
    {
      rt_positions_set (positions, key, tl->pos);
      return;
    }
  GString *s = g_string_new (NULL);
  GHashTableIter it;
  gpointer id;
  g_hash_table_iter_init (&it, tl->feed_seen);
  while (g_hash_table_iter_next (&it, &id, NULL))
    {
      if (s->len)
        g_string_append_c (s, '\n');
      g_string_append (s, id);
    }
  rt_positions_set (positions, key, s->str);
  g_string_free (s, TRUE);
}

/* ---- life cycle ---------------------------------------------------------- */

RtStreamTimeline *
rt_stream_timeline_new (RtStreamAccount *sa, RtTimelineKind kind, const char *spec,
                        const char *arg, int chat_id)
{
  RtStreamTimeline *tl = g_new0 (RtStreamTimeline, 1);
  tl->sa = sa;
  tl->kind = kind;
  tl->spec = g_strdup (spec);
  tl->arg = g_strdup (arg);
  tl->chat_id = chat_id;
  tl->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_stream_post_free);
  tl->last_by_author = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  tl->own_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  load_position (tl);
  return tl;
}

void
rt_stream_timeline_free (RtStreamTimeline *tl)
{
  if (tl == NULL)
    return;
  g_clear_pointer (&tl->live, rt_stream_live_free);
  if (tl->req)
    rt_stream_request_cancel (tl->sa, tl->req);
  if (tl->timer)
    purple_timeout_remove (tl->timer);
  g_ptr_array_unref (tl->pending);
  if (tl->gap)
    g_ptr_array_unref (tl->gap);
  if (tl->feed_seen)
    g_hash_table_unref (tl->feed_seen);
  g_hash_table_unref (tl->last_by_author);
  g_hash_table_unref (tl->own_ids);
  g_free (tl->spec);
  g_free (tl->arg);
  g_free (tl->visibility);
  g_free (tl->pos);
  g_free (tl->etag);
  g_free (tl->next_url);
  g_free (tl->gap_older_than);
  rt_account_positions_close (tl->sa->account);   /* opened by load_position */
  g_free (tl);
}

static PurpleConversation *
chat_conv (RtStreamTimeline *tl)
{
  if (tl->chat_id == 0)
    return NULL;
  return purple_find_chat (tl->sa->gc, tl->chat_id);
}

void
rt_stream_timeline_notice (RtStreamTimeline *tl, const char *markup)
{
  if (tl == tl->sa->viva_feed)
    {
      /* The combined read has no chat of its own: it serves them all. */
      rt_stream_account_notice (tl->sa, markup);
      return;
    }
  PurpleConversation *conv = chat_conv (tl);
  if (conv != NULL)
    purple_conversation_write (conv, "", markup, PURPLE_MESSAGE_SYSTEM | PURPLE_MESSAGE_NO_LOG, time (NULL));
}

/* ---- schedule ------------------------------------------------------------ */

static gint64
interval_us (RtStreamTimeline *tl)
{
  RtStreamAccount *sa = tl->sa;
  gint64 base = (gint64) sa->poll_interval * G_USEC_PER_SEC;
  switch (tl->kind)
    {
    case RT_TL_FEED:
      return sa->loopback ? base : MAX (base, RT_POLL_FEED_MIN_INTERVAL_US);
    case RT_TL_VIVA_GROUP:
    case RT_TL_VIVA_FEED:
      return sa->loopback ? base : MAX (base, RT_POLL_VIVA_MIN_INTERVAL_US);
    default:
      break;
    }
  if (sa->service == RT_STREAM_SERVICE_VIVA)
    return sa->loopback ? base : MAX (base, RT_POLL_VIVA_MIN_INTERVAL_US);
  /* Mastodon: the planner stretches the interval when the timelines polled
   * would pass the documented budget (300 requests / 5 min). */
  RtPollInput in = { .service = RT_STREAM_SERVICE_MASTODON, .latency_us = base, .margin = 0.2 };
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, sa->timelines);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      in.timelines++;
      if (((RtStreamTimeline *) v)->live && rt_stream_live_is_up (((RtStreamTimeline *) v)->live))
        in.streamed++;
    }
  if (sa->dm)
    in.timelines++;
  RtPollPlan plan;
  rt_poll_plan (&in, &plan);
  return MAX (base, plan.interval_us);
}

static gboolean
timer_fired (gpointer data)
{
  RtStreamTimeline *tl = data;
  tl->timer = 0;
  poll_start (tl);
  return G_SOURCE_REMOVE;
}

static void
schedule (RtStreamTimeline *tl, gint64 delay_us)
{
  if (tl->timer)
    purple_timeout_remove (tl->timer);
  tl->timer = purple_timeout_add ((guint) MIN (delay_us / 1000, 24 * 3600 * 1000), timer_fired, tl);
}

/* After a read: the next one on schedule, unless a live stream serves us. */
static void
schedule_next (RtStreamTimeline *tl)
{
  if (tl->live && rt_stream_live_is_up (tl->live))
    return;
  schedule (tl, interval_us (tl));
}

/* ---- delivery ------------------------------------------------------------ */

static gboolean
is_self (RtStreamAccount *sa, const RtStreamPost *post)
{
  return sa->self_handle && post->author.handle
         && g_ascii_strcasecmp (sa->self_handle, post->author.handle) == 0
         && post->boosted_by == NULL;
}

/* A post for the timeline spec: signalled (before it is shown), then shown
 * in chat (the IM for direct messages). chat is NULL for a Viva Engage
 * group whose chat is not open: signalled only. */
static void
show (RtStreamAccount *sa, RtStreamTimeline *chat, const char *spec, const RtStreamPost *post)
{
  gint64 t = post->created_us > 0 ? post->created_us / G_USEC_PER_SEC : (gint64) time (NULL);
  g_autofree char *markup = rt_stream_render_markup (post, NULL);
  const char *who = post->author.handle && *post->author.handle ? post->author.handle : _("(unknown)");
  if (chat != NULL && chat->kind == RT_TL_DM)
    {
      if (is_self (sa, post))
        return;
      rt_stream_signal_post (sa, spec, TRUE, post, markup);
      g_hash_table_replace (chat->last_by_author, g_ascii_strdown (who, -1), g_strdup (post->id));
      serv_got_im (sa->gc, who, markup, PURPLE_MESSAGE_RECV, (time_t) t);
    }
  else
    {
      rt_stream_signal_post (sa, spec, FALSE, post, markup);
      if (chat != NULL)
        g_hash_table_replace (chat->last_by_author, g_ascii_strdown (who, -1), g_strdup (post->id));
      if (chat != NULL && chat_conv (chat) != NULL)
        serv_got_chat_in (sa->gc, chat->chat_id, who, PURPLE_MESSAGE_RECV, markup, (time_t) t);
    }
  if (sa->buddies)
    rt_stream_buddies_saw (sa->buddies, post->author.handle, post->created_us);
}

/* Viva Engage: the account's one read of my_feed serves every chat. A
 * message goes to its group's chat ("group:ID"), one without a group to the
 * "feed" chat; the signal names that timeline even when its chat is not
 * open, so watchlists and workspace links see every group the account
 * reads. Direct messages have their own read (private.json). */
static void
viva_dispatch (RtStreamTimeline *reader, const RtStreamPost *post)
{
  if (post->visibility == RT_STREAM_VISIBILITY_DIRECT)
    return;
  g_autofree char *spec = post->group_id != NULL ? g_strconcat ("group:", post->group_id, NULL)
                                                 : g_strdup ("feed");
  show (reader->sa, rt_stream_account_joined (reader->sa, spec), spec, post);
}

/* One post, once, in order: ids at or below the position were delivered. */
static void
deliver (RtStreamTimeline *tl, const RtStreamPost *post)
{
  RtStreamAccount *sa = tl->sa;
  if (tl->kind != RT_TL_FEED)
    {
      if (tl->pos != NULL && rt_stream_id_compare (post->id, tl->pos) <= 0)
        return;
      g_free (tl->pos);
      tl->pos = g_strdup (post->id);
      save_position (tl);
      if (g_hash_table_remove (tl->own_ids, post->id))
        return;   /* shown when it was sent */
    }
  if (tl == sa->viva_feed)
    viva_dispatch (tl, post);
  else
    show (sa, tl, tl->spec, post);
}

static int
post_order (gconstpointer a, gconstpointer b)
{
  const RtStreamPost *pa = *(RtStreamPost *const *) a, *pb = *(RtStreamPost *const *) b;
  return rt_stream_id_compare (pa->id, pb->id);
}

static void
deliver_sorted (RtStreamTimeline *tl, GPtrArray *posts)
{
  g_ptr_array_sort (posts, post_order);
  for (guint i = 0; i < posts->len; i++)
    deliver (tl, posts->pdata[i]);
}

/* Stream posts that arrived while a read was in flight. */
static void
flush_pending (RtStreamTimeline *tl)
{
  if (tl->pending->len == 0 || tl->pos == NULL)
    return;
  g_autoptr(GPtrArray) pending = tl->pending;
  tl->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_stream_post_free);
  deliver_sorted (tl, pending);
}

static void
advance_to (RtStreamTimeline *tl, const char *id)
{
  if (id != NULL && (tl->pos == NULL || rt_stream_id_compare (id, tl->pos) > 0))
    {
      g_free (tl->pos);
      tl->pos = g_strdup (id);
      save_position (tl);
    }
}

/* After a complete read: stream posts held meanwhile, the next read, and
 * a live stream once the position is known. */
static void
read_done (RtStreamTimeline *tl)
{
  if (tl->trouble_shown)
    {
      tl->trouble_shown = FALSE;
      rt_stream_timeline_notice (tl, _("Reading works again."));
    }
  tl->failures = 0;
  flush_pending (tl);
  if (tl->live == NULL && tl->sa->streaming)
    {
      g_autofree char *path = rt_stream_timeline_stream_path (tl);
      if (path != NULL)
        {
          tl->live = rt_stream_live_new (tl, path);
          rt_stream_live_start (tl->live);
        }
    }
  schedule_next (tl);
}

/* ---- failures ------------------------------------------------------------ */

static void
read_failed (RtStreamTimeline *tl, const RtStreamResponse *resp, const char *why_detail)
{
  RtStreamAccount *sa = tl->sa;
  RtHttpClass cls = resp->result != CURLE_OK ? RT_HTTP_RETRY : rt_http_classify (resp->status);
  if (why_detail == NULL && cls == RT_HTTP_AUTH)
    {
      g_autofree char *msg = g_strdup_printf (_("The server refused the access token (HTTP %ld). "
                                                "Check the account's password (the token)."), resp->status);
      rt_stream_account_fail (sa, PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED, msg);
      return;
    }
  g_free (tl->next_url);
  tl->next_url = NULL;
  if (cls == RT_HTTP_RATE_LIMITED && why_detail == NULL)
    {
      /* The gate holds every request until the server's time; the chat was
       * told by the gate. */
      schedule (tl, G_USEC_PER_SEC);
      return;
    }
  tl->failures++;
  gint64 delay = cls == RT_HTTP_GONE ? BACKOFF_CAP_US
               : rt_backoff_us (tl->failures, BACKOFF_BASE_US, BACKOFF_CAP_US, g_random_double ());
  if (why_detail == NULL && tl->kind != RT_TL_FEED && cls != RT_HTTP_RETRY && tl->failures == 1)
    delay = MAX (delay, interval_us (tl));
  g_autofree char *what = why_detail ? g_strdup (why_detail)
                        : resp->result != CURLE_OK ? g_strdup (resp->error)
                        : g_strdup_printf ("HTTP %ld", resp->status);
  g_autofree char *at = rt_stream_clock_text (g_get_real_time () + delay);
  purple_debug_warning (RT_STREAM_DEBUG, "%s: %s: read failed (%s), %u in a row; next read at %s\n",
                        sa->label, tl->spec, what, tl->failures, at);
  if (!tl->trouble_shown)
    {
      tl->trouble_shown = TRUE;
      g_autofree char *msg = cls == RT_HTTP_GONE
        ? g_strdup_printf (_("This timeline was not found on the server (%s); next read at %s."), what, at)
        : g_strdup_printf (_("Reading failed (%s); next read at %s."), what, at);
      g_autofree char *esc = g_markup_escape_text (msg, -1);
      rt_stream_timeline_notice (tl, esc);
    }
  if (tl->gap)
    g_clear_pointer (&tl->gap, g_ptr_array_unref);
  schedule (tl, delay);
}

static void
log_item_errors (RtStreamTimeline *tl, RtStreamPage *page)
{
  for (guint i = 0; i < page->errors->len; i++)
    purple_debug_warning (RT_STREAM_DEBUG, "%s: %s: item skipped: %s\n", tl->sa->label, tl->spec,
                          ((GError *) page->errors->pdata[i])->message);
  if (page->errors->len > 0 && tl->pos != NULL)
    {
      /* Said in the chat, so a post that cannot be shown is not lost
       * silently. */
      g_autofree char *msg = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "%u post could not be read and was skipped (%s).",
                                                           "%u posts could not be read and were skipped (%s).",
                                                           page->errors->len),
                                              page->errors->len, ((GError *) page->errors->pdata[0])->message);
      g_autofree char *esc = g_markup_escape_text (msg, -1);
      rt_stream_timeline_notice (tl, esc);
    }
}

/* ---- Mastodon ------------------------------------------------------------ */

static char *
mastodon_path (RtStreamTimeline *tl)
{
  switch (tl->kind)
    {
    case RT_TL_HOME:
      return g_strdup ("/api/v1/timelines/home");
    case RT_TL_LIST:
      return g_strdup_printf ("/api/v1/timelines/list/%s", tl->arg);
    case RT_TL_TAG:
      {
        g_autofree char *esc = g_uri_escape_string (tl->arg, NULL, FALSE);
        return g_strdup_printf ("/api/v1/timelines/tag/%s", esc);
      }
    default:
      return g_strdup ("/api/v1/conversations");
    }
}

char *
rt_stream_timeline_stream_path (RtStreamTimeline *tl)
{
  if (tl->sa->service != RT_STREAM_SERVICE_MASTODON)
    return NULL;
  switch (tl->kind)
    {
    case RT_TL_HOME:
      return g_strdup ("/api/v1/streaming/user");
    case RT_TL_LIST:
      return g_strdup_printf ("/api/v1/streaming/list?list=%s", tl->arg);
    case RT_TL_TAG:
      {
        g_autofree char *esc = g_uri_escape_string (tl->arg, NULL, FALSE);
        return g_strdup_printf ("/api/v1/streaming/hashtag?tag=%s", esc);
      }
    case RT_TL_DM:
      return g_strdup ("/api/v1/streaming/direct");
    default:
      return NULL;
    }
}

static void
on_mastodon_page (RtStreamAccount *sa, const RtStreamResponse *resp, gpointer data)
{
  RtStreamTimeline *tl = data;
  tl->req = NULL;
  if (resp->result != CURLE_OK || resp->status != 200)
    {
      read_failed (tl, resp, NULL);
      return;
    }
  g_autoptr(GError) error = NULL;
  g_autoptr(RtStreamPage) page = tl->kind == RT_TL_DM
    ? rt_mastodon_conversations_from_json (resp->body, resp->len, sa->host, &error)
    : rt_mastodon_statuses_from_json (resp->body, resp->len, sa->host, &error);
  if (page == NULL)
    {
      g_autofree char *why = g_strdup_printf (_("unreadable answer: %s"), error->message);
      read_failed (tl, resp, why);
      return;
    }
  log_item_errors (tl, page);
  /* The newest id: of the statuses (conversations are paged by the id of
   * their last status, not their own). */
  const char *newest = tl->kind == RT_TL_DM ? NULL : page->newest_id;
  for (guint i = 0; i < page->posts->len; i++)
    {
      const RtStreamPost *p = page->posts->pdata[i];
      if (newest == NULL || rt_stream_id_compare (p->id, newest) > 0)
        newest = p->id;
    }
  if (tl->pos == NULL)
    {
      /* First read: start at the newest post ("0" for an empty timeline). */
      tl->pos = g_strdup (newest ? newest : "0");
      save_position (tl);
      purple_debug_info (RT_STREAM_DEBUG, "%s: %s starts after id %s\n", sa->label, tl->spec, tl->pos);
      read_done (tl);
      return;
    }
  guint n = page->posts->len + page->errors->len;
  deliver_sorted (tl, page->posts);
  advance_to (tl, newest);
  RtLinkHeader link = { 0 };
  const char *lh = g_hash_table_lookup (resp->headers, "link");
  g_free (tl->next_url);
  tl->next_url = NULL;
  if (n >= MASTODON_PAGE && lh && rt_link_header_parse (lh, &link) && link.prev_url
      && rt_stream_account_same_origin (sa, link.prev_url))
    {
      /* A full page: more may be newer. Page forward at once. */
      tl->next_url = g_strdup (link.prev_url);
      rt_link_header_clear (&link);
      poll_start (tl);
      return;
    }
  rt_link_header_clear (&link);
  read_done (tl);
}

static void
mastodon_poll (RtStreamTimeline *tl)
{
  char *url = tl->next_url;
  tl->next_url = NULL;
  if (url == NULL)
    {
      g_autofree char *path = mastodon_path (tl);
      g_autofree char *base = rt_stream_account_url (tl->sa, path);
      url = tl->pos ? g_strdup_printf ("%s?limit=%d&min_id=%s", base, MASTODON_PAGE, tl->pos)
                    : g_strdup_printf ("%s?limit=1", base);
    }
  tl->req = rt_stream_request (tl->sa, "GET", url, NULL, NULL, RT_STREAM_REQ_AUTH, on_mastodon_page, tl);
  g_free (url);
}

/* ---- Viva Engage --------------------------------------------------------- */

static const char *
viva_path (RtStreamTimeline *tl, char **owned)
{
  switch (tl->kind)
    {
    case RT_TL_VIVA_GROUP:
      return *owned = g_strdup_printf ("/api/v1/messages/in_group/%s.json", tl->arg);
    case RT_TL_VIVA_FEED:
      return "/api/v1/messages/my_feed.json";
    default:
      return "/api/v1/messages/private.json";
    }
}

static void viva_poll (RtStreamTimeline *tl);

static void
on_viva_page (RtStreamAccount *sa, const RtStreamResponse *resp, gpointer data)
{
  RtStreamTimeline *tl = data;
  tl->req = NULL;
  if (resp->result != CURLE_OK || resp->status != 200)
    {
      read_failed (tl, resp, NULL);
      return;
    }
  g_autoptr(GError) error = NULL;
  g_autoptr(RtStreamPage) page = rt_viva_messages_from_json (resp->body, resp->len, &error);
  if (page == NULL)
    {
      g_autofree char *why = g_strdup_printf (_("unreadable answer: %s"), error->message);
      read_failed (tl, resp, why);
      return;
    }
  log_item_errors (tl, page);
  if (tl->pos == NULL)
    {
      tl->pos = g_strdup (page->newest_id ? page->newest_id : "0");
      save_position (tl);
      read_done (tl);
      return;
    }
  /* newer_than gives the newest page above the position; older_available
   * says there is more between: read downwards (older_than) until the gap
   * is closed, then deliver it all oldest first. */
  if (tl->gap == NULL)
    tl->gap = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_stream_post_free);
  for (guint i = 0; i < page->posts->len; i++)
    g_ptr_array_add (tl->gap, rt_stream_post_copy (page->posts->pdata[i]));
  tl->gap_pages++;
  if (page->older_available && page->oldest_id && tl->gap_pages < VIVA_MAX_GAP_PAGES
      && rt_stream_id_compare (page->oldest_id, tl->pos) > 0)
    {
      g_free (tl->gap_older_than);
      tl->gap_older_than = g_strdup (page->oldest_id);
      viva_poll (tl);
      return;
    }
  if (page->older_available && tl->gap_pages >= VIVA_MAX_GAP_PAGES)
    rt_stream_timeline_notice (tl, _("More messages arrived than can be caught up at once; "
                                     "the oldest of them are not shown."));
  g_autoptr(GPtrArray) gap = g_steal_pointer (&tl->gap);
  g_clear_pointer (&tl->gap_older_than, g_free);
  tl->gap_pages = 0;
  deliver_sorted (tl, gap);
  read_done (tl);
}

/* A Viva Engage chat: shows what the account's combined read gives it. */
static gboolean
viva_chat_only (const RtStreamTimeline *tl)
{
  return tl->chat_id != 0 && (tl->kind == RT_TL_VIVA_GROUP || tl->kind == RT_TL_VIVA_FEED);
}

/* The combined read has no position yet but chats of the account have one
 * (kept when each group was read on its own, before the combined read):
 * it starts from the lowest, so nothing that came meanwhile is skipped (a
 * few messages may be shown again, once). */
static void
viva_take_chat_positions (RtStreamTimeline *reader)
{
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, reader->sa->timelines);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      const RtStreamTimeline *chat = v;
      if (!viva_chat_only (chat) || chat->pos == NULL)
        continue;
      if (reader->pos == NULL || rt_stream_id_compare (chat->pos, reader->pos) < 0)
        {
          g_free (reader->pos);
          reader->pos = g_strdup (chat->pos);
        }
    }
  if (reader->pos != NULL)
    purple_debug_info (RT_STREAM_DEBUG, "%s: Viva Engage read starts from the chats' position %s\n",
                       reader->sa->label, reader->pos);
}

static void
viva_poll (RtStreamTimeline *tl)
{
  tl->settling = FALSE;
  if (tl == tl->sa->viva_feed && tl->pos == NULL)
    viva_take_chat_positions (tl);
  g_autofree char *owned = NULL;
  g_autofree char *base = rt_stream_account_url (tl->sa, viva_path (tl, &owned));
  g_autofree char *url = tl->pos == NULL ? g_strdup_printf ("%s?limit=1", base)
    : tl->gap_older_than ? g_strdup_printf ("%s?newer_than=%s&older_than=%s", base, tl->pos, tl->gap_older_than)
    : g_strdup_printf ("%s?newer_than=%s", base, tl->pos);
  tl->req = rt_stream_request (tl->sa, "GET", url, NULL, NULL, RT_STREAM_REQ_AUTH, on_viva_page, tl);
}

/* ---- feeds --------------------------------------------------------------- */

static int
post_time_order (gconstpointer a, gconstpointer b)
{
  const RtStreamPost *pa = *(RtStreamPost *const *) a, *pb = *(RtStreamPost *const *) b;
  return pa->created_us < pb->created_us ? -1 : pa->created_us > pb->created_us;
}

static void
on_feed (RtStreamAccount *sa, const RtStreamResponse *resp, gpointer data)
{
  RtStreamTimeline *tl = data;
  tl->req = NULL;
  if (resp->result == CURLE_OK && resp->status == 304 && tl->feed_seen)
    {
      read_done (tl);
      return;
    }
  if (resp->result != CURLE_OK || resp->status != 200)
    {
      read_failed (tl, resp, NULL);
      return;
    }
  g_autoptr(GError) error = NULL;
  g_autoptr(RtStreamPage) page = rt_feed_parse (resp->body, resp->len, tl->arg, &error);
  if (page == NULL)
    {
      g_autofree char *why = g_strdup_printf (_("unreadable feed: %s"), error->message);
      read_failed (tl, resp, why);
      return;
    }
  log_item_errors (tl, page);
  gboolean first = tl->feed_seen == NULL;
  if (first)
    tl->feed_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) fresh = g_ptr_array_new ();
  GHashTable *now_ids = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < page->posts->len; i++)
    {
      RtStreamPost *p = page->posts->pdata[i];
      g_hash_table_add (now_ids, p->id);
      if (!first && !g_hash_table_contains (tl->feed_seen, p->id))
        g_ptr_array_add (fresh, p);
    }
  g_ptr_array_sort (fresh, post_time_order);
  for (guint i = 0; i < fresh->len; i++)
    deliver (tl, fresh->pdata[i]);
  /* Remember what the feed holds now (bounded): an entry that left the
   * feed cannot come back as new unless it is re-published. */
  GHashTableIter it;
  gpointer id;
  g_hash_table_iter_init (&it, now_ids);
  while (g_hash_table_iter_next (&it, &id, NULL))
    if (g_hash_table_size (tl->feed_seen) < FEED_SEEN_MAX || g_hash_table_contains (tl->feed_seen, id))
      g_hash_table_add (tl->feed_seen, g_strdup (id));
  if (g_hash_table_size (tl->feed_seen) >= FEED_SEEN_MAX)
    {
      /* Keep only the ids in the current document. */
      g_hash_table_remove_all (tl->feed_seen);
      g_hash_table_iter_init (&it, now_ids);
      while (g_hash_table_iter_next (&it, &id, NULL))
        g_hash_table_add (tl->feed_seen, g_strdup (id));
    }
  g_hash_table_unref (now_ids);
  save_position (tl);
  g_free (tl->etag);
  tl->etag = g_strdup (g_hash_table_lookup (resp->headers, "etag"));
  read_done (tl);
}

static void
feed_poll (RtStreamTimeline *tl)
{
  g_autofree char *inm = tl->etag && tl->feed_seen && !strpbrk (tl->etag, "\r\n")
    ? g_strconcat ("If-None-Match: ", tl->etag, NULL) : NULL;
  const char *headers[] = { "Accept: application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
                            inm, NULL };
  tl->req = rt_stream_request (tl->sa, "GET", tl->arg, NULL, headers, RT_STREAM_REQ_FEED, on_feed, tl);
}

/* ---- reads --------------------------------------------------------------- */

static void
poll_start (RtStreamTimeline *tl)
{
  if (tl->req != NULL || tl->sa->failed || viva_chat_only (tl))
    return;
  if (tl->timer)
    {
      purple_timeout_remove (tl->timer);
      tl->timer = 0;
    }
  if (tl->kind == RT_TL_FEED)
    feed_poll (tl);
  else if (tl->sa->service == RT_STREAM_SERVICE_VIVA)
    viva_poll (tl);
  else
    mastodon_poll (tl);
}

void
rt_stream_timeline_start (RtStreamTimeline *tl)
{
  RtStreamTimeline *reader = tl->sa->viva_feed;
  if (tl == reader)
    {
      /* After sign-in the chats are joined again (autojoin, the user): the
       * first read waits for them, so what came while we were away is shown
       * in its chat and not only signalled. */
      tl->settling = TRUE;
      schedule (tl, VIVA_SETTLE_US);
      return;
    }
  if (viva_chat_only (tl) && reader != NULL && reader->settling && reader->req == NULL)
    schedule (reader, VIVA_JOIN_SETTLE_US);
  poll_start (tl);
}

void
rt_stream_timeline_stream_post (RtStreamTimeline *tl, const RtStreamPost *post)
{
  if (tl->req != NULL || tl->pos == NULL || tl->next_url != NULL)
    g_ptr_array_add (tl->pending, rt_stream_post_copy (post));
  else
    deliver (tl, post);
}

void
rt_stream_timeline_stream_changed (RtStreamTimeline *tl, gboolean up)
{
  /* Up: one catch-up read covers what came between the last read and the
   * stream's start (the stream's posts wait meanwhile), then no timer.
   * Down: read now with the position (nothing missed), then on schedule. */
  if (tl->timer)
    {
      purple_timeout_remove (tl->timer);
      tl->timer = 0;
    }
  purple_debug_info (RT_STREAM_DEBUG, "%s: %s: stream %s\n", tl->sa->label, tl->spec,
                     up ? "up, catching up once" : "down, polling");
  poll_start (tl);
}

void
rt_stream_timeline_own_post (RtStreamTimeline *tl, const RtStreamPost *post)
{
  RtStreamAccount *sa = tl->sa;
  /* A Viva Engage chat's posts are read back by the combined read. */
  RtStreamTimeline *reader = viva_chat_only (tl) && sa->viva_feed ? sa->viva_feed : tl;
  if (reader->pos != NULL && rt_stream_id_compare (post->id, reader->pos) <= 0)
    return;   /* already read back from the timeline */
  g_hash_table_add (reader->own_ids, g_strdup (post->id));
  PurpleConversation *conv = chat_conv (tl);
  if (conv == NULL)
    return;
  g_autofree char *markup = rt_stream_render_markup (post, NULL);
  serv_got_chat_in (sa->gc, tl->chat_id, sa->self_handle ? sa->self_handle : sa->label,
                    PURPLE_MESSAGE_SEND, markup, time (NULL));
}

const char *
rt_stream_timeline_reply_target (RtStreamTimeline *tl, const char *text)
{
  if (text == NULL || text[0] != '@')
    return NULL;
  const char *end = text + 1;
  while (*end && !g_ascii_isspace (*end))
    end++;
  g_autofree char *who = g_ascii_strdown (text + 1, end - text - 1);
  const char *id = g_hash_table_lookup (tl->last_by_author, who);
  if (id != NULL || strchr (who, '@') != NULL)
    return id;
  /* "@bob" for "bob@host" */
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, tl->last_by_author);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      const char *at = strchr (k, '@');
      if (at && (gsize) (at - (const char *) k) == strlen (who) && strncmp (k, who, strlen (who)) == 0)
        return v;
    }
  return NULL;
}
