/* test-schedule.c: digest schedules, quiet hours and slots, with the clock
 * injected: time zones, DST both ways, missed slots, at most once. */
#include "config.h"
#include <string.h>
#include "rt-schedule.h"
#include "rt-error.h"

#define MINUTE_US (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define HOUR_US (60 * MINUTE_US)
#define DAY_US (24 * HOUR_US)

/* An instant given in UTC, in µs since the epoch. */
static gint64
utc (int y, int mo, int d, int h, int mi)
{
  g_autoptr (GDateTime) dt = g_date_time_new_utc (y, mo, d, h, mi, 0);
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

/* "2025-03-30 03:00 +02" in tzid, for failure messages and local checks. */
static char *
local_str (const char *tzid, gint64 us)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier (tzid);
  g_autoptr (GDateTime) u = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autoptr (GDateTime) l = g_date_time_to_timezone (u, tz);
  return g_date_time_format (l, "%a %Y-%m-%d %H:%M:%S %z");
}

static RtSchedule
sched (const char *text)
{
  RtSchedule s;
  g_autoptr (GError) error = NULL;
  g_assert_true (rt_schedule_parse (text, &s, &error));
  g_assert_no_error (error);
  return s;
}

static RtHours
hours (const char *window, const char *days)
{
  RtHours h;
  g_autoptr (GError) error = NULL;
  rt_hours_init_default (&h);
  g_assert_true (rt_hours_parse (window, &h, &error));
  g_assert_true (rt_days_parse (days, &h, &error));
  g_assert_no_error (error);
  return h;
}

static RtQuiet
quiet (const char *text)
{
  RtQuiet q;
  g_autoptr (GError) error = NULL;
  g_assert_true (rt_quiet_parse (text, &q, &error));
  g_assert_no_error (error);
  return q;
}

/* Compare instants, showing both in local time when they differ. */
#define assert_slot(tzid, got, want) G_STMT_START {                          \
    gint64 got_ = (got), want_ = (want);                                     \
    if (got_ != want_)                                                       \
      {                                                                      \
        g_autofree char *g_ = got_ ? local_str (tzid, got_) : g_strdup ("0"); \
        g_autofree char *w_ = want_ ? local_str (tzid, want_) : g_strdup ("0"); \
        g_error ("%s:%d: %s: got %s, want %s", __FILE__, __LINE__, tzid, g_, w_); \
      }                                                                      \
  } G_STMT_END

