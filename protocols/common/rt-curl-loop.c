/* rt-curl-loop.c - one libcurl multi handle driven by the libpurple event loop
 *
 * Roundtable
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Shape of the driver:
 *   socket_cb  (libcurl)  -> install/replace/remove one purple_input_add watch
 *   timer_cb   (libcurl)  -> replace the one purple_timeout_add timer
 *   on_socket / on_timeout (event loop) -> curl_multi_socket_action, then
 *   dispatch_done, which reads CURLMSG_DONE and runs the done callbacks.
 * libcurl's own callbacks only touch the event loop, never libcurl itself
 * (curl_multi_assign is explicitly allowed there).
 */
#include "rt-curl-loop.h"

#include <eventloop.h>
#include <debug.h>

#define RT_CURL_DEBUG "rt-curl"

typedef struct {
  curl_socket_t fd;
  guint watch;               /* purple_input_add handle, 0 if none */
  int what;                  /* CURL_POLL_IN / OUT / INOUT */
} RtCurlSocket;

typedef struct {
  guint64 id;
  CURL *easy;
  RtCurlDone done;
  gpointer user_data;
} RtCurlTransfer;

struct _RtCurlLoop {
  CURLM *multi;
  GHashTable *by_id;         /* guint64* id -> RtCurlTransfer* (owned) */
  GHashTable *by_easy;       /* CURL* -> RtCurlTransfer* (borrowed) */
  GHashTable *sockets;       /* set of RtCurlSocket* (owned) */
  guint timer;               /* purple_timeout_add handle, 0 if none */
  guint64 next_id;
  guint in_action;           /* > 0 while libcurl runs (its callbacks may fire) */
  guint in_dispatch;         /* > 0 while done callbacks run */
  gboolean free_pending;     /* rt_curl_loop_free called from a done callback */
  gboolean dying;            /* final teardown: ignore libcurl callbacks */
};

static void
transfer_free (gpointer data)
{
  RtCurlTransfer *t = data;

  g_clear_pointer (&t->easy, curl_easy_cleanup);
  g_free (t);
}

static void
socket_free (gpointer data)
{
  RtCurlSocket *sock = data;

  if (sock->watch != 0)
    purple_input_remove (sock->watch);
  g_free (sock);
}

/* ---- event loop side ---------------------------------------------------- */

static void loop_finalize (RtCurlLoop *loop);

/* Runs the done callbacks of every finished transfer.  Each transfer leaves
 * the tables and the multi before its callback, so the callback may add,
 * cancel or free freely. */
static void
dispatch_done (RtCurlLoop *loop)
{
  CURLMsg *msg;
  int left;

  loop->in_dispatch++;
  while (!loop->free_pending
         && (msg = curl_multi_info_read (loop->multi, &left)) != NULL) {
    CURL *easy = msg->easy_handle;
    CURLcode result = msg->data.result;
    RtCurlTransfer *t;

    if (msg->msg != CURLMSG_DONE)
      continue;
    t = g_hash_table_lookup (loop->by_easy, easy);
    if (t == NULL)
      continue;

    /* msg belongs to the easy handle: do not read it after this point. */
    g_hash_table_remove (loop->by_easy, easy);
    g_hash_table_steal (loop->by_id, &t->id);
    curl_multi_remove_handle (loop->multi, easy);

    t->done (easy, result, t->user_data);
    transfer_free (t);
  }
  loop->in_dispatch--;

  if (loop->free_pending && loop->in_dispatch == 0)
    loop_finalize (loop);
}

static void
socket_action (RtCurlLoop *loop, curl_socket_t fd, int ev_bitmask)
{
  CURLMcode rc;
  int running = 0;

  loop->in_action++;
  rc = curl_multi_socket_action (loop->multi, fd, ev_bitmask, &running);
  loop->in_action--;
  if (rc != CURLM_OK)
    purple_debug_warning (RT_CURL_DEBUG, "curl_multi_socket_action: %s\n",
                          curl_multi_strerror (rc));
}

