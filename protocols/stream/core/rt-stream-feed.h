/* rt-stream-feed.h: RSS 2.0 (and RSS 1.0/RDF) and Atom 1.0 feeds read into
 * RtStreamPost, with libxml2. libpurple-free.
 *
 * Why libxml2 and not GLib's GMarkupParser: feeds come in any declared
 * encoding (ISO-8859-1 and windows-1252 are common), carry DOCTYPEs and
 * namespaces (content:encoded, dc:creator, Atom's xhtml), and GMarkup
 * handles UTF-8 only and no namespaces. libxml2 is already loaded by
 * libpurple (its XMPP parser) and is in Debian (libxml2-dev).
 *
 * Safety: the document is parsed without entity substitution, without DTD
 * loading and without network access (no XML_PARSE_NOENT, DTDLOAD, DTDATTR
 * or HUGE; XML_PARSE_NONET), so an external entity (XXE) is never read;
 * entity references are never expanded when text is gathered, so
 * "billion laughs" cannot grow; the input, the number of entries and each
 * field are bounded. */
#pragma once
#include "rt-stream-post.h"

G_BEGIN_DECLS

#define RT_FEED_MAX_BYTES (8u * 1024 * 1024)
#define RT_FEED_MAX_ENTRIES 500
#define RT_FEED_MAX_FIELD (256u * 1024)

/* base_url (the feed's own URL, or NULL) resolves relative links. Each entry
 * becomes a post: id from guid / atom:id (else the link, else a hash of
 * title and date), url from link, author from author / dc:creator /
 * atom:author (else the channel's title), title, and the text and markup of
 * content:encoded, description, atom:content or atom:summary (HTML
 * sanitized, xhtml serialized then sanitized, text escaped), with the title
 * as their first line. Enclosures are attachments, categories hashtags.
 * NULL with error when the document is not a feed or not well-formed XML;
 * an entry without an id or a link is skipped into page->errors. */
RtStreamPage *rt_feed_parse (const char *data, gsize len, const char *base_url, GError **error);

G_END_DECLS