static void
test_parse_ok (void)
{
  const struct { const char *text; RtScheduleKind kind; int wd, h, m; const char *back; } cases[] = {
    { "off", RT_SCHEDULE_OFF, 0, 0, 0, "off" },
    { " OFF ", RT_SCHEDULE_OFF, 0, 0, 0, "off" },
    { "immediate", RT_SCHEDULE_IMMEDIATE, 0, 0, 0, "immediate" },
    { "hourly", RT_SCHEDULE_HOURLY, 0, 0, 0, "hourly" },
    { "Hourly", RT_SCHEDULE_HOURLY, 0, 0, 0, "hourly" },
    { "daily 08:00", RT_SCHEDULE_DAILY, 0, 8, 0, "daily 08:00" },
    { "daily 8:05", RT_SCHEDULE_DAILY, 0, 8, 5, "daily 08:05" },
    { "DAILY   23:59", RT_SCHEDULE_DAILY, 0, 23, 59, "daily 23:59" },
    { "daily 00:00", RT_SCHEDULE_DAILY, 0, 0, 0, "daily 00:00" },
    { "weekly Sun 18:00", RT_SCHEDULE_WEEKLY, 7, 18, 0, "weekly Sun 18:00" },
    { "weekly sunday 18:00", RT_SCHEDULE_WEEKLY, 7, 18, 0, "weekly Sun 18:00" },
    { "weekly MONDAY 7:30", RT_SCHEDULE_WEEKLY, 1, 7, 30, "weekly Mon 07:30" },
    { "weekly wed 12:00", RT_SCHEDULE_WEEKLY, 3, 12, 0, "weekly Wed 12:00" },
    { "weekly Thursday 09:15", RT_SCHEDULE_WEEKLY, 4, 9, 15, "weekly Thu 09:15" },
    { "weekly 1 09:00", RT_SCHEDULE_WEEKLY, 1, 9, 0, "weekly Mon 09:00" },
    { "weekly 7 09:00", RT_SCHEDULE_WEEKLY, 7, 9, 0, "weekly Sun 09:00" },
    { "\tweekly\tsat\t10:00\t", RT_SCHEDULE_WEEKLY, 6, 10, 0, "weekly Sat 10:00" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      RtSchedule s = sched (cases[i].text);
      g_assert_cmpint (s.kind, ==, cases[i].kind);
      if (s.kind == RT_SCHEDULE_DAILY || s.kind == RT_SCHEDULE_WEEKLY)
        {
          g_assert_cmpint (s.hour, ==, cases[i].h);
          g_assert_cmpint (s.minute, ==, cases[i].m);
        }
      if (s.kind == RT_SCHEDULE_WEEKLY)
        g_assert_cmpint (s.weekday, ==, cases[i].wd);
      g_autofree char *back = rt_schedule_format (&s);
      g_assert_cmpstr (back, ==, cases[i].back);
      /* The canonical text round-trips to the same schedule. */
      RtSchedule again = sched (back);
      g_autofree char *back2 = rt_schedule_format (&again);
      g_assert_cmpstr (back2, ==, back);
      g_assert_cmpint (again.kind, ==, s.kind);
    }
}

static void
test_parse_bad (void)
{
  const char *bad[] = {
    "", "   ", "never", "monthly 1 08:00", "daily", "daily 24:00", "daily 08:60",
    "daily 8", "daily 0800", "daily 08:00:00", "daily -8:00", "daily 08:00 extra",
    "daily 123:00", "weekly", "weekly Sun", "weekly 08:00", "weekly Funday 08:00",
    "weekly 0 08:00", "weekly 8 08:00", "weekly Su 08:00", "weekly Sundays 08:00",
    "weekly Sun 25:00", "weekly Sun 18:00 now", "hourly 08:00", "off now", "immediately",
    "daily08:00", "weekly Sunday08:00", "daily 8:5",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      RtSchedule s = { RT_SCHEDULE_DAILY, 0, 8, 0 };
      g_autoptr (GError) error = NULL;
      if (rt_schedule_parse (bad[i], &s, &error))
        g_error ("“%s” parsed", bad[i]);
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      /* The message quotes what was typed and shows the forms that work. */
      g_assert_nonnull (strstr (error->message, bad[i]));
      g_assert_true (strstr (error->message, "daily 08:00") ||
                     strstr (error->message, "weekly Sun 18:00"));
      g_assert_cmpint (s.kind, ==, RT_SCHEDULE_DAILY);   /* untouched */
      g_assert_cmpint (s.hour, ==, 8);
    }

  g_autoptr (GError) error = NULL;
  RtSchedule s = { RT_SCHEDULE_OFF, 0, 0, 0 };
  g_assert_false (rt_schedule_parse (NULL, &s, &error));
  g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
}

static void
test_quiet_parse (void)
{
  RtQuiet q;
  rt_quiet_init_default (&q);
  g_assert_cmpuint (q.start_min, ==, 22 * 60);
  g_assert_cmpuint (q.end_min, ==, 7 * 60);

  const struct { const char *text; guint start, end; const char *back; } ok[] = {
    { "22:00-07:00", 1320, 420, "22:00-07:00" },
    { " 23:30-6:00 ", 1410, 360, "23:30-06:00" },
    { "00:00-06:00", 0, 360, "00:00-06:00" },
    { "20:00-24:00", 1200, 1440, "20:00-24:00" },
    { "12:00-14:00", 720, 840, "12:00-14:00" },
    { "none", 0, 0, "none" },
    { "None", 0, 0, "none" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      q = quiet (ok[i].text);
      g_assert_cmpuint (q.start_min, ==, ok[i].start);
      g_assert_cmpuint (q.end_min, ==, ok[i].end);
      g_autofree char *back = rt_quiet_format (&q);
      g_assert_cmpstr (back, ==, ok[i].back);
      RtQuiet again = quiet (back);
      g_assert_cmpuint (again.start_min, ==, q.start_min);
      g_assert_cmpuint (again.end_min, ==, q.end_min);
    }

  const char *bad[] = {
    "", "22:00", "22:00-22:00", "00:00-24:00", "24:00-06:00", "22:00-07:60", "nothing",
    "22-07", "22:00-07:00x", "noneX",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      RtQuiet keep = { 1320, 420 };
      g_autoptr (GError) error = NULL;
      if (rt_quiet_parse (bad[i], &keep, &error))
        g_error ("quiet “%s” parsed", bad[i]);
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, bad[i]));
      g_assert_cmpuint (keep.start_min, ==, 1320);
      g_assert_cmpuint (keep.end_min, ==, 420);
    }
}

static void
test_quiet_contains (void)
{
  RtQuiet q = quiet ("22:00-07:00");
  const char *tz = "Europe/Brussels";   /* UTC+1 in January */

  g_assert_false (rt_quiet_contains (&q, tz, utc (2025, 1, 15, 20, 59)));
  g_assert_true (rt_quiet_contains (&q, tz, utc (2025, 1, 15, 21, 0)));
  g_assert_true (rt_quiet_contains (&q, tz, utc (2025, 1, 15, 23, 0)));
  g_assert_true (rt_quiet_contains (&q, tz, utc (2025, 1, 16, 5, 59)));
  g_assert_false (rt_quiet_contains (&q, tz, utc (2025, 1, 16, 6, 0)));
  q = quiet ("none");
  g_assert_false (rt_quiet_contains (&q, tz, utc (2025, 1, 15, 23, 0)));
  g_assert_false (rt_quiet_contains (NULL, tz, utc (2025, 1, 15, 23, 0)));
  /* A whole-day window built by hand is ignored rather than silencing all. */
  q = (RtQuiet) { 0, 1440 };
  g_assert_false (rt_quiet_contains (&q, tz, utc (2025, 1, 15, 12, 0)));
}

/* daily 08:00 lands on 08:00 local in zones east and west, north and south,
 * with and without DST, and the default quiet hours do not move it. */
