/* rt-mention.c: mentions of a member and decision markers in plain text. */
#include "config.h"
#include <string.h>
#include "rt-mention.h"

static gboolean
is_word (gunichar c)
{
  return c == '_' || g_unichar_isalnum (c) || g_unichar_ismark (c);
}

/* Horizontal white space, no-break spaces included (Zs), not newlines. */
static gboolean
is_blank (gunichar c)
{
  return c != '\n' && c != '\r' && g_unichar_isspace (c);
}

/* NFC copy of possibly invalid UTF-8. (transfer full) */
static char *
normalized (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  return g_utf8_normalize (valid, -1, G_NORMALIZE_DEFAULT_COMPOSE);
}

/* If needle matches text at p, case-insensitively, a blank run in needle
 * matching one or more blanks in text: the end of the match, else NULL. */
static const char *
match_at (const char *p, const char *needle)
{
  while (*needle != '\0')
    {
      gunichar n = g_utf8_get_char (needle);
      if (g_unichar_isspace (n))
        {
          if (*p == '\0' || !is_blank (g_utf8_get_char (p)))
            return NULL;
          while (*needle != '\0' && g_unichar_isspace (g_utf8_get_char (needle)))
            needle = g_utf8_next_char (needle);
          while (*p != '\0' && is_blank (g_utf8_get_char (p)))
            p = g_utf8_next_char (p);
          continue;
        }
      if (*p == '\0' || g_unichar_tolower (g_utf8_get_char (p)) != g_unichar_tolower (n))
        return NULL;
      p = g_utf8_next_char (p);
      needle = g_utf8_next_char (needle);
    }
  return p;
}

/* Does a word end at q? Not if a letter follows, nor a '.', '-' or '@'
 * that continues it ("@alice.dubois", "@alice-team", "alice@example"). */
static gboolean
word_ends_at (const char *q)
{
  if (*q == '\0')
    return TRUE;
  gunichar c = g_utf8_get_char (q);
  if (is_word (c) || c == '@')
    return FALSE;
  if (c == '.' || c == '-')
    {
      const char *next = g_utf8_next_char (q);
      return *next == '\0' || !is_word (g_utf8_get_char (next));
    }
  return TRUE;
}

/* Is needle (prefixed by lead, 0 for none) in text as a whole word? */
static gboolean
contains_word (const char *text, gunichar lead, const char *needle)
{
  gunichar prev = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean starts = !is_word (prev) && prev != '@' && (lead == 0 ? !is_blank (c) : c == lead);
      prev = c;
      if (!starts)
        continue;
      const char *q = match_at (lead == 0 ? p : g_utf8_next_char (p), needle);
      if (q != NULL && word_ends_at (q))
        return TRUE;
    }
  return FALSE;
}

gboolean
rt_text_mentions (const char *text, const RtMember *m)
{
  if (text == NULL || m == NULL)
    return FALSE;
  g_autofree char *norm = normalized (text);

  if (m->handle != NULL)
    {
      g_autofree char *handle = normalized (m->handle);
      g_strstrip (handle);
      const char *h = handle[0] == '@' ? handle + 1 : handle;
      if (*h != '\0' && contains_word (norm, '@', h))
        return TRUE;
    }
  if (m->name != NULL)
    {
      g_autofree char *name = normalized (m->name);
      g_strstrip (name);
      if (*name != '\0' && contains_word (norm, 0, name))
        return TRUE;
    }
  return FALSE;
}

/* Words that open a decision line when a colon follows. */
static const char *const decision_words[] = {
  "decision", "decided",                    /* en */
  "besluit", "beslissing", "besloten",      /* nl */
  "décision", "décidé",                     /* fr */
  "entscheidung", "beschluss", "beschlossen", /* de */
};

/* Tags that mark a decision anywhere (without the '#'). */
static const char *const decision_tags[] = {
  "decision", "besluit", "décision", "entscheidung", "beschluss",
};

static gboolean
line_opens_decision (const char *p)
{
  while (*p != '\0' && is_blank (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  for (guint i = 0; i < G_N_ELEMENTS (decision_words); i++)
    {
      const char *q = match_at (p, decision_words[i]);
      if (q == NULL)
        continue;
      while (*q != '\0' && is_blank (g_utf8_get_char (q)))
        q = g_utf8_next_char (q);
      if (*q == ':' || g_utf8_get_char (q) == 0xff1a)   /* fullwidth colon */
        return TRUE;
    }
  return FALSE;
}

gboolean
rt_text_is_decision (const char *text)
{
  if (text == NULL)
    return FALSE;
  g_autofree char *norm = normalized (text);

  for (const char *line = norm; line != NULL;)
    {
      if (line_opens_decision (line))
        return TRUE;
      line = strchr (line, '\n');
      if (line != NULL)
        line++;
    }
  for (guint i = 0; i < G_N_ELEMENTS (decision_tags); i++)
    if (contains_word (norm, '#', decision_tags[i]))
      return TRUE;
  return FALSE;
}
