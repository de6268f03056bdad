/* rt-mail-imap.c: poll one IMAP folder and turn new mail into IMs, in
 * windows of at most RT_MAIL_SYNC_WINDOW UIDs. */
#include "config.h"
#include "rt-mail-imap.h"
#include "rt-imap-resp.h"
#include "rt-mail-im.h"
#include "rt-mail-parse.h"
#include "rt-mail-smtp.h"
#include "rt-mail-received.h"
#include "rt-mail-ipc.h"
#include "rt-account-positions.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* A message bigger than this is not fetched whole: its transfer is aborted
 * and the UID skipped. */
#define RT_MAIL_MAX_FETCH (32 * 1024 * 1024)

/* After a failed poll (server gone, link broken) the next one waits this
 * long, doubling per failure up to the maximum; a successful EXAMINE resets
 * it to the normal poll_interval. */
#define RT_MAIL_BACKOFF_MIN 2
#define RT_MAIL_BACKOFF_MAX 60

/* New mail is searched for in UID ranges of at most this many UIDs
 * ("UID SEARCH UID a:b"), fetched and delivered, then the next range: a
 * large backlog never means one unbounded search or list in memory. */
#define RT_MAIL_SYNC_WINDOW 500

struct _RtMailImap {
  RtMailAccount *ma;
  GString *buf;          /* untagged lines or the message being read */
  guint64 xfer;          /* transfer in flight, 0 if none */
  guint timer;           /* next poll, 0 if none */
  GArray *pending;       /* guint32 UIDs of the current window still to
                          * fetch, ascending; at most RT_MAIL_SYNC_WINDOW */
  guint fetch_next;      /* index into pending */
  guint32 uidvalidity;
  guint32 last_uid;
  guint32 fetching;      /* UID of the fetch in flight */
  guint32 sync_end;      /* this poll syncs up to this UID (UIDNEXT-1 at EXAMINE) */
  guint32 window_lo, window_hi; /* the UID range of the current window */
  guint32 probed_validity; /* UIDVALIDITY of an EXAMINE without UIDNEXT */
  gboolean initial_all;  /* initial_sync=all: first use delivers the folder */
  gboolean connected;
  guint backoff;         /* seconds before the retry after the last failure, 0: none */
  guint failures;        /* failed polls in a row */
  char *key_validity, *key_last;
  RtPositions *positions; /* the account's read positions (rt-account-positions.h) */
};

static void poll_start (RtMailImap *imap);

static size_t
on_write (char *ptr, size_t size, size_t nmemb, void *data)
{
  RtMailImap *imap = data;
  if (imap->buf->len + nmemb > RT_MAIL_MAX_FETCH)
    return 0;   /* libcurl then fails the transfer with CURLE_WRITE_ERROR */
  g_string_append_len (imap->buf, ptr, (gssize) nmemb);
  return size * nmemb;
}

/* Positions live in the account's positions file, not in its settings:
 * a setting changed per mail made libpurple rewrite accounts.xml on the
 * event loop every 5 s of a sync (docs/libpurple-notes.md). */
static guint32
get_u32 (RtMailImap *imap, const char *key)
{
  const char *s = rt_positions_get (imap->positions, key);
  return s ? (guint32) g_ascii_strtoull (s, NULL, 10) : 0;
}

static void
set_u32 (RtMailImap *imap, const char *key, guint32 v)
{
  char s[16];
  g_snprintf (s, sizeof s, "%u", v);
  rt_positions_set (imap->positions, key, s);
}

static char *
folder_url (RtMailImap *imap, const char *suffix)
{
  g_autofree char *base = rt_mail_account_base_url (imap->ma, FALSE);
  g_autofree char *folder = g_uri_escape_string (imap->ma->folder, "/", TRUE);
  return g_strdup_printf ("%s/%s%s", base, folder, suffix ? suffix : "");
}

static void
start_xfer (RtMailImap *imap, CURL *easy, RtCurlDone done)
{
  g_string_truncate (imap->buf, 0);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, imap);
  imap->xfer = rt_curl_loop_add (imap->ma->loop, easy, done, imap);
  if (imap->xfer == 0)
    rt_mail_account_fail (imap->ma, CURLE_FAILED_INIT, _("IMAP"), NULL);
}

static gboolean
on_timer (gpointer data)
{
  RtMailImap *imap = data;
  imap->timer = 0;
  poll_start (imap);
  return FALSE;
}