static void
test_zones (void)
{
  RtSchedule s = sched ("daily 08:00");
  RtHours all = hours ("09:00-17:00", "Mon-Sun");
  RtQuiet q;
  rt_quiet_init_default (&q);
  const struct { const char *tz; gint64 from, want; } cases[] = {
    { "Europe/Brussels", utc (2025, 1, 15, 0, 0), utc (2025, 1, 15, 7, 0) },
    { "Europe/Brussels", utc (2025, 7, 15, 0, 0), utc (2025, 7, 15, 6, 0) },
    { "America/Sao_Paulo", utc (2025, 1, 15, 0, 0), utc (2025, 1, 15, 11, 0) },
    { "America/Sao_Paulo", utc (2025, 7, 15, 0, 0), utc (2025, 7, 15, 11, 0) },
    { "Asia/Tokyo", utc (2025, 1, 15, 0, 0), utc (2025, 1, 15, 23, 0) },
    { "America/New_York", utc (2025, 1, 15, 0, 0), utc (2025, 1, 15, 13, 0) },
    { "America/New_York", utc (2025, 7, 15, 0, 0), utc (2025, 7, 15, 12, 0) },
    { "Australia/Sydney", utc (2025, 1, 15, 0, 0), utc (2025, 1, 15, 21, 0) },
    { "Australia/Sydney", utc (2025, 7, 15, 0, 0), utc (2025, 7, 15, 22, 0) },
    { "UTC", utc (2025, 1, 15, 0, 0), utc (2025, 1, 15, 8, 0) },
    { "Not/AZone", utc (2025, 1, 15, 0, 0), utc (2025, 1, 15, 8, 0) },   /* as UTC */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 next = rt_schedule_next_slot (&s, &all, &q, cases[i].tz, cases[i].from);
      assert_slot (cases[i].tz, next, cases[i].want);
      /* Due exactly at the slot, not a second before. */
      assert_slot (cases[i].tz, rt_schedule_due_slot (&s, &all, &q, cases[i].tz,
                                                      cases[i].from, next), next);
      g_assert_cmpint (rt_schedule_due_slot (&s, &all, &q, cases[i].tz,
                                             cases[i].from, next - G_USEC_PER_SEC), ==, 0);
      /* The day after is 24 hours later: no DST change in these weeks. */
      assert_slot (cases[i].tz, rt_schedule_next_slot (&s, &all, &q, cases[i].tz, next),
                   next + DAY_US);
    }
}

/* Walks next_slot from `from` and checks each slot against want[]. */
static void
check_chain (const char *tz, const RtSchedule *s, const RtHours *h, const RtQuiet *q,
             gint64 from, const gint64 *want, guint n)
{
  gint64 t = from;
  for (guint i = 0; i < n; i++)
    {
      gint64 next = rt_schedule_next_slot (s, h, q, tz, t);
      assert_slot (tz, next, want[i]);
      /* The slot before it is the one due just before it. */
      assert_slot (tz, rt_schedule_due_slot (s, h, q, tz, from, next), next);
      assert_slot (tz, rt_schedule_due_slot (s, h, q, tz, next, next + MINUTE_US), 0);
      t = next;
    }
}

static void
test_dst_brussels_0230 (void)
{
  const char *tz = "Europe/Brussels";
  RtSchedule s = sched ("daily 02:30");
  RtHours all = hours ("09:00-17:00", "Mon-Sun");
  RtQuiet none = quiet ("none");

  /* Spring forward on Sun 30 March 2025: 02:00 CET jumps to 03:00 CEST, so
   * 02:30 does not exist that day and the slot is 03:00 CEST. */
  const gint64 spring[] = {
    utc (2025, 3, 29, 1, 30),   /* 02:30 CET */
    utc (2025, 3, 30, 1, 0),    /* 03:00 CEST, the first valid instant */
    utc (2025, 3, 31, 0, 30),   /* 02:30 CEST */
  };
  check_chain (tz, &s, &all, &none, utc (2025, 3, 28, 12, 0), spring, G_N_ELEMENTS (spring));

  /* Fall back on Sun 26 October 2025: 03:00 CEST goes back to 02:00 CET, so
   * 02:30 happens twice; the slot is the first one only. */
  const gint64 autumn[] = {
    utc (2025, 10, 25, 0, 30),  /* 02:30 CEST */
    utc (2025, 10, 26, 0, 30),  /* 02:30 CEST, first occurrence */
    utc (2025, 10, 27, 1, 30),  /* 02:30 CET */
  };
  check_chain (tz, &s, &all, &none, utc (2025, 10, 24, 12, 0), autumn, G_N_ELEMENTS (autumn));
  /* At the second 02:30 nothing more is due. */
  g_assert_cmpint (rt_schedule_due_slot (&s, &all, &none, tz, utc (2025, 10, 26, 0, 30),
                                         utc (2025, 10, 26, 1, 45)), ==, 0);
  /* A hub that was down across the whole night sends that slot once. */
  assert_slot (tz, rt_schedule_due_slot (&s, &all, &none, tz, utc (2025, 10, 25, 0, 30),
                                         utc (2025, 10, 26, 1, 45)),
               utc (2025, 10, 26, 0, 30));
}

static void
test_dst_brussels_0800 (void)
{
  const char *tz = "Europe/Brussels";
  RtSchedule s = sched ("daily 08:00");
  RtHours all = hours ("09:00-17:00", "Mon-Sun");
  RtQuiet q;
  rt_quiet_init_default (&q);

  /* 08:00 local on both sides: 23 hours apart in spring, 25 in autumn. */
  const gint64 spring[] = {
    utc (2025, 3, 29, 7, 0), utc (2025, 3, 30, 6, 0), utc (2025, 3, 31, 6, 0),
  };
  check_chain (tz, &s, &all, &q, utc (2025, 3, 28, 12, 0), spring, G_N_ELEMENTS (spring));
  const gint64 autumn[] = {
    utc (2025, 10, 25, 6, 0), utc (2025, 10, 26, 7, 0), utc (2025, 10, 27, 7, 0),
  };
  check_chain (tz, &s, &all, &q, utc (2025, 10, 24, 12, 0), autumn, G_N_ELEMENTS (autumn));

  /* Down from Friday's digest (CET) to Monday (CEST): Monday's 08:00 CEST. */
  RtHours week = hours ("09:00-17:00", "Mon-Fri");
  assert_slot (tz, rt_schedule_due_slot (&s, &week, &q, tz, utc (2025, 3, 28, 7, 0),
                                         utc (2025, 3, 31, 9, 0)),
               utc (2025, 3, 31, 6, 0));
}

