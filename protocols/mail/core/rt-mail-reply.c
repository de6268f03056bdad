/* rt-mail-reply.c: the new text of a plain-text reply. One pass over the
 * lines; the only look-aheads are bounded (an attribution spans at most
 * three lines, an Outlook header block is confirmed within ten, a "--"
 * signature within twelve), so the time is linear in the text. Patterns run
 * only on lines shorter than RT_MAIL_REPLY_MAX_HEADER_LINE. */
#include "rt-mail-reply.h"
#include "rt-mail-reply-private.h"

#include <string.h>

#define SPACES "[\\s\\x{A0}\\x{202F}]"   /* French puts a (narrow) no-break
                                         * space before the colon */
#define ATTR_JOIN_MAX 3
#define OUTLOOK_LOOKAHEAD 10
#define DASHES_LOOKAHEAD 12
#define DASHES_MAX_LINES 10

typedef struct {
  GRegex *attribution;  /* one logical line, wrapped lines joined by spaces */
  GRegex *original;     /* "-----Original Message-----" and translations */
  GRegex *from;         /* first line of an Outlook header block */
  GRegex *sent;
  GRegex *to;
  GRegex *mobile;       /* "Sent from my iPhone" and friends */
} Patterns;

static GRegex *
compile (const char *pattern, GRegexCompileFlags flags)
{
  g_autoptr(GError) error = NULL;
  GRegex *re = g_regex_new (pattern, flags | G_REGEX_OPTIMIZE, 0, &error);

  g_assert_no_error (error);  /* the patterns are constants */
  return re;
}

static gpointer
patterns_init (gpointer data)
{
  Patterns *p = g_new0 (Patterns, 1);

  /* Every attribution names a date, so the caller also requires a digit
   * (not in the pattern: ".*\d.*" would backtrack quadratically). */
  p->attribution = compile (
    "^(?:On\\s.*\\swrote"                                          /* en */
    "|Op\\s.*\\s(?:schreef\\s.+|het\\svolgende\\sgeschreven)"     /* nl */
    "|Le\\s.*\\sa\\s[ée]crit"                                      /* fr */
    "|Am\\s.*\\sschrieb\\s.+"                                      /* de */
    "|\\S.*\\sschrieb\\sam\\s.+"                 /* de, Gmail for mobile */
    ")" SPACES "*:$", 0);
  p->original = compile (
    "^-{3,}\\s*(?:Original\\sMessage|Oorspronkelijk\\sbericht"
    "|Origineel\\sbericht|Message\\sd['’]origine|Ursprüngliche\\sNachricht"
    "|Original-Nachricht|Originalnachricht)\\s*-{3,}$", G_REGEX_CASELESS);
  p->from = compile ("^\\*?(?:From|Van|De|Von)\\*?" SPACES "*:\\*?" SPACES "*\\S", 0);
  p->sent = compile ("^\\*?(?:Sent|Date|Verzonden|Datum|Envoyé|Gesendet)\\*?"
                     SPACES "*:", 0);
  p->to = compile ("^\\*?(?:To|Aan|À|A|An|Cc|CC|Subject|Onderwerp|Objet|Betreff)"
                   "\\*?" SPACES "*:", 0);
  p->mobile = compile (
    "^(?:Sent\\sfrom\\smy\\s.+"
    "|Sent\\sfrom\\s(?:Outlook|Mail|Yahoo\\sMail)\\b.*"
    "|Get\\sOutlook\\sfor\\s.+"
    "|Verstuurd\\svanaf\\smijn\\s.+"
    "|Verzonden\\s(?:vanaf|vanuit|van|met)\\s(?:mijn\\s|Outlook).+"
    "|Outlook\\svoor\\s(?:iOS|Android)\\sdownloaden"
    "|Envoyé\\s(?:de|depuis)\\smon\\s.+"
    "|Envoyé\\sà\\spartir\\sde\\s.+"
    "|Obtenir\\sOutlook\\spour\\s.+"
    "|Von\\smeinem\\s.+\\sgesendet"
    "|Gesendet\\s(?:von|mit)\\smeinem\\s.+"
    "|Von\\sOutlook\\sfür\\s.+\\sgesendet"
    "|Outlook\\sfür\\s(?:iOS|Android)\\sbeziehen"
    ")\\.?$", G_REGEX_CASELESS);
  return p;
}