static void
schedule_next (RtMailImap *imap)
{
  g_clear_pointer (&imap->pending, g_array_unref);
  imap->fetch_next = 0;
  imap->timer = purple_timeout_add_seconds ((guint) imap->ma->poll_interval, on_timer, imap);
}

/* A poll step failed. Before the first successful EXAMINE, or when the
 * login is refused, that is the connection's error (the user must act or
 * libpurple reconnects). Once connected, the account stays connected and
 * polls again after an exponential backoff (2 s, 4 s, ... 60 s); what was
 * not fetched is searched again then (last_uid only moves per delivered
 * message, so nothing is lost or repeated). */
static void
poll_failed (RtMailImap *imap, CURLcode result, const char *what, const char *detail)
{
  RtMailAccount *ma = imap->ma;
  if (!imap->connected || result == CURLE_LOGIN_DENIED || rt_mail_curl_is_certificate (result))
    {
      rt_mail_account_fail (ma, result, what, detail);
      return;
    }
  imap->backoff = imap->backoff == 0 ? RT_MAIL_BACKOFF_MIN : MIN (imap->backoff * 2, RT_MAIL_BACKOFF_MAX);
  imap->failures++;
  purple_debug_warning ("roundtable-mail", "%s: IMAP poll failed (%s: %s%s%s), %u in a row; next poll in %u s\n",
                        ma->address, what, curl_easy_strerror (result), detail ? ", " : "", detail ? detail : "",
                        imap->failures, imap->backoff);
  g_clear_pointer (&imap->pending, g_array_unref);
  imap->fetch_next = 0;
  imap->timer = purple_timeout_add_seconds (imap->backoff, on_timer, imap);
}

static void
deliver (RtMailImap *imap, guint32 uid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMimeMessage) gm = NULL;
  g_autoptr(RtMailMessage) m = rt_mail_parse_keep (imap->buf->str, imap->buf->len, &gm, &error);
  if (m == NULL)
    {
      purple_debug_warning ("roundtable-mail", "UID %u skipped: %s\n", uid, error->message);
      return;
    }
  const char *who = m->from_address ? m->from_address : "unknown@invalid";
  g_autofree char *markup = rt_mail_im_markup (m);
  time_t when = m->date > 0 ? (time_t) (m->date / G_USEC_PER_SEC) : time (NULL);
  if (m->from_name != NULL && purple_find_buddy (imap->ma->account, who) != NULL)
    serv_got_alias (imap->ma->gc, who, m->from_name);
  if (m->from_address != NULL)
    rt_mail_smtp_remember (imap->ma, m->from_address, m->message_id, m->subject, m->references);
  /* Offered to other plugins first (rt-mail-ipc.h); one that takes it (the
   * Roundtable core, for a workspace's mailbox) means no IM. An automatic
   * mail shown as an IM is flagged so nobody takes it for a person's. */
  int kind = RT_MAIL_RECEIVED_HUMAN;
  if (rt_mail_received_emit (imap->ma, gm, m, &kind))
    return;
  PurpleMessageFlags flags = PURPLE_MESSAGE_RECV | (kind != RT_MAIL_RECEIVED_HUMAN ? PURPLE_MESSAGE_AUTO_RESP : 0);
  serv_got_im (imap->ma->gc, who, markup, flags, when);
}

static void fetch_next (RtMailImap *imap);
static void search_window (RtMailImap *imap);

static void
on_fetch (CURL *easy, CURLcode result, gpointer data)
{
  RtMailImap *imap = data;
  imap->xfer = 0;
  guint32 uid = imap->fetching;
  if (result == CURLE_OK)
    deliver (imap, uid);
  else if (result == CURLE_REMOTE_FILE_NOT_FOUND || result == CURLE_WRITE_ERROR)
    /* Expunged since the search, or too big: skip it, never retry forever. */
    purple_debug_warning ("roundtable-mail", "UID %u skipped: %s\n", uid, curl_easy_strerror (result));
  else
    {
      poll_failed (imap, result, _("IMAP fetch"), NULL);
      return;
    }
  imap->last_uid = uid;
  set_u32 (imap, imap->key_last, uid);
  fetch_next (imap);
}

/* The next UID of the window, one transfer each. Every fetch is its own
 * transfer, started from the loop's 0 ms kick timer and finished from a
 * socket event, so the event loop runs between two messages of a long
 * sync; one callback parses and delivers one mail, never more. */