/* Counts slots in [from, to) and checks each is at minute 0 local. */
static guint
count_hourly (const char *tz, const RtSchedule *s, const RtHours *h, const RtQuiet *q,
              gint64 from, gint64 to, gint64 *longest_gap)
{
  guint n = 0;
  gint64 prev = 0;
  *longest_gap = 0;
  for (gint64 t = rt_schedule_next_slot (s, h, q, tz, from - 1); t < to;
       t = rt_schedule_next_slot (s, h, q, tz, t))
    {
      g_autofree char *when = local_str (tz, t);
      g_assert_cmpstr (strstr (when, ":00:00 "), !=, NULL);
      if (prev)
        *longest_gap = MAX (*longest_gap, t - prev);
      prev = t;
      n++;
    }
  return n;
}

static void
test_dst_brussels_hourly (void)
{
  const char *tz = "Europe/Brussels";
  RtSchedule s = sched ("hourly");
  RtQuiet none = quiet ("none");
  RtHours whole = hours ("00:00-24:00", "Mon-Sun");
  gint64 gap;

  /* The local day of 30 March has 23 hours: 23 slots (02:00 does not exist
   * and falls onto 03:00), one hour apart. */
  g_assert_cmpuint (count_hourly (tz, &s, &whole, &none, utc (2025, 3, 29, 23, 0),
                                  utc (2025, 3, 30, 22, 0), &gap), ==, 23);
  g_assert_cmpint (gap, ==, HOUR_US);
  /* 26 October has 25 hours; the repeated hour 02:00 is one slot. */
  g_assert_cmpuint (count_hourly (tz, &s, &whole, &none, utc (2025, 10, 25, 22, 0),
                                  utc (2025, 10, 26, 23, 0), &gap), ==, 24);
  g_assert_cmpint (gap, ==, 2 * HOUR_US);

  /* Working hours 09:00-17:00 Mon-Fri: 09:00 ... 16:00 local, whatever the
   * offset; Friday 16:00 CET is followed by Monday 09:00 CEST. */
  RtHours office = hours ("09:00-17:00", "Mon-Fri");
  g_assert_cmpuint (count_hourly (tz, &s, &office, &none, utc (2025, 3, 28, 0, 0),
                                  utc (2025, 3, 29, 0, 0), &gap), ==, 8);
  assert_slot (tz, rt_schedule_next_slot (&s, &office, &none, tz, utc (2025, 3, 28, 8, 0)),
               utc (2025, 3, 28, 9, 0));
  assert_slot (tz, rt_schedule_next_slot (&s, &office, &none, tz, utc (2025, 3, 28, 15, 0)),
               utc (2025, 3, 31, 7, 0));
  g_assert_cmpuint (count_hourly (tz, &s, &office, &none, utc (2025, 3, 31, 0, 0),
                                  utc (2025, 4, 1, 0, 0), &gap), ==, 8);
  /* Every slot is inside the working hours. */
  for (gint64 t = utc (2025, 3, 27, 0, 0); t < utc (2025, 4, 2, 0, 0);)
    {
      t = rt_schedule_next_slot (&s, &office, &none, tz, t);
      g_assert_true (rt_hours_contains (&office, tz, t));
    }
  /* An overnight window belongs to the day it starts: Fri 22:00-02:00 works,
   * Sat 22:00 does not. */
  RtHours night = hours ("22:00-02:00", "Mon-Fri");
  const gint64 nights[] = {
    utc (2025, 1, 17, 21, 0), utc (2025, 1, 17, 22, 0), utc (2025, 1, 17, 23, 0),
    utc (2025, 1, 18, 0, 0), utc (2025, 1, 20, 21, 0),
  };
  check_chain (tz, &s, &night, &none, utc (2025, 1, 17, 20, 0), nights, G_N_ELEMENTS (nights));
}

/* Southern hemisphere: Sydney leaves DST on Sun 6 April 2025 (03:00 AEDT to
 * 02:00 AEST) and enters it on Sun 5 October 2025 (02:00 AEST to 03:00 AEDT). */
static void
test_dst_sydney (void)
{
  const char *tz = "Australia/Sydney";
  RtSchedule s = sched ("daily 02:30");
  RtHours all = hours ("09:00-17:00", "Mon-Sun");
  RtQuiet none = quiet ("none");

  const gint64 april[] = {
    utc (2025, 4, 4, 15, 30),   /* Sat 02:30 AEDT */
    utc (2025, 4, 5, 15, 30),   /* Sun 02:30 AEDT, first occurrence */
    utc (2025, 4, 6, 16, 30),   /* Mon 02:30 AEST */
  };
  check_chain (tz, &s, &all, &none, utc (2025, 4, 4, 0, 0), april, G_N_ELEMENTS (april));
  const gint64 october[] = {
    utc (2025, 10, 3, 16, 30),  /* Sat 02:30 AEST */
    utc (2025, 10, 4, 16, 0),   /* Sun 03:00 AEDT: 02:30 does not exist */
    utc (2025, 10, 5, 15, 30),  /* Mon 02:30 AEDT */
  };
  check_chain (tz, &s, &all, &none, utc (2025, 10, 3, 0, 0), october, G_N_ELEMENTS (october));

  s = sched ("daily 08:00");
  const gint64 eight[] = {
    utc (2025, 10, 3, 22, 0), utc (2025, 10, 4, 21, 0), utc (2025, 10, 5, 21, 0),
  };
  check_chain (tz, &s, &all, &none, utc (2025, 10, 3, 0, 0), eight, G_N_ELEMENTS (eight));
}

