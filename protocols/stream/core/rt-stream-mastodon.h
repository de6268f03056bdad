/* rt-stream-mastodon.h: Mastodon client API entities (Status, Account,
 * MediaAttachment, Conversation; docs.joinmastodon.org/entities) and
 * streaming event payloads read into RtStreamPost. Every field read is
 * type-checked: a wrong type is an RT_STREAM_ERROR naming the field, unknown
 * fields are ignored, optional ones may be absent or null. libpurple-free.
 *
 * host is the server's host name ("mastodon.example"): a local account's
 * acct is just "user", and becomes "user@host". When host is NULL the
 * account's profile url supplies it. */
#pragma once
#include "rt-stream-post.h"

G_BEGIN_DECLS

/* One Account (GET /api/v1/accounts/:id). */
RtStreamAuthor *rt_mastodon_account_from_json (const char *json, gssize len, const char *host,
                                               GError **error);
/* One Status (GET /api/v1/statuses/:id, POST /api/v1/statuses). A reblog
 * becomes the original's content with boosted_by and boost_of_id set. */
RtStreamPost *rt_mastodon_status_from_json (const char *json, gssize len, const char *host,
                                            GError **error);
/* A timeline page: an array of Status. NULL with error only when the page
 * as a whole is unreadable; a bad status is skipped into page->errors. */
RtStreamPage *rt_mastodon_statuses_from_json (const char *json, gssize len, const char *host,
                                              GError **error);
/* GET /api/v1/conversations: an array of Conversation; each last_status
 * becomes a direct post whose thread_id is the conversation's id
 * (conversations without a last_status are left out). */
RtStreamPage *rt_mastodon_conversations_from_json (const char *json, gssize len,
                                                   const char *host, GError **error);

/* One streaming event (the SSE "event" name and its "data" payload):
 * "update" and "status.update" give a post, "conversation" its last
 * status, "delete" an id in page->deleted; other events (notification,
 * filters_changed, announcement...) give an empty page. */
RtStreamPage *rt_mastodon_stream_event (const char *event, const char *data, gssize len,
                                        const char *host, GError **error);

G_END_DECLS