static void
fetch_next (RtMailImap *imap)
{
  if (imap->pending == NULL || imap->fetch_next >= imap->pending->len)
    {
      /* Window done. Every UID up to window_hi that still exists was in
       * the search (window_hi < UIDNEXT at the EXAMINE: no new mail can get
       * one), so the rest of the range is gone: remember its end, then the
       * next window. */
      g_clear_pointer (&imap->pending, g_array_unref);
      if (imap->window_hi > imap->last_uid)
        {
          imap->last_uid = imap->window_hi;
          set_u32 (imap, imap->key_last, imap->last_uid);
        }
      search_window (imap);
      return;
    }
  imap->fetching = g_array_index (imap->pending, guint32, imap->fetch_next++);
  g_autofree char *suffix = g_strdup_printf (";UIDVALIDITY=%u/;UID=%u", imap->uidvalidity, imap->fetching);
  g_autofree char *url = folder_url (imap, suffix);
  start_xfer (imap, rt_mail_account_easy (imap->ma, url, "imap,imaps"), on_fetch);
}

static void
on_search (CURL *easy, CURLcode result, gpointer data)
{
  RtMailImap *imap = data;
  imap->xfer = 0;
  if (result != CURLE_OK)
    {
      poll_failed (imap, result, _("IMAP search"), NULL);
      return;
    }
  imap->pending = rt_imap_parse_search (imap->buf->str, imap->buf->len, imap->last_uid);
  /* Only the window's own range, whatever the server answered. */
  guint n = 0;
  while (n < imap->pending->len && g_array_index (imap->pending, guint32, n) <= imap->window_hi)
    n++;
  g_array_set_size (imap->pending, n);
  imap->fetch_next = 0;
  purple_debug_info ("roundtable-mail", "%s: UIDs %u:%u of %u: %u to fetch\n", imap->ma->address,
                     imap->window_lo, imap->window_hi, imap->sync_end, n);
  fetch_next (imap);
}

/* Search the next window after last_uid, up to sync_end; when there is none
 * left, the poll is over. */
static void
search_window (RtMailImap *imap)
{
  if (imap->last_uid >= imap->sync_end)
    {
      schedule_next (imap);
      return;
    }
  imap->window_lo = imap->last_uid + 1;
  imap->window_hi = imap->sync_end - imap->last_uid > RT_MAIL_SYNC_WINDOW
                    ? imap->last_uid + RT_MAIL_SYNC_WINDOW : imap->sync_end;
  g_autofree char *custom = g_strdup_printf ("UID SEARCH UID %u:%u", imap->window_lo, imap->window_hi);
  g_autofree char *url = folder_url (imap, NULL);
  CURL *e = rt_mail_account_easy (imap->ma, url, "imap,imaps");
  curl_easy_setopt (e, CURLOPT_CUSTOMREQUEST, custom);
  start_xfer (imap, e, on_search);
}

/* The folder's UIDVALIDITY and its highest UID (UIDNEXT-1) are known:
 * decide where this poll starts and sync up to there. */
static void
folder_known (RtMailImap *imap, guint32 uidvalidity, guint32 current_last)
{
  RtMailAccount *ma = imap->ma;
  if (uidvalidity != imap->uidvalidity)
    {
      /* New folder state. First use (nothing stored): with initial_sync=all
       * the whole folder is delivered, oldest first; otherwise delivery
       * starts after its current last message. A changed UIDVALIDITY
       * always starts after the current last message, whatever the
       * option: the old UIDs mean nothing now, and delivering the folder
       * again would repeat what was delivered before. */
      gboolean first_use = imap->uidvalidity == 0;
      guint32 start = first_use && imap->initial_all ? 0 : current_last;
      purple_debug_info ("roundtable-mail", "%s: UIDVALIDITY %u (was %u), starting after UID %u\n",
                         ma->address, uidvalidity, imap->uidvalidity, start);
      imap->uidvalidity = uidvalidity;
      imap->last_uid = start;
      set_u32 (imap, imap->key_validity, imap->uidvalidity);
      set_u32 (imap, imap->key_last, imap->last_uid);
    }
  imap->sync_end = current_last;
  search_window (imap);   /* nothing new: schedules the next poll */
}

/* The folder's highest UID, asked for only when EXAMINE had no UIDNEXT
 * (RFC 3501 requires it; a server without it still gets a bounded sync). */