/* Brazil used to start DST at midnight: 4 November 2018 had no 00:00-00:59. */
static void
test_dst_sao_paulo_midnight (void)
{
  const char *tz = "America/Sao_Paulo";
  RtSchedule s = sched ("daily 00:30");
  RtHours all = hours ("09:00-17:00", "Mon-Sun");
  RtQuiet none = quiet ("none");
  const gint64 want[] = {
    utc (2018, 11, 3, 3, 30),   /* 00:30 -03 */
    utc (2018, 11, 4, 3, 0),    /* 01:00 -02, the first valid instant */
    utc (2018, 11, 5, 2, 30),   /* 00:30 -02 */
  };
  check_chain (tz, &s, &all, &none, utc (2018, 11, 2, 12, 0), want, G_N_ELEMENTS (want));
}

/* The hub was down for three days: one digest, for the latest slot, then
 * nothing until the next slot. */
static void
test_missed (void)
{
  const char *tz = "Europe/Brussels";
  RtSchedule s = sched ("daily 08:00");
  RtHours week = hours ("09:00-17:00", "Mon-Fri");
  RtQuiet q;
  rt_quiet_init_default (&q);
  gint64 mon = utc (2025, 1, 13, 7, 0);
  gint64 thu = utc (2025, 1, 16, 7, 0);
  gint64 fri = utc (2025, 1, 17, 7, 0);

  assert_slot (tz, rt_schedule_due_slot (&s, &week, &q, tz, mon, utc (2025, 1, 16, 10, 0)), thu);
  g_assert_cmpint (rt_schedule_due_slot (&s, &week, &q, tz, thu, utc (2025, 1, 16, 10, 0)), ==, 0);
  g_assert_cmpint (rt_schedule_due_slot (&s, &week, &q, tz, thu, fri - 1), ==, 0);
  assert_slot (tz, rt_schedule_due_slot (&s, &week, &q, tz, thu, fri), fri);
  assert_slot (tz, rt_schedule_next_slot (&s, &week, &q, tz, thu), fri);
  /* Down over a weekend: Monday's slot, not Saturday's or Sunday's. */
  assert_slot (tz, rt_schedule_due_slot (&s, &week, &q, tz, fri, utc (2025, 1, 20, 12, 0)),
               utc (2025, 1, 20, 7, 0));
  /* Down before Monday's slot: nothing due yet, Friday's was already sent. */
  g_assert_cmpint (rt_schedule_due_slot (&s, &week, &q, tz, fri, utc (2025, 1, 20, 6, 59)), ==, 0);
  /* Never sent anything: the latest slot is due. */
  assert_slot (tz, rt_schedule_due_slot (&s, &week, &q, tz, 0, utc (2025, 1, 16, 10, 0)), thu);
  /* A weekly digest missed for three weeks is sent once. */
  s = sched ("weekly Mon 09:00");
  assert_slot (tz, rt_schedule_due_slot (&s, &week, &q, tz, utc (2024, 12, 30, 8, 0),
                                         utc (2025, 1, 22, 12, 0)),
               utc (2025, 1, 20, 8, 0));
}

static const char *const zones[] = {
  "Europe/Brussels", "America/Sao_Paulo", "Asia/Tokyo", "America/New_York",
  "Australia/Sydney",
};
static const char *const schedules[] = {
  "immediate", "hourly", "daily 08:00", "daily 02:30", "daily 23:30", "weekly Sun 02:30",
  "weekly Sat 18:00",
};

/* Whatever the clock: a due slot lies in (last, now], and asking again with
 * it as the last slot gives nothing. */
static void
test_at_most_once (void)
{
  RtHours office = hours ("09:00-17:00", "Mon-Fri");
  RtQuiet q;
  rt_quiet_init_default (&q);
  gint64 year = utc (2025, 1, 1, 0, 0);
  guint due = 0;

  for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
    for (guint k = 0; k < G_N_ELEMENTS (schedules); k++)
      {
        RtSchedule s = sched (schedules[k]);
        for (int i = 0; i < 100; i++)
          {
            gint64 now = year + (gint64) g_test_rand_double_range (0, 365.0 * DAY_US);
            gint64 last = now - (gint64) g_test_rand_double_range (0, 10.0 * DAY_US);
            gint64 slot = rt_schedule_due_slot (&s, &office, &q, zones[z], last, now);
            if (!slot)
              continue;
            due++;
            g_assert_cmpint (slot, >, last);
            g_assert_cmpint (slot, <=, now);
            g_assert_cmpint (slot % G_USEC_PER_SEC, ==, 0);
            g_assert_false (rt_quiet_contains (&q, zones[z], slot));
            g_assert_cmpint (rt_schedule_due_slot (&s, &office, &q, zones[z], slot, now), ==, 0);
          }
      }
  g_assert_cmpuint (due, >, 1000);   /* the loop really exercised due slots */
}

