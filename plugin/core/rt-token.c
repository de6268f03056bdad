/* rt-token.c: reply-address tokens (format and rules in rt-token.h). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <glib/gi18n-lib.h>
#include "rt-token.h"
#include "rt-error.h"

#define MAC_BYTES 10           /* 80 bits of the HMAC-SHA256 output */
#define MAC_CHARS 16           /* MAC_BYTES in base32: 80 / 5 */
#define ID_MAX_CHARS 13        /* G_MAXINT64 in base 36: "1y2p0ij32e8e7" */
#define SEP '-'

static const char base32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
static const char base36_digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";

/* Versioned so a future format can never be confused with this one. */
static const char mac_domain[] = "roundtable/reply-token/v1";

static char
purpose_letter (RtTokenPurpose purpose)
{
  switch (purpose)
    {
    case RT_TOKEN_REPLY:
      return 'r';
    case RT_TOKEN_UNSUBSCRIBE:
      return 'u';
    }
  return 0;
}

/* HMAC-SHA256 over a fixed-length canonical string: the domain text with its
 * NUL, the purpose letter, then both ids as 8 big-endian bytes. Fixed widths
 * mean no two (purpose, member, ws) triples share a string. */
static void
compute_mac (const guint8 *key, gsize key_len, char letter, gint64 member_id,
             gint64 ws_id, char out[MAC_CHARS + 1])
{
  guint8 msg[sizeof mac_domain + 1 + 16];
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  guint64 ids[2] = { GUINT64_TO_BE ((guint64) member_id), GUINT64_TO_BE ((guint64) ws_id) };

  memcpy (msg, mac_domain, sizeof mac_domain);
  msg[sizeof mac_domain] = (guint8) letter;
  memcpy (msg + sizeof mac_domain + 1, ids, sizeof ids);

  GHmac *hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  g_hmac_update (hmac, msg, sizeof msg);
  g_hmac_get_digest (hmac, digest, &digest_len);
  g_hmac_unref (hmac);

  /* Base32: 5 bits per character, most significant first; 80 bits fill
   * exactly 16 characters, so there are no padding bits to canonicalize. */
  guint bits = 0, nbits = 0, o = 0;
  for (guint i = 0; i < MAC_BYTES; i++)
    {
      bits = (bits << 8) | digest[i];
      nbits += 8;
      while (nbits >= 5)
        {
          out[o++] = base32_alphabet[(bits >> (nbits - 5)) & 31];
          nbits -= 5;
        }
    }
  out[o] = '\0';
  explicit_bzero (digest, sizeof digest);
}

static void
append_base36 (GString *s, gint64 value)
{
  char buf[ID_MAX_CHARS];
  guint n = 0;
  guint64 v = (guint64) value;
  do
    buf[n++] = base36_digits[v % 36];
  while ((v /= 36) != 0);
  while (n > 0)
    g_string_append_c (s, buf[--n]);
}

/* Strict base 36: 1..13 lowercase digits, no leading zero, no sign, value in
 * 1..G_MAXINT64. */
static gboolean
parse_base36 (const char *s, gsize len, gint64 *out)
{
  guint64 v = 0;
  if (len == 0 || len > ID_MAX_CHARS || s[0] == '0')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      const char *d = s[i] ? strchr (base36_digits, s[i]) : NULL;
      if (!d)
        return FALSE;
      guint64 digit = (guint64) (d - base36_digits);
      if (v > ((guint64) G_MAXINT64 - digit) / 36)
        return FALSE;
      v = v * 36 + digit;
    }
  *out = (gint64) v;
  return TRUE;
}

char *
rt_token_make (const guint8 *key, gsize key_len, RtTokenPurpose purpose,
               gint64 member_id, gint64 ws_id)
{
  char letter = purpose_letter (purpose);
  char mac[MAC_CHARS + 1];

  g_return_val_if_fail (key != NULL && key_len >= RT_TOKEN_KEY_MIN, NULL);
  g_return_val_if_fail (letter != 0, NULL);
  g_return_val_if_fail (member_id >= 1 && ws_id >= 1, NULL);

  GString *s = g_string_sized_new (RT_TOKEN_MAX_LEN);
  g_string_append_c (s, letter);
  g_string_append_c (s, SEP);
  append_base36 (s, member_id);
  g_string_append_c (s, SEP);
  append_base36 (s, ws_id);
  g_string_append_c (s, SEP);
  compute_mac (key, key_len, letter, member_id, ws_id, mac);
  g_string_append (s, mac);
  g_assert (s->len <= RT_TOKEN_MAX_LEN);
  return g_string_free (s, FALSE);
}

