/* rt-schedule.c: digest schedules, quiet hours and slot times. Pure. */
#include "config.h"
#include <string.h>
#include <glib/gi18n-lib.h>
#include "rt-schedule.h"
#include "rt-error.h"

#define DAY_S       (24 * 60 * 60)
#define BATCH_S     (RT_SCHEDULE_BATCH_MINUTES * 60)
#define NONE        G_MININT64
/* Slots are at most a week apart (weekly, or one working day a week); look
 * a little further so a quiet period or a DST change never hides one. */
#define SEARCH_DAYS 9

static const char *const day_short[7] = {
  "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};
static const char *const day_long[7] = {
  "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
};

/* ---- parsing -------------------------------------------------------- */

/* The whole of s as "H:MM" or "HH:MM", at most max_min. Minutes or -1. */
static int
parse_clock (const char *s, int max_min)
{
  int h = 0, digits = 0;

  while (g_ascii_isdigit (*s) && digits < 2)
    h = h * 10 + (*s++ - '0'), digits++;
  if (digits == 0 || s[0] != ':' || !g_ascii_isdigit (s[1]) || !g_ascii_isdigit (s[2]) ||
      s[3] != '\0')
    return -1;
  int m = (s[1] - '0') * 10 + (s[2] - '0');
  if (m > 59 || h * 60 + m > max_min)
    return -1;
  return h * 60 + m;
}

/* 1 = Monday ... 7 = Sunday, or 0. */
static int
parse_weekday (const char *s)
{
  if (g_ascii_isdigit (s[0]) && s[1] == '\0')
    return s[0] >= '1' && s[0] <= '7' ? s[0] - '0' : 0;
  for (int i = 0; i < 7; i++)
    if (g_ascii_strcasecmp (s, day_short[i]) == 0 || g_ascii_strcasecmp (s, day_long[i]) == 0)
      return i + 1;
  return 0;
}

gboolean
rt_schedule_parse (const char *text, RtSchedule *sched, GError **error)
{
  const char *shown = text ? text : "";
  g_auto (GStrv) parts = g_strsplit_set (shown, " \t", -1);
  g_autoptr (GPtrArray) words = g_ptr_array_new ();
  RtSchedule s = { RT_SCHEDULE_OFF, 0, 0, 0 };
  int clock = -1;

  for (guint i = 0; parts[i]; i++)
    if (parts[i][0])
      g_ptr_array_add (words, parts[i]);
  const char *kind = words->len > 0 ? g_ptr_array_index (words, 0) : "";
  const char *when = words->len > 1 ? g_ptr_array_index (words, words->len - 1) : "";

  if (words->len == 1 && g_ascii_strcasecmp (kind, "off") == 0)
    s.kind = RT_SCHEDULE_OFF;
  else if (words->len == 1 && g_ascii_strcasecmp (kind, "immediate") == 0)
    s.kind = RT_SCHEDULE_IMMEDIATE;
  else if (words->len == 1 && g_ascii_strcasecmp (kind, "hourly") == 0)
    s.kind = RT_SCHEDULE_HOURLY;
  else if (words->len == 2 && g_ascii_strcasecmp (kind, "daily") == 0)
    s.kind = RT_SCHEDULE_DAILY;
  else if (words->len == 3 && g_ascii_strcasecmp (kind, "weekly") == 0)
    {
      s.kind = RT_SCHEDULE_WEEKLY;
      s.weekday = parse_weekday (g_ptr_array_index (words, 1));
      if (s.weekday == 0)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                       _("Bad digest schedule “%s”: the day must be a weekday such as "
                         "Sun or Sunday, or a number from 1 (Monday) to 7, "
                         "for example weekly Sun 18:00."), shown);
          return FALSE;
        }
    }
  else
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("Bad digest schedule “%s”: use off, immediate, hourly, daily HH:MM "
                     "or weekly DAY HH:MM, for example daily 08:00."), shown);
      return FALSE;
    }

  if (s.kind == RT_SCHEDULE_DAILY || s.kind == RT_SCHEDULE_WEEKLY)
    {
      clock = parse_clock (when, 23 * 60 + 59);
      if (clock < 0)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                       _("Bad digest schedule “%s”: the time must be HH:MM from 00:00 "
                         "to 23:59, for example daily 08:00."), shown);
          return FALSE;
        }
      s.hour = clock / 60;
      s.minute = clock % 60;
    }
  *sched = s;
  return TRUE;
}

