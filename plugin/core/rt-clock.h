/* rt-clock.h: an injectable wall clock, so schedules and working hours can be
 * tested at any instant without waiting. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Returns microseconds since the Unix epoch (UTC). */
typedef gint64 (*RtClockFunc) (gpointer user_data);

/* Replace the clock; pass NULL to restore the real one (g_get_real_time). */
void  rt_clock_set (RtClockFunc func, gpointer user_data);
gint64 rt_clock_now (void);

G_END_DECLS
