/* rt-stream-render.h: the markup a chat or IM window shows for one post.
 * libpurple-free (unit-tested in test-stream-render.c).
 *
 *   [CW: spoiler]            the content warning first, when there is one
 *   text                     the post's sanitized markup (S2's sanitizer)
 *   📎 description           one line per attachment, a link
 *   ↻ boosted by NAME · ↩ reply
 *   <a href=url>date time</a>  a link to the original, with the post's time
 *
 * Everything from the post is either the sanitizer's markup or escaped
 * here; URLs become links only when rt_stream_url_is_safe. */
#pragma once
#include "rt-stream-post.h"

G_BEGIN_DECLS

/* tz NULL: the local zone. (transfer full) */
char *rt_stream_render_markup (const RtStreamPost *post, GTimeZone *tz);

G_END_DECLS
