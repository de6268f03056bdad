/* rt-stream-json.c: bounded JSON loading and typed accessors. */
#include "config.h"
#include "rt-stream-json.h"
#include "rt-stream-post.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

char *
rt_json_path_render (const RtJsonPath *at, const char *key)
{
  GPtrArray *chain = g_ptr_array_new ();
  GString *s = g_string_new (NULL);

  for (const RtJsonPath *p = at; p != NULL; p = p->parent)
    g_ptr_array_add (chain, (gpointer) p);
  for (guint i = chain->len; i > 0; i--)
    {
      const RtJsonPath *p = g_ptr_array_index (chain, i - 1);

      if (p->key != NULL)
        g_string_append_printf (s, "%s%s", s->len > 0 ? "." : "", p->key);
      else
        g_string_append_printf (s, "[%d]", p->index);
    }
  if (key != NULL)
    g_string_append_printf (s, "%s%s", s->len > 0 ? "." : "", key);
  g_ptr_array_unref (chain);
  return g_string_free (s, FALSE);
}

/* The deepest nesting of [ and { outside strings, stopping early past max. */
static guint
nesting_depth (const char *p, const char *end, guint max)
{
  guint depth = 0, deepest = 0;

  while (p < end)
    {
      char c = *p++;

      if (c == '"')
        {
          while (p < end && *p != '"')
            p += (*p == '\\' && p + 1 < end) ? 2 : 1;
          p++;
        }
      else if (c == '[' || c == '{')
        {
          if (++depth > deepest && (deepest = depth) > max)
            return deepest;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return deepest;
}

JsonParser *
rt_json_load (const char *data, gssize len, const char *what, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local = NULL;

  if (data == NULL)
    data = "";
  if (len < 0)
    len = (gssize) strlen (data);
  if ((gsize) len > RT_STREAM_JSON_MAX_BYTES)
    {
      g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_TOO_LARGE,
                   _("%s: the response is too large (%zu bytes, at most %u)"),
                   what, (gsize) len, RT_STREAM_JSON_MAX_BYTES);
      return NULL;
    }
  if (nesting_depth (data, data + len, RT_STREAM_JSON_MAX_DEPTH) > RT_STREAM_JSON_MAX_DEPTH)
    {
      g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_TOO_LARGE,
                   _("%s: the response is nested too deeply (more than %d levels)"),
                   what, RT_STREAM_JSON_MAX_DEPTH);
      return NULL;
    }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, len, &local))
    {
      g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_SYNTAX,
                   _("%s: not valid JSON: %s"), what, local->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_SYNTAX,
                   _("%s: the response is empty"), what);
      return NULL;
    }
  return g_steal_pointer (&parser);
}

static const char *
node_kind (JsonNode *n)
{
  switch (json_node_get_node_type (n))
    {
    case JSON_NODE_OBJECT: return _("an object");
    case JSON_NODE_ARRAY: return _("an array");
    case JSON_NODE_NULL: return _("null");
    default: break;
    }
  switch (json_node_get_value_type (n))
    {
    case G_TYPE_STRING: return _("a string");
    case G_TYPE_BOOLEAN: return _("a boolean");
    case G_TYPE_INT64: return _("an integer");
    default: return _("a number");
    }
}

static gboolean
type_error (const RtJsonPath *at, const char *key, const char *expected, JsonNode *got,
            GError **error)
{
  g_autofree char *where = rt_json_path_render (at, key);

  g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_TYPE,
               _("%s: expected %s, got %s"), where, expected, node_kind (got));
  return FALSE;
}

/* The member, or NULL when absent or null (an error when required). */
static gboolean
member (JsonObject *o, const RtJsonPath *at, const char *key, RtJsonNeed need,
        JsonNode **out, GError **error)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    {
      *out = NULL;
      if (need == RT_JSON_REQUIRED)
        {
          g_autofree char *where = rt_json_path_render (at, key);
          g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_MISSING,
                       _("%s: missing"), where);
          return FALSE;
        }
      return TRUE;
    }
  *out = n;
  return TRUE;
}

static gboolean
is_value (JsonNode *n, GType type)
{
  return JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == type;
}

gboolean
rt_json_get_string (JsonObject *o, const RtJsonPath *at, const char *key,
                    RtJsonNeed need, const char **out, GError **error)
{
  JsonNode *n;

  if (!member (o, at, key, need, &n, error))
    return FALSE;
  if (n != NULL && !is_value (n, G_TYPE_STRING))
    return type_error (at, key, _("a string"), n, error);
  *out = n != NULL ? json_node_get_string (n) : NULL;
  return TRUE;
}

gboolean
rt_json_get_id (JsonObject *o, const RtJsonPath *at, const char *key,
                RtJsonNeed need, char **out, GError **error)
{
  JsonNode *n;

  if (!member (o, at, key, need, &n, error))
    return FALSE;
  if (n == NULL)
    *out = NULL;
  else if (is_value (n, G_TYPE_STRING))
    *out = g_strdup (json_node_get_string (n));
  else if (is_value (n, G_TYPE_INT64))
    *out = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
  else
    return type_error (at, key, _("a string or an integer"), n, error);
  return TRUE;
}

gboolean
rt_json_get_bool (JsonObject *o, const RtJsonPath *at, const char *key,
                  RtJsonNeed need, gboolean *out, GError **error)
{
  JsonNode *n;

  if (!member (o, at, key, need, &n, error))
    return FALSE;
  if (n != NULL && !is_value (n, G_TYPE_BOOLEAN))
    return type_error (at, key, _("a boolean"), n, error);
  *out = n != NULL && json_node_get_boolean (n);
  return TRUE;
}

