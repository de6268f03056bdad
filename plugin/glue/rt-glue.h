/* rt-glue.h: state and functions shared by the libpurple glue modules.
 * Only the glue includes purple.h; the core never does. */
#pragma once
#include "config.h"
#include <glib/gi18n-lib.h>
#include <purple.h>
#include "rt-hub.h"
#include "rt-digest-run.h"

#define RT_PLUGIN_ID   "core-roundtable"
#define RT_PREFS_ROOT  "/plugins/core/roundtable"
#define RT_DEBUG_CAT   "roundtable"
/* The protocol id of "Roundtable Mail" accounts (the hub's mailboxes). */
#define RT_MAIL_ACCOUNT_PROTOCOL "prpl-roundtable-mail"
/* The protocol id of "Roundtable Stream" accounts (social streams). */
#define RT_STREAM_ACCOUNT_PROTOCOL RT_STREAM_LINK_PROTOCOL

typedef struct {
  PurplePlugin *plugin;
  RtStore      *store;
  RtPolicy      policy;
  RtWorld       world;
} RtGlue;

/* The plugin's state while it is loaded; NULL otherwise. (transfer none) */
RtGlue *rt_glue (void);

/* rt-commands.c: the /ws command. */
void rt_commands_register (void);
void rt_commands_unregister (void);

/* rt-bridge.c: chat and IM signals into the hub; auto-join linked rooms. */
void rt_bridge_connect (PurplePlugin *plugin);
/* The joined chat conversation of a link, or NULL if not joined now. */
PurpleConversation *rt_bridge_link_conversation (const RtLink *link);
/* The member of ws_id matching a room nick (handle, name, or the local part of
 * an IM endpoint; case-insensitive), or NULL. (transfer none: cached) */
const RtMember *rt_bridge_member_for_nick (gint64 ws_id, const char *nick);
/* Join every linked room of account (when it signs on, or at load). */
void rt_bridge_join_links (PurpleAccount *account);
/* Accept a message into the workspace and wake the pump. */
gboolean rt_bridge_accept (RtMessage *msg, GError **error);
/* The same with extras (a watchlist hit, rt-store.h; may be NULL). FALSE
 * without error for a duplicate. */
gboolean rt_bridge_accept_full (RtMessage *msg, const RtMessageExtras *extras, GError **error);
/* Is the link a social stream timeline (a "Roundtable Stream" chat)? */
gboolean rt_bridge_is_stream_link (const RtLink *link);

/* rt-presence.c: the RtWorld answers from libpurple, and endpoint accounts. */
void rt_presence_world_init (RtWorld *world);
void rt_presence_connect (PurplePlugin *plugin);
/* The local account to reach ep through: the named one, else a connected
 * account of the protocol that has ep as a buddy, else one on the same
 * domain, else the first connected one. NULL if none is connected. */
PurpleAccount *rt_presence_account_for (const RtEndpoint *ep);
/* Make sure every IM endpoint of member is a buddy (so presence flows). */
void rt_presence_track_member (const RtMember *member);
/* Track all members of all workspaces reachable through account. */
void rt_presence_track_account (PurpleAccount *account);
/* FALSE for a few seconds after account signed on, while the server is
 * still sending the roster's presences: "offline" may just mean "not yet". */
gboolean rt_presence_settled (PurpleAccount *account);
/* The endpoint scheme used in member URIs for a libpurple protocol id. */
const char *rt_presence_scheme_for_protocol (const char *protocol_id);

/* rt-pump.c: the outbox pump on the event loop. */
void rt_pump_start (void);
void rt_pump_stop (void);
/* Ask the pump to run soon (new deliveries, an account signed on). */
void rt_pump_kick (void);

