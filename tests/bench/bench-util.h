/* bench-util.h: the timing pieces every C benchmark here shares: a rate
 * measured over about N seconds of repeated passes, rounds of several sides
 * alternating (so drift hits all sides alike) reduced to their medians, and
 * the tab-separated figure line that tests/bench/run collects:
 *   name<TAB>value<TAB>unit<TAB>baseline_name<TAB>baseline_value<TAB>ratio */
#pragma once

#include <glib.h>

/* One pass of a benchmark's work: how many items it handled (messages,
 * mails, posts), or -1 when something went wrong. */
typedef gint64 (*BenchPass) (gpointer data);

/* One side of a comparison (ours, raw, ...). */
typedef struct
{
  BenchPass pass;
  gpointer data;
} BenchSide;

/* Called after each round (round counts from 1) with the rate of every
 * side, in the order of the sides; for the per-round stderr line. */
typedef void (*BenchRoundReport) (int round, const double *rates, gpointer user_data);

/* Seconds elapsed since start_us, a g_get_monotonic_time () value. */
double bench_seconds_since (gint64 start_us);

/* Items per second over whole passes for at least seconds (at least one
 * pass); -1 when a pass fails. */
double bench_rate (BenchPass pass, gpointer data, double seconds);

/* One pass of one over every item (strings) of items, each of which must
 * give per_item units (posts of a page, ...): the units, or -1 as soon as
 * one falls short. */
gint64 bench_items_pass (guint (*one) (const char *item), GPtrArray *items, guint per_item);

/* Median of v (sorted in place; mean of the two middle values when the
 * count is even); 0 when v is empty. */
double bench_median (GArray *v);

/* rounds rounds of bench_rate over each side in turn, report (if not NULL)
 * after each; medians[i] gets side i's median rate. FALSE as soon as a pass
 * fails (medians then untouched). */
gboolean bench_rounds (const BenchSide *sides, guint n_sides, int rounds, double seconds,
                       BenchRoundReport report, gpointer user_data, double *medians);

/* Prints the figure line on stdout: value and baseline with value_decimals
 * decimals, the ratio value/baseline (0 when the baseline is 0) with
 * ratio_decimals. */
void bench_print_figure (const char *name, double value, int value_decimals, const char *unit,
                         const char *baseline_name, double baseline, int ratio_decimals);
