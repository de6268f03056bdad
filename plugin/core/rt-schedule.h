/* rt-schedule.h: when a member's digest is due. Pure: the caller passes the
 * clock (now_us), so time zones, DST and missed slots are tested without
 * waiting.
 *
 * A schedule yields "slots": instants at which a digest goes out. A slot is
 * identified by its UTC time in µs since the epoch (always a whole second).
 * The caller stores the last slot it sent; rt_schedule_due_slot() then gives
 * at most one slot per period (asking again with the returned slot as last
 * gives 0), and after downtime only the latest missed slot, so a hub that was
 * down at the scheduled time sends once when it starts.
 *
 * Rules:
 * - Everything is computed from local dates and wall times in the member's
 *   IANA time zone (GTimeZone), so "daily 08:00" is 08:00 local on both sides
 *   of a DST change. An unknown or NULL zone means UTC.
 * - A wall time that does not exist (the spring-forward gap: 02:30 in
 *   Brussels on the last Sunday of March) moves to the first valid instant
 *   after it (03:00 CEST). A wall time that happens twice (fall back) is a
 *   slot once, at its first occurrence.
 * - off: no slots.
 * - immediate: batched, a slot every RT_SCHEDULE_BATCH_MINUTES minutes, on
 *   the 5-minute marks of the clock, at any hour and on any day.
 * - hourly: at the top of every hour inside the member's working hours on
 *   working days (the same test as rt_hours_contains(): an overnight window
 *   belongs to the day it starts). On the night clocks go back the repeated
 *   hour is one hour, so it has one slot.
 * - daily HH:MM: at HH:MM on every working day (RtHours days mask).
 * - weekly DAY HH:MM: at HH:MM on DAY, even when DAY is not a working day:
 *   the member chose it.
 * - Never in quiet hours: a slot whose local time falls in the quiet period
 *   moves to the first instant after it that is not quiet (the end of that
 *   quiet period). Slots that land on the same instant are one slot.
 *
 * hours NULL means every day, all day; quiet NULL means no quiet hours. */
#pragma once
#include <glib.h>
#include "rt-hours.h"

G_BEGIN_DECLS

#define RT_SCHEDULE_BATCH_MINUTES 5

typedef enum {
  RT_SCHEDULE_OFF,
  RT_SCHEDULE_IMMEDIATE,
  RT_SCHEDULE_HOURLY,
  RT_SCHEDULE_DAILY,
  RT_SCHEDULE_WEEKLY,
} RtScheduleKind;

typedef struct {
  RtScheduleKind kind;
  guint8 weekday;   /* WEEKLY: 1 = Monday ... 7 = Sunday (as GDateTime) */
  guint8 hour;      /* DAILY, WEEKLY: 0-23 */
  guint8 minute;    /* DAILY, WEEKLY: 0-59 */
} RtSchedule;

/* "off", "immediate", "hourly", "daily HH:MM", "weekly DAY HH:MM". Words are
 * case-insensitive; DAY is an English name, short or full ("Sun", "sunday")
 * or a number 1-7 (Monday = 1). On error sched is untouched and error says
 * why (RT_ERROR_INVALID, translated). */
gboolean rt_schedule_parse (const char *text, RtSchedule *sched, GError **error);

/* The canonical text: "off", "immediate", "hourly", "daily 08:00",
 * "weekly Sun 18:00"; parses back to the same schedule (transfer full). */
char    *rt_schedule_format (const RtSchedule *sched);

/* Quiet hours: minutes from local midnight, every day. end_min may be 1440
 * ("24:00"); start_min > end_min wraps midnight (22:00-07:00).
 * start_min == end_min means none. A window covering the whole day cannot be
 * parsed; if one is built by hand it is ignored (digests still go out). */
typedef struct {
  guint16 start_min;
  guint16 end_min;
} RtQuiet;

/* Default: 22:00-07:00. */
void     rt_quiet_init_default (RtQuiet *quiet);

/* "22:00-07:00" or "none". On error quiet is untouched (RT_ERROR_INVALID). */
gboolean rt_quiet_parse (const char *text, RtQuiet *quiet, GError **error);

/* "22:00-07:00" or "none" (transfer full). */
char    *rt_quiet_format (const RtQuiet *quiet);

/* Is the instant now_us inside the quiet hours in tzid? */
gboolean rt_quiet_contains (const RtQuiet *quiet, const char *tzid, gint64 now_us);

/* The latest slot s with last_slot_us < s <= now_us, or 0 if none is due.
 * For a schedule set just now, pass the time it was set as last_slot_us,
 * unless a digest for the latest past slot is wanted at once. */
gint64   rt_schedule_due_slot (const RtSchedule *sched, const RtHours *hours,
                               const RtQuiet *quiet, const char *tzid,
                               gint64 last_slot_us, gint64 now_us);

/* The first slot strictly after after_us (to arm a timer), or 0 if the
 * schedule has none (off, or no working day or hour for daily and hourly).
 * Consistent with rt_schedule_due_slot():
 * due_slot (last, next_slot (last)) == next_slot (last). */
gint64   rt_schedule_next_slot (const RtSchedule *sched, const RtHours *hours,
                                const RtQuiet *quiet, const char *tzid,
                                gint64 after_us);

G_END_DECLS
