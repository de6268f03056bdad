/* rt-args.c: shell-like splitting of a command line; yes/no values. */
#include "config.h"
#include <string.h>
#include <glib/gi18n-lib.h>
#include "rt-args.h"
#include "rt-error.h"

/* Typographic quotes, as keyboards and autocorrection type them: “…” and
 * ”…” (English, Dutch), „…“ and „…” (German, Dutch), «…» (French, Swiss)
 * and »…« (German). */
#define LEFT_QUOTE   0x201c   /* “ */
#define RIGHT_QUOTE  0x201d   /* ” */
#define LOW_QUOTE    0x201e   /* „ */
#define LEFT_GUIL    0x00ab   /* « */
#define RIGHT_GUIL   0x00bb   /* » */

typedef enum { OUTSIDE, IN_DOUBLE, IN_SINGLE, IN_TYPOGRAPHIC } QuoteState;

static gboolean
is_typographic (gunichar c)
{
  return c == LEFT_QUOTE || c == RIGHT_QUOTE || c == LOW_QUOTE || c == LEFT_GUIL || c == RIGHT_GUIL;
}

/* Whether c closes what opener opened. */
static gboolean
closes (gunichar opener, gunichar c)
{
  switch (opener)
    {
    case LEFT_GUIL:
      return c == RIGHT_GUIL;
    case RIGHT_GUIL:
      return c == LEFT_GUIL;
    default:   /* “ ” „ */
      return c == LEFT_QUOTE || c == RIGHT_QUOTE;
    }
}

/* French puts a (narrow) no-break space inside guillemets, people type a
 * plain one: neither belongs to the argument. */
static gboolean
is_guillemet_space (gunichar c)
{
  return c == ' ' || c == 0x00a0 || c == 0x202f;
}

static void
trim_guillemet_spaces (GString *arg, gsize start)
{
  const char *p = arg->str + start;
  while (*p != '\0' && is_guillemet_space (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  g_string_erase (arg, start, p - (arg->str + start));
  while (arg->len > start)
    {
      const char *last = g_utf8_find_prev_char (arg->str + start, arg->str + arg->len);
      if (last == NULL || !is_guillemet_space (g_utf8_get_char (last)))
        break;
      g_string_truncate (arg, last - arg->str);
    }
}

/* Append the character at p (one UTF-8 sequence) and return what follows. */
static const char *
take_char (GString *arg, const char *p)
{
  const char *next = g_utf8_next_char (p);
  g_string_append_len (arg, p, next - p);
  return next;
}

char **
rt_args_split (const char *line, GError **error)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) arg = g_string_new (NULL);
  gboolean have_arg = FALSE;   /* "" is an argument, nothing is not */
  QuoteState state = OUTSIDE;
  gunichar opener = 0;   /* the typographic quote that opened */
  gsize quoted_from = 0; /* where its text starts in arg */
  const char *p = line ? line : "";

  if (!g_utf8_validate (p, -1, NULL))
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID,
                           _("The command is not valid UTF-8 text."));
      return NULL;
    }
  while (*p)
    {
      gunichar c = g_utf8_get_char (p);

      switch (state)
        {
        case OUTSIDE:
          if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            {
              if (have_arg)
                g_ptr_array_add (args, g_strdup (arg->str));
              g_string_truncate (arg, 0);
              have_arg = FALSE;
              p++;
              continue;
            }
          have_arg = TRUE;
          if (c == '"')
            state = IN_DOUBLE, p++;
          else if (c == '\'')
            state = IN_SINGLE, p++;
          else if (is_typographic (c))
            {
              state = IN_TYPOGRAPHIC;
              opener = c;
              quoted_from = arg->len;
              p = g_utf8_next_char (p);
            }
          else if (c == '\\' && p[1])
            p = take_char (arg, p + 1);   /* any character, taken literally */
          else
            p = take_char (arg, p);
          break;

        case IN_SINGLE:
          if (c == '\'')
            state = OUTSIDE, p++;
          else
            p = take_char (arg, p);
          break;

        case IN_DOUBLE:
        case IN_TYPOGRAPHIC:
          if ((state == IN_DOUBLE && c == '"') || (state == IN_TYPOGRAPHIC && closes (opener, c)))
            {
              if (state == IN_TYPOGRAPHIC && (opener == LEFT_GUIL || opener == RIGHT_GUIL))
                trim_guillemet_spaces (arg, quoted_from);
              state = OUTSIDE;
              p = g_utf8_next_char (p);
            }
          else if (c == '\\' && p[1] &&
                   (p[1] == '"' || p[1] == '\\' || is_typographic (g_utf8_get_char (p + 1))))
            p = take_char (arg, p + 1);
          else   /* like a shell: other backslashes stay, so C:\dir survives */
            p = take_char (arg, p);
          break;
        }
    }
  if (state != OUTSIDE)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID,
                           _("Unterminated quote: close every quote you open."));
      return NULL;
    }
  if (have_arg)
    g_ptr_array_add (args, g_strdup (arg->str));
  g_ptr_array_add (args, NULL);
  return (char **) g_ptr_array_steal (args, NULL);
}

gboolean
rt_args_parse_bool (const char *value, gboolean *out)
{
  static const char *const yes[] = { "yes", "y", "true", "on", "1", NULL };
  static const char *const no[] = { "no", "n", "false", "off", "0", NULL };

  for (guint i = 0; value && yes[i]; i++)
    if (g_ascii_strcasecmp (value, yes[i]) == 0)
      return *out = TRUE, TRUE;
  for (guint i = 0; value && no[i]; i++)
    if (g_ascii_strcasecmp (value, no[i]) == 0)
      return *out = FALSE, TRUE;
  return FALSE;
}
