/* rt-stream-post.c: the normalized stream post and its page. */
#include "rt-stream-post.h"

#include <string.h>

G_DEFINE_QUARK (rt-stream-error-quark, rt_stream_error)

static const char *const empty_strv[] = { NULL };

RtStreamPost *
rt_stream_post_new (RtStreamService service)
{
  RtStreamPost *p = g_new0 (RtStreamPost, 1);

  p->service = service;
  p->author.display_name = g_strdup ("");
  p->text = g_strdup ("");
  p->markup = g_strdup ("");
  p->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_stream_attachment_free);
  p->hashtags = g_strdupv ((char **) empty_strv);
  p->mentions = g_strdupv ((char **) empty_strv);
  return p;
}

static void
author_clear (RtStreamAuthor *a)
{
  g_clear_pointer (&a->handle, g_free);
  g_clear_pointer (&a->display_name, g_free);
  g_clear_pointer (&a->url, g_free);
}

static void
author_copy_into (RtStreamAuthor *to, const RtStreamAuthor *from)
{
  to->handle = g_strdup (from->handle);
  to->display_name = g_strdup (from->display_name);
  to->url = g_strdup (from->url);
}

void
rt_stream_post_free (RtStreamPost *p)
{
  if (p == NULL)
    return;
  g_free (p->id);
  g_free (p->url);
  author_clear (&p->author);
  g_free (p->title);
  g_free (p->text);
  g_free (p->markup);
  g_free (p->spoiler);
  g_ptr_array_unref (p->attachments);
  rt_stream_author_free (p->boosted_by);
  g_free (p->boost_of_id);
  g_free (p->in_reply_to_id);
  g_free (p->thread_id);
  g_free (p->group_id);
  g_free (p->group_name);
  g_free (p->language);
  g_strfreev (p->hashtags);
  g_strfreev (p->mentions);
  g_free (p);
}

RtStreamPost *
rt_stream_post_copy (const RtStreamPost *p)
{
  RtStreamPost *c = g_new0 (RtStreamPost, 1);

  c->service = p->service;
  c->id = g_strdup (p->id);
  c->url = g_strdup (p->url);
  author_copy_into (&c->author, &p->author);
  c->created_us = p->created_us;
  c->edited_us = p->edited_us;
  c->title = g_strdup (p->title);
  c->text = g_strdup (p->text);
  c->markup = g_strdup (p->markup);
  c->spoiler = g_strdup (p->spoiler);
  c->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_stream_attachment_free);
  for (guint i = 0; i < p->attachments->len; i++)
    {
      const RtStreamAttachment *a = g_ptr_array_index (p->attachments, i);
      g_ptr_array_add (c->attachments, rt_stream_attachment_new (a->url, a->type, a->description));
    }
  c->boosted_by = p->boosted_by != NULL ? rt_stream_author_copy (p->boosted_by) : NULL;
  c->boost_of_id = g_strdup (p->boost_of_id);
  c->in_reply_to_id = g_strdup (p->in_reply_to_id);
  c->thread_id = g_strdup (p->thread_id);
  c->group_id = g_strdup (p->group_id);
  c->group_name = g_strdup (p->group_name);
  c->language = g_strdup (p->language);
  c->visibility = p->visibility;
  c->hashtags = g_strdupv (p->hashtags);
  c->mentions = g_strdupv (p->mentions);
  return c;
}

RtStreamAuthor *
rt_stream_author_new (const char *handle, const char *display_name, const char *url)
{
  RtStreamAuthor *a = g_new0 (RtStreamAuthor, 1);

  a->handle = g_strdup (handle);
  a->display_name = g_strdup (display_name != NULL ? display_name : "");
  a->url = g_strdup (url);
  return a;
}

RtStreamAuthor *
rt_stream_author_copy (const RtStreamAuthor *author)
{
  RtStreamAuthor *a = g_new0 (RtStreamAuthor, 1);

  author_copy_into (a, author);
  return a;
}

void
rt_stream_author_free (RtStreamAuthor *a)
{
  if (a == NULL)
    return;
  author_clear (a);
  g_free (a);
}

RtStreamAttachment *
rt_stream_attachment_new (const char *url, const char *type, const char *description)
{
  RtStreamAttachment *a = g_new0 (RtStreamAttachment, 1);

  a->url = g_strdup (url);
  a->type = g_strdup (type != NULL ? type : "unknown");
  a->description = g_strdup (description);
  return a;
}

void
rt_stream_attachment_free (RtStreamAttachment *a)
{
  if (a == NULL)
    return;
  g_free (a->url);
  g_free (a->type);
  g_free (a->description);
  g_free (a);
}

const char *
rt_stream_service_name (RtStreamService service)
{
  switch (service)
    {
    case RT_STREAM_SERVICE_MASTODON: return "mastodon";
    case RT_STREAM_SERVICE_VIVA: return "viva";
    case RT_STREAM_SERVICE_FEED: return "feed";
    default: return "unknown";
    }
}

static const char *const visibility_names[] = { "unknown", "public", "unlisted", "private", "direct" };

const char *
rt_stream_visibility_name (RtStreamVisibility v)
{
  return (guint) v < G_N_ELEMENTS (visibility_names) ? visibility_names[v] : "unknown";
}

RtStreamVisibility
rt_stream_visibility_from_name (const char *name)
{
  for (guint i = 1; name != NULL && i < G_N_ELEMENTS (visibility_names); i++)
    if (strcmp (name, visibility_names[i]) == 0)
      return (RtStreamVisibility) i;
  return RT_STREAM_VISIBILITY_UNKNOWN;
}

gint64
rt_stream_datetime_us (GDateTime *dt)
{
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

int
rt_stream_id_compare (const char *a, const char *b)
{
  gsize la, lb;

  if (a == NULL || b == NULL)
    return (a != NULL) - (b != NULL);
  la = strlen (a);
  lb = strlen (b);
  if (la != lb)
    return la < lb ? -1 : 1;
  return strcmp (a, b);
}

RtStreamPage *
rt_stream_page_new (void)
{
  RtStreamPage *page = g_new0 (RtStreamPage, 1);

  page->posts = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_stream_post_free);
  page->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  page->deleted = g_ptr_array_new_with_free_func (g_free);
  return page;
}

void
rt_stream_page_free (RtStreamPage *page)
{
  if (page == NULL)
    return;
  g_ptr_array_unref (page->posts);
  g_ptr_array_unref (page->errors);
  g_ptr_array_unref (page->deleted);
  g_free (page->newest_id);
  g_free (page->oldest_id);
  g_free (page);
}

void
rt_stream_page_saw_id (RtStreamPage *page, const char *id)
{
  if (id == NULL)
    return;
  if (page->newest_id == NULL || rt_stream_id_compare (id, page->newest_id) > 0)
    {
      g_free (page->newest_id);
      page->newest_id = g_strdup (id);
    }
  if (page->oldest_id == NULL || rt_stream_id_compare (id, page->oldest_id) < 0)
    {
      g_free (page->oldest_id);
      page->oldest_id = g_strdup (id);
    }
}
