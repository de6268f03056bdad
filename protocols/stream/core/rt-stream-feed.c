/* rt-stream-feed.c: RSS and Atom entries with libxml2 (see the header for
 * why libxml2 and how entities are kept harmless). */
#include "config.h"
#include "rt-stream-feed.h"
#include "rt-stream-html.h"
#include "rt-stream-http.h"

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_RSS1 "http://purl.org/rss/1.0/"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

typedef struct {
  xmlDoc *doc;
  const char *base_url;
  char *feed_title;
  char *feed_author;
} Feed;

/* An element with this local name in namespace ns (NULL: no namespace;
 * RSS 2.0 elements have none, RSS 1.0 ones are in NS_RSS1). */
static gboolean
is_el (const xmlNode *n, const char *name, const char *ns)
{
  if (n->type != XML_ELEMENT_NODE || strcmp ((const char *) n->name, name) != 0)
    return FALSE;
  if (ns == NULL)
    return n->ns == NULL || strcmp ((const char *) n->ns->href, NS_RSS1) == 0;
  return n->ns != NULL && strcmp ((const char *) n->ns->href, ns) == 0;
}

static xmlNode *
child (const xmlNode *parent, const char *name, const char *ns)
{
  for (xmlNode *c = parent->children; c != NULL; c = c->next)
    if (is_el (c, name, ns))
      return c;
  return NULL;
}

/* Text and CDATA below n, bounded; entity references are not expanded. */
static void
gather (const xmlNode *n, GString *out)
{
  for (const xmlNode *c = n->children; c != NULL && out->len < RT_FEED_MAX_FIELD; c = c->next)
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content != NULL)
      g_string_append_len (out, (const char *) c->content,
                           (gssize) MIN (strlen ((const char *) c->content),
                                         RT_FEED_MAX_FIELD - out->len));
    else if (c->type == XML_ELEMENT_NODE)
      gather (c, out);
}

/* The trimmed text of n, or NULL when n is NULL or the text is empty;
 * cut on a character boundary at RT_FEED_MAX_FIELD. (transfer full) */
static char *
text_of (const xmlNode *n)
{
  GString *s;
  char *valid;

  if (n == NULL)
    return NULL;
  s = g_string_new (NULL);
  gather (n, s);
  valid = g_utf8_make_valid (s->str, (gssize) s->len);
  g_string_free (s, TRUE);
  g_strstrip (valid);
  if (*valid == '\0')
    g_clear_pointer (&valid, g_free);
  return valid;
}

static char *
attr (const xmlNode *n, const char *name)
{
  xmlChar *v = n != NULL ? xmlGetProp (n, (const xmlChar *) name) : NULL;
  char *s = v != NULL ? g_strstrip (g_strdup ((const char *) v)) : NULL;

  xmlFree (v);
  return s;
}

/* href resolved against xml:base and the feed's URL; NULL unless it ends up
 * an absolute http(s) URL. (transfer full) */
static char *
resolve (Feed *f, const xmlNode *n, const char *href)
{
  xmlChar *base;
  char *abs = NULL;

  if (href == NULL || *href == '\0')
    return NULL;
  base = xmlNodeGetBase (f->doc, n);
  abs = g_uri_resolve_relative (base != NULL ? (const char *) base : f->base_url, href,
                                G_URI_FLAGS_NONE, NULL);
  xmlFree (base);
  if (abs == NULL)
    abs = g_strdup (href);
  if (!rt_stream_url_is_safe (abs) || g_ascii_strncasecmp (abs, "mailto:", 7) == 0)
    g_clear_pointer (&abs, g_free);
  return abs;
}

/* Body of an Atom text construct (title, summary, content) by its type. */
static void
atom_body (const xmlNode *n, char **text, char **markup)
{
  g_autofree char *type = attr (n, "type");

  if (type == NULL || strcmp (type, "text") == 0 || strcmp (type, "text/plain") == 0)
    {
      g_autofree char *t = text_of (n);
      *text = g_strdup (t != NULL ? t : "");
      *markup = rt_stream_text_to_markup (*text, -1);
    }
  else if (strcmp (type, "html") == 0 || strcmp (type, "text/html") == 0)
    {
      g_autofree char *html = text_of (n);
      rt_stream_html_sanitize (html, -1, text, markup);
    }
  else if (strcmp (type, "xhtml") == 0)
    {
      xmlBuffer *buf = xmlBufferCreate ();

      for (xmlNode *c = n->children; c != NULL && (gsize) xmlBufferLength (buf) < RT_FEED_MAX_FIELD;
           c = c->next)
        xmlNodeDump (buf, n->doc, c, 0, 0);
      rt_stream_html_sanitize ((const char *) xmlBufferContent (buf),
                               MIN ((gssize) xmlBufferLength (buf), (gssize) RT_FEED_MAX_FIELD),
                               text, markup);
      xmlBufferFree (buf);
    }
  else
    {
      *text = NULL;   /* another media type (or src=): not shown */
      *markup = NULL;
    }
}

