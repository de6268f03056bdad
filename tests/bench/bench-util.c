/* bench-util.c: shared timing, rounds, medians and the figure line of the C
 * benchmarks (see bench-util.h). */
#include "config.h"
#include "bench-util.h"

#include <stdio.h>

double
bench_seconds_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / (double) G_USEC_PER_SEC;
}

double
bench_rate (BenchPass pass, gpointer data, double seconds)
{
  gint64 start = g_get_monotonic_time ();
  gint64 end = start + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 n = 0;
  gint64 now;

  /* The clock is read once per pass only, so a pass should be short but
   * not trivially so (a few messages, a whole corpus). */
  do
    {
      gint64 got = pass (data);
      if (got < 0)
        return -1;
      n += (guint64) got;
      now = g_get_monotonic_time ();
    }
  while (now < end);
  return n / ((now - start) / (double) G_USEC_PER_SEC);
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

double
bench_median (GArray *v)
{
  guint n = v->len;

  if (n == 0)
    return 0;
  g_array_sort (v, cmp_double);
  return n % 2 ? g_array_index (v, double, n / 2)
               : (g_array_index (v, double, n / 2 - 1) + g_array_index (v, double, n / 2)) / 2;
}

gboolean
bench_rounds (const BenchSide *sides, guint n_sides, int rounds, double seconds,
              BenchRoundReport report, gpointer user_data, double *medians)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autofree double *rates = g_new0 (double, n_sides);

  for (guint s = 0; s < n_sides; s++)
    g_ptr_array_add (all, g_array_new (FALSE, FALSE, sizeof (double)));
  for (int r = 0; r < rounds; r++)
    {
      for (guint s = 0; s < n_sides; s++)
        {
          rates[s] = bench_rate (sides[s].pass, sides[s].data, seconds);
          if (rates[s] < 0)
            return FALSE;
        }
      for (guint s = 0; s < n_sides; s++)
        g_array_append_val ((GArray *) g_ptr_array_index (all, s), rates[s]);
      if (report != NULL)
        report (r + 1, rates, user_data);
    }
  for (guint s = 0; s < n_sides; s++)
    medians[s] = bench_median (g_ptr_array_index (all, s));
  return TRUE;
}

void
bench_print_figure (const char *name, double value, int value_decimals, const char *unit,
                    const char *baseline_name, double baseline, int ratio_decimals)
{
  printf ("%s\t%.*f\t%s\t%s\t%.*f\t%.*f\n", name, value_decimals, value, unit, baseline_name,
          value_decimals, baseline, ratio_decimals, baseline > 0 ? value / baseline : 0.0);
}

gint64
bench_items_pass (guint (*one) (const char *item), GPtrArray *items, guint per_item)
{
  gint64 n = 0;
  for (guint i = 0; i < items->len; i++)
    {
      if (one (g_ptr_array_index (items, i)) != per_item)
        return -1;
      n += per_item;
    }
  return n;
}
