/* rt-stream-mastodon.c: Mastodon entities into RtStreamPost. Field names
 * follow docs.joinmastodon.org/entities/{Status,Account,MediaAttachment,
 * Conversation}. */
#include "config.h"
#include "rt-stream-mastodon.h"
#include "rt-stream-html.h"
#include "rt-stream-json.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* "user" (local) becomes "user@host"; host from the argument or the
 * profile url. (transfer full) */
static char *
full_handle (const char *acct, const char *host, const char *url)
{
  g_autoptr (GUri) uri = NULL;

  if (strchr (acct, '@') != NULL)
    return g_strdup (acct);
  if (host == NULL && url != NULL && (uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL)) != NULL)
    host = g_uri_get_host (uri);
  return host != NULL && *host != '\0' ? g_strdup_printf ("%s@%s", acct, host) : g_strdup (acct);
}

static gboolean
read_account (JsonObject *o, const RtJsonPath *at, const char *host, RtStreamAuthor *out,
              GError **error)
{
  const char *acct, *username, *display_name, *url;
  g_autofree char *id = NULL;

  if (!rt_json_get_id (o, at, "id", RT_JSON_REQUIRED, &id, error)
      || !rt_json_get_string (o, at, "acct", RT_JSON_REQUIRED, &acct, error)
      || !rt_json_get_string (o, at, "username", RT_JSON_OPTIONAL, &username, error)
      || !rt_json_get_string (o, at, "display_name", RT_JSON_OPTIONAL, &display_name, error)
      || !rt_json_get_string (o, at, "url", RT_JSON_OPTIONAL, &url, error))
    return FALSE;
  if (*acct == '\0')
    {
      g_autofree char *where = rt_json_path_render (at, "acct");
      g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_INVALID, _("%s: empty"), where);
      return FALSE;
    }
  out->handle = full_handle (acct, host, url);
  if (display_name == NULL || *display_name == '\0')
    display_name = username != NULL ? username : acct;
  out->display_name = g_strdup (display_name);
  out->url = rt_stream_url_is_safe (url) ? g_strdup (url) : NULL;
  return TRUE;
}

static gboolean
read_attachments (JsonObject *o, const RtJsonPath *at, RtStreamPost *post, GError **error)
{
  JsonArray *list;
  RtJsonPath here = { at, "media_attachments", 0 };

  if (!rt_json_get_array (o, at, "media_attachments", RT_JSON_OPTIONAL, &list, error))
    return FALSE;
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      RtJsonPath el = { &here, NULL, (gint) i };
      JsonObject *m;
      const char *url, *remote_url, *type, *description;

      if (!rt_json_element_object (list, &here, i, &m, error)
          || !rt_json_get_string (m, &el, "url", RT_JSON_OPTIONAL, &url, error)
          || !rt_json_get_string (m, &el, "remote_url", RT_JSON_OPTIONAL, &remote_url, error)
          || !rt_json_get_string (m, &el, "type", RT_JSON_OPTIONAL, &type, error)
          || !rt_json_get_string (m, &el, "description", RT_JSON_OPTIONAL, &description, error))
        return FALSE;
      if (!rt_stream_url_is_safe (url))
        url = remote_url;
      if (rt_stream_url_is_safe (url))
        g_ptr_array_add (post->attachments, rt_stream_attachment_new (url, type, description));
    }
  return TRUE;
}

/* The string member key of every object in array name: lower-cased
 * (hashtags), or as full handles (mentions: acct, completed from url). */
static gboolean
read_names (JsonObject *o, const RtJsonPath *at, const char *name, const char *key,
            gboolean handles, const char *host, GStrv *out, GError **error)
{
  JsonArray *list;
  RtJsonPath here = { at, name, 0 };
  GPtrArray *names;

  if (!rt_json_get_array (o, at, name, RT_JSON_OPTIONAL, &list, error))
    return FALSE;
  names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      RtJsonPath el = { &here, NULL, (gint) i };
      JsonObject *m;
      const char *v, *url = NULL;

      if (!rt_json_element_object (list, &here, i, &m, error)
          || !rt_json_get_string (m, &el, key, RT_JSON_REQUIRED, &v, error)
          || (handles && !rt_json_get_string (m, &el, "url", RT_JSON_OPTIONAL, &url, error)))
        {
          g_ptr_array_unref (names);
          return FALSE;
        }
      g_ptr_array_add (names, handles ? full_handle (v, host, url) : g_utf8_strdown (v, -1));
    }
  g_ptr_array_add (names, NULL);
  g_strfreev (*out);
  *out = (GStrv) g_ptr_array_free (names, FALSE);
  return TRUE;
}

static RtStreamPost *read_status (JsonObject *o, const RtJsonPath *at, const char *host,
                                  gboolean allow_reblog, GError **error);

