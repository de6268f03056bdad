/* rt-stream-viva.c: Viva Engage (Yammer) messages.json into RtStreamPost. */
#include "config.h"
#include "rt-stream-viva.h"
#include "rt-stream-html.h"
#include "rt-stream-json.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* "user:123" -> the reference object, for users, groups and tags. */
typedef GHashTable References;

static References *
read_references (JsonObject *root, const RtJsonPath *at, GError **error)
{
  RtJsonPath here = { at, "references", 0 };
  g_autoptr (GHashTable) refs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *list;

  if (!rt_json_get_array (root, at, "references", RT_JSON_OPTIONAL, &list, error))
    return NULL;
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      RtJsonPath el = { &here, NULL, (gint) i };
      JsonObject *o;
      const char *type;
      g_autofree char *id = NULL;

      if (!rt_json_element_object (list, &here, i, &o, error)
          || !rt_json_get_string (o, &el, "type", RT_JSON_REQUIRED, &type, error)
          || !rt_json_get_id (o, &el, "id", RT_JSON_REQUIRED, &id, error))
        return NULL;
      g_hash_table_replace (refs, g_strdup_printf ("%s:%s", type, id), o);
    }
  return g_steal_pointer (&refs);
}

/* A string member of a reference, NULL when absent or not a string. */
static const char *
ref_string (References *refs, const char *type, const char *id, const char *key)
{
  g_autofree char *k = g_strdup_printf ("%s:%s", type, id != NULL ? id : "");
  JsonObject *o = g_hash_table_lookup (refs, k);
  JsonNode *n = o != NULL ? json_object_get_member (o, key) : NULL;

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
         ? json_node_get_string (n) : NULL;
}

static void
read_sender (References *refs, const char *sender_id, RtStreamAuthor *author)
{
  const char *name = ref_string (refs, "user", sender_id, "name");
  const char *full_name = ref_string (refs, "user", sender_id, "full_name");
  const char *url = ref_string (refs, "user", sender_id, "web_url");

  author->handle = g_strdup (name != NULL && *name != '\0' ? name : sender_id);
  author->display_name = g_strdup (full_name != NULL && *full_name != '\0' ? full_name
                                   : author->handle);
  author->url = rt_stream_url_is_safe (url) ? g_strdup (url) : NULL;
}

/* body.parsed ("Hi [[user:123]]") with the references' names. */
static char *
render_parsed (References *refs, const char *parsed)
{
  GString *out = g_string_new (NULL);
  const char *p = parsed, *open;

  while ((open = strstr (p, "[[")) != NULL)
    {
      const char *close = strstr (open, "]]");
      const char *colon;
      g_autofree char *type = NULL, *id = NULL;
      const char *name = NULL, *sigil = "";

      if (close == NULL)
        break;
      g_string_append_len (out, p, open - p);
      colon = memchr (open, ':', (gsize) (close - open));
      if (colon != NULL)
        {
          type = g_strndup (open + 2, colon - open - 2);
          id = g_strndup (colon + 1, close - colon - 1);
          if (strcmp (type, "user") == 0)
            name = ref_string (refs, type, id, "name"), sigil = "@";
          else if (strcmp (type, "tag") == 0)
            name = ref_string (refs, type, id, "name"), sigil = "#";
          else
            name = ref_string (refs, type, id, "full_name");
        }
      if (name != NULL)
        g_string_append_printf (out, "%s%s", sigil, name);
      else
        g_string_append_len (out, open, close + 2 - open);
      p = close + 2;
    }
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}

