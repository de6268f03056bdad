/* rt-clock.c: the injectable wall clock. */
#include "config.h"
#include "rt-clock.h"

static RtClockFunc clock_func;
static gpointer clock_data;

void
rt_clock_set (RtClockFunc func, gpointer user_data)
{
  clock_func = func;
  clock_data = func ? user_data : NULL;
}

gint64
rt_clock_now (void)
{
  return clock_func ? clock_func (clock_data) : g_get_real_time ();
}