static void
on_socket (gpointer data, gint fd, PurpleInputCondition cond)
{
  RtCurlLoop *loop = data;
  int mask = 0;

  if (cond & PURPLE_INPUT_READ)
    mask |= CURL_CSELECT_IN;
  if (cond & PURPLE_INPUT_WRITE)
    mask |= CURL_CSELECT_OUT;

  socket_action (loop, fd, mask);
  dispatch_done (loop);          /* may free loop: nothing after this */
}

static gboolean
on_timeout (gpointer data)
{
  RtCurlLoop *loop = data;

  /* This source ends when we return FALSE; timer_cb may install a new one
   * from inside socket_action. */
  loop->timer = 0;
  socket_action (loop, CURL_SOCKET_TIMEOUT, 0);
  dispatch_done (loop);          /* may free loop: nothing after this */
  return FALSE;
}

/* ---- libcurl side: only event loop calls in here ------------------------ */

static int
socket_cb (CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
  RtCurlLoop *loop = userp;
  RtCurlSocket *sock = socketp;
  PurpleInputCondition cond = 0;

  if (loop->dying)
    return 0;

  if (what == CURL_POLL_REMOVE) {
    if (sock != NULL)
      g_hash_table_remove (loop->sockets, sock);   /* removes the watch */
    return 0;
  }

  if (sock == NULL) {
    sock = g_new0 (RtCurlSocket, 1);
    sock->fd = fd;
    g_hash_table_add (loop->sockets, sock);
    curl_multi_assign (loop->multi, fd, sock);
  } else if (sock->what == what && sock->watch != 0) {
    return 0;
  }

  if (sock->watch != 0) {
    purple_input_remove (sock->watch);
    sock->watch = 0;
  }
  sock->what = what;
  if (what & CURL_POLL_IN)
    cond |= PURPLE_INPUT_READ;
  if (what & CURL_POLL_OUT)
    cond |= PURPLE_INPUT_WRITE;
  if (cond != 0)
    sock->watch = purple_input_add (fd, cond, on_socket, loop);
  return 0;
}

static int
timer_cb (CURLM *multi, long timeout_ms, void *userp)
{
  RtCurlLoop *loop = userp;

  if (loop->dying)
    return 0;

  if (loop->timer != 0) {
    purple_timeout_remove (loop->timer);
    loop->timer = 0;
  }
  /* -1: no timeout wanted.  0: "as soon as possible", from the event loop,
   * never by calling socket_action from here. */
  if (timeout_ms >= 0)
    loop->timer = purple_timeout_add ((guint) MIN (timeout_ms, G_MAXINT),
                                      on_timeout, loop);
  return 0;
}

/* ---- public API --------------------------------------------------------- */

