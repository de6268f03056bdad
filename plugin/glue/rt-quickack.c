/* rt-quickack.c: lower relay latency by re-arming TCP_QUICKACK after reads.
 *
 * Why: a relay reads a line and writes another on the same connection. Linux
 * then delays its ACKs, and the server (Nagle) holds its next small write
 * until that ACK arrives: ~40 ms per relayed line. TCP_QUICKACK is not
 * sticky, so it must be set again after every read. libpurple 2 has no
 * setting for it, but every libpurple socket is watched through the event
 * loop's input_add; we wrap that, and after each read callback set the
 * option on TCP sockets. Non-TCP fds just fail the setsockopt harmlessly.
 *
 * Watches created before install keep the host's callback; watches made while
 * installed keep our small trampoline after uninstall (the trampoline only
 * calls the original and sets a socket option, and the module stays mapped:
 * libpurple 2 does not unload plugin code until exit). */
#include "rt-glue.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

typedef struct {
  PurpleInputFunction func;
  gpointer data;
} Trampoline;

static PurpleEventLoopUiOps *host_ops;
static PurpleEventLoopUiOps our_ops;
static GHashTable *trampolines;   /* handle -> Trampoline* */
static gboolean installed;

static void
after_read (gpointer data, gint fd, PurpleInputCondition cond)
{
  Trampoline *t = data;
  t->func (t->data, fd, cond);
  /* The callback may have closed fd; setsockopt then fails with EBADF or hits
   * a reused fd, where re-arming QUICKACK is harmless. */
  if (installed && (cond & PURPLE_INPUT_READ))
    {
      int one = 1;
      (void) setsockopt (fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    }
}

static guint
wrapped_input_add (int fd, PurpleInputCondition cond, PurpleInputFunction func, gpointer data)
{
  if (!(cond & PURPLE_INPUT_READ))
    return host_ops->input_add (fd, cond, func, data);
  Trampoline *t = g_new (Trampoline, 1);
  t->func = func;
  t->data = data;
  guint handle = host_ops->input_add (fd, cond, after_read, t);
  g_hash_table_replace (trampolines, GUINT_TO_POINTER (handle), t);
  return handle;
}

static gboolean
wrapped_input_remove (guint handle)
{
  g_hash_table_remove (trampolines, GUINT_TO_POINTER (handle));
  return host_ops->input_remove (handle);
}

void
rt_quickack_install (void)
{
  if (installed)
    return;
  host_ops = purple_eventloop_get_ui_ops ();
  if (host_ops == NULL || host_ops->input_add == NULL)
    return;
  our_ops = *host_ops;
  our_ops.input_add = wrapped_input_add;
  our_ops.input_remove = wrapped_input_remove;
  if (trampolines == NULL)
    trampolines = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  purple_eventloop_set_ui_ops (&our_ops);
  installed = TRUE;
  purple_debug_info (RT_DEBUG_CAT, "TCP_QUICKACK re-arming installed\n");
}

void
rt_quickack_uninstall (void)
{
  if (!installed)
    return;
  /* Trampolines stay registered: their watches may still be live and the
   * host's input_remove will be called through libpurple directly. */
  installed = FALSE;
  if (purple_eventloop_get_ui_ops () == &our_ops)
    purple_eventloop_set_ui_ops (host_ops);
}