static gboolean
malformed (GError **error)
{
  g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID,
                       _("This reply address is malformed: it may have been cut off or changed on the way."));
  return FALSE;
}

gboolean
rt_token_verify (const guint8 *key, gsize key_len, const char *token,
                 RtTokenPurpose *purpose, gint64 *member_id, gint64 *ws_id,
                 GError **error)
{
  char buf[RT_TOKEN_MAX_LEN + 1];
  const char *part[4];
  gsize part_len[4];
  guint nparts = 1;
  gsize len;

  g_return_val_if_fail (key != NULL && key_len >= RT_TOKEN_KEY_MIN, FALSE);

  if (!token || (len = strnlen (token, RT_TOKEN_MAX_LEN + 1)) == 0 || len > RT_TOKEN_MAX_LEN)
    return malformed (error);

  /* Fold case (servers may uppercase local parts) and split at the
   * separators; any byte outside [a-z0-9-] after folding is malformed. */
  part[0] = buf;
  for (gsize i = 0; i < len; i++)
    {
      char c = g_ascii_tolower (token[i]);
      if (c == SEP)
        {
          if (nparts == G_N_ELEMENTS (part))
            return malformed (error);
          part_len[nparts - 1] = (buf + i) - part[nparts - 1];
          part[nparts++] = buf + i + 1;
        }
      else if (!g_ascii_islower (c) && !g_ascii_isdigit (c))
        return malformed (error);
      buf[i] = c;
    }
  buf[len] = '\0';
  if (nparts != G_N_ELEMENTS (part))
    return malformed (error);
  part_len[3] = (buf + len) - part[3];

  RtTokenPurpose p;
  if (part_len[0] != 1)
    return malformed (error);
  if (part[0][0] == purpose_letter (RT_TOKEN_REPLY))
    p = RT_TOKEN_REPLY;
  else if (part[0][0] == purpose_letter (RT_TOKEN_UNSUBSCRIBE))
    p = RT_TOKEN_UNSUBSCRIBE;
  else
    return malformed (error);

  gint64 m, w;
  if (!parse_base36 (part[1], part_len[1], &m) || !parse_base36 (part[2], part_len[2], &w))
    return malformed (error);

  if (part_len[3] != MAC_CHARS)
    return malformed (error);
  for (gsize i = 0; i < MAC_CHARS; i++)
    if (!strchr (base32_alphabet, part[3][i]))
      return malformed (error);

  /* Constant time: every character is compared whatever the first
   * difference, so the timing tells nothing about how much was right. */
  char expected[MAC_CHARS + 1];
  compute_mac (key, key_len, part[0][0], m, w, expected);
  guint diff = 0;
  for (gsize i = 0; i < MAC_CHARS; i++)
    diff |= (guint) (guchar) (expected[i] ^ part[3][i]);
  explicit_bzero (expected, sizeof expected);
  explicit_bzero (buf, sizeof buf);
  if (diff != 0)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID,
                           _("This reply address is not valid: it was not issued by this hub, or it was altered."));
      return FALSE;
    }

  if (purpose)
    *purpose = p;
  if (member_id)
    *member_id = m;
  if (ws_id)
    *ws_id = w;
  return TRUE;
}

/* RFC 5322 atext, the characters of a dot-atom besides the dots. */
static gboolean
is_atext (char c)
{
  return g_ascii_isalnum (c) || (c && strchr ("!#$%&'*+-/=?^_`{|}~", c));
}

static gboolean
is_dot_atom (const char *s, gsize len)
{
  if (len == 0 || s[0] == '.' || s[len - 1] == '.')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (s[i] == '.' ? s[i + 1] == '.' : !is_atext (s[i]))
      return FALSE;
  return TRUE;
}

/* Host name: labels of letters, digits and inner hyphens (IDNs in their
 * ASCII "xn--" form), 1..63 characters each, 253 in all. */
static gboolean
is_domain (const char *s)
{
  gsize len = strlen (s), label = 0;
  if (len == 0 || len > 253)
    return FALSE;
  for (gsize i = 0; i <= len; i++)
    {
      if (s[i] == '.' || s[i] == '\0')
        {
          if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
            return FALSE;
          label = 0;
        }
      else if (g_ascii_isalnum (s[i]) || s[i] == '-')
        label++;
      else
        return FALSE;
    }
  return TRUE;
}

/* Splits a plain hub address into the local part up to its first '+' (the
 * mailbox, the part tokens are appended to), and the domain. */
