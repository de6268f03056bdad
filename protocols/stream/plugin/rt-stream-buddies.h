/* rt-stream-buddies.h: followed accounts (Mastodon GET
 * /api/v1/accounts/:id/following, paged with Link) as buddies in the group
 * "Stream", with a status from their recent activity:
 *   available  a post of theirs, read by this account, is less than an hour old;
 *   away       their newest post is less than a day old (a post read here,
 *              or the server's last_status_at, a date: today or yesterday UTC);
 *   offline    otherwise.
 * Recomputed every minute and whenever one of their posts is read. */
#pragma once
#include "rt-stream-account.h"

G_BEGIN_DECLS

RtStreamBuddies *rt_stream_buddies_new (RtStreamAccount *sa);
void rt_stream_buddies_saw (RtStreamBuddies *b, const char *handle, gint64 created_us);
void rt_stream_buddies_free (RtStreamBuddies *b);

G_END_DECLS