/* A reblog: the original's content, the boost's id, account and position. */
static RtStreamPost *
as_boost (RtStreamPost *original, const char *id, RtStreamAuthor *booster)
{
  original->boost_of_id = original->id;
  original->id = g_strdup (id);
  original->boosted_by = booster;
  return original;
}

static RtStreamPost *
read_status (JsonObject *o, const RtJsonPath *at, const char *host, gboolean allow_reblog,
             GError **error)
{
  g_autoptr (RtStreamPost) post = rt_stream_post_new (RT_STREAM_SERVICE_MASTODON);
  RtJsonPath account_at = { at, "account", 0 };
  RtJsonPath reblog_at = { at, "reblog", 0 };
  JsonObject *account, *reblog;
  const char *content, *spoiler, *visibility, *url, *uri, *language;

  if (!rt_json_get_id (o, at, "id", RT_JSON_REQUIRED, &post->id, error)
      || !rt_json_get_time (o, at, "created_at", RT_JSON_REQUIRED, &post->created_us, error)
      || !rt_json_get_object (o, at, "account", RT_JSON_REQUIRED, &account, error)
      || !rt_json_get_object (o, at, "reblog", RT_JSON_OPTIONAL, &reblog, error))
    return NULL;
  g_clear_pointer (&post->author.display_name, g_free);
  if (!read_account (account, &account_at, host, &post->author, error))
    return NULL;
  if (reblog != NULL && allow_reblog)
    {
      RtStreamPost *original = read_status (reblog, &reblog_at, host, FALSE, error);

      if (original == NULL)
        return NULL;
      return as_boost (original, post->id,
                       rt_stream_author_new (post->author.handle, post->author.display_name,
                                             post->author.url));
    }
  if (!rt_json_get_string (o, at, "content", RT_JSON_REQUIRED, &content, error)
      || !rt_json_get_string (o, at, "spoiler_text", RT_JSON_OPTIONAL, &spoiler, error)
      || !rt_json_get_string (o, at, "visibility", RT_JSON_OPTIONAL, &visibility, error)
      || !rt_json_get_string (o, at, "url", RT_JSON_OPTIONAL, &url, error)
      || !rt_json_get_string (o, at, "uri", RT_JSON_OPTIONAL, &uri, error)
      || !rt_json_get_string (o, at, "language", RT_JSON_OPTIONAL, &language, error)
      || !rt_json_get_id (o, at, "in_reply_to_id", RT_JSON_OPTIONAL, &post->in_reply_to_id, error)
      || !rt_json_get_time (o, at, "edited_at", RT_JSON_OPTIONAL, &post->edited_us, error)
      || !read_attachments (o, at, post, error)
      || !read_names (o, at, "tags", "name", FALSE, NULL, &post->hashtags, error)
      || !read_names (o, at, "mentions", "acct", TRUE, host, &post->mentions, error))
    return NULL;
  g_clear_pointer (&post->text, g_free);
  g_clear_pointer (&post->markup, g_free);
  rt_stream_html_sanitize (content, -1, &post->text, &post->markup);
  if (spoiler != NULL && *spoiler != '\0')
    post->spoiler = g_strdup (spoiler);
  post->visibility = rt_stream_visibility_from_name (visibility);
  if (!rt_stream_url_is_safe (url))
    url = uri;  /* the ActivityPub URI is a web page too on most servers */
  post->url = rt_stream_url_is_safe (url) ? g_strdup (url) : NULL;
  post->language = g_strdup (language);
  return g_steal_pointer (&post);
}

RtStreamAuthor *
rt_mastodon_account_from_json (const char *json, gssize len, const char *host, GError **error)
{
  g_autoptr (JsonParser) parser = rt_json_load (json, len, "account", error);
  g_autoptr (RtStreamAuthor) author = NULL;
  RtJsonPath at = { NULL, "account", 0 };
  JsonNode *root;

  if (parser == NULL)
    return NULL;
  root = json_parser_get_root (parser);
  if (!rt_json_root_is (root, JSON_NODE_OBJECT, "account", error))
    return NULL;
  author = g_new0 (RtStreamAuthor, 1);
  if (!read_account (json_node_get_object (root), &at, host, author, error))
    return NULL;
  return g_steal_pointer (&author);
}

RtStreamPost *
rt_mastodon_status_from_json (const char *json, gssize len, const char *host, GError **error)
{
  g_autoptr (JsonParser) parser = rt_json_load (json, len, "status", error);
  RtJsonPath at = { NULL, "status", 0 };
  JsonNode *root;

  if (parser == NULL)
    return NULL;
  root = json_parser_get_root (parser);
  if (!rt_json_root_is (root, JSON_NODE_OBJECT, "status", error))
    return NULL;
  return read_status (json_node_get_object (root), &at, host, TRUE, error);
}