static void
test_weekend (void)
{
  const char *tz = "Europe/Brussels";
  RtSchedule s = sched ("daily 08:00");
  RtHours week = hours ("09:00-17:00", "Mon-Fri");
  RtQuiet q;
  rt_quiet_init_default (&q);

  const gint64 want[] = {
    utc (2025, 1, 16, 7, 0), utc (2025, 1, 17, 7, 0),   /* Thu, Fri */
    utc (2025, 1, 20, 7, 0), utc (2025, 1, 21, 7, 0),   /* Mon, Tue */
  };
  check_chain (tz, &s, &week, &q, utc (2025, 1, 15, 12, 0), want, G_N_ELEMENTS (want));
  assert_slot (tz, rt_schedule_next_slot (&s, &week, &q, tz, utc (2025, 1, 18, 7, 0)),
               utc (2025, 1, 20, 7, 0));
  /* Other working days: Tue and Sat only. */
  RtHours odd = hours ("09:00-17:00", "Tue,Sat");
  const gint64 odd_want[] = {
    utc (2025, 1, 18, 7, 0), utc (2025, 1, 21, 7, 0), utc (2025, 1, 25, 7, 0),
  };
  check_chain (tz, &s, &odd, &q, utc (2025, 1, 15, 12, 0), odd_want, G_N_ELEMENTS (odd_want));
}

static void
test_weekly_sunday (void)
{
  const char *tz = "Europe/Brussels";
  RtSchedule s = sched ("weekly Sunday 18:00");
  RtHours week = hours ("09:00-17:00", "Mon-Fri");   /* Sunday is no working day */
  RtQuiet q;
  rt_quiet_init_default (&q);

  const gint64 want[] = {
    utc (2025, 1, 19, 17, 0), utc (2025, 1, 26, 17, 0), utc (2025, 2, 2, 17, 0),
  };
  check_chain (tz, &s, &week, &q, utc (2025, 1, 15, 12, 0), want, G_N_ELEMENTS (want));
  /* Across the spring change: still 18:00 local. */
  const gint64 spring[] = { utc (2025, 3, 23, 17, 0), utc (2025, 3, 30, 16, 0) };
  check_chain (tz, &s, &week, &q, utc (2025, 3, 20, 0, 0), spring, G_N_ELEMENTS (spring));
  /* Sunday 23:00 is in the quiet hours: Monday 07:00. */
  s = sched ("weekly sun 23:00");
  assert_slot (tz, rt_schedule_next_slot (&s, &week, &q, tz, utc (2025, 1, 15, 12, 0)),
               utc (2025, 1, 20, 6, 0));
}

static void
test_quiet_midnight (void)
{
  const char *tz = "Asia/Tokyo";   /* UTC+9, no DST */
  RtHours all = hours ("09:00-17:00", "Mon-Sun");
  RtQuiet q = quiet ("22:00-07:00");
  RtSchedule s = sched ("daily 06:00");

  /* 06:00 is quiet: 07:00 the same morning. */
  assert_slot (tz, rt_schedule_next_slot (&s, &all, &q, tz, utc (2025, 1, 14, 12, 0)),
               utc (2025, 1, 14, 22, 0));
  /* 23:30 is quiet: 07:00 the next morning. */
  s = sched ("daily 23:30");
  const gint64 late[] = { utc (2025, 1, 14, 22, 0), utc (2025, 1, 15, 22, 0) };
  check_chain (tz, &s, &all, &q, utc (2025, 1, 14, 12, 0), late, G_N_ELEMENTS (late));
  /* Nothing is due during the night even though the raw slot has passed. */
  g_assert_cmpint (rt_schedule_due_slot (&s, &all, &q, tz, utc (2025, 1, 14, 12, 0),
                                         utc (2025, 1, 14, 21, 59)), ==, 0);
  /* On Mon-Fri days, Friday's 23:30 still goes out on Saturday 07:00. */
  RtHours week = hours ("09:00-17:00", "Mon-Fri");
  assert_slot (tz, rt_schedule_next_slot (&s, &week, &q, tz, utc (2025, 1, 17, 12, 0)),
               utc (2025, 1, 17, 22, 0));
  /* Quiet hours that end at 24:00 and a window within one day. */
  q = quiet ("20:00-24:00");
  s = sched ("daily 21:00");
  assert_slot (tz, rt_schedule_next_slot (&s, &all, &q, tz, utc (2025, 1, 14, 0, 0)),
               utc (2025, 1, 14, 15, 0));   /* 00:00 on the 15th */
  q = quiet ("12:00-14:00");
  s = sched ("daily 13:00");
  assert_slot (tz, rt_schedule_next_slot (&s, &all, &q, tz, utc (2025, 1, 14, 0, 0)),
               utc (2025, 1, 14, 5, 0));    /* 14:00 */
  /* Quiet hours that end inside the spring-forward gap end when it does. */
  q = quiet ("01:00-02:30");
  s = sched ("daily 01:30");
  assert_slot ("Europe/Brussels", rt_schedule_next_slot (&s, &all, &q, "Europe/Brussels",
                                                         utc (2025, 3, 29, 12, 0)),
               utc (2025, 3, 30, 1, 0));    /* 03:00 CEST */
}

/* Quiet hours 02:30-07:00 on the night clocks go back in Brussels: at 03:00
 * CEST the clock shows 02:00 CET, which is not quiet, so batches go out until
 * 02:30 CET starts the quiet hours again. */
