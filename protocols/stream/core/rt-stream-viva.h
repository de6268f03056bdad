/* rt-stream-viva.h: Viva Engage (Yammer) REST API v1 message lists
 * (GET /api/v1/messages.json, messages/in_group/ID.json, my_feed.json,
 * private.json...) read into RtStreamPost. Field names follow
 * learn.microsoft.com/rest/api/yammer: messages[] (id, sender_id,
 * created_at, body.plain/parsed/rich, thread_id, replied_to_id, group_id,
 * web_url, privacy, direct_message, attachments, notified_user_ids),
 * references[] (type "user" with name/full_name/web_url, "group" with
 * full_name/name, "tag" with name) and meta (older_available,
 * requested_poll_interval). libpurple-free. */
#pragma once
#include "rt-stream-post.h"

G_BEGIN_DECLS

/* NULL with error only when the response as a whole is unreadable; a bad
 * message is skipped into page->errors. Senders are resolved through the
 * references; an unknown sender keeps its id as handle. */
RtStreamPage *rt_viva_messages_from_json (const char *json, gssize len, GError **error);

G_END_DECLS