static gboolean
read_body (JsonObject *m, const RtJsonPath *at, References *refs, RtStreamPost *post,
           GError **error)
{
  RtJsonPath here = { at, "body", 0 };
  JsonObject *body;
  const char *plain, *parsed, *rich;
  g_autofree char *rich_text = NULL, *rich_markup = NULL;

  if (!rt_json_get_object (m, at, "body", RT_JSON_REQUIRED, &body, error)
      || !rt_json_get_string (body, &here, "plain", RT_JSON_OPTIONAL, &plain, error)
      || !rt_json_get_string (body, &here, "parsed", RT_JSON_OPTIONAL, &parsed, error)
      || !rt_json_get_string (body, &here, "rich", RT_JSON_OPTIONAL, &rich, error))
    return FALSE;
  if (rich != NULL)
    rt_stream_html_sanitize (rich, -1, &rich_text, &rich_markup);
  g_free (post->text);
  g_free (post->markup);
  if (plain != NULL)
    post->text = g_utf8_make_valid (plain, -1);
  else if (parsed != NULL)
    post->text = render_parsed (refs, parsed);
  else
    post->text = g_strdup (rich_text != NULL ? rich_text : "");
  post->markup = rich_markup != NULL ? g_steal_pointer (&rich_markup)
                                     : rt_stream_text_to_markup (post->text, -1);
  return TRUE;
}

static gboolean
read_attachments (JsonObject *m, const RtJsonPath *at, RtStreamPost *post, GError **error)
{
  RtJsonPath here = { at, "attachments", 0 };
  JsonArray *list;

  if (!rt_json_get_array (m, at, "attachments", RT_JSON_OPTIONAL, &list, error))
    return FALSE;
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      RtJsonPath el = { &here, NULL, (gint) i };
      JsonObject *a;
      const char *type, *web_url, *download_url, *name, *description;

      if (!rt_json_element_object (list, &here, i, &a, error)
          || !rt_json_get_string (a, &el, "type", RT_JSON_OPTIONAL, &type, error)
          || !rt_json_get_string (a, &el, "web_url", RT_JSON_OPTIONAL, &web_url, error)
          || !rt_json_get_string (a, &el, "download_url", RT_JSON_OPTIONAL, &download_url, error)
          || !rt_json_get_string (a, &el, "name", RT_JSON_OPTIONAL, &name, error)
          || !rt_json_get_string (a, &el, "description", RT_JSON_OPTIONAL, &description, error))
        return FALSE;
      if (!rt_stream_url_is_safe (web_url))
        web_url = download_url;
      if (rt_stream_url_is_safe (web_url))
        g_ptr_array_add (post->attachments,
                         rt_stream_attachment_new (web_url, type,
                                                   description != NULL && *description != '\0'
                                                   ? description : name));
    }
  return TRUE;
}

static gboolean
read_mentions (JsonObject *m, const RtJsonPath *at, References *refs, RtStreamPost *post,
               GError **error)
{
  RtJsonPath here = { at, "notified_user_ids", 0 };
  JsonArray *list;
  GPtrArray *names;

  if (!rt_json_get_array (m, at, "notified_user_ids", RT_JSON_OPTIONAL, &list, error))
    return FALSE;
  names = g_ptr_array_new ();
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *n = json_array_get_element (list, i);
      g_autofree char *id = NULL;
      const char *name;

      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64)
        id = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
      else if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        id = g_strdup (json_node_get_string (n));
      else
        {
          g_autofree char *where = NULL;
          RtJsonPath el = { &here, NULL, (gint) i };

          where = rt_json_path_render (&el, NULL);
          g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_TYPE,
                       _("%s: expected %s"), where, _("a string or an integer"));
          g_ptr_array_free (names, TRUE);
          return FALSE;
        }
      name = ref_string (refs, "user", id, "name");
      g_ptr_array_add (names, g_strdup (name != NULL ? name : id));
    }
  g_ptr_array_add (names, NULL);
  g_strfreev (post->mentions);
  post->mentions = (GStrv) g_ptr_array_free (names, FALSE);
  return TRUE;
}