static void
test_quiet_fall_back (void)
{
  const char *tz = "Europe/Brussels";
  RtSchedule s = sched ("immediate");
  RtQuiet q = quiet ("02:30-07:00");
  const gint64 want[] = {
    utc (2025, 10, 26, 0, 25),   /* 02:25 CEST */
    utc (2025, 10, 26, 1, 0),    /* 02:00 CET: 02:30-02:55 CEST were quiet */
    utc (2025, 10, 26, 1, 5),
    utc (2025, 10, 26, 1, 10), utc (2025, 10, 26, 1, 15), utc (2025, 10, 26, 1, 20),
    utc (2025, 10, 26, 1, 25),   /* 02:25 CET */
    utc (2025, 10, 26, 6, 0),    /* 07:00 CET */
  };
  check_chain (tz, &s, NULL, &q, utc (2025, 10, 26, 0, 20), want, G_N_ELEMENTS (want));
  /* During the second quiet stretch, the first stretch's batch is not due. */
  assert_slot (tz, rt_schedule_due_slot (&s, NULL, &q, tz, utc (2025, 10, 26, 0, 20),
                                         utc (2025, 10, 26, 3, 0)),
               utc (2025, 10, 26, 1, 25));
}

/* Slots pushed to the end of the quiet hours become one slot. */
static void
test_quiet_collapse (void)
{
  const char *tz = "America/New_York";   /* UTC-5 in January */
  RtSchedule s = sched ("hourly");
  RtHours early = hours ("05:00-10:00", "Mon-Sun");
  RtQuiet q = quiet ("22:00-07:00");

  /* 05:00 and 06:00 move to 07:00, where the 07:00 slot already is. */
  const gint64 want[] = {
    utc (2025, 1, 15, 12, 0), utc (2025, 1, 15, 13, 0), utc (2025, 1, 15, 14, 0),
    utc (2025, 1, 16, 12, 0),
  };
  check_chain (tz, &s, &early, &q, utc (2025, 1, 15, 9, 0), want, G_N_ELEMENTS (want));
  assert_slot (tz, rt_schedule_due_slot (&s, &early, &q, tz, utc (2025, 1, 14, 14, 0),
                                         utc (2025, 1, 15, 12, 30)),
               utc (2025, 1, 15, 12, 0));
}

static void
test_immediate (void)
{
  const char *tz = "Asia/Tokyo";
  RtSchedule s = sched ("immediate");
  RtHours week = hours ("09:00-17:00", "Mon-Fri");   /* ignored: any time, any day */
  RtQuiet none = quiet ("none");
  gint64 noon = utc (2025, 1, 18, 3, 0);   /* Saturday 12:00 in Tokyo */

  g_assert_cmpint (RT_SCHEDULE_BATCH_MINUTES, ==, 5);
  assert_slot (tz, rt_schedule_next_slot (&s, &week, &none, tz, noon), noon + 5 * MINUTE_US);
  assert_slot (tz, rt_schedule_next_slot (&s, &week, &none, tz, noon + 7 * MINUTE_US + 13),
               noon + 10 * MINUTE_US);
  assert_slot (tz, rt_schedule_due_slot (&s, &week, &none, tz, noon, noon + 7 * MINUTE_US),
               noon + 5 * MINUTE_US);
  g_assert_cmpint (rt_schedule_due_slot (&s, &week, &none, tz, noon + 5 * MINUTE_US,
                                         noon + 10 * MINUTE_US - 1), ==, 0);
  assert_slot (tz, rt_schedule_due_slot (&s, &week, &none, tz, noon + 5 * MINUTE_US,
                                         noon + 10 * MINUTE_US), noon + 10 * MINUTE_US);
  /* An hour without sending: one batch, the latest. */
  assert_slot (tz, rt_schedule_due_slot (&s, &week, &none, tz, noon, noon + HOUR_US + 1),
               noon + HOUR_US);

  /* With quiet hours the night's batches are one, at 07:00. */
  RtQuiet q = quiet ("22:00-07:00");
  gint64 evening = utc (2025, 1, 18, 12, 55);   /* 21:55 */
  gint64 morning = utc (2025, 1, 18, 22, 0);    /* 07:00 */
  assert_slot (tz, rt_schedule_next_slot (&s, &week, &q, tz, evening), morning);
  g_assert_cmpint (rt_schedule_due_slot (&s, &week, &q, tz, evening, morning - 1), ==, 0);
  assert_slot (tz, rt_schedule_due_slot (&s, &week, &q, tz, evening, morning), morning);
  assert_slot (tz, rt_schedule_next_slot (&s, &week, &q, tz, morning), morning + 5 * MINUTE_US);
}

static void
test_never (void)
{
  const char *tz = "Europe/Brussels";
  RtQuiet q;
  rt_quiet_init_default (&q);
  RtHours h = hours ("09:00-17:00", "Mon-Fri");
  gint64 now = utc (2025, 1, 15, 12, 0);

  RtSchedule s = sched ("off");
  g_assert_cmpint (rt_schedule_next_slot (&s, &h, &q, tz, now), ==, 0);
  g_assert_cmpint (rt_schedule_due_slot (&s, &h, &q, tz, 0, now), ==, 0);
  /* No working day: daily and hourly never fire; weekly still does. */
  h.days = 0;
  s = sched ("daily 08:00");
  g_assert_cmpint (rt_schedule_next_slot (&s, &h, &q, tz, now), ==, 0);
  g_assert_cmpint (rt_schedule_due_slot (&s, &h, &q, tz, 0, now), ==, 0);
  s = sched ("hourly");
  g_assert_cmpint (rt_schedule_next_slot (&s, &h, &q, tz, now), ==, 0);
  s = sched ("weekly Fri 08:00");
  assert_slot (tz, rt_schedule_next_slot (&s, &h, &q, tz, now), utc (2025, 1, 17, 7, 0));
  /* No hours and no quiet given: every day, all day. */
  s = sched ("hourly");
  assert_slot (tz, rt_schedule_next_slot (&s, NULL, NULL, tz, utc (2025, 1, 18, 2, 30)),
               utc (2025, 1, 18, 3, 0));
}

