/* rt-hours.c: working hours and days in a member's IANA time zone. */
#include "config.h"
#include <string.h>
#include <glib/gi18n-lib.h>
#include "rt-hours.h"
#include "rt-error.h"
#include "rt-lang.h"

static const char *const day_names[7] = {
  "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};

void
rt_hours_init_default (RtHours *hours)
{
  hours->start_min = 9 * 60;
  hours->end_min = 17 * 60;
  hours->days = RT_DAYS_MON_FRI;
}

/* "H:MM" or "HH:MM" at *p; advances p. Returns minutes or -1. */
static int
parse_clock (const char **p)
{
  const char *s = *p;
  int h = 0, digits = 0;

  while (g_ascii_isdigit (*s) && digits < 2)
    h = h * 10 + (*s++ - '0'), digits++;
  if (digits == 0 || *s != ':' || !g_ascii_isdigit (s[1]) || !g_ascii_isdigit (s[2]))
    return -1;
  int m = (s[1] - '0') * 10 + (s[2] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0))
    return -1;
  *p = s + 3;
  return h * 60 + m;
}

gboolean
rt_hours_parse (const char *text, RtHours *hours, GError **error)
{
  const char *p = text ? text : "";
  while (g_ascii_isspace (*p))
    p++;
  int start = parse_clock (&p);
  int end = -1;
  if (start >= 0 && *p == '-')
    {
      p++;
      end = parse_clock (&p);
    }
  while (end >= 0 && g_ascii_isspace (*p))
    p++;
  if (start < 0 || end < 0 || *p != '\0' || start == 24 * 60)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("Bad working hours “%s”: use HH:MM-HH:MM, for example 08:30-17:30."),
                   text ? text : "");
      return FALSE;
    }
  if (start == end)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("Bad working hours “%s”: start and end are the same. "
                     "For the whole day use 00:00-24:00."), text);
      return FALSE;
    }
  hours->start_min = start;
  hours->end_min = end;
  return TRUE;
}

static int
day_index (const char *s, gsize len)
{
  if (len != 3)
    return -1;
  for (int i = 0; i < 7; i++)
    if (g_ascii_strncasecmp (s, day_names[i], 3) == 0)
      return i;
  return -1;
}

gboolean
rt_days_parse (const char *text, RtHours *hours, GError **error)
{
  guint8 days = 0;
  g_auto (GStrv) parts = g_strsplit (text ? text : "", ",", -1);

  for (guint i = 0; parts[i]; i++)
    {
      char *part = g_strstrip (parts[i]);
      const char *dash = strchr (part, '-');
      int a, b;

      if (dash)
        {
          g_autofree char *first = g_strstrip (g_strndup (part, dash - part));
          g_autofree char *second = g_strstrip (g_strdup (dash + 1));
          a = day_index (first, strlen (first));
          b = day_index (second, strlen (second));
        }
      else
        a = b = day_index (part, strlen (part));
      if (a < 0 || b < 0)
        {
          days = 0;
          break;
        }
      /* A range may wrap around the week: "Fri-Mon". */
      for (int d = a;; d = (d + 1) % 7)
        {
          days |= 1 << d;
          if (d == b)
            break;
        }
    }
  if (days == 0)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("Bad working days “%s”: use day names such as Mon-Fri or Mon,Wed,Fri."),
                   text ? text : "");
      return FALSE;
    }
  hours->days = days;
  return TRUE;
}

char *
rt_hours_format (const RtHours *hours)
{
  return g_strdup_printf ("%02u:%02u-%02u:%02u",
                          hours->start_min / 60u, hours->start_min % 60u,
                          hours->end_min / 60u, hours->end_min % 60u);
}

char *
rt_days_format (const RtHours *hours)
{
  GString *out = g_string_new (NULL);

  for (int d = 0; d < 7; d++)
    {
      if (!(hours->days & (1 << d)))
        continue;
      int e = d;
      while (e + 1 < 7 && (hours->days & (1 << (e + 1))))
        e++;
      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append (out, day_names[d]);
      if (e > d)
        g_string_append_printf (out, "-%s", day_names[e]);
      d = e;
    }
  return g_string_free (out, FALSE);
}

/* Zones are looked up for every member on every message: keep them. */
G_LOCK_DEFINE_STATIC (zones);
static GHashTable *zones;