char *
rt_schedule_format (const RtSchedule *sched)
{
  switch (sched->kind)
    {
    case RT_SCHEDULE_IMMEDIATE:
      return g_strdup ("immediate");
    case RT_SCHEDULE_HOURLY:
      return g_strdup ("hourly");
    case RT_SCHEDULE_DAILY:
      return g_strdup_printf ("daily %02u:%02u", sched->hour, sched->minute);
    case RT_SCHEDULE_WEEKLY:
      return g_strdup_printf ("weekly %s %02u:%02u",
                              day_short[CLAMP (sched->weekday, 1, 7) - 1],
                              sched->hour, sched->minute);
    case RT_SCHEDULE_OFF:
    default:
      return g_strdup ("off");
    }
}

void
rt_quiet_init_default (RtQuiet *quiet)
{
  quiet->start_min = 22 * 60;
  quiet->end_min = 7 * 60;
}

gboolean
rt_quiet_parse (const char *text, RtQuiet *quiet, GError **error)
{
  const char *shown = text ? text : "";
  g_autofree char *copy = g_strstrip (g_strdup (shown));
  char *dash = strchr (copy, '-');
  int start = -1, end = -1;

  if (g_ascii_strcasecmp (copy, "none") == 0)
    {
      quiet->start_min = quiet->end_min = 0;
      return TRUE;
    }
  if (dash)
    {
      *dash = '\0';
      start = parse_clock (copy, 23 * 60 + 59);
      end = parse_clock (dash + 1, 24 * 60);
    }
  if (start < 0 || end < 0)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("Bad quiet hours “%s”: use HH:MM-HH:MM, for example 22:00-07:00, "
                     "or none."), shown);
      return FALSE;
    }
  if (start == end || (start == 0 && end == 24 * 60))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("Bad quiet hours “%s”: quiet hours cannot last the whole day or "
                     "no time at all; for no quiet hours use none."), shown);
      return FALSE;
    }
  quiet->start_min = start;
  quiet->end_min = end;
  return TRUE;
}

char *
rt_quiet_format (const RtQuiet *quiet)
{
  if (quiet->start_min == quiet->end_min)
    return g_strdup ("none");
  return g_strdup_printf ("%02u:%02u-%02u:%02u",
                          quiet->start_min / 60u, quiet->start_min % 60u,
                          quiet->end_min / 60u, quiet->end_min % 60u);
}

/* ---- local time ----------------------------------------------------- */

/* Zones are looked up for every member at every tick: keep them. Unknown
 * names are checked by rt_tz_valid() and never enter the table. */
G_LOCK_DEFINE_STATIC (zones);
static GHashTable *zones;

static GTimeZone *
zone_get (const char *tzid)
{
  GTimeZone *tz;

  if (!tzid || !rt_tz_valid (tzid))
    return g_time_zone_new_utc ();
  G_LOCK (zones);
  if (!zones)
    zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) g_time_zone_unref);
  tz = g_hash_table_lookup (zones, tzid);
  if (!tz)
    {
      tz = g_time_zone_new_identifier (tzid);
      if (!tz)
        tz = g_time_zone_new_utc ();
      g_hash_table_insert (zones, g_strdup (tzid), tz);
    }
  g_time_zone_ref (tz);
  G_UNLOCK (zones);
  return tz;
}

static gint64
floor_div (gint64 a, gint64 b)
{
  return a / b - ((a % b) < 0);
}

/* Seconds east of UTC at the instant t (seconds since the epoch). */
static gint64
offset_at (GTimeZone *tz, gint64 t)
{
  return g_time_zone_get_offset (tz, g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, t));
}

/* The local date of t as days since 1970-01-01, and the minute of that day. */
static gint64
local_day (GTimeZone *tz, gint64 t, int *minute)
{
  gint64 local = t + offset_at (tz, t);
  gint64 day = floor_div (local, DAY_S);
  *minute = (int) ((local - day * DAY_S) / 60);
  return day;
}

/* 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday). */
static int
weekday_of (gint64 day)
{
  return (int) ((day % 7 + 7 + 3) % 7);
}

/* The instant of local wall time `minute` on `day`: the earliest occurrence
 * not before not_before (a wall time happens twice when clocks go back), or
 * for a time inside a spring-forward gap, the first valid instant after it
 * (g_time_zone_adjust_time() rounds up to the end of the gap). */
static gint64
wall_instant (GTimeZone *tz, gint64 day, int minute, gint64 not_before)
{
  const GTimeType types[2] = { G_TIME_TYPE_DAYLIGHT, G_TIME_TYPE_STANDARD };
  gint64 local = day * DAY_S + minute * 60;
  gint64 best = G_MAXINT64, latest = NONE;

  for (int i = 0; i < 2; i++)
    {
      gint interval = g_time_zone_find_interval (tz, types[i], local);
      if (interval < 0)
        continue;
      gint64 t = local - g_time_zone_get_offset (tz, interval);
      if (t >= not_before && t < best)
        best = t;
      latest = MAX (latest, t);
    }
  if (best != G_MAXINT64)
    return best;
  if (latest != NONE)
    return latest;
  gint interval = g_time_zone_adjust_time (tz, G_TIME_TYPE_STANDARD, &local);
  return local - g_time_zone_get_offset (tz, interval);
}