/* For random instants over a year, in every zone, for every schedule, with
 * and without quiet hours: next_slot and due_slot agree, and no slot lies
 * strictly between an instant and its next slot. */
static void
test_consistency (void)
{
  RtHours office = hours ("09:00-17:00", "Mon-Fri");
  RtHours whole = hours ("00:00-24:00", "Mon-Sun");
  RtQuiet quiets[4];
  rt_quiet_init_default (&quiets[0]);
  quiets[1] = quiet ("none");
  quiets[2] = quiet ("02:30-07:00");   /* starts inside the hour repeated in autumn */
  quiets[3] = quiet ("12:00-14:00");
  gint64 year = utc (2025, 1, 1, 0, 0);

  for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
    for (guint k = 0; k < G_N_ELEMENTS (schedules); k++)
      for (guint qi = 0; qi < G_N_ELEMENTS (quiets); qi++)
        for (guint hi = 0; hi < 2; hi++)
          {
            RtSchedule s = sched (schedules[k]);
            const RtHours *h = hi ? &whole : &office;
            const RtQuiet *q = &quiets[qi];
            for (int i = 0; i < 40; i++)
              {
                gint64 last = year + (gint64) g_test_rand_double_range (0, 365.0 * DAY_US);
                gint64 next = rt_schedule_next_slot (&s, h, q, zones[z], last);
                g_assert_cmpint (next, >, last);
                g_assert_cmpint (next - last, <=, 8 * DAY_US);
                assert_slot (zones[z], rt_schedule_due_slot (&s, h, q, zones[z], last, next), next);
                assert_slot (zones[z], rt_schedule_due_slot (&s, h, q, zones[z], last, next - 1), 0);
                g_assert_false (rt_quiet_contains (q, zones[z], next));
              }
          }
}

/* Polling every minute through both DST weeks catches exactly the slots the
 * next_slot chain gives: nothing skipped, nothing twice. */
static void
test_polling (void)
{
  const char *tz = "Europe/Brussels";
  RtHours whole = hours ("00:00-24:00", "Mon-Sun");
  /* Quiet windows that begin or end in the hour clocks skip or repeat. */
  const char *quiets[] = { "22:00-07:00", "02:30-07:00", "22:00-02:30", "01:00-02:30" };
  const char *kinds[] = { "hourly", "daily 02:30", "immediate" };
  const gint64 weeks[] = { utc (2025, 3, 28, 0, 0), utc (2025, 10, 24, 0, 0) };

  for (guint qi = 0; qi < G_N_ELEMENTS (quiets); qi++)
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint w = 0; w < G_N_ELEMENTS (weeks); w++)
      {
        RtQuiet q = quiet (quiets[qi]);
        RtSchedule s = sched (kinds[k]);
        gint64 end = weeks[w] + 3 * DAY_US;
        gint64 chain = rt_schedule_next_slot (&s, &whole, &q, tz, weeks[w]);
        gint64 last = weeks[w];
        guint sent = 0;
        for (gint64 now = weeks[w]; now < end; now += MINUTE_US)
          {
            gint64 slot = rt_schedule_due_slot (&s, &whole, &q, tz, last, now);
            if (!slot)
              continue;
            assert_slot (tz, slot, chain);
            g_assert_false (rt_quiet_contains (&q, tz, slot));
            chain = rt_schedule_next_slot (&s, &whole, &q, tz, slot);
            last = slot;
            sent++;
          }
        g_assert_cmpint (chain, >, end - MINUTE_US);
        g_assert_cmpuint (sent, >=, 3);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/schedule/parse/ok", test_parse_ok);
  g_test_add_func ("/schedule/parse/bad", test_parse_bad);
  g_test_add_func ("/schedule/quiet/parse", test_quiet_parse);
  g_test_add_func ("/schedule/quiet/contains", test_quiet_contains);
  g_test_add_func ("/schedule/zones", test_zones);
  g_test_add_func ("/schedule/dst/brussels-0230", test_dst_brussels_0230);
  g_test_add_func ("/schedule/dst/brussels-0800", test_dst_brussels_0800);
  g_test_add_func ("/schedule/dst/brussels-hourly", test_dst_brussels_hourly);
  g_test_add_func ("/schedule/dst/sydney", test_dst_sydney);
  g_test_add_func ("/schedule/dst/sao-paulo-midnight", test_dst_sao_paulo_midnight);
  g_test_add_func ("/schedule/missed", test_missed);
  g_test_add_func ("/schedule/at-most-once", test_at_most_once);
  g_test_add_func ("/schedule/weekend", test_weekend);
  g_test_add_func ("/schedule/weekly-sunday", test_weekly_sunday);
  g_test_add_func ("/schedule/quiet/midnight", test_quiet_midnight);
  g_test_add_func ("/schedule/quiet/collapse", test_quiet_collapse);
  g_test_add_func ("/schedule/quiet/fall-back", test_quiet_fall_back);
  g_test_add_func ("/schedule/immediate", test_immediate);
  g_test_add_func ("/schedule/never", test_never);
  g_test_add_func ("/schedule/consistency", test_consistency);
  g_test_add_func ("/schedule/polling", test_polling);
  return g_test_run ();
}