static RtStreamPost *
read_message (JsonObject *m, const RtJsonPath *at, References *refs, GError **error)
{
  g_autoptr (RtStreamPost) post = rt_stream_post_new (RT_STREAM_SERVICE_VIVA);
  g_autofree char *sender_id = NULL;
  const char *web_url, *privacy, *language;
  gboolean direct;

  if (!rt_json_get_id (m, at, "id", RT_JSON_REQUIRED, &post->id, error)
      || !rt_json_get_id (m, at, "sender_id", RT_JSON_REQUIRED, &sender_id, error)
      || !rt_json_get_time (m, at, "created_at", RT_JSON_REQUIRED, &post->created_us, error)
      || !rt_json_get_id (m, at, "thread_id", RT_JSON_OPTIONAL, &post->thread_id, error)
      || !rt_json_get_id (m, at, "replied_to_id", RT_JSON_OPTIONAL, &post->in_reply_to_id, error)
      || !rt_json_get_id (m, at, "group_id", RT_JSON_OPTIONAL, &post->group_id, error)
      || !rt_json_get_string (m, at, "web_url", RT_JSON_OPTIONAL, &web_url, error)
      || !rt_json_get_string (m, at, "privacy", RT_JSON_OPTIONAL, &privacy, error)
      || !rt_json_get_string (m, at, "language", RT_JSON_OPTIONAL, &language, error)
      || !rt_json_get_bool (m, at, "direct_message", RT_JSON_OPTIONAL, &direct, error)
      || !read_body (m, at, refs, post, error)
      || !read_attachments (m, at, post, error)
      || !read_mentions (m, at, refs, post, error))
    return NULL;
  g_clear_pointer (&post->author.display_name, g_free);
  read_sender (refs, sender_id, &post->author);
  post->url = rt_stream_url_is_safe (web_url) ? g_strdup (web_url) : NULL;
  post->language = g_strdup (language);
  if (post->group_id != NULL)
    post->group_name = g_strdup (ref_string (refs, "group", post->group_id, "full_name"));
  post->visibility = direct ? RT_STREAM_VISIBILITY_DIRECT
                     : g_strcmp0 (privacy, "private") == 0 ? RT_STREAM_VISIBILITY_PRIVATE
                     : g_strcmp0 (privacy, "public") == 0 ? RT_STREAM_VISIBILITY_PUBLIC
                     : RT_STREAM_VISIBILITY_UNKNOWN;
  g_strfreev (post->hashtags);
  post->hashtags = rt_stream_text_hashtags (post->text);
  return g_steal_pointer (&post);
}

static gboolean
message_reader (JsonObject *m, const RtJsonPath *at, gpointer refs, RtStreamPost **out,
                GError **error)
{
  return (*out = read_message (m, at, refs, error)) != NULL;
}

RtStreamPage *
rt_viva_messages_from_json (const char *json, gssize len, GError **error)
{
  g_autoptr (JsonParser) parser = rt_json_load (json, len, "messages", error);
  g_autoptr (RtStreamPage) page = NULL;
  g_autoptr (GHashTable) refs = NULL;
  RtJsonPath messages_at = { NULL, "messages", 0 };
  RtJsonPath meta_at = { NULL, "meta", 0 };
  JsonObject *root, *meta;
  JsonArray *messages;

  if (parser == NULL)
    return NULL;
  if (!rt_json_root_is (json_parser_get_root (parser), JSON_NODE_OBJECT, "messages", error))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  page = rt_stream_page_new ();
  if (!rt_json_get_array (root, NULL, "messages", RT_JSON_REQUIRED, &messages, error)
      || !rt_json_get_object (root, NULL, "meta", RT_JSON_OPTIONAL, &meta, error)
      || (meta != NULL
          && (!rt_json_get_bool (meta, &meta_at, "older_available", RT_JSON_OPTIONAL,
                                 &page->older_available, error)
              || !rt_json_get_int (meta, &meta_at, "requested_poll_interval", RT_JSON_OPTIONAL,
                                   &page->poll_interval_s, error)))
      || (refs = read_references (root, NULL, error)) == NULL)
    return NULL;
  rt_json_read_posts (messages, &messages_at, message_reader, refs, page);
  return g_steal_pointer (&page);
}
