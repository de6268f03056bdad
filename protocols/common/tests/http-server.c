/* http-server.c - a tiny threaded HTTP/1.1 server for the unit tests
 *
 * Roundtable
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "http-server.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct _RtTestServer {
  int listen_fd;
  guint16 port;
  GThread *acceptor;
  gint connections;          /* atomic */
};

typedef struct {
  RtTestServer *server;
  int fd;
} Conn;

static gboolean
send_all (int fd, const char *buf, gsize len)
{
  while (len > 0) {
    ssize_t n = send (fd, buf, len, MSG_NOSIGNAL);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;          /* client went away: fine for these tests */
    buf += n;
    len -= (gsize) n;
  }
  return TRUE;
}

static void
send_response (int fd, int status, const char *body)
{
  g_autofree char *head = g_strdup_printf (
      "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
      status, status == 200 ? "OK" : "Internal Server Error", strlen (body));

  if (send_all (fd, head, strlen (head)))
    send_all (fd, body, strlen (body));
}

/* Reads the request head; returns the path or NULL. */
static char *
read_request_path (int fd)
{
  char buf[4096];
  gsize used = 0;
  char path[1024];

  while (used < sizeof buf - 1) {
    ssize_t n = recv (fd, buf + used, sizeof buf - 1 - used, 0);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return NULL;
    used += (gsize) n;
    buf[used] = '\0';
    if (strstr (buf, "\r\n\r\n") != NULL)
      break;
  }
  if (sscanf (buf, "GET %1023s HTTP/1.1", path) != 1)
    return NULL;
  return g_strdup (path);
}

static void
serve_slow (int fd, guint chunks)
{
  const char *head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                     "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";

  send_all (fd, head, strlen (head));
  for (guint i = 0; i < chunks; i++) {
    g_autofree char *data = g_strdup_printf ("chunk-%u\n", i);
    g_autofree char *chunk = g_strdup_printf ("%zx\r\n%s\r\n",
                                              strlen (data), data);

    if (!send_all (fd, chunk, strlen (chunk)))
      return;
    g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  }
  send_all (fd, "0\r\n\r\n", 5);
}

static void
serve_hang (int fd)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  char c;

  /* Returns as soon as the client closes (readable, recv == 0). */
  while (poll (&pfd, 1, 5000) > 0 && recv (fd, &c, 1, 0) > 0)
    ;
}

static gpointer
conn_thread (gpointer data)
{
  Conn *conn = data;
  g_autofree char *path = read_request_path (conn->fd);

  if (path == NULL) {
    /* nothing */
  } else if (g_str_has_prefix (path, "/ok/")) {
    g_autofree char *body = g_strdup_printf ("hello %s", path + 4);

    send_response (conn->fd, 200, body);
  } else if (g_str_equal (path, "/status/500")) {
    send_response (conn->fd, 500, "boom");
  } else if (g_str_has_prefix (path, "/slow/")) {
    serve_slow (conn->fd, (guint) g_ascii_strtoull (path + 6, NULL, 10));
  } else if (g_str_equal (path, "/close")) {
    const char *part = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n"
                       "Connection: close\r\n\r\n0123456789";

    send_all (conn->fd, part, strlen (part));
  } else if (g_str_equal (path, "/hang")) {
    serve_hang (conn->fd);
  } else {
    send_response (conn->fd, 404, "");
  }

  close (conn->fd);
  (void) g_atomic_int_dec_and_test (&conn->server->connections);
  g_free (conn);
  return NULL;
}

static gpointer
accept_thread (gpointer data)
{
  RtTestServer *server = data;

  for (;;) {
    int fd = accept (server->listen_fd, NULL, NULL);
    Conn *conn;

    if (fd < 0) {
      if (errno == EINTR)
        continue;
      return NULL;           /* shut down */
    }
    conn = g_new0 (Conn, 1);
    conn->server = server;
    conn->fd = fd;
    g_atomic_int_inc (&server->connections);
    g_thread_unref (g_thread_new ("http-conn", conn_thread, conn));
  }
}

static int
bind_loopback (guint16 *port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  *port = ntohs (addr.sin_port);
  return fd;
}

RtTestServer *
rt_test_server_start (void)
{
  RtTestServer *server = g_new0 (RtTestServer, 1);

  server->listen_fd = bind_loopback (&server->port);
  g_assert_cmpint (listen (server->listen_fd, 64), ==, 0);
  server->acceptor = g_thread_new ("http-accept", accept_thread, server);
  return server;
}

guint16
rt_test_server_port (RtTestServer *server)
{
  return server->port;
}

gint
rt_test_server_connections (RtTestServer *server)
{
  return g_atomic_int_get (&server->connections);
}

void
rt_test_server_stop (RtTestServer *server)
{
  gint64 deadline = g_get_monotonic_time () + 3 * G_TIME_SPAN_SECOND;

  shutdown (server->listen_fd, SHUT_RDWR);   /* wakes accept() */
  g_thread_join (server->acceptor);
  close (server->listen_fd);
  while (g_atomic_int_get (&server->connections) > 0
         && g_get_monotonic_time () < deadline)
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (g_atomic_int_get (&server->connections), ==, 0);
  g_free (server);
}

guint16
rt_test_closed_port (void)
{
  guint16 port;

  close (bind_loopback (&port));
  return port;
}