/* ---- quiet hours ---------------------------------------------------- */

/* A window that is empty or the whole day is no quiet hours. */
static gboolean
quiet_active (const RtQuiet *q)
{
  return q && q->start_min != q->end_min && q->start_min < 24 * 60 &&
         q->end_min <= 24 * 60 && !(q->start_min == 0 && q->end_min == 24 * 60);
}

static gboolean
minute_quiet (const RtQuiet *q, int minute)
{
  if (q->start_min < q->end_min)
    return minute >= q->start_min && minute < q->end_min;
  return minute >= q->start_min || minute < q->end_min;
}

static gboolean
instant_quiet (GTimeZone *tz, const RtQuiet *q, gint64 t)
{
  int minute;
  local_day (tz, t, &minute);
  return quiet_active (q) && minute_quiet (q, minute);
}

gboolean
rt_quiet_contains (const RtQuiet *quiet, const char *tzid, gint64 now_us)
{
  g_autoptr (GTimeZone) tz = zone_get (tzid);
  return instant_quiet (tz, quiet, floor_div (now_us, G_USEC_PER_SEC));
}

/* The first instant after a where the UTC offset differs from a's; the
 * caller knows it changes by b. */
static gint64
first_change (GTimeZone *tz, gint64 a, gint64 b)
{
  gint64 off = offset_at (tz, a);
  while (b - a > 1)
    {
      gint64 mid = a + (b - a) / 2;
      if (offset_at (tz, mid) == off)
        a = mid;
      else
        b = mid;
    }
  return b;
}

/* Where a slot at t really goes: t itself, or if t is quiet, the first
 * instant after it that is not quiet. That is normally the end time of the
 * quiet hours, but a DST change can end them early (clocks going back out
 * of the window) or land inside a gap (rounded up to the gap's end). */
static gint64
effective (GTimeZone *tz, const RtQuiet *q, gint64 t)
{
  int minute;
  gint64 day = local_day (tz, t, &minute);

  if (!quiet_active (q) || !minute_quiet (q, minute))
    return t;
  gint64 end_day = day + (q->start_min > q->end_min && minute >= q->start_min);
  int end_min = q->end_min;
  if (end_min == 24 * 60)
    end_day++, end_min = 0;
  gint64 end = MAX (wall_instant (tz, end_day, end_min, t), t);
  if (offset_at (tz, t) != offset_at (tz, end))
    {
      gint64 change = first_change (tz, t, end);
      if (!instant_quiet (tz, q, change))
        return change;
    }
  return end;
}

/* Where the quiet period containing the quiet instant t began, when that
 * is certain: NONE if a DST change lies in between (the caller then steps
 * back slot by slot instead). */
static gint64
quiet_start (GTimeZone *tz, const RtQuiet *q, gint64 t)
{
  int minute;
  gint64 day = local_day (tz, t, &minute);
  if (q->start_min > q->end_min && minute < q->end_min)
    day--;
  gint64 start = wall_instant (tz, day, q->start_min, NONE);
  return start < t && offset_at (tz, start) == offset_at (tz, t) ? start : NONE;
}

/* ---- raw slots (before quiet hours) --------------------------------- */

typedef struct {
  const RtSchedule *sched;
  const RtHours *hours;   /* NULL: every day, all day */
  GTimeZone *tz;
} Ctx;

static gboolean
works_on (const RtHours *hours, gint64 day)
{
  return !hours || (hours->days & (1 << weekday_of (day)));
}

/* Inside working hours at `minute` of local date `day`, as rt_hours_contains()
 * decides: an overnight window belongs to the day it starts. */
static gboolean
working_minute (const RtHours *h, gint64 day, int minute)
{
  if (!h)
    return TRUE;
  if (h->start_min < h->end_min)
    return works_on (h, day) && minute >= h->start_min && minute < h->end_min;
  if (h->start_min > h->end_min)
    return (works_on (h, day) && minute >= h->start_min) ||
           (works_on (h, day - 1) && minute < h->end_min);
  return FALSE;
}

