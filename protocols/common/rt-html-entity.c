/* rt-html-entity.c: HTML character references for rt-html-scan. */
#include "rt-html-entity.h"

#include <string.h>

/* Named references: Latin-1 from U+00A0, in order, then the rest. */
static const char *const latin1_names[96] = {
  "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml",
  "copy", "ordf", "laquo", "not", "shy", "reg", "macr", "deg", "plusmn",
  "sup2", "sup3", "acute", "micro", "para", "middot", "cedil", "sup1", "ordm",
  "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute",
  "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute",
  "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde",
  "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave",
  "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute",
  "acirc", "atilde", "auml", "aring", "aelig", "ccedil", "egrave", "eacute",
  "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde",
  "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave",
  "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
};

static const struct { const char *name; gunichar c; } other_names[] = {
  { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
  { "apos", '\'' }, { "hellip", 0x2026 }, { "mdash", 0x2014 },
  { "ndash", 0x2013 }, { "lsquo", 0x2018 }, { "rsquo", 0x2019 },
  { "sbquo", 0x201A }, { "ldquo", 0x201C }, { "rdquo", 0x201D },
  { "bdquo", 0x201E }, { "bull", 0x2022 }, { "euro", 0x20AC },
  { "trade", 0x2122 }, { "dagger", 0x2020 }, { "Dagger", 0x2021 },
  { "permil", 0x2030 }, { "lsaquo", 0x2039 }, { "rsaquo", 0x203A },
  { "OElig", 0x152 }, { "oelig", 0x153 }, { "Scaron", 0x160 },
  { "scaron", 0x161 }, { "Yuml", 0x178 }, { "fnof", 0x192 },
  { "circ", 0x2C6 }, { "tilde", 0x2DC }, { "ensp", ' ' }, { "emsp", ' ' },
  { "thinsp", ' ' }, { "zwnj", 0x200C }, { "zwj", 0x200D },
  { "lrm", 0x200E }, { "rlm", 0x200F }, { "larr", 0x2190 },
  { "uarr", 0x2191 }, { "rarr", 0x2192 }, { "darr", 0x2193 },
  { "hearts", 0x2665 },
};

static gunichar
lookup_name (const char *name, gsize len)
{
  for (guint i = 0; i < G_N_ELEMENTS (latin1_names); i++)
    if (strlen (latin1_names[i]) == len && memcmp (latin1_names[i], name, len) == 0)
      return 0xA0 + i;
  for (guint i = 0; i < G_N_ELEMENTS (other_names); i++)
    if (strlen (other_names[i].name) == len
        && memcmp (other_names[i].name, name, len) == 0)
      return other_names[i].c;
  return 0;
}

/* Decode the reference at p ('&'); *c gets the character, or 0 if there is
 * none (then '&' is literal). Returns the bytes used. */
gsize
rt_html_decode_entity (const char *p, const char *end, gunichar *c)
{
  const char *q = p + 1;

  *c = 0;
  if (q < end && *q == '#')
    {
      gboolean hex = (q + 1 < end && (q[1] == 'x' || q[1] == 'X'));
      guint64 v = 0;
      guint digits = 0;

      q += hex ? 2 : 1;
      while (q < end && (hex ? g_ascii_isxdigit (*q) : g_ascii_isdigit (*q)))
        {
          if (digits++ < 8)
            v = v * (hex ? 16 : 10) + (guint64) (hex ? g_ascii_xdigit_value (*q)
                                                     : g_ascii_digit_value (*q));
          else
            v = 0x110000;
          q++;
        }
      if (digits == 0)
        return 1;
      if (q < end && *q == ';')
        q++;
      if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        v = 0xFFFD;
      *c = (gunichar) v;
      return (gsize) (q - p);
    }
  while (q < end && q - p <= 32 && g_ascii_isalnum (*q))
    q++;
  if (q >= end || *q != ';' || q == p + 1)
    return 1;
  *c = lookup_name (p + 1, (gsize) (q - p - 1));
  return *c != 0 ? (gsize) (q - p + 1) : 1;
}