static gboolean
tz_name_plausible (const char *tzid)
{
  gboolean has_offset = FALSE;

  /* Refuse what GLib would take as a file path. */
  if (!tzid || !g_ascii_isalpha (tzid[0]) || strstr (tzid, ".."))
    return FALSE;
  for (const char *p = tzid; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && !strchr ("/_-+", *p))
        return FALSE;
      has_offset |= g_ascii_isdigit (*p) || *p == '+' || *p == '-';
    }
  /* GLib also reads POSIX rules ("utc+1", "CET-1CEST"), which are no IANA
   * names; names with digits or signs ("Etc/GMT+5") must be zoneinfo files. */
  if (has_offset)
    {
      const char *dir = g_getenv ("TZDIR");
      g_autofree char *path = g_build_filename (dir && *dir ? dir : "/usr/share/zoneinfo",
                                                tzid, NULL);
      return g_file_test (path, G_FILE_TEST_IS_REGULAR);
    }
  return TRUE;
}

/* (transfer full) or NULL if unknown. Unknown names are remembered too. */
static GTimeZone *
zone_lookup (const char *tzid)
{
  GTimeZone *tz = NULL;
  gpointer found;

  if (!tzid)
    return NULL;
  G_LOCK (zones);
  if (!zones)
    zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) g_time_zone_unref);
  if (g_hash_table_lookup_extended (zones, tzid, NULL, &found))
    tz = found;
  else
    {
      tz = tz_name_plausible (tzid) ? g_time_zone_new_identifier (tzid) : NULL;
      g_hash_table_insert (zones, g_strdup (tzid), tz);
    }
  if (tz)
    g_time_zone_ref (tz);
  G_UNLOCK (zones);
  return tz;
}

gboolean
rt_tz_valid (const char *tzid)
{
  GTimeZone *tz = zone_lookup (tzid);
  if (!tz)
    return FALSE;
  g_time_zone_unref (tz);
  return TRUE;
}

/* Local wall time at now_us in tzid (UTC if tzid is unknown). */
static GDateTime *
local_time (const char *tzid, gint64 now_us)
{
  g_autoptr (GTimeZone) tz = zone_lookup (tzid);
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (now_us / G_USEC_PER_SEC);

  if (!tz)
    tz = g_time_zone_new_utc ();
  return g_date_time_to_timezone (utc, tz);
}

gboolean
rt_hours_contains (const RtHours *hours, const char *tzid, gint64 now_us)
{
  g_autoptr (GDateTime) local = local_time (tzid, now_us);
  int minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
  int today = g_date_time_get_day_of_week (local) - 1;   /* 0 = Monday */
  int yesterday = (today + 6) % 7;
  gboolean works_today = (hours->days & (1 << today)) != 0;
  gboolean worked_yesterday = (hours->days & (1 << yesterday)) != 0;

  if (hours->start_min < hours->end_min)
    return works_today && minute >= hours->start_min && minute < hours->end_min;
  if (hours->start_min > hours->end_min)   /* overnight: belongs to its start day */
    return (works_today && minute >= hours->start_min) ||
           (worked_yesterday && minute < hours->end_min);
  return FALSE;
}

char *
rt_local_time_format (const char *tzid, gint64 now_us)
{
  static const char *const short_days[7] = {
    NC_("short weekday", "Mon"), NC_("short weekday", "Tue"),
    NC_("short weekday", "Wed"), NC_("short weekday", "Thu"),
    NC_("short weekday", "Fri"), NC_("short weekday", "Sat"),
    NC_("short weekday", "Sun"),
  };
  g_autoptr (GDateTime) local = local_time (tzid, now_us);
  /* libintl, not g_dpgettext2: mention mails show this in the member's
   * language, which GLib may refuse to translate (rt-lang.h, caveat 1). */
  static const char context[] = "short weekday";
  g_autofree char *ctx_msgid = g_strconcat (context, "\004",
                                            short_days[g_date_time_get_day_of_week (local) - 1], NULL);

  return g_strdup_printf ("%s %02d:%02d", rt_lang_pgettext (ctx_msgid, sizeof context),
                          g_date_time_get_hour (local), g_date_time_get_minute (local));
}
