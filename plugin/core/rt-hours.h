/* rt-hours.h: working hours and days in a member's IANA time zone. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Minutes from local midnight. end_min may be 1440 ("24:00"). When
 * start_min > end_min the window runs overnight (22:00-06:00).
 * days: bit 0 = Monday ... bit 6 = Sunday; a window that starts on a working
 * day counts for that day even when it runs past midnight. */
typedef struct {
  guint16 start_min;
  guint16 end_min;
  guint8  days;
} RtHours;

#define RT_DAYS_MON_FRI 0x1f
#define RT_DAYS_ALL     0x7f

/* Default: 09:00-17:00 Mon-Fri. */
void     rt_hours_init_default (RtHours *hours);

/* "08:30-17:30"; sets start/end only. Errors in RT_ERROR_INVALID, translated. */
gboolean rt_hours_parse (const char *text, RtHours *hours, GError **error);
/* "Mon-Fri", "Mon-Sun", "Mon,Wed,Fri", "Sat-Sun"; sets days only. */
gboolean rt_days_parse (const char *text, RtHours *hours, GError **error);

char    *rt_hours_format (const RtHours *hours);   /* "08:30-17:30" (transfer full) */
char    *rt_days_format (const RtHours *hours);    /* "Mon-Fri" (transfer full) */

/* TRUE if tzid is a time zone identifier the system knows ("Europe/Brussels",
 * "UTC"). Rejects anything GLib would silently map to UTC. */
gboolean rt_tz_valid (const char *tzid);

/* Is the instant now_us (µs since epoch) inside the working window in tzid? */
gboolean rt_hours_contains (const RtHours *hours, const char *tzid, gint64 now_us);

/* Local time for display: "Fri 14:05" (transfer full). */
char    *rt_local_time_format (const char *tzid, gint64 now_us);

G_END_DECLS
