/* http-server.h - a tiny threaded HTTP/1.1 server for the unit tests
 *
 * Roundtable
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Listens on 127.0.0.1, port chosen by the kernel.  One thread accepts, one
 * thread per connection answers a single GET and closes ("Connection: close").
 * Paths:
 *   /ok/<text>     200, body "hello <text>"
 *   /status/500    500, body "boom"
 *   /slow/<n>      200, n chunks "chunk-<i>\n" written 100 ms apart
 *   /close         200 announcing 1000 bytes, sends 10, then closes
 *   /hang          headers never sent; waits until the client goes away (5 s max)
 */
#pragma once

#include <glib.h>

typedef struct _RtTestServer RtTestServer;

RtTestServer *rt_test_server_start (void);
guint16 rt_test_server_port (RtTestServer *server);
/* Connections currently being served (threads alive). */
gint rt_test_server_connections (RtTestServer *server);
/* Stops accepting, waits (up to 3 s) for the connection threads, frees. */
void rt_test_server_stop (RtTestServer *server);

/* A 127.0.0.1 port nobody listens on (bound once, then closed). */
guint16 rt_test_closed_port (void);