static void
add_hashtag (GPtrArray *tags, const char *category)
{
  GString *t = g_string_new (NULL);

  for (const char *p = category; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_isalnum (c) || c == '_')
        g_string_append_unichar (t, g_unichar_tolower (c));
    }
  if (t->len > 0 && t->len <= 100 && tags->len < 64)
    g_ptr_array_add (tags, g_string_free (t, FALSE));
  else
    g_string_free (t, TRUE);
}

static const char *
attachment_kind (const char *mime)
{
  if (mime == NULL)
    return "file";
  if (g_str_has_prefix (mime, "image/"))
    return "image";
  if (g_str_has_prefix (mime, "video/"))
    return "video";
  if (g_str_has_prefix (mime, "audio/"))
    return "audio";
  return "file";
}

/* Title, then body: the post's text and markup. */
static void
set_content (RtStreamPost *post, char *title, char *body_text, char *body_markup)
{
  g_free (post->text);
  g_free (post->markup);
  post->title = title;
  if (title != NULL && body_text != NULL && *body_text != '\0')
    {
      g_autofree char *title_markup = rt_stream_text_to_markup (title, -1);
      post->text = g_strdup_printf ("%s\n\n%s", title, body_text);
      post->markup = g_strdup_printf ("%s<br><br>%s", title_markup, body_markup);
    }
  else if (title != NULL)
    {
      post->text = g_strdup (title);
      post->markup = rt_stream_text_to_markup (title, -1);
    }
  else
    {
      post->text = g_strdup (body_text != NULL ? body_text : "");
      post->markup = g_strdup (body_markup != NULL ? body_markup : "");
    }
  g_free (body_text);
  g_free (body_markup);
}

static void
set_author (Feed *f, RtStreamPost *post, char *name, char *email)
{
  g_free (post->author.handle);
  g_free (post->author.display_name);
  post->author.handle = g_strdup (email != NULL ? email : name != NULL ? name
                                  : f->feed_author != NULL ? f->feed_author
                                  : f->feed_title != NULL ? f->feed_title : "feed");
  post->author.display_name = g_strdup (name != NULL ? name : f->feed_author != NULL
                                        ? f->feed_author : f->feed_title != NULL
                                        ? f->feed_title : post->author.handle);
  g_free (name);
  g_free (email);
}

/* Last resort id: a hash of title and date. */
static char *
fallback_id (const char *title, gint64 created_us)
{
  g_autofree char *key = g_strdup_printf ("%s\n%" G_GINT64_FORMAT, title != NULL ? title : "",
                                          created_us);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA1, key, -1);
}

static gboolean
parse_time (const char *s, gint64 *us)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = NULL;

  if (s == NULL)
    return FALSE;
  if (rt_http_date_parse (s, us))
    return TRUE;
  if ((dt = g_date_time_new_from_iso8601 (s, utc)) == NULL)
    return FALSE;
  *us = rt_stream_datetime_us (dt);
  return TRUE;
}

