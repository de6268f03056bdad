/* bench-raw-gmime.h: the raw GMime baseline of the mail benches. */
#pragma once
#include <glib.h>

/* The bytes of one mail into a GMime message object, nothing decoded
 * (then dropped): TRUE if GMime made one. */
gboolean bench_raw_gmime_parse (GBytes *mail);