/* The raw slots on local date `day`, in time order. Returns how many. */
static guint
day_slots (const Ctx *c, gint64 day, gint64 out[24])
{
  const RtSchedule *s = c->sched;
  int at = s->hour * 60 + s->minute;
  guint n = 0;

  switch (s->kind)
    {
    case RT_SCHEDULE_DAILY:
      if (works_on (c->hours, day))
        out[n++] = wall_instant (c->tz, day, at, NONE);
      break;
    case RT_SCHEDULE_WEEKLY:
      if (weekday_of (day) + 1 == s->weekday)
        out[n++] = wall_instant (c->tz, day, at, NONE);
      break;
    case RT_SCHEDULE_HOURLY:
      for (int h = 0; h < 24; h++)
        if (working_minute (c->hours, day, h * 60))
          out[n++] = wall_instant (c->tz, day, h * 60, NONE);
      break;
    default:
      break;
    }
  return n;
}

/* The latest raw slot at or before t, or NONE. */
static gint64
raw_prev (const Ctx *c, gint64 t)
{
  int minute;
  gint64 best = NONE, out[24];

  if (c->sched->kind == RT_SCHEDULE_IMMEDIATE)
    return floor_div (t, BATCH_S) * BATCH_S;
  gint64 today = local_day (c->tz, t, &minute);
  /* Dates are walked back; one more date after the first hit is enough,
   * since only an overnight hour or a DST change can reorder neighbours. */
  for (gint64 d = today + 1, stop = today - SEARCH_DAYS; d >= stop; d--)
    {
      guint n = day_slots (c, d, out);
      for (guint i = 0; i < n; i++)
        if (out[i] <= t)
          best = MAX (best, out[i]);
      if (best != NONE && stop < d - 1)
        stop = d - 1;
    }
  return best;
}

/* The first raw slot strictly after t, or NONE. */
static gint64
raw_next (const Ctx *c, gint64 t)
{
  int minute;
  gint64 best = G_MAXINT64, out[24];

  if (c->sched->kind == RT_SCHEDULE_IMMEDIATE)
    return (floor_div (t, BATCH_S) + 1) * BATCH_S;
  gint64 today = local_day (c->tz, t, &minute);
  for (gint64 d = today - 1, stop = today + SEARCH_DAYS; d <= stop; d++)
    {
      guint n = day_slots (c, d, out);
      for (guint i = 0; i < n; i++)
        if (out[i] > t)
          best = MIN (best, out[i]);
      if (best != G_MAXINT64 && stop > d + 1)
        stop = d + 1;
    }
  return best == G_MAXINT64 ? NONE : best;
}

/* ---- slots ---------------------------------------------------------- */

/* Effective slots are monotonic in raw slots (moving a quiet slot to the
 * first instant that is not quiet keeps the order), which both searches
 * below rely on. */

gint64
rt_schedule_due_slot (const RtSchedule *sched, const RtHours *hours, const RtQuiet *quiet,
                      const char *tzid, gint64 last_slot_us, gint64 now_us)
{
  g_return_val_if_fail (sched != NULL, 0);
  if (sched->kind == RT_SCHEDULE_OFF)
    return 0;

  g_autoptr (GTimeZone) tz = zone_get (tzid);
  Ctx c = { sched, hours, tz };
  gint64 now = floor_div (now_us, G_USEC_PER_SEC);
  gint64 last = floor_div (last_slot_us, G_USEC_PER_SEC);

  /* The latest raw slot whose effective time has come. A raw slot moved
   * past now lies in the current quiet period: skip the whole period. */
  for (gint64 r = raw_prev (&c, now); r != NONE;)
    {
      gint64 slot = effective (tz, quiet, r);
      if (slot <= now)
        return slot > last ? slot * G_USEC_PER_SEC : 0;
      gint64 start = quiet_start (tz, quiet, r);
      r = raw_prev (&c, (start != NONE ? start : r) - 1);
    }
  return 0;
}

gint64
rt_schedule_next_slot (const RtSchedule *sched, const RtHours *hours, const RtQuiet *quiet,
                       const char *tzid, gint64 after_us)
{
  g_return_val_if_fail (sched != NULL, 0);
  if (sched->kind == RT_SCHEDULE_OFF)
    return 0;

  g_autoptr (GTimeZone) tz = zone_get (tzid);
  Ctx c = { sched, hours, tz };
  gint64 after = floor_div (after_us, G_USEC_PER_SEC);

  /* A raw slot already passed may still be waiting for its quiet hours to
   * end; only the latest one can be (earlier ones end no later). */
  gint64 r = raw_prev (&c, after);
  if (r != NONE)
    {
      gint64 slot = effective (tz, quiet, r);
      if (slot > after)
        return slot * G_USEC_PER_SEC;
    }
  r = raw_next (&c, after);
  return r == NONE ? 0 : effective (tz, quiet, r) * G_USEC_PER_SEC;
}
