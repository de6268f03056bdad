/* rt-imap-resp.c: parse the untagged IMAP lines the mail account needs. */
#include "rt-imap-resp.h"

#include <stdlib.h>
#include <string.h>

static gboolean
parse_u32 (const char *s, guint32 *out)
{
  char *end = NULL;
  if (!g_ascii_isdigit (*s))
    return FALSE;
  guint64 v = g_ascii_strtoull (s, &end, 10);
  if (end == s || v > G_MAXUINT32)
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

gboolean
rt_imap_parse_examine (const char *data, gsize len, RtImapFolderState *out)
{
  memset (out, 0, sizeof *out);
  g_autofree char *copy = g_strndup (data, len);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_strstrip (*l);
      if (!g_str_has_prefix (*l, "* "))
        continue;
      const char *rest = *l + 2;
      const char *p;
      if ((p = strstr (rest, "[UIDVALIDITY ")) != NULL)
        parse_u32 (p + strlen ("[UIDVALIDITY "), &out->uidvalidity);
      else if ((p = strstr (rest, "[UIDNEXT ")) != NULL)
        parse_u32 (p + strlen ("[UIDNEXT "), &out->uidnext);
      else if (g_str_has_suffix (rest, " EXISTS"))
        parse_u32 (rest, &out->exists);
    }
  return out->uidvalidity != 0;
}

static gint
cmp_u32 (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

GArray *
rt_imap_parse_search (const char *data, gsize len, guint32 after)
{
  GArray *uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree char *copy = g_strndup (data, len);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_strstrip (*l);
      if (!g_str_has_prefix (*l, "* SEARCH"))
        continue;
      g_auto(GStrv) words = g_strsplit (*l + strlen ("* SEARCH"), " ", -1);
      for (char **w = words; *w; w++)
        {
          guint32 uid;
          if (parse_u32 (*w, &uid) && uid > after)
            g_array_append_val (uids, uid);
        }
    }
  g_array_sort (uids, cmp_u32);
  /* Drop duplicates in place. */
  guint kept = 0;
  for (guint i = 0; i < uids->len; i++)
    if (kept == 0 || g_array_index (uids, guint32, kept - 1) != g_array_index (uids, guint32, i))
      g_array_index (uids, guint32, kept++) = g_array_index (uids, guint32, i);
  g_array_set_size (uids, kept);
  return uids;
}

char *
rt_imap_examine_command (const char *folder)
{
  GString *cmd = g_string_new ("EXAMINE \"");
  for (const unsigned char *p = (const unsigned char *) folder; *p; p++)
    {
      if (*p < 0x20 || *p == 0x7f)
        {
          g_string_free (cmd, TRUE);
          return NULL;
        }
      if (*p == '"' || *p == '\\')
        g_string_append_c (cmd, '\\');
      g_string_append_c (cmd, (char) *p);
    }
  g_string_append_c (cmd, '"');
  return g_string_free (cmd, FALSE);
}