static RtStreamPost *
rss_item (Feed *f, const xmlNode *item, guint index, GError **error)
{
  g_autoptr (RtStreamPost) post = rt_stream_post_new (RT_STREAM_SERVICE_FEED);
  g_autoptr (GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *guid = text_of (child (item, "guid", NULL));
  g_autofree char *link = text_of (child (item, "link", NULL));
  g_autofree char *date = text_of (child (item, "pubDate", NULL));
  g_autofree char *dc_date = text_of (child (item, "date", NS_DC));
  g_autofree char *html = text_of (child (item, "encoded", NS_CONTENT));
  g_autofree char *about = attr (item, "about");
  char *title = text_of (child (item, "title", NULL));
  char *author = text_of (child (item, "author", NULL));
  char *creator = text_of (child (item, "creator", NS_DC));
  char *body_text = NULL, *body_markup = NULL;

  if (html == NULL)
    html = text_of (child (item, "description", NULL));
  if (html != NULL)
    rt_stream_html_sanitize (html, -1, &body_text, &body_markup);
  set_content (post, title, body_text, body_markup);
  if (!parse_time (date, &post->created_us))
    parse_time (dc_date, &post->created_us);
  post->url = resolve (f, item, link);
  post->id = g_strdup (guid != NULL ? guid : post->url != NULL ? post->url : about);
  if (post->id == NULL && post->title != NULL)
    post->id = fallback_id (post->title, post->created_us);
  if (post->id == NULL)
    {
      g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_MISSING,
                   _("item[%u]: no guid, link or title"), index);
      g_free (author);
      g_free (creator);
      return NULL;
    }
  /* RSS author is "mail@example.org (Name)"; dc:creator a name. */
  if (author != NULL && strchr (author, '(') != NULL && g_str_has_suffix (author, ")"))
    {
      char *open = strchr (author, '(');

      if (creator == NULL)
        creator = g_strstrip (g_strndup (open + 1, strlen (open + 1) - 1));
      *open = '\0';
      g_strstrip (author);
    }
  set_author (f, post, creator, author);
  for (xmlNode *c = item->children; c != NULL; c = c->next)
    if (is_el (c, "enclosure", NULL))
      {
        g_autofree char *url = attr (c, "url"), *type = attr (c, "type");
        g_autofree char *abs = resolve (f, c, url);

        if (abs != NULL && post->attachments->len < 64)
          g_ptr_array_add (post->attachments,
                           rt_stream_attachment_new (abs, attachment_kind (type), NULL));
      }
    else if (is_el (c, "category", NULL))
      {
        g_autofree char *cat = text_of (c);
        add_hashtag (tags, cat);
      }
  g_ptr_array_add (tags, NULL);
  g_strfreev (post->hashtags);
  post->hashtags = (GStrv) g_ptr_array_steal (tags, NULL);
  post->visibility = RT_STREAM_VISIBILITY_PUBLIC;
  return g_steal_pointer (&post);
}

static RtStreamPost *
atom_entry (Feed *f, const xmlNode *entry, guint index, GError **error)
{
  g_autoptr (RtStreamPost) post = rt_stream_post_new (RT_STREAM_SERVICE_FEED);
  g_autoptr (GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *id = text_of (child (entry, "id", NS_ATOM));
  g_autofree char *published = text_of (child (entry, "published", NS_ATOM));
  g_autofree char *updated = text_of (child (entry, "updated", NS_ATOM));
  xmlNode *title_el = child (entry, "title", NS_ATOM);
  xmlNode *content = child (entry, "content", NS_ATOM);
  xmlNode *author = child (entry, "author", NS_ATOM);
  char *title = NULL, *title_markup = NULL, *body_text = NULL, *body_markup = NULL;

  if (title_el != NULL)
    {
      atom_body (title_el, &title, &title_markup);
      g_free (title_markup);
      if (title != NULL && *title == '\0')
        g_clear_pointer (&title, g_free);
    }
  if (content != NULL)
    {
      g_autofree char *src = attr (content, "src");
      if (src == NULL)
        atom_body (content, &body_text, &body_markup);
    }
  if (body_text == NULL && child (entry, "summary", NS_ATOM) != NULL)
    atom_body (child (entry, "summary", NS_ATOM), &body_text, &body_markup);
  set_content (post, title, body_text, body_markup);
  if (!parse_time (published, &post->created_us))
    parse_time (updated, &post->created_us);
  for (xmlNode *c = entry->children; c != NULL; c = c->next)
    if (is_el (c, "link", NS_ATOM))
      {
        g_autofree char *rel = attr (c, "rel"), *href = attr (c, "href");
        g_autofree char *type = attr (c, "type"), *ltitle = attr (c, "title");
        char *abs = resolve (f, c, href);

        if (abs == NULL)
          continue;
        if ((rel == NULL || strcmp (rel, "alternate") == 0) && post->url == NULL)
          post->url = abs;
        else if (rel != NULL && strcmp (rel, "enclosure") == 0 && post->attachments->len < 64)
          {
            g_ptr_array_add (post->attachments,
                             rt_stream_attachment_new (abs, attachment_kind (type), ltitle));
            g_free (abs);
          }
        else
          g_free (abs);
      }
    else if (is_el (c, "category", NS_ATOM))
      {
        g_autofree char *term = attr (c, "term");
        add_hashtag (tags, term);
      }
  post->id = g_strdup (id != NULL ? id : post->url);
  if (post->id == NULL && post->title != NULL)
    post->id = fallback_id (post->title, post->created_us);
  if (post->id == NULL)
    {
      g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_MISSING,
                   _("entry[%u]: no id, link or title"), index);
      return NULL;
    }
  set_author (f, post, author != NULL ? text_of (child (author, "name", NS_ATOM)) : NULL,
              author != NULL ? text_of (child (author, "email", NS_ATOM)) : NULL);
  if (author != NULL && post->author.url == NULL)
    {
      g_autofree char *uri = text_of (child (author, "uri", NS_ATOM));
      post->author.url = resolve (f, author, uri);
    }
  g_ptr_array_add (tags, NULL);
  g_strfreev (post->hashtags);
  post->hashtags = (GStrv) g_ptr_array_steal (tags, NULL);
  post->visibility = RT_STREAM_VISIBILITY_PUBLIC;
  return g_steal_pointer (&post);
}

