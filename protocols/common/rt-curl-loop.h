/* rt-curl-loop.h - one libcurl multi handle driven by the libpurple event loop
 *
 * Roundtable
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * An RtCurlLoop owns one CURLM and the easy handles added to it.  It never
 * runs an event loop of its own: socket interest reported by libcurl
 * (CURLMOPT_SOCKETFUNCTION) becomes purple_input_add() watches, and libcurl's
 * timeout (CURLMOPT_TIMERFUNCTION) becomes a purple_timeout_add() timer that is
 * replaced on every timer callback and removed when libcurl asks for -1.  The
 * host (Pidgin, Finch, the headless hub, or a test's GMainLoop) dispatches
 * them.
 *
 * Threading: everything happens on the thread that runs the libpurple event
 * loop.  None of these functions may be called from inside a libcurl callback
 * of a transfer owned by the loop (write, header, progress, ... functions):
 * libcurl does not allow re-entrant calls.  To abort a transfer from its write
 * function, return a short count there; the done callback then reports
 * CURLE_WRITE_ERROR.
 *
 * Completion: the done callback is always dispatched from the event loop,
 * after curl_multi_socket_action() has returned, never from inside a libcurl
 * callback.  From a done callback it is safe to call rt_curl_loop_add(),
 * rt_curl_loop_cancel() and even rt_curl_loop_free() on the same loop.
 */
#pragma once

#include <glib.h>
#include <curl/curl.h>

G_BEGIN_DECLS

typedef struct _RtCurlLoop RtCurlLoop;

/**
 * RtCurlDone:
 * @easy: (transfer none): the finished easy handle.  It has already been
 *   removed from the multi handle, so curl_easy_getinfo() works (response
 *   code, effective URL, ...).  The loop still owns it and calls
 *   curl_easy_cleanup() right after the callback returns: do not clean it up
 *   or keep it.
 * @result: CURLE_OK when the transfer completed (whatever the HTTP status:
 *   read CURLINFO_RESPONSE_CODE), otherwise libcurl's error code
 *   (e.g. CURLE_COULDNT_CONNECT, CURLE_PARTIAL_FILE, CURLE_OPERATION_TIMEDOUT).
 * @user_data: the pointer given to rt_curl_loop_add().
 *
 * Called exactly once per transfer that was neither cancelled nor freed with
 * its loop.  Never called from inside rt_curl_loop_add(), never after
 * rt_curl_loop_cancel() or rt_curl_loop_free() for that transfer.  When the
 * callback runs, the transfer's id is no longer valid: cancelling it returns
 * FALSE.
 */
typedef void (*RtCurlDone) (CURL *easy, CURLcode result, gpointer user_data);

/**
 * rt_curl_loop_new:
 *
 * Creates a loop with its own CURLM.  Takes a reference on libcurl's global
 * state (curl_global_init), released by rt_curl_loop_free().  Call it on the
 * event loop thread after purple_eventloop_set_ui_ops().
 *
 * Returns: (transfer full): a new loop; free with rt_curl_loop_free().
 */
RtCurlLoop *rt_curl_loop_new (void);

/**
 * rt_curl_loop_free:
 * @loop: (transfer full) (nullable): the loop
 *
 * Cancels every transfer (their done callbacks never run, their user_data is
 * not touched), removes every socket watch and the timer, cleans up the easy
 * handles and the CURLM.  Called from a done callback, the loop is torn down as
 * soon as that callback returns; no further callbacks are delivered.
 */
void rt_curl_loop_free (RtCurlLoop *loop);

/**
 * rt_curl_loop_add:
 * @loop: the loop
 * @easy: (transfer full): a configured easy handle, not in any multi.  From
 *   now on the loop owns it and cleans it up after @done returns, on cancel,
 *   or on free.  The loop leaves CURLOPT_PRIVATE to the caller.  Objects the easy points to (curl_slist headers, write-callback
 *   data) stay the caller's; keep them alive until @done runs or the transfer
 *   is cancelled.
 * @done: (not nullable): the completion callback
 * @user_data: passed to @done
 *
 * Starts the transfer.  Nothing happens synchronously: libcurl is kicked from
 * a 0 ms timer.  @done is never called from inside this function.
 *
 * Returns: a non-zero id for rt_curl_loop_cancel(), or 0 if libcurl refused
 *   the handle (it is then cleaned up and @done is never called).
 */
guint64 rt_curl_loop_add (RtCurlLoop *loop,
                          CURL       *easy,
                          RtCurlDone  done,
                          gpointer    user_data);

/**
 * rt_curl_loop_cancel:
 * @loop: the loop
 * @id: an id returned by rt_curl_loop_add()
 *
 * Stops the transfer, removes its sockets from the event loop and cleans up
 * its easy handle.  Its done callback is never called.
 *
 * Returns: TRUE if the transfer was still in flight, FALSE if @id is unknown
 *   (already finished, already cancelled, or its done callback is running).
 */
gboolean rt_curl_loop_cancel (RtCurlLoop *loop, guint64 id);

/**
 * rt_curl_loop_active:
 * @loop: the loop
 *
 * Returns: the number of transfers in flight (added, not yet finished or
 *   cancelled).
 */
guint rt_curl_loop_active (RtCurlLoop *loop);

/**
 * rt_curl_loop_get_counts:
 * @loop: the loop
 * @n_watches: (out) (optional): socket watches currently installed
 * @timer_pending: (out) (optional): whether a libcurl timer is scheduled
 *
 * For tests and diagnostics: what the loop currently holds in the host's
 * event loop.
 */
void rt_curl_loop_get_counts (RtCurlLoop *loop,
                              guint      *n_watches,
                              gboolean   *timer_pending);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtCurlLoop, rt_curl_loop_free)

G_END_DECLS
