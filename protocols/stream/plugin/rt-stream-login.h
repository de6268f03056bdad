/* rt-stream-login.h: signing in: the credentials check (Mastodon GET
 * /api/v1/accounts/verify_credentials, Viva Engage GET
 * /api/v1/users/current.json), whether the server streams (GET
 * /api/v1/streaming/health), then CONNECTED, the followed accounts and the
 * direct messages. A refused token (401, 403) is AUTHENTICATION_FAILED at
 * once; an unreachable server or a 5xx is retried with backoff (2 s, 4 s,
 * 8 s, 16 s, shown as the connection's progress), then NETWORK_ERROR. */
#pragma once
#include "rt-stream-account.h"

G_BEGIN_DECLS

void rt_stream_login_start (RtStreamAccount *sa);

G_END_DECLS