typedef RtStreamPost *(*ReadEntry) (Feed *f, const xmlNode *n, guint index, GError **error);

static void
read_entries (Feed *f, const xmlNode *parent, const char *name, const char *ns,
              ReadEntry read, RtStreamPage *page)
{
  guint index = 0;

  for (xmlNode *c = parent->children; c != NULL && index < RT_FEED_MAX_ENTRIES; c = c->next)
    if (is_el (c, name, ns))
      {
        GError *e = NULL;
        RtStreamPost *post = read (f, c, index++, &e);

        if (post != NULL)
          g_ptr_array_add (page->posts, post);
        else
          g_ptr_array_add (page->errors, e);
      }
}

static void
xml_error (GError **error, xmlParserCtxt *ctxt)
{
  const xmlError *e = xmlCtxtGetLastError (ctxt);
  g_autofree char *msg = g_strstrip (g_strdup (e != NULL && e->message != NULL
                                               ? e->message : "?"));

  g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_SYNTAX,
               _("Feed: not well-formed XML (line %d): %s"), e != NULL ? e->line : 0, msg);
}

RtStreamPage *
rt_feed_parse (const char *data, gsize len, const char *base_url, GError **error)
{
  /* No NOENT, DTDLOAD, DTDATTR or HUGE: see the header. */
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  Feed f = { NULL, base_url, NULL, NULL };
  xmlParserCtxt *ctxt;
  xmlNode *root, *channel;
  RtStreamPage *page = NULL;

  if (len > RT_FEED_MAX_BYTES)
    {
      g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_TOO_LARGE,
                   _("Feed: the document is too large (%zu bytes, at most %u)"),
                   len, RT_FEED_MAX_BYTES);
      return NULL;
    }
  xmlInitParser ();
  ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL)
    g_error ("libxml2: out of memory");
  f.doc = xmlCtxtReadMemory (ctxt, data, (int) len, base_url, NULL, options);
  if (f.doc == NULL || !ctxt->wellFormed)
    {
      xml_error (error, ctxt);
      goto out;
    }
  root = xmlDocGetRootElement (f.doc);
  page = rt_stream_page_new ();
  if (root != NULL && is_el (root, "rss", NULL) && (channel = child (root, "channel", NULL)) != NULL)
    {
      f.feed_title = text_of (child (channel, "title", NULL));
      read_entries (&f, channel, "item", NULL, rss_item, page);
    }
  else if (root != NULL && is_el (root, "RDF", NS_RDF))
    {
      channel = child (root, "channel", NULL);
      f.feed_title = channel != NULL ? text_of (child (channel, "title", NULL)) : NULL;
      read_entries (&f, root, "item", NULL, rss_item, page);
    }
  else if (root != NULL && is_el (root, "feed", NS_ATOM))
    {
      xmlNode *author = child (root, "author", NS_ATOM);
      xmlNode *title = child (root, "title", NS_ATOM);
      char *unused = NULL;

      if (title != NULL)
        atom_body (title, &f.feed_title, &unused);
      g_free (unused);
      f.feed_author = author != NULL ? text_of (child (author, "name", NS_ATOM)) : NULL;
      read_entries (&f, root, "entry", NS_ATOM, atom_entry, page);
    }
  else
    {
      g_set_error (error, RT_STREAM_ERROR, RT_STREAM_ERROR_INVALID,
                   _("Feed: neither RSS nor Atom (root element <%.40s>)"),
                   root != NULL ? (const char *) root->name : "");
      g_clear_pointer (&page, rt_stream_page_free);
    }
out:
  g_free (f.feed_title);
  g_free (f.feed_author);
  if (f.doc != NULL)
    xmlFreeDoc (f.doc);
  xmlFreeParserCtxt (ctxt);
  return page;
}