static const Patterns *
patterns (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, patterns_init, NULL);
}

/* What the look-aheads ask about a line, remembered so that each pattern
 * runs at most once per line however many look-aheads cover it. */
typedef enum { UNKNOWN = -1, NO = 0, YES = 1 } Tri;

typedef struct {
  const char *s;      /* left-trimmed, right-trimmed, no newline */
  gsize len;
  gboolean sig_dash;  /* the line was exactly "-- " (RFC 3676) */
  gint8 cut;          /* Tri: history starts here */
  gint8 attr;         /* lines of the attribution starting here, or UNKNOWN */
  gint8 sent;         /* Tri: an Outlook Sent/Date line */
  gint8 to;           /* Tri: an Outlook To/Subject line */
} Line;

static GArray *
split_lines (const char *text)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (Line));
  const char *p = text;

  for (;;)
    {
      const char *nl = strchr (p, '\n');
      const char *end = nl != NULL ? nl : p + strlen (p);
      Line l = { .s = p, .cut = UNKNOWN, .attr = UNKNOWN, .sent = UNKNOWN, .to = UNKNOWN };

      if (end > p && end[-1] == '\r')
        end--;
      l.sig_dash = (end - p == 3 && memcmp (p, "-- ", 3) == 0);
      while (l.s < end && (*l.s == ' ' || *l.s == '\t'))
        l.s++;
      while (end > l.s && g_ascii_isspace (end[-1]))
        end--;
      l.len = (gsize) (end - l.s);
      g_array_append_val (lines, l);
      if (nl == NULL)
        break;
      p = nl + 1;
    }
  return lines;
}

#define LINE(lines, i) (&g_array_index ((lines), Line, (i)))

static gboolean
matches (GRegex *re, const char *s, gsize len)
{
  return len > 0 && len <= RT_MAIL_REPLY_MAX_HEADER_LINE
      && g_regex_match_full (re, s, (gssize) len, 0, 0, NULL, NULL);
}

/* Cheap tests that skip the patterns on most lines: every attribution
 * ends with ':', every Outlook header keyword is followed by one. */
static gboolean
ends_with_colon (const char *s, gsize len)
{
  return len > 0 && s[len - 1] == ':';
}

static gboolean
colon_near_start (const Line *l)
{
  return memchr (l->s, ':', MIN (l->len, 24)) != NULL;
}

static gboolean
is_quoted (const Line *l)
{
  return l->len > 0 && l->s[0] == '>';
}

static gboolean
has_digit (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (g_ascii_isdigit (s[i]))
      return TRUE;
  return FALSE;
}

static gboolean
starts_like_attribution (const Line *l)
{
  static const char *const openers[] = { "On ", "Op ", "Le ", "Am ", NULL };

  for (const char *const *o = openers; *o != NULL; o++)
    if (l->len > 3 && memcmp (l->s, *o, 3) == 0)
      return TRUE;
  /* Gmail for mobile, German: "NAME <ADDR> schrieb am DATE:" */
  return memchr (l->s, '@', l->len) != NULL;
}

/* How many lines (1 to 3) starting at i form an attribution, 0 if none.
 * Gmail wraps a long one; a wrapped one must start like one and name an
 * address, which keeps ordinary lines of new text from joining the
 * attribution below them or reading as one. */
