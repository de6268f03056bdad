/* test-hours.c: working hours, days, time zones, across DST changes. */
#include "config.h"
#include <string.h>
#include "rt-hours.h"
#include "rt-error.h"

/* An instant given in UTC, in µs since the epoch. */
static gint64
utc (int y, int mo, int d, int h, int mi)
{
  g_autoptr (GDateTime) dt = g_date_time_new_utc (y, mo, d, h, mi, 0);
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

static RtHours
hours (const char *window, const char *days)
{
  RtHours h;
  g_autoptr (GError) error = NULL;
  rt_hours_init_default (&h);
  g_assert_true (rt_hours_parse (window, &h, &error));
  g_assert_no_error (error);
  g_assert_true (rt_days_parse (days, &h, &error));
  g_assert_no_error (error);
  return h;
}

static void
test_default (void)
{
  RtHours h;
  rt_hours_init_default (&h);
  g_assert_cmpuint (h.start_min, ==, 9 * 60);
  g_assert_cmpuint (h.end_min, ==, 17 * 60);
  g_assert_cmpuint (h.days, ==, RT_DAYS_MON_FRI);
}

static void
test_parse_ok (void)
{
  const struct { const char *text; guint start, end; const char *back; } cases[] = {
    { "08:30-17:30", 510, 1050, "08:30-17:30" },
    { "8:30-17:30", 510, 1050, "08:30-17:30" },
    { " 09:00-17:00 ", 540, 1020, "09:00-17:00" },
    { "22:00-06:00", 1320, 360, "22:00-06:00" },
    { "00:00-24:00", 0, 1440, "00:00-24:00" },
    { "16:00-24:00", 960, 1440, "16:00-24:00" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      RtHours h = { 1, 2, 0x55 };
      g_autoptr (GError) error = NULL;
      g_assert_true (rt_hours_parse (cases[i].text, &h, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (h.start_min, ==, cases[i].start);
      g_assert_cmpuint (h.end_min, ==, cases[i].end);
      g_assert_cmpuint (h.days, ==, 0x55);   /* untouched */
      g_autofree char *back = rt_hours_format (&h);
      g_assert_cmpstr (back, ==, cases[i].back);
    }
}

static void
test_parse_bad (void)
{
  const char *bad[] = {
    "", "9-17", "09:00", "25:00-26:00", "09:60-10:00", "09:00-17:00x", "24:00-06:00",
    "09:00-09:00", "09:00-24:30", "0900-1700", "09:0-17:00", "-09:00-17:00", "09:00--17:00",
    "123:00-17:00",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      RtHours h = { 540, 1020, RT_DAYS_MON_FRI };
      g_autoptr (GError) error = NULL;
      g_assert_false (rt_hours_parse (bad[i], &h, &error));
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, bad[i]));
      g_assert_cmpuint (h.start_min, ==, 540);
      g_assert_cmpuint (h.end_min, ==, 1020);
    }
}

static void
test_days (void)
{
  const struct { const char *text; guint8 days; const char *back; } cases[] = {
    { "Mon-Fri", 0x1f, "Mon-Fri" },
    { "mon-sun", 0x7f, "Mon-Sun" },
    { "Mon,Wed,Fri", 0x15, "Mon,Wed,Fri" },
    { "Sat-Sun", 0x60, "Sat-Sun" },
    { " Tue , thu ", 0x0a, "Tue,Thu" },
    { "Fri-Mon", 0x71, "Mon,Fri-Sun" },   /* wraps around the week */
    { "Sun", 0x40, "Sun" },
    { "Mon-Tue,Thu-Fri", 0x1b, "Mon-Tue,Thu-Fri" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      RtHours h = { 100, 200, 0 };
      g_autoptr (GError) error = NULL;
      g_assert_true (rt_days_parse (cases[i].text, &h, &error));
      g_assert_no_error (error);
      g_assert_cmphex (h.days, ==, cases[i].days);
      g_assert_cmpuint (h.start_min, ==, 100);
      g_autofree char *back = rt_days_format (&h);
      g_assert_cmpstr (back, ==, cases[i].back);
    }

  const char *bad[] = { "", "Funday", "Mon-", "Mon,,Tue", "Monday-Friday", "M-F", "Mon Tue" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      RtHours h = { 100, 200, 0x1f };
      g_autoptr (GError) error = NULL;
      g_assert_false (rt_days_parse (bad[i], &h, &error));
      g_assert_error (error, RT_ERROR, RT_ERROR_INVALID);
      g_assert_cmphex (h.days, ==, 0x1f);
    }
}

static void
test_tz_valid (void)
{
  const char *good[] = {
    "Europe/Brussels", "UTC", "America/Sao_Paulo", "Asia/Singapore", "Australia/Sydney",
    "America/New_York", "America/Argentina/Buenos_Aires", "Etc/GMT+5",
  };
  const char *bad[] = {
    "", "Mars/Olympus", "Europe/Brussel", "+01:00", "-03", "../etc/passwd",
    "/etc/localtime", "Europe/../Europe/Brussels", "EST5EDT,M3.2.0,M11.1.0",
    "Europe/Brussels ", "utc+1", "CET-1CEST", "Europe",
  };
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (rt_tz_valid (good[i]));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("tz %s", bad[i]);
      g_assert_false (rt_tz_valid (bad[i]));
    }
  g_assert_false (rt_tz_valid (NULL));
}

static void
check (const RtHours *h, const char *tz, gint64 when, gboolean expected)
{
  if (rt_hours_contains (h, tz, when) != expected)
    {
      g_autofree char *local = rt_local_time_format (tz, when);
      g_error ("%s at %" G_GINT64_FORMAT " (%s local): expected %s", tz,
               when / G_USEC_PER_SEC, local, expected ? "inside" : "outside");
    }
}

/* Europe switches on 2026-03-29 at 01:00 UTC, from UTC+1 to UTC+2. */
static void
test_brussels_dst (void)
{
  RtHours h = hours ("09:00-17:00", "Mon-Fri");
  const char *tz = "Europe/Brussels";

  check (&h, tz, utc (2026, 3, 27, 8, 0), TRUE);     /* Fri 09:00 CET */
  check (&h, tz, utc (2026, 3, 27, 7, 59), FALSE);   /* Fri 08:59 */
  check (&h, tz, utc (2026, 3, 27, 15, 59), TRUE);   /* Fri 16:59 */
  check (&h, tz, utc (2026, 3, 27, 16, 0), FALSE);   /* Fri 17:00 */
  check (&h, tz, utc (2026, 3, 28, 10, 0), FALSE);   /* Sat 11:00 */
  check (&h, tz, utc (2026, 3, 30, 7, 0), TRUE);     /* Mon 09:00 CEST */
  check (&h, tz, utc (2026, 3, 30, 6, 59), FALSE);   /* Mon 08:59 */
  check (&h, tz, utc (2026, 3, 30, 14, 59), TRUE);   /* Mon 16:59 */
  check (&h, tz, utc (2026, 3, 30, 15, 0), FALSE);   /* Mon 17:00 (16:00 in winter time) */

  /* A night window through the switch itself. */
  RtHours night = hours ("22:00-06:00", "Mon-Sun");
  check (&night, tz, utc (2026, 3, 29, 0, 59), TRUE);   /* 01:59 CET */
  check (&night, tz, utc (2026, 3, 29, 1, 0), TRUE);    /* 03:00 CEST */
  check (&night, tz, utc (2026, 3, 29, 3, 59), TRUE);   /* 05:59 CEST */
  check (&night, tz, utc (2026, 3, 29, 4, 30), FALSE);  /* 06:30 CEST, 05:30 with the old offset */
  check (&night, tz, utc (2026, 3, 29, 19, 59), FALSE); /* 21:59 CEST */
  check (&night, tz, utc (2026, 3, 29, 20, 0), TRUE);   /* 22:00 CEST */
}

/* The US switches on 2026-03-08 at 07:00 UTC, from UTC-5 to UTC-4. */
static void
test_new_york_dst (void)
{
  RtHours h = hours ("09:00-17:00", "Mon-Fri");
  const char *tz = "America/New_York";

  check (&h, tz, utc (2026, 3, 6, 14, 0), TRUE);    /* Fri 09:00 EST */
  check (&h, tz, utc (2026, 3, 6, 13, 59), FALSE);  /* Fri 08:59 */
  check (&h, tz, utc (2026, 3, 6, 21, 59), TRUE);   /* Fri 16:59 */
  check (&h, tz, utc (2026, 3, 6, 22, 0), FALSE);   /* Fri 17:00 */
  check (&h, tz, utc (2026, 3, 8, 15, 0), FALSE);   /* Sun 11:00 */
  check (&h, tz, utc (2026, 3, 9, 13, 0), TRUE);    /* Mon 09:00 EDT */
  check (&h, tz, utc (2026, 3, 9, 12, 59), FALSE);  /* Mon 08:59 EDT, 07:59 EST */
  check (&h, tz, utc (2026, 3, 9, 20, 59), TRUE);   /* Mon 16:59 */
  check (&h, tz, utc (2026, 3, 9, 21, 0), FALSE);   /* Mon 17:00 */
  /* Friday evening in UTC is still Friday afternoon in New York. */
  check (&h, tz, utc (2026, 3, 7, 0, 0), FALSE);    /* Fri 19:00 */
  check (&h, tz, utc (2026, 3, 6, 20, 0), TRUE);    /* Fri 15:00 */
}

/* No DST in São Paulo since 2019: always UTC-3. */
static void
test_sao_paulo (void)
{
  RtHours h = hours ("09:00-17:00", "Mon-Fri");
  const char *tz = "America/Sao_Paulo";

  check (&h, tz, utc (2026, 3, 9, 12, 0), TRUE);    /* Mon 09:00 */
  check (&h, tz, utc (2026, 3, 9, 11, 59), FALSE);
  check (&h, tz, utc (2026, 1, 12, 12, 0), TRUE);   /* southern summer: still UTC-3 */
  check (&h, tz, utc (2026, 1, 12, 11, 59), FALSE);
  check (&h, tz, utc (2026, 3, 7, 15, 0), FALSE);   /* Sat 12:00 */
  RtHours all = hours ("09:00-17:00", "Mon-Sun");
  check (&all, tz, utc (2026, 3, 7, 15, 0), TRUE);
  /* Monday 01:00 UTC is Sunday 22:00 in São Paulo. */
  RtHours sunday_night = hours ("21:00-23:00", "Sun");
  check (&sunday_night, tz, utc (2026, 3, 9, 1, 0), TRUE);
}

/* Singapore, UTC+8: the local day is often the next UTC day. */
static void
test_singapore (void)
{
  RtHours h = hours ("07:00-15:00", "Mon-Fri");
  const char *tz = "Asia/Singapore";

  check (&h, tz, utc (2026, 3, 8, 23, 30), TRUE);   /* Sun in UTC, Mon 07:30 local */
  check (&h, tz, utc (2026, 3, 8, 22, 59), FALSE);  /* Mon 06:59 */
  check (&h, tz, utc (2026, 3, 13, 6, 59), TRUE);   /* Fri 14:59 */
  check (&h, tz, utc (2026, 3, 13, 7, 0), FALSE);   /* Fri 15:00 */
  check (&h, tz, utc (2026, 3, 13, 23, 30), FALSE); /* Fri in UTC, Sat 07:30 local */
  check (&h, tz, utc (2026, 3, 9, 19, 0), FALSE);   /* 03:00 Tue */
}

/* Sydney leaves DST on 2026-04-05 at 16:00 UTC (Apr 4): UTC+11 -> UTC+10. */
static void
test_sydney_dst (void)
{
  RtHours h = hours ("09:00-17:00", "Mon-Fri");
  const char *tz = "Australia/Sydney";

  check (&h, tz, utc (2026, 4, 2, 22, 0), TRUE);    /* Fri 09:00 AEDT */
  check (&h, tz, utc (2026, 4, 2, 21, 59), FALSE);  /* Fri 08:59 */
  check (&h, tz, utc (2026, 4, 3, 22, 0), FALSE);   /* Sat 09:00 */
  check (&h, tz, utc (2026, 4, 5, 23, 0), TRUE);    /* Mon 09:00 AEST */
  check (&h, tz, utc (2026, 4, 5, 22, 0), FALSE);   /* Mon 08:00 AEST (09:00 with the old offset) */
  check (&h, tz, utc (2026, 4, 6, 6, 59), TRUE);    /* Mon 16:59 */
  check (&h, tz, utc (2026, 4, 6, 7, 0), FALSE);    /* Mon 17:00 */
}

/* A night shift belongs to the day it starts. */
static void
test_overnight (void)
{
  RtHours h = hours ("22:00-06:00", "Mon-Fri");
  const char *tz = "UTC";

  check (&h, tz, utc (2026, 3, 9, 22, 0), TRUE);    /* Mon 22:00 */
  check (&h, tz, utc (2026, 3, 9, 21, 59), FALSE);
  check (&h, tz, utc (2026, 3, 10, 5, 59), TRUE);   /* Tue 05:59, Monday's shift */
  check (&h, tz, utc (2026, 3, 10, 6, 0), FALSE);
  check (&h, tz, utc (2026, 3, 9, 5, 0), FALSE);    /* Mon 05:00: Sunday's shift, not worked */
  check (&h, tz, utc (2026, 3, 14, 5, 0), TRUE);    /* Sat 05:00: Friday's shift */
  check (&h, tz, utc (2026, 3, 14, 23, 0), FALSE);  /* Sat 23:00 */
  check (&h, tz, utc (2026, 3, 13, 12, 0), FALSE);  /* Fri noon */

  RtHours late = hours ("16:00-24:00", "Mon");
  check (&late, tz, utc (2026, 3, 9, 23, 59), TRUE);
  check (&late, tz, utc (2026, 3, 10, 0, 0), FALSE);   /* 24:00 is the end, not Tuesday */
  check (&late, tz, utc (2026, 3, 9, 16, 0), TRUE);
  check (&late, tz, utc (2026, 3, 9, 15, 59), FALSE);

  RtHours all = hours ("00:00-24:00", "Sat-Sun");
  check (&all, tz, utc (2026, 3, 14, 0, 0), TRUE);
  check (&all, tz, utc (2026, 3, 15, 23, 59), TRUE);
  check (&all, tz, utc (2026, 3, 16, 0, 0), FALSE);
}

static void
test_unknown_tz_is_utc (void)
{
  RtHours h = hours ("09:00-17:00", "Mon-Fri");
  check (&h, "Mars/Olympus", utc (2026, 3, 9, 9, 0), TRUE);
  check (&h, "Mars/Olympus", utc (2026, 3, 9, 8, 59), FALSE);
}

static void
test_local_format (void)
{
  const struct { const char *tz; gint64 when; const char *expected; } cases[] = {
    { "Europe/Brussels", utc (2026, 3, 27, 13, 5), "Fri 14:05" },
    { "Europe/Brussels", utc (2026, 3, 30, 13, 5), "Mon 15:05" },
    { "America/Sao_Paulo", utc (2026, 3, 9, 2, 0), "Sun 23:00" },
    { "Asia/Singapore", utc (2026, 3, 8, 23, 30), "Mon 07:30" },
    { "UTC", utc (2026, 3, 15, 0, 0), "Sun 00:00" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = rt_local_time_format (cases[i].tz, cases[i].when);
      g_assert_cmpstr (s, ==, cases[i].expected);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hours/default", test_default);
  g_test_add_func ("/hours/parse-ok", test_parse_ok);
  g_test_add_func ("/hours/parse-bad", test_parse_bad);
  g_test_add_func ("/hours/days", test_days);
  g_test_add_func ("/hours/tz-valid", test_tz_valid);
  g_test_add_func ("/hours/brussels-dst", test_brussels_dst);
  g_test_add_func ("/hours/new-york-dst", test_new_york_dst);
  g_test_add_func ("/hours/sao-paulo", test_sao_paulo);
  g_test_add_func ("/hours/singapore", test_singapore);
  g_test_add_func ("/hours/sydney-dst", test_sydney_dst);
  g_test_add_func ("/hours/overnight", test_overnight);
  g_test_add_func ("/hours/unknown-tz-is-utc", test_unknown_tz_is_utc);
  g_test_add_func ("/hours/local-format", test_local_format);
  return g_test_run ();
}