static gboolean
split_hub (const char *hub_address, char **base, const char **domain)
{
  const char *at = hub_address ? strchr (hub_address, '@') : NULL;
  if (!at || strchr (at + 1, '@') || !is_dot_atom (hub_address, at - hub_address)
      || !is_domain (at + 1))
    return FALSE;
  const char *plus = memchr (hub_address, '+', at - hub_address);
  const char *end = plus ? plus : at;
  if (end == hub_address || end[-1] == '.')
    return FALSE;
  *base = g_strndup (hub_address, end - hub_address);
  *domain = at + 1;
  return TRUE;
}

char *
rt_token_address (const char *hub_address, const char *token, GError **error)
{
  g_autofree char *base = NULL;
  const char *domain;

  if (!split_hub (hub_address, &base, &domain))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("The hub address “%s” is not a plain address such as hub@example.org."),
                   hub_address ? hub_address : "");
      return NULL;
    }
  gsize token_len = token ? strlen (token) : 0;
  gboolean token_ok = token_len > 0;
  for (gsize i = 0; i < token_len && token_ok; i++)
    token_ok = g_ascii_isalnum (token[i]) || token[i] == SEP;
  if (!token_ok)
    {
      malformed (error);
      return NULL;
    }

  gsize local_len = strlen (base) + 1 + token_len;
  if (local_len > RT_TOKEN_LOCAL_PART_MAX)
    {
      /* Always more than 64, but the plural form depends on the number in
       * some languages. */
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The reply address would have %u character before the @, "
                                "more than the %d that mail servers accept: use a shorter hub address.",
                                "The reply address would have %u characters before the @, "
                                "more than the %d that mail servers accept: use a shorter hub address.",
                                local_len),
                   (guint) local_len, RT_TOKEN_LOCAL_PART_MAX);
      return NULL;
    }
  return g_strdup_printf ("%s+%s@%s", base, token, domain);
}

char *
rt_token_from_address (const char *hub_address, const char *to_address)
{
  g_autofree char *base = NULL;
  const char *domain;

  if (!to_address || !split_hub (hub_address, &base, &domain))
    return NULL;
  const char *at = strchr (to_address, '@');
  if (!at || strchr (at + 1, '@') || g_ascii_strcasecmp (at + 1, domain) != 0)
    return NULL;

  gsize base_len = strlen (base);
  if ((gsize) (at - to_address) <= base_len + 1
      || g_ascii_strncasecmp (to_address, base, base_len) != 0
      || to_address[base_len] != '+')
    return NULL;
  /* The hub's own tagged address ("hub+x@d" when that is the hub) carries
   * no token. */
  const char *hub_at = strchr (hub_address, '@');
  if ((gsize) (at - to_address) == (gsize) (hub_at - hub_address)
      && g_ascii_strncasecmp (to_address, hub_address, at - to_address) == 0)
    return NULL;
  return g_strndup (to_address + base_len + 1, at - (to_address + base_len + 1));
}

/* Keys come from the kernel's CSPRNG: GRand is a Mersenne Twister whose
 * output is predictable from a few values, so a key from it could be
 * recovered and tokens forged. getrandom() blocks only until the kernel pool
 * is seeded once at boot; /dev/urandom is the fallback for kernels without
 * the system call. */
gboolean
rt_token_key_generate (guint8 out[RT_TOKEN_KEY_LEN], GError **error)
{
  gsize got = 0;
  int err = 0;

  while (got < RT_TOKEN_KEY_LEN)
    {
      ssize_t n = getrandom (out + got, RT_TOKEN_KEY_LEN - got, 0);
      if (n > 0)
        got += (gsize) n;
      else if (n < 0 && errno == EINTR)
        continue;
      else
        {
          err = n < 0 ? errno : EIO;
          break;
        }
    }
  if (got < RT_TOKEN_KEY_LEN && err == ENOSYS)
    {
      int fd = open ("/dev/urandom", O_RDONLY | O_CLOEXEC);
      err = fd < 0 ? errno : 0;
      got = 0;
      while (fd >= 0 && got < RT_TOKEN_KEY_LEN)
        {
          ssize_t n = read (fd, out + got, RT_TOKEN_KEY_LEN - got);
          if (n > 0)
            got += (gsize) n;
          else if (!(n < 0 && errno == EINTR))
            {
              err = n < 0 ? errno : EIO;
              break;
            }
        }
      if (fd >= 0)
        close (fd);
    }
  if (got < RT_TOKEN_KEY_LEN)
    {
      explicit_bzero (out, RT_TOKEN_KEY_LEN);
      g_set_error (error, RT_ERROR, RT_ERROR_INVALID,
                   _("Could not read random bytes for the reply-address key: %s"),
                   g_strerror (err));
      return FALSE;
    }
  return TRUE;
}