static guint
attribution_lines_uncached (GArray *lines, guint i)
{
  g_autoptr(GString) joined = g_string_new (NULL);

  for (guint k = 0; k < ATTR_JOIN_MAX && i + k < lines->len; k++)
    {
      const Line *l = LINE (lines, i + k);

      if (l->len == 0 || is_quoted (l) || l->len > RT_MAIL_REPLY_MAX_HEADER_LINE
          || joined->len + l->len > RT_MAIL_REPLY_MAX_HEADER_LINE
          || (k == 1 && !starts_like_attribution (LINE (lines, i))))
        return 0;
      if (k > 0)
        g_string_append_c (joined, ' ');
      g_string_append_len (joined, l->s, (gssize) l->len);
      if (ends_with_colon (joined->str, joined->len)
          && (k == 0 || memchr (joined->str, '@', joined->len) != NULL)
          && has_digit (joined->str, joined->len)
          && matches (patterns ()->attribution, joined->str, joined->len))
        return k + 1;
    }
  return 0;
}

static guint
attribution_lines (GArray *lines, guint i)
{
  Line *l = LINE (lines, i);

  if (l->attr == UNKNOWN)
    l->attr = (gint8) attribution_lines_uncached (lines, i);
  return (guint) l->attr;
}

static gboolean
tri (gint8 *cache, GRegex *re, const Line *l)
{
  if (*cache == UNKNOWN)
    *cache = colon_near_start (l) && matches (re, l->s, l->len) ? YES : NO;
  return *cache == YES;
}

/* An Outlook header block: From, then within the block a Sent (or Date)
 * line and a To (or Subject) line. */
static gboolean
is_outlook_block (GArray *lines, guint i)
{
  const Patterns *re = patterns ();
  const Line *first = LINE (lines, i);
  gboolean sent = FALSE, to = FALSE;

  if (!colon_near_start (first) || !matches (re->from, first->s, first->len))
    return FALSE;
  for (guint j = i + 1; j < lines->len && j <= i + OUTLOOK_LOOKAHEAD; j++)
    {
      Line *l = LINE (lines, j);

      if (l->len == 0)
        break;
      sent = tri (&l->sent, re->sent, l) || sent;
      to = tri (&l->to, re->to, l) || to;
      if (sent && to)
        return TRUE;
    }
  return FALSE;
}

/* Everything from line i on is quoted history. */
static gboolean
is_cut (GArray *lines, guint i)
{
  Line *l = LINE (lines, i);

  if (l->cut == UNKNOWN)
    l->cut = matches (patterns ()->original, l->s, l->len)
             || is_outlook_block (lines, i) ? YES : NO;
  return l->cut == YES;
}

static gboolean
is_underscores (const Line *l)
{
  if (l->len < 5)
    return FALSE;
  for (gsize k = 0; k < l->len; k++)
    if (l->s[k] != '_')
      return FALSE;
  return TRUE;
}

/* A bare "--" (the trailing space of "-- " lost on the way) starts a
 * signature only when a short block follows it before a quote or the end:
 * a "--" used as a divider in the text must not drop what comes after. */
static gboolean
is_dashes_signature (GArray *lines, guint i)
{
  guint text_lines = 0;

  for (guint j = i + 1; j <= i + DASHES_LOOKAHEAD; j++)
    {
      const Line *l;

      if (j >= lines->len)
        return TRUE;
      l = LINE (lines, j);
      if (is_quoted (l) || (l->len > 0 && (is_cut (lines, j) || attribution_lines (lines, j) > 0)))
        return TRUE;
      if (l->len > 0 && ++text_lines > DASHES_MAX_LINES)
        return FALSE;
    }
  return FALSE;
}

static gboolean
is_signature_start (GArray *lines, guint i)
{
  const Line *l = LINE (lines, i);

  if (l->sig_dash)
    return TRUE;
  if (l->len == 2 && memcmp (l->s, "--", 2) == 0)
    return is_dashes_signature (lines, i);
  return l->len <= 120 && matches (patterns ()->mobile, l->s, l->len);
}

/* The kept lines; a Line with len 0 is a blank line. */
typedef struct {
  GArray *kept;
  gboolean separate;  /* something was dropped since the last kept line */
} Out;

