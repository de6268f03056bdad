/* curl-test-env.h - shared set-up for the RtCurlLoop tests
 *
 * Roundtable
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * No libpurple core: only GLib event loop ops (as libpurple's nullclient
 * does), counted so that every test can prove nothing is left behind.
 */
#pragma once

#include "rt-curl-loop.h"
#include "http-server.h"

#include <eventloop.h>

extern RtTestServer *server;
extern gint host_inputs;     /* live purple_input_add watches */
extern gint host_timers;     /* live purple_timeout_add timers */
extern PurpleEventLoopUiOps glib_eventloop_ops;

typedef struct {
  RtCurlLoop *loop;
  GMainLoop *main;
  guint pending;             /* on_done callbacks still expected */
  guint watchdog;
} Fixture;

typedef struct {
  Fixture *fx;
  GString *body;
  long status;
  CURLcode result;
  gboolean done;
  guint64 id;
} Req;

void run_for (Fixture *fx, guint ms);
void fixture_setup (Fixture *fx, gconstpointer data);
void fixture_teardown (Fixture *fx, gconstpointer data);

/* An easy handle for @url whose body goes to @req->body. */
CURL *make_easy (const char *url, Req *req);
char *url_for (const char *path);

/* Records result and status in the Req given as user_data; quits the main
 * loop when fx->pending drops to 0. */
void on_done (CURL *easy, CURLcode result, gpointer data);
/* Fails the test: for transfers that are cancelled or freed. */
void on_done_never (CURL *easy, CURLcode result, gpointer data);

/* Starts @req; @done gets @user_data, or @req when NULL.  Counts on_done. */
void req_start_full (Fixture *fx, Req *req, const char *url, RtCurlDone done,
                     gpointer user_data);
void req_start (Fixture *fx, Req *req, const char *path, RtCurlDone done);
void req_clear (Req *reqs, guint n);

/* No transfer, no watch, no timer: in the loop and in the host. */
void assert_loop_idle (RtCurlLoop *loop);
