/* rt-text.c: rendering a bridged line, splitting long text. */
#include "config.h"
#include <string.h>
#include "rt-text.h"

/* Largest end <= limit that does not cut a UTF-8 sequence starting after
 * start. Returns start when even the first character does not fit. */
static gsize
char_boundary (const char *text, gsize start, gsize limit)
{
  gsize end = limit;
  while (end > start && ((guchar) text[end] & 0xc0) == 0x80)
    end--;
  return end;
}

/* Cut text into pieces of at most budget bytes; returns the piece ends. */
static GArray *
cut (const char *text, gsize len, gsize budget)
{
  GArray *ends = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize pos = 0;

  while (len - pos > budget)
    {
      gsize end = char_boundary (text, pos, pos + budget);
      if (end == pos)   /* a character longer than the budget: keep it whole */
        end = MIN (len, pos + (g_utf8_next_char (text + pos) - (text + pos)));
      else
        {
          /* Prefer a newline, else a space, in the last quarter; the
           * whitespace stays at the end of this piece. */
          gsize floor = pos + budget - budget / 4;
          const char *nl = NULL, *sp = NULL;
          for (gsize i = end; i > floor && !nl; i--)
            {
              if (text[i - 1] == '\n')
                nl = text + i;
              else if (text[i - 1] == ' ' && !sp)
                sp = text + i;
            }
          if (nl || sp)
            end = (nl ? nl : sp) - text;
        }
      g_array_append_val (ends, end);
      pos = end;
    }
  g_array_append_val (ends, len);
  return ends;
}

static guint
n_digits (guint n)
{
  guint d = 1;
  while (n >= 10)
    n /= 10, d++;
  return d;
}

GPtrArray *
rt_text_split (const char *text, gsize max_bytes)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);
  gsize len = text ? strlen (text) : 0;

  g_return_val_if_fail (max_bytes >= 16, pieces);

  if (len <= max_bytes)
    {
      g_ptr_array_add (pieces, g_strdup (text ? text : ""));
      return pieces;
    }
  /* The marker counts against max_bytes; its width depends on the number
   * of pieces, so grow it until the count fits. */
  g_autoptr (GArray) ends = NULL;
  for (guint digits = 1;; digits++)
    {
      gsize marker = 2 * digits + 4;   /* "[k/n] " */
      g_clear_pointer (&ends, g_array_unref);
      ends = cut (text, len, max_bytes > marker + 4 ? max_bytes - marker : 4);
      if (n_digits (ends->len) <= digits)
        break;
    }
  gsize start = 0;
  for (guint k = 0; k < ends->len; k++)
    {
      gsize end = g_array_index (ends, gsize, k);
      g_ptr_array_add (pieces, g_strdup_printf ("[%u/%u] %.*s", k + 1, ends->len,
                                                (int) (end - start), text + start));
      start = end;
    }
  return pieces;
}

/* Foreign text may be broken UTF-8; the escaper needs it valid. */
static char *
escape (const char *s)
{
  if (!s)
    return g_strdup ("");
  if (g_utf8_validate (s, -1, NULL))
    return g_markup_escape_text (s, -1);
  g_autofree char *valid = g_utf8_make_valid (s, -1);
  return g_markup_escape_text (valid, -1);
}

char *
rt_text_render (const char *label, const char *text)
{
  g_autofree char *label_esc = escape (label);
  g_autofree char *text_esc = escape (text);
  GString *out = g_string_new (label_esc);

  g_string_append (out, ": ");
  for (const char *p = text_esc; *p; p++)
    {
      if (*p == '\r' && p[1] == '\n')
        continue;
      if (*p == '\n' || *p == '\r')
        g_string_append (out, "<br>");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}