/* rt-mailer.c: workspace messages out by mail through the mail plugin's IPC. */
typedef enum {
  RT_MAILER_QUEUED,     /* the mail plugin took it (it sends and retries) */
  RT_MAILER_WAIT,       /* the mailbox account is missing or offline, or the
                           mail plugin is not loaded: try again later */
  RT_MAILER_REFUSED,    /* the IPC call refused the mail */
  RT_MAILER_NO_ROUTE,   /* no mailbox linked, or to is the mailbox itself */
} RtMailerResult;
/* The prpl-roundtable-mail account with this username, or NULL. */
PurpleAccount *rt_mailer_account (const char *username);
/* Mail msg of ws to address to from ws->mailbox with this Message-ID
 * (rt_mailout_message_id); why (static, English, for the debug log and the
 * outbox row) says what went wrong. */
RtMailerResult rt_mailer_send (const RtWorkspace *ws, const RtMessage *msg, const char *to,
                               const char *message_id, const char **why);

/* A connected mailbox account with the mail plugin loaded. */
gboolean rt_mailer_ready (PurpleAccount *account);
/* Send a digest or mention mail (rt-digest-run.h) from account to to, with
 * Reply-To, List-Id, List-Unsubscribe, Auto-Submitted and its stable
 * Message-ID. */
RtMailerResult rt_mailer_send_rich (PurpleAccount *account, const char *to,
                                    const RtDigestMail *mail, const char **why);

/* rt-mail-flight.c: mails the mail plugin accepted, until its
 * "roundtable-mail-sent" or "roundtable-mail-failed" signal says how they
 * ended. */
typedef void (*RtFlightDone) (gboolean sent, const char *error, gpointer data);
void rt_mail_flight_connect (PurplePlugin *plugin);
void rt_mail_flight_disconnect (void);
/* TRUE while the mail plugin's outcome signals are connected: then an
 * accepted mail is in flight until its outcome; otherwise (an older mail
 * plugin without them) accepted counts as sent. */
gboolean rt_mail_flight_tracking (void);
/* Call done once with the outcome of the mail with message_id (with or
 * without <>), then destroy (may be NULL) on data. A mail the mail plugin
 * still holds when it is unloaded fails; when the core plugin unloads,
 * flights are dropped without done (the store sends them again at load). */
void rt_mail_flight_add (const char *message_id, RtFlightDone done, gpointer data,
                         GDestroyNotify destroy);

/* rt-digester.c: digests at each member's slots and mention mails, on the
 * event loop (docs/digests.md, "Wiring"). */
void rt_digester_start (void);
void rt_digester_stop (void);
/* Something changed (a message kept for a digest, a member, a mailbox, an
 * account signed on, the clock): look again soon (coalesced). */
void rt_digester_kick (void);
/* A message was accepted (items kept, maybe a mention): look within 30 s,
 * and wake for a mention mail due earlier. */
void rt_digester_note_message (void);
/* An account signed on: people waiting for a mailbox are tried again. */
void rt_digester_retry_now (void);
/* A member was seen live (records members.last_live_us). */
void rt_digester_seen_live (gint64 member_id);

/* rt-mail-in.c: mail to a workspace's mailbox (the mail plugin's
 * "roundtable-mail-received" signal) into the workspace. */
void rt_mail_in_connect (PurplePlugin *plugin);
void rt_mail_in_disconnect (void);
/* TRUE while the handler listens: then it decides about every mail and
 * rt-bridge.c leaves IMs on mail accounts alone. */
gboolean rt_mail_in_active (void);

/* rt-stream-in.c: posts read by the stream plugin ("roundtable-stream-post")
 * into watchlist alerts and, from linked timelines, workspace messages;
 * connects the stream plugin's signals (also when it loads later). */
void rt_stream_in_connect (PurplePlugin *plugin);
void rt_stream_in_disconnect (void);
/* The watchlists changed (/ws watch, a workspace deleted): reload them. */
void rt_stream_watch_changed (void);
/* The hub's own label for alerts and notices ("Roundtable", translated). */
const char *rt_stream_hub_label (void);

/* rt-stream-out.c: workspace messages posted to stream links through the
 * stream plugin's IPC "post", in flight until "posted" or "post-failed". */