/* Each element of a top-level array through reader (rt_json_read_posts:
 * failures are kept in page->errors and their ids, when readable, still
 * move the position). */
static RtStreamPage *
read_page (const char *json, gssize len, const char *what, const char *host,
           RtJsonPostReader reader, GError **error)
{
  g_autoptr (JsonParser) parser = rt_json_load (json, len, what, error);
  RtJsonPath at = { NULL, what, 0 };
  RtStreamPage *page;
  JsonNode *root;

  if (parser == NULL)
    return NULL;
  root = json_parser_get_root (parser);
  if (!rt_json_root_is (root, JSON_NODE_ARRAY, what, error))
    return NULL;
  page = rt_stream_page_new ();
  rt_json_read_posts (json_node_get_array (root), &at, reader, (gpointer) host, page);
  return page;
}

static gboolean
status_reader (JsonObject *o, const RtJsonPath *at, gpointer host, RtStreamPost **out,
               GError **error)
{
  return (*out = read_status (o, at, host, TRUE, error)) != NULL;
}

RtStreamPage *
rt_mastodon_statuses_from_json (const char *json, gssize len, const char *host, GError **error)
{
  return read_page (json, len, "statuses", host, status_reader, error);
}

/* A Conversation's last status as a direct post (NULL without error when
 * it has none). */
static RtStreamPost *
read_one_conversation (JsonObject *o, const RtJsonPath *at, const char *host, GError **error)
{
  RtJsonPath last_at = { at, "last_status", 0 };
  JsonObject *last;
  g_autofree char *id = NULL;
  RtStreamPost *post;

  if (!rt_json_get_id (o, at, "id", RT_JSON_REQUIRED, &id, error)
      || !rt_json_get_object (o, at, "last_status", RT_JSON_OPTIONAL, &last, error))
    return NULL;
  if (last == NULL)
    return NULL;
  post = read_status (last, &last_at, host, TRUE, error);
  if (post != NULL)
    {
      post->thread_id = g_steal_pointer (&id);
      post->visibility = RT_STREAM_VISIBILITY_DIRECT;
    }
  return post;
}

/* A conversation without a last status is nothing to show, not an error. */
static gboolean
conversation_reader (JsonObject *o, const RtJsonPath *at, gpointer host, RtStreamPost **out,
                     GError **error)
{
  GError *local = NULL;

  *out = read_one_conversation (o, at, host, &local);
  if (*out == NULL && local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

RtStreamPage *
rt_mastodon_conversations_from_json (const char *json, gssize len, const char *host,
                                     GError **error)
{
  return read_page (json, len, "conversations", host, conversation_reader, error);
}

RtStreamPage *
rt_mastodon_stream_event (const char *event, const char *data, gssize len, const char *host,
                          GError **error)
{
  g_autoptr (RtStreamPage) page = rt_stream_page_new ();
  g_autoptr (JsonParser) parser = NULL;
  RtJsonPath at = { NULL, event, 0 };
  RtStreamPost *post = NULL;
  JsonNode *root;
  gboolean conversation = g_strcmp0 (event, "conversation") == 0;

  if (g_strcmp0 (event, "delete") == 0)
    {
      /* The payload is the bare id (not JSON-quoted on the SSE endpoint). */
      g_autofree char *id = g_strstrip (g_strndup (data, len < 0 ? strlen (data) : (gsize) len));

      if (*id == '\0' || strlen (id) > 64 || strpbrk (id, " \t\"<>&") != NULL)
        {
          g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_INVALID,
                       _("delete: not a status id: \"%.40s\""), id);
          return NULL;
        }
      g_ptr_array_add (page->deleted, g_steal_pointer (&id));
      return g_steal_pointer (&page);
    }
  if (g_strcmp0 (event, "update") != 0 && g_strcmp0 (event, "status.update") != 0
      && !conversation)
    return g_steal_pointer (&page);  /* notification, filters_changed, ...: not ours */
  if ((parser = rt_json_load (data, len, event, error)) == NULL)
    return NULL;
  root = json_parser_get_root (parser);
  if (!rt_json_root_is (root, JSON_NODE_OBJECT, event, error))
    return NULL;
  if (conversation)
    {
      g_autoptr (GError) local = NULL;

      post = read_one_conversation (json_node_get_object (root), &at, host, &local);
      if (post == NULL && local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
    }
  else if ((post = read_status (json_node_get_object (root), &at, host, TRUE, error)) == NULL)
    return NULL;
  if (post != NULL)
    {
      rt_stream_page_saw_id (page, post->id);
      g_ptr_array_add (page->posts, post);
    }
  return g_steal_pointer (&page);
}