static void
on_probe (CURL *easy, CURLcode result, gpointer data)
{
  RtMailImap *imap = data;
  imap->xfer = 0;
  if (result != CURLE_OK)
    {
      poll_failed (imap, result, _("IMAP search"), NULL);
      return;
    }
  g_autoptr(GArray) uids = rt_imap_parse_search (imap->buf->str, imap->buf->len, 0);
  guint32 highest = uids->len > 0 ? g_array_index (uids, guint32, uids->len - 1) : 0;
  folder_known (imap, imap->probed_validity, highest);
}

static void
on_examine (CURL *easy, CURLcode result, gpointer data)
{
  RtMailImap *imap = data;
  RtMailAccount *ma = imap->ma;
  imap->xfer = 0;
  if (result != CURLE_OK)
    {
      poll_failed (imap, result, _("IMAP"), ma->folder);
      return;
    }
  RtImapFolderState st;
  if (!rt_imap_parse_examine (imap->buf->str, imap->buf->len, &st))
    {
      poll_failed (imap, CURLE_WEIRD_SERVER_REPLY, _("IMAP"), _("no UIDVALIDITY for the folder"));
      return;
    }
  if (imap->failures > 0)
    {
      purple_debug_info ("roundtable-mail", "%s: IMAP poll works again after %u failed polls\n",
                         ma->address, imap->failures);
      imap->failures = 0;
      imap->backoff = 0;
    }
  if (!imap->connected)
    {
      imap->connected = TRUE;
      purple_connection_set_state (ma->gc, PURPLE_CONNECTED);
    }
  if (st.uidnext != 0)
    {
      folder_known (imap, st.uidvalidity, st.uidnext - 1);
      return;
    }
  /* "UID *" is the highest UID in use: one UID back, or none. */
  imap->probed_validity = st.uidvalidity;
  g_autofree char *url = folder_url (imap, NULL);
  CURL *e = rt_mail_account_easy (ma, url, "imap,imaps");
  curl_easy_setopt (e, CURLOPT_CUSTOMREQUEST, "UID SEARCH UID *");
  start_xfer (imap, e, on_probe);
}

static void
poll_start (RtMailImap *imap)
{
  g_autofree char *custom = rt_imap_examine_command (imap->ma->folder);
  if (custom == NULL)
    {
      imap->ma->failed = TRUE;
      purple_connection_error_reason (imap->ma->gc, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
                                      _("The folder name contains control characters."));
      return;
    }
  g_autofree char *base = rt_mail_account_base_url (imap->ma, FALSE);
  g_autofree char *url = g_strconcat (base, "/", NULL);
  CURL *easy = rt_mail_account_easy (imap->ma, url, "imap,imaps");
  curl_easy_setopt (easy, CURLOPT_CUSTOMREQUEST, custom);
  start_xfer (imap, easy, on_examine);
}

void
rt_mail_imap_start (RtMailAccount *ma)
{
  const char *initial = purple_account_get_string (ma->account, "initial_sync", "new");
  if (initial == NULL || *initial == '\0')
    initial = "new";
  if (!g_str_equal (initial, "new") && !g_str_equal (initial, "all"))
    {
      ma->failed = TRUE;
      purple_connection_error_reason (ma->gc, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
                                      _("The initial sync must be \"new\" or \"all\"."));
      return;
    }
  RtMailImap *imap = g_new0 (RtMailImap, 1);
  imap->ma = ma;
  imap->initial_all = g_str_equal (initial, "all");
  imap->buf = g_string_new (NULL);
  imap->key_validity = g_strconcat ("imap_uidvalidity:", ma->folder, NULL);
  imap->key_last = g_strconcat ("imap_last_uid:", ma->folder, NULL);
  imap->positions = rt_account_positions_open (ma->account);
  imap->uidvalidity = get_u32 (imap, imap->key_validity);
  imap->last_uid = get_u32 (imap, imap->key_last);
  ma->imap = imap;
  poll_start (imap);
}

void
rt_mail_imap_stop (RtMailAccount *ma)
{
  RtMailImap *imap = g_steal_pointer (&ma->imap);
  if (imap == NULL)
    return;
  if (imap->xfer != 0)
    rt_curl_loop_cancel (ma->loop, imap->xfer);
  if (imap->timer != 0)
    purple_timeout_remove (imap->timer);
  g_clear_pointer (&imap->pending, g_array_unref);
  /* The last position is written now (synchronously, at logout or quit). */
  rt_account_positions_close (ma->account);
  g_string_free (imap->buf, TRUE);
  g_free (imap->key_validity);
  g_free (imap->key_last);
  g_free (imap);
}