typedef enum {
  RT_STREAM_OUT_QUEUED,   /* the stream plugin took it: in flight */
  RT_STREAM_OUT_WAIT,     /* account offline or missing, plugin not loaded */
  RT_STREAM_OUT_REFUSED,  /* the IPC call refused it */
} RtStreamOutResult;
RtStreamOutResult rt_stream_out_post (const RtLink *link, const RtMessage *msg, const char **why);
/* Handlers of the stream plugin's outcome signals (rt-stream-ipc.h). */
void rt_stream_out_posted (PurpleAccount *account, const char *key, const char *post_id,
                           const char *url, gpointer data);
void rt_stream_out_failed (PurpleAccount *account, const char *key, const char *error,
                           gpointer data);
/* An account signed off: its posts in flight get no signal any more; they
 * are made due again (the same idempotency key). */
void rt_stream_out_account_gone (PurpleAccount *account);
void rt_stream_out_reset (void);

/* rt-commands-stream.c: /ws watch, /ws held, /ws approve, /ws reject and
 * the link options of /ws link. */
gboolean rt_cmd_watch (PurpleConversation *conv, char **argv, GError **error);
gboolean rt_cmd_held (PurpleConversation *conv, char **argv, GError **error);
gboolean rt_cmd_approve (PurpleConversation *conv, char **argv, GError **error);
gboolean rt_cmd_reject (PurpleConversation *conv, char **argv, GError **error);
/* The pieces of /ws held, /ws approve and /ws reject, also used for members
 * who send them to the hub by IM (rt-im-commands.c): the listing of ws's
 * held messages; the ID out of "ID [reason]" (usage errors); the held
 * message's workspace message (NOT_FOUND error); the decision by who with
 * roles, answered with a sentence (NULL and an error when refused).
 * (transfer full) */
char      *rt_cmd_held_text (const RtWorkspace *ws);
gboolean   rt_cmd_held_usage (char **argv, RtHeldAction action, gint64 *id, GError **error);
RtMessage *rt_cmd_held_message (gint64 id, GError **error);
char      *rt_cmd_held_decide (gint64 id, RtHeldAction action, const char *who, RtRoles roles,
                               const char *reason, GError **error);
/* --direction in|out|both and --audience internal|public out of argv (the
 * rest stays, in order, in *rest); all-or-nothing errors. *given tells
 * whether either option was there. */
gboolean rt_cmd_link_options (char **argv, GPtrArray *rest, RtLinkDirection *direction,
                              RtLinkAudience *audience, gboolean *given, GError **error);
/* "both, public: only spokespersons post; ..." for answers and listings.
 * (transfer full) */
char *rt_cmd_link_mode_text (const RtLink *link, gboolean always);
/* Resolve the workspace for commands (the named one, else the room's link,
 * else the only one): rt-commands.c. */
RtWorkspace *rt_commands_resolve_workspace (PurpleConversation *conv, const char *name,
                                            GError **error);
/* Write an answer into the conversation (escaped): rt-commands.c. */
void rt_commands_say (PurpleConversation *conv, const char *text);

/* rt-im-commands.c: /ws held, /ws approve and /ws reject sent to the hub
 * by a member (members: the sender's member records) with the member's
 * roles: the answer, or NULL if text is no such command (then it is a
 * workspace message). rt_im_command answers by IM; TRUE if it was one. */
char *rt_member_command (const GPtrArray *members, const char *text);
/* Drops the IM answers not sent yet (plugin unload). */
void rt_im_commands_cancel (void);
gboolean rt_im_command (PurpleAccount *account, const char *address, const GPtrArray *members,
                        const char *text);

/* rt-held-notice.c: after msg was stored, a notice into its workspace for
 * each link it is held for (who may approve it, and how), at most one per
 * link every 10 minutes; _reset forgets when (plugin unload). */
void rt_held_notice (const RtMessage *msg);
void rt_held_notice_reset (void);

/* rt-dialog.c: the Workspaces dialog (plugin action). */
GList *rt_dialog_actions (PurplePlugin *plugin, gpointer context);

/* rt-quickack.c: re-arm TCP_QUICKACK after reads on every libpurple socket. */
void rt_quickack_install (void);
void rt_quickack_uninstall (void);