RtCurlLoop *
rt_curl_loop_new (void)
{
  RtCurlLoop *loop;

  if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK)
    g_error ("curl_global_init failed");

  loop = g_new0 (RtCurlLoop, 1);
  loop->multi = curl_multi_init ();
  g_assert (loop->multi != NULL);
  loop->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                       NULL, transfer_free);
  loop->by_easy = g_hash_table_new (g_direct_hash, g_direct_equal);
  loop->sockets = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                         socket_free, NULL);
  loop->next_id = 1;

  curl_multi_setopt (loop->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
  curl_multi_setopt (loop->multi, CURLMOPT_SOCKETDATA, loop);
  curl_multi_setopt (loop->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
  curl_multi_setopt (loop->multi, CURLMOPT_TIMERDATA, loop);
  return loop;
}

/* Removes one transfer from the multi (socket_cb may see REMOVE) and the
 * tables, then cleans up its easy handle. */
static void
transfer_cancel (RtCurlLoop *loop, RtCurlTransfer *t)
{
  g_hash_table_remove (loop->by_easy, t->easy);
  curl_multi_remove_handle (loop->multi, t->easy);
  g_hash_table_remove (loop->by_id, &t->id);      /* frees t */
}

static void
cancel_all (RtCurlLoop *loop)
{
  GHashTableIter iter;
  gpointer value;

  /* Detach first so that the multi never sees a freed easy. */
  g_hash_table_iter_init (&iter, loop->by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    RtCurlTransfer *t = value;

    curl_multi_remove_handle (loop->multi, t->easy);
  }
  g_hash_table_remove_all (loop->by_easy);
  g_hash_table_remove_all (loop->by_id);
}

static void
loop_finalize (RtCurlLoop *loop)
{
  cancel_all (loop);

  /* Whatever libcurl still watches (cached connections), we drop ourselves;
   * from here on its callbacks must not touch freed sockets. */
  loop->dying = TRUE;
  g_hash_table_destroy (loop->sockets);
  if (loop->timer != 0)
    purple_timeout_remove (loop->timer);
  curl_multi_cleanup (loop->multi);

  g_hash_table_destroy (loop->by_easy);
  g_hash_table_destroy (loop->by_id);
  g_free (loop);
  curl_global_cleanup ();
}

void
rt_curl_loop_free (RtCurlLoop *loop)
{
  if (loop == NULL)
    return;
  g_return_if_fail (loop->in_action == 0);
  g_return_if_fail (!loop->free_pending);

  if (loop->in_dispatch > 0) {
    /* Called from a done callback: drop everything else now, finish when
     * the callback returns to dispatch_done. */
    loop->free_pending = TRUE;
    cancel_all (loop);
    return;
  }
  loop_finalize (loop);
}

guint64
rt_curl_loop_add (RtCurlLoop *loop,
                  CURL       *easy,
                  RtCurlDone  done,
                  gpointer    user_data)
{
  RtCurlTransfer *t;
  CURLMcode rc;

  g_return_val_if_fail (easy != NULL, 0);
  if (loop == NULL || done == NULL || loop->in_action > 0
      || loop->free_pending) {
    g_critical ("%s: no loop or no callback, called from inside libcurl, "
                "or on a loop being freed", G_STRFUNC);
    curl_easy_cleanup (easy);
    return 0;
  }

  rc = curl_multi_add_handle (loop->multi, easy);
  if (rc != CURLM_OK) {
    purple_debug_warning (RT_CURL_DEBUG, "curl_multi_add_handle: %s\n",
                          curl_multi_strerror (rc));
    curl_easy_cleanup (easy);
    return 0;
  }

  t = g_new0 (RtCurlTransfer, 1);
  t->id = loop->next_id++;
  t->easy = easy;
  t->done = done;
  t->user_data = user_data;
  g_hash_table_insert (loop->by_id, &t->id, t);
  g_hash_table_insert (loop->by_easy, easy, t);
  return t->id;
}

gboolean
rt_curl_loop_cancel (RtCurlLoop *loop, guint64 id)
{
  RtCurlTransfer *t;

  g_return_val_if_fail (loop != NULL, FALSE);
  g_return_val_if_fail (loop->in_action == 0, FALSE);

  t = g_hash_table_lookup (loop->by_id, &id);
  if (t == NULL)
    return FALSE;
  transfer_cancel (loop, t);
  return TRUE;
}

guint
rt_curl_loop_active (RtCurlLoop *loop)
{
  g_return_val_if_fail (loop != NULL, 0);

  return g_hash_table_size (loop->by_id);
}

void
rt_curl_loop_get_counts (RtCurlLoop *loop,
                         guint      *n_watches,
                         gboolean   *timer_pending)
{
  GHashTableIter iter;
  gpointer key;
  guint n = 0;

  g_return_if_fail (loop != NULL);

  g_hash_table_iter_init (&iter, loop->sockets);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (((RtCurlSocket *) key)->watch != 0)
      n++;
  if (n_watches != NULL)
    *n_watches = n;
  if (timer_pending != NULL)
    *timer_pending = loop->timer != 0;
}
