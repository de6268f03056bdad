/* rt-watch-private.h: character classes shared by the watchlist files. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Letters, digits, marks and '_': what a word (or a hashtag) is made of. */
gboolean rt_watch_is_word (gunichar c);

/* Han, kana, Thai, Lao, Khmer, Myanmar, Tibetan: scripts written without
 * spaces between words, where a keyword cannot ask for word boundaries. */
gboolean rt_watch_is_unspaced (gunichar c);

G_END_DECLS
