/* rt-stream-ipc.h: the plugin IPC and signals of "Roundtable Stream"
 * (prpl-roundtable-stream) for other plugins in the same libpurple host.
 * Header only: nothing to link; calls go through purple_plugin_ipc_call,
 * signals through purple_signal_connect on the stream plugin's handle
 * (purple_plugins_find_with_id (RT_STREAM_IPC_PLUGIN_ID)). Everything here
 * is registered in the plugin's load and removed in its unload; a plugin
 * that may load before the stream plugin connects when it sees
 * "plugin-load". A caller that reads RtStreamPost needs the stream core's
 * header rt-stream-post.h (protocols/stream/core) on its include path; the
 * struct is plain data, nothing to link.
 *
 * ---- Command RT_STREAM_IPC_POST ("post") -------------------------------
 *
 *   Marshaller: purple_marshal_BOOLEAN__POINTER_POINTER_POINTER
 *   Arguments:  PurpleAccount *account   a connected prpl-roundtable-stream account
 *               const char *timeline     a timeline as for join_chat: "home",
 *                                        "list:ID", "tag:NAME" (Mastodon);
 *                                        "group:ID", "feed" (Viva Engage).
 *                                        It need not be joined.
 *               GHashTable *fields       char * key -> char * value (UTF-8)
 *   Returns:    gboolean accepted, as GPOINTER_TO_INT of the call's result
 *
 *   PurplePlugin *p = purple_plugins_find_with_id (RT_STREAM_IPC_PLUGIN_ID);
 *   gboolean ok = FALSE;
 *   gboolean accepted = p != NULL && GPOINTER_TO_INT (purple_plugin_ipc_call (
 *       p, RT_STREAM_IPC_POST, &ok, account, timeline, fields)) && ok;
 *
 * Keys of fields (any other key, or a NULL value, is refused):
 *   "text"             required: the post's plain text (not markup); for a
 *                      "tag:NAME" timeline "#NAME" is appended when the text
 *                      does not hold it, so the post lands in that timeline
 *   "idempotency-key"  required: chosen by the caller, stable for this post
 *                      (1..64 printable ASCII characters, no spaces), e.g.
 *                      "rt-ws3-msg812". Mastodon gets it as Idempotency-Key
 *                      on every try, so a retry never posts twice; the
 *                      signals below carry it back
 *   "visibility"       optional (Mastodon): public, unlisted, private,
 *                      direct; default: the joined chat's setting, else the
 *                      account's option, else the server's default
 *   "in-reply-to"      optional: the id of the post answered
 *                      (Mastodon in_reply_to_id, Viva replied_to_id)
 *
 * Ownership: everything is borrowed for the call only.
 *
 * Result: FALSE, and nothing is sent, when the account is NULL, not of this
 * protocol or not connected, the timeline is unknown for its service or a
 * feed (read-only), a key is unknown, a value NULL, "text" empty,
 * "idempotency-key" missing or malformed, or "visibility" not one of the
 * four. TRUE means queued: sending is asynchronous through the account's
 * rate-limit gate; temporary failures (network, 5xx, 429 after its
 * Retry-After) are retried with backoff 2 s .. 60 s, 8 tries in all, with
 * the same key. Exactly one of the two signals below follows, unless the
 * host quits or the account disconnects first (then neither).
 *
 * ---- Signal RT_STREAM_SIGNAL_POSTED ("roundtable-stream-posted") --------
 *
 *   Marshaller: purple_marshal_VOID__POINTER_POINTER_POINTER_POINTER
 *   Handler:    void handler (PurpleAccount *account, const char *key,
 *                             const char *post_id, const char *url, gpointer data)
 *
 * A post (IPC or typed in a chat; a typed line gets a generated key) was
 * accepted by the server. post_id is the server's id of the new post; url
 * its web address or NULL.
 *
 * ---- Signal RT_STREAM_SIGNAL_POST_FAILED ("roundtable-stream-post-failed")
 *
 *   Marshaller: purple_marshal_VOID__POINTER_POINTER_POINTER
 *   Handler:    void handler (PurpleAccount *account, const char *key,
 *                             const char *error, gpointer data)
 *
 * A post was given up: refused by the server (4xx other than 429), or the
 * last try failed. error is a translated sentence, also written in the
 * chat when it is joined.
 *
 * ---- Signal RT_STREAM_SIGNAL_POST ("roundtable-stream-post") ------------
 *
 *   Marshaller: purple_marshal_VOID__POINTER_POINTER
 *   Handler:    void handler (PurpleAccount *account,
 *                             const RtStreamPostRead *read, gpointer data)
 *
 * Emitted once for every new post read from any timeline of the account,
 * joined chat or direct messages (before it is shown), so that watchlists
 * see every stream the hub reads. Not emitted for our own posts echoed
 * after sending. read and everything it points to are borrowed for the
 * emission only. Handlers run on the event loop: keep them short.
 */
#pragma once
#include <purple.h>

#define RT_STREAM_IPC_PLUGIN_ID "prpl-roundtable-stream"
#define RT_STREAM_IPC_POST "post"
#define RT_STREAM_SIGNAL_POSTED "roundtable-stream-posted"
#define RT_STREAM_SIGNAL_POST_FAILED "roundtable-stream-post-failed"
#define RT_STREAM_SIGNAL_POST "roundtable-stream-post"

/* Versioned: fields are only ever added at the end; check struct_size
 * (RT_STREAM_POST_READ_HAS) before reading a field added after version 1. */
#define RT_STREAM_POST_READ_VERSION 1

typedef struct {
  gsize struct_size;             /* sizeof the emitter's struct */
  guint version;                 /* RT_STREAM_POST_READ_VERSION of the emitter */
  PurpleAccount *account;
  const char *service;           /* "mastodon", "viva", "feed" */
  const char *timeline;          /* the chat name ("tag:acme"), or "dm" */
  gboolean is_dm;                /* a direct message, shown as an IM */
  const char *chat_name;         /* the joined chat's name, or NULL (dm) */
  const void *post;              /* const RtStreamPost * (rt-stream-post.h) */
  const char *markup;            /* what the chat shows (safe markup) */
} RtStreamPostRead;

#define RT_STREAM_POST_READ_HAS(r, field) \
  ((r)->struct_size >= G_STRUCT_OFFSET (RtStreamPostRead, field) + sizeof ((r)->field))
