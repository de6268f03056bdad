/* rt-stream-post.h: one post read from a social stream (Mastodon-compatible
 * server, Viva Engage / Yammer, or an RSS/Atom feed), already normalized:
 * plain text for the workspace and safe libpurple markup for display.
 * libpurple-free. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

#define RT_STREAM_ERROR (rt_stream_error_quark ())
GQuark rt_stream_error_quark (void);

typedef enum {
  RT_STREAM_ERROR_SYNTAX,     /* not JSON / XML / SSE at all, or truncated */
  RT_STREAM_ERROR_TYPE,       /* a field has the wrong type */
  RT_STREAM_ERROR_MISSING,    /* a required field is absent or null */
  RT_STREAM_ERROR_INVALID,    /* a field has the right type but a bad value */
  RT_STREAM_ERROR_TOO_LARGE,  /* a size or nesting bound was exceeded */
} RtStreamError;

typedef enum {
  RT_STREAM_SERVICE_MASTODON,
  RT_STREAM_SERVICE_VIVA,
  RT_STREAM_SERVICE_FEED,
} RtStreamService;

typedef enum {
  RT_STREAM_VISIBILITY_UNKNOWN,
  RT_STREAM_VISIBILITY_PUBLIC,
  RT_STREAM_VISIBILITY_UNLISTED,
  RT_STREAM_VISIBILITY_PRIVATE,   /* followers only; Viva: private group */
  RT_STREAM_VISIBILITY_DIRECT,    /* direct message */
} RtStreamVisibility;

typedef struct {
  char *handle;        /* Mastodon "user@server"; Viva the user's name (or
                        * id when unknown); feed: the author's e-mail or name */
  char *display_name;  /* never NULL ("" when unknown) */
  char *url;           /* profile page, or NULL */
} RtStreamAuthor;

typedef struct {
  char *url;
  char *type;          /* "image", "video", "gifv", "audio", "file", "unknown"... */
  char *description;   /* alt text or file name, or NULL */
} RtStreamAttachment;

typedef struct {
  RtStreamService service;
  char *id;            /* the item's id in its timeline (for a boost: the
                        * boost's own id; the original's is boost_of_id) */
  char *url;           /* link to the original on the web, or NULL */
  RtStreamAuthor author;   /* who wrote the content (for a boost: the
                            * original author) */
  gint64 created_us;   /* UTC, microseconds since the epoch */
  gint64 edited_us;    /* when last edited, or 0 */
  char *title;         /* feeds only, else NULL */
  char *text;          /* plain text for the workspace, never NULL */
  char *markup;        /* safe libpurple markup (only <a href> and <br>) */
  char *spoiler;       /* content warning, or NULL */
  GPtrArray *attachments;  /* RtStreamAttachment */
  RtStreamAuthor *boosted_by;  /* who boosted it, or NULL */
  char *boost_of_id;   /* the original's id when a boost, else NULL */
  char *in_reply_to_id;
  char *thread_id;     /* Viva: thread_id; Mastodon: the conversation of a
                        * direct message, else NULL */
  char *group_id;      /* Viva: group_id, else NULL */
  char *group_name;    /* Viva: the group's full name from the references */
  char *language;      /* ISO 639 code, or NULL */
  RtStreamVisibility visibility;
  GStrv hashtags;      /* without '#', never NULL */
  GStrv mentions;      /* handles, never NULL */
} RtStreamPost;

RtStreamPost *rt_stream_post_new (RtStreamService service);
RtStreamPost *rt_stream_post_copy (const RtStreamPost *post);
void rt_stream_post_free (RtStreamPost *post);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtStreamPost, rt_stream_post_free)

RtStreamAuthor *rt_stream_author_new (const char *handle, const char *display_name,
                                      const char *url);
RtStreamAuthor *rt_stream_author_copy (const RtStreamAuthor *author);
void rt_stream_author_free (RtStreamAuthor *author);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtStreamAuthor, rt_stream_author_free)

RtStreamAttachment *rt_stream_attachment_new (const char *url, const char *type,
                                              const char *description);
void rt_stream_attachment_free (RtStreamAttachment *a);

const char *rt_stream_service_name (RtStreamService service);
const char *rt_stream_visibility_name (RtStreamVisibility v);
/* "public", "unlisted", "private", "direct" (Mastodon's words); anything else
 * is UNKNOWN. */
RtStreamVisibility rt_stream_visibility_from_name (const char *name);

/* A GDateTime as UTC microseconds since the epoch. */
gint64 rt_stream_datetime_us (GDateTime *dt);

/* Order of two ids of one timeline: Mastodon and Viva ids are decimal
 * strings that grow with time, so a longer id is newer and equal lengths
 * compare as strings. NULL sorts first. */
int rt_stream_id_compare (const char *a, const char *b);

/* A page of items read from one response. Items that could not be read are
 * skipped, each with an error in errors, so one bad item neither stops the
 * page nor is silently lost. */
typedef struct {
  GPtrArray *posts;     /* RtStreamPost, in the server's order */
  GPtrArray *errors;    /* GError, one per skipped item */
  GPtrArray *deleted;   /* char *: ids announced as deleted (stream events) */
  char *newest_id;      /* highest id seen (also of skipped items), or NULL */
  char *oldest_id;      /* lowest id seen, or NULL */
  gboolean older_available;   /* Viva meta.older_available */
  gint64 poll_interval_s;     /* Viva meta.requested_poll_interval, or 0 */
} RtStreamPage;

RtStreamPage *rt_stream_page_new (void);
void rt_stream_page_free (RtStreamPage *page);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtStreamPage, rt_stream_page_free)
/* Note id as seen (updates newest_id / oldest_id). */
void rt_stream_page_saw_id (RtStreamPage *page, const char *id);

G_END_DECLS