static void
out_blank (Out *o)
{
  static const Line blank = { .s = "" };

  if (o->kept->len > 0 && LINE (o->kept, o->kept->len - 1)->len > 0)
    g_array_append_val (o->kept, blank);
}

static void
out_line (Out *o, const Line *l)
{
  if (l->len == 0)
    {
      out_blank (o);
      return;
    }
  if (o->separate)
    out_blank (o);
  o->separate = FALSE;
  g_array_append_val (o->kept, *l);
}

/* Before a cut: the blank lines and the "____" rule Outlook puts above its
 * header block belong to the history. */
static void
out_drop_blanks (Out *o)
{
  while (o->kept->len > 0 && LINE (o->kept, o->kept->len - 1)->len == 0)
    g_array_set_size (o->kept, o->kept->len - 1);
}

static void
out_drop_tail (Out *o)
{
  out_drop_blanks (o);
  if (o->kept->len > 0 && is_underscores (LINE (o->kept, o->kept->len - 1)))
    {
      g_array_set_size (o->kept, o->kept->len - 1);
      out_drop_blanks (o);
    }
}

static char *
out_join (Out *o)
{
  GString *s = g_string_new (NULL);

  out_drop_tail (o);
  for (guint i = 0; i < o->kept->len; i++)
    {
      const Line *l = LINE (o->kept, i);

      if (i > 0)
        g_string_append_c (s, '\n');
      g_string_append_len (s, l->s, (gssize) l->len);
    }
  return g_string_free (s, FALSE);
}

char *
rt_mail_reply_strip (const char *text)
{
  g_autofree char *valid = NULL;
  g_autoptr(GArray) lines = NULL;
  Out o = { 0 };
  gboolean in_signature = FALSE;
  char *result;

  if (text == NULL)
    return g_strdup ("");
  valid = g_utf8_make_valid (text, -1);
  lines = split_lines (valid);
  o.kept = g_array_new (FALSE, FALSE, sizeof (Line));
  for (guint i = 0; i < lines->len; i++)
    {
      const Line *l = LINE (lines, i);
      guint n;

      if (is_quoted (l))
        {
          in_signature = FALSE;  /* a signature ends where the quote starts */
          o.separate = TRUE;
          continue;
        }
      if (l->len == 0)
        {
          if (!in_signature)
            out_line (&o, l);
          continue;
        }
      /* Inside a signature the history markers still count: an HTML reply
       * turned into text has its history unquoted below the signature. */
      if (is_cut (lines, i))
        break;
      if ((n = attribution_lines (lines, i)) > 0)
        {
          guint next = i + n;

          while (next < lines->len && LINE (lines, next)->len == 0)
            next++;
          /* Quoted lines follow: drop the attribution, the quote goes
           * line by line. Unquoted text follows (an HTML reply turned into
           * text): that text is the history, cut here. */
          if (next < lines->len && !is_quoted (LINE (lines, next)))
            break;
          o.separate = TRUE;
          i = next - 1;
          continue;
        }
      if (!in_signature && is_signature_start (lines, i))
        {
          in_signature = TRUE;
          o.separate = TRUE;
        }
      if (!in_signature)
        out_line (&o, l);
    }
  result = out_join (&o);
  g_array_unref (o.kept);
  return g_strstrip (result);
}

/* The whole text, trimmed, CRLF as LF: what is returned when no new text
 * could be told apart. */
char *
rt_mail_reply_whole (const char *text)
{
  char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  char *w = valid;

  for (const char *r = valid; *r != '\0'; r++)
    if (!(*r == '\r' && r[1] == '\n'))
      *w++ = *r;
  *w = '\0';
  return g_strstrip (valid);
}

char *
rt_mail_reply_new_text (const char *text)
{
  char *result = rt_mail_reply_strip (text);

  if (*result != '\0')
    return result;
  g_free (result);
  return rt_mail_reply_whole (text);
}