gboolean
rt_json_get_int (JsonObject *o, const RtJsonPath *at, const char *key,
                 RtJsonNeed need, gint64 *out, GError **error)
{
  JsonNode *n;

  if (!member (o, at, key, need, &n, error))
    return FALSE;
  if (n != NULL && !is_value (n, G_TYPE_INT64))
    return type_error (at, key, _("an integer"), n, error);
  *out = n != NULL ? json_node_get_int (n) : 0;
  return TRUE;
}

gboolean
rt_json_get_object (JsonObject *o, const RtJsonPath *at, const char *key,
                    RtJsonNeed need, JsonObject **out, GError **error)
{
  JsonNode *n;

  if (!member (o, at, key, need, &n, error))
    return FALSE;
  if (n != NULL && !JSON_NODE_HOLDS_OBJECT (n))
    return type_error (at, key, _("an object"), n, error);
  *out = n != NULL ? json_node_get_object (n) : NULL;
  return TRUE;
}

gboolean
rt_json_get_array (JsonObject *o, const RtJsonPath *at, const char *key,
                   RtJsonNeed need, JsonArray **out, GError **error)
{
  JsonNode *n;

  if (!member (o, at, key, need, &n, error))
    return FALSE;
  if (n != NULL && !JSON_NODE_HOLDS_ARRAY (n))
    return type_error (at, key, _("an array"), n, error);
  *out = n != NULL ? json_node_get_array (n) : NULL;
  return TRUE;
}

/* ISO 8601 (Mastodon, "2019-12-08T03:48:33.901Z") or Yammer's
 * "2014/11/04 18:38:33 +0000". */
static gboolean
parse_time (const char *s, gint64 *us)
{
  g_autoptr (GDateTime) dt = NULL;
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  int y, mo, d, h, mi, sec, n = 0;
  char zone[8];

  dt = g_date_time_new_from_iso8601 (s, utc);
  if (dt == NULL
      && sscanf (s, "%4d/%2d/%2d %2d:%2d:%2d %7s%n", &y, &mo, &d, &h, &mi, &sec, zone, &n) == 7
      && s[n] == '\0')
    {
      g_autoptr (GTimeZone) tz = g_time_zone_new_identifier (zone);
      if (tz != NULL)
        dt = g_date_time_new (tz, y, mo, d, h, mi, sec);
    }
  if (dt == NULL)
    return FALSE;
  *us = rt_stream_datetime_us (dt);
  return TRUE;
}

gboolean
rt_json_get_time (JsonObject *o, const RtJsonPath *at, const char *key,
                  RtJsonNeed need, gint64 *out_us, GError **error)
{
  const char *s;
  gint64 us = 0;

  if (!rt_json_get_string (o, at, key, need, &s, error))
    return FALSE;
  if (s != NULL && !parse_time (s, &us))
    {
      g_autofree char *where = rt_json_path_render (at, key);
      g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_INVALID,
                   _("%s: not a date and time: \"%.40s\""), where, s);
      return FALSE;
    }
  *out_us = us;
  return TRUE;
}

gboolean
rt_json_element_object (JsonArray *a, const RtJsonPath *at, guint i,
                        JsonObject **out, GError **error)
{
  JsonNode *n = json_array_get_element (a, i);

  if (!JSON_NODE_HOLDS_OBJECT (n))
    {
      RtJsonPath el = { at, NULL, (gint) i };
      return type_error (&el, NULL, _("an object"), n, error);
    }
  *out = json_node_get_object (n);
  return TRUE;
}

gboolean
rt_json_root_is (JsonNode *root, JsonNodeType type, const char *what, GError **error)
{
  if (json_node_get_node_type (root) == type)
    return TRUE;
  g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_TYPE, _("%s: expected %s, got %s"),
               what, type == JSON_NODE_ARRAY ? _("an array") : _("an object"), node_kind (root));
  return FALSE;
}

void
rt_json_read_posts (JsonArray *items, const RtJsonPath *at, RtJsonPostReader reader,
                    gpointer data, RtStreamPage *page)
{
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      RtJsonPath el = { at, NULL, (gint) i };
      GError *item_error = NULL;
      JsonObject *o;
      RtStreamPost *post = NULL;
      g_autofree char *id = NULL;
      gboolean ok = FALSE;

      if (rt_json_element_object (items, at, i, &o, &item_error))
        {
          if (rt_json_get_id (o, &el, "id", RT_JSON_OPTIONAL, &id, NULL))
            rt_stream_page_saw_id (page, id);
          ok = reader (o, &el, data, &post, &item_error);
        }
      if (ok && post != NULL)
        g_ptr_array_add (page->posts, post);
      else if (ok)
        g_clear_error (&item_error);   /* nothing to show: not an error */
      else
        {
          g_clear_pointer (&post, rt_stream_post_free);
          if (item_error == NULL)
            {
              /* A reader that failed without saying why: the item is still
               * named, so the skip is never silent nor a NULL error. */
              g_autofree char *where = rt_json_path_render (&el, NULL);
              g_set_error (&item_error, RT_STREAM_ERROR, RT_STREAM_ERROR_INVALID,
                           _("%s: the item could not be read"), where);
            }
          g_ptr_array_add (page->errors, item_error);
        }
    }
}
