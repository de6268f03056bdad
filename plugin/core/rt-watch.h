/* rt-watch.h: a workspace's watchlist. Terms a user types (`/ws watch add
 * WS acme "acme outage" #acmefail @ceo@social.example`), matched against
 * every post the hub reads from a social stream, linked to a workspace or
 * not, so a hit can be posted into the workspace as an alert at once.
 *
 * Pure and libpurple-free: the post is a small struct of borrowed strings
 * that the glue fills from the stream plugin's post, so this file does not
 * depend on protocols/stream.
 *
 * Matching folds both sides the same way (rt_watch_fold): compatibility
 * decomposition (NFKD, so "ﬁ" is "fi" and fullwidth "ＡＣＭＥ" is "acme"),
 * full case folding ("Straße" is "strasse"), nonspacing marks dropped
 * ("Café" matches "cafe" and "cafe" matches "Café"), a few letters that have
 * no decomposition mapped to their base (ł l, ø o, đ d, ı i, æ ae, œ oe) and
 * every run of white space made one space. Accent-insensitive on purpose: a
 * watchlist is for noticing, and people type names without accents. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Longest term, in characters, without its '#' or '@'. */
#define RT_WATCH_TERM_MAX 100
/* Terms named in one alert; more are counted ("and 3 other terms"). */
#define RT_WATCH_ALERT_TERMS 5
/* Characters of the post's text quoted in an alert. */
#define RT_WATCH_ALERT_EXCERPT 200

typedef enum {
  RT_WATCH_KEYWORD,   /* a word or a phrase: acme, "acme outage" */
  RT_WATCH_HASHTAG,   /* #acmefail */
  RT_WATCH_ACCOUNT,   /* @ceo@social.example, or @ceo on any server */
} RtWatchKind;

typedef struct {
  RtWatchKind kind;
  /* As the user wrote it, NFC, trimmed: a keyword with its white space
   * runs made single spaces ("acme outage"); a hashtag without '#' in its
   * own case ("AcmeFail"); an account without the leading '@', its server
   * in lower case ("ceo@social.example", "ceo"). */
  char *text;
  /* text folded (rt_watch_fold): what is matched, and with kind what makes
   * two terms the same (the store's unique key). */
  char *key;
} RtWatchTerm;

/* One user argument (already split by rt_args_split, so a quoted phrase
 * arrives as one argument with spaces):
 *   "#tag"                    a hashtag: letters, digits, marks and '_'
 *   "@name", "@name@server"   an account; "@name" alone matches that name
 *                             on any server
 *   anything else             a keyword or phrase; it needs a letter or digit
 *   "\"#1\"", "“@home”"      an argument that still carries its quotes is a
 *                             keyword as is, even when it starts with # or @
 * Errors (RT_ERROR_INVALID, translated, the term shown shortened): empty,
 * longer than RT_WATCH_TERM_MAX characters, a lone "#" or "@", a malformed
 * hashtag or account, a keyword without letters or digits, invalid UTF-8.
 * (transfer full) */
RtWatchTerm *rt_watch_term_parse (const char *input, GError **error);

/* A term as the store keeps it (kind and text), checked like user input
 * (so a term from an older, looser version fails loudly, not silently).
 * (transfer full) */
RtWatchTerm *rt_watch_term_new (RtWatchKind kind, const char *text, GError **error);
void         rt_watch_term_free (RtWatchTerm *term);

/* Every argument of a NULL-terminated vector, all or nothing: the first
 * bad argument's error and NULL, or the terms in order, duplicates (same
 * kind and key) dropped. No argument at all is an error too.
 * (transfer full: element type RtWatchTerm, with its free function) */
GPtrArray   *rt_watch_parse_terms (const char *const *argv, GError **error);

/* Same kind and key. */
gboolean     rt_watch_term_equal (const RtWatchTerm *a, const RtWatchTerm *b);

/* What a user types to get this term back (for /ws watch list and remove):
 * acme, "acme outage", #AcmeFail, @ceo@social.example, "\"#1\"". Splitting
 * it with rt_args_split and parsing the argument gives an equal term.
 * (transfer full) */
char        *rt_watch_term_format (const RtWatchTerm *term);

/* How an alert names the term (translated quotes): “acme outage”,
 * #AcmeFail, @ceo@social.example. (transfer full) */
char        *rt_watch_term_label (const RtWatchTerm *term);

/* "keyword", "hashtag", "account": the store's words. */
const char  *rt_watch_kind_name (RtWatchKind kind);
gboolean     rt_watch_kind_from_name (const char *name, RtWatchKind *out);

/* The folding described above. (transfer full; NULL gives "") */
char        *rt_watch_fold (const char *text);

/* The host a server is named by: "https://Social.Example:8443/" gives
 * "social.example"; NULL or unparsable: NULL. (transfer full) */
char        *rt_watch_server_host (const char *server);

/* A handle in the form "name@server": a leading '@' dropped, the server in
 * lower case; a bare "name" gets the host of server (which Mastodon leaves
 * out for accounts local to the server that was read). NULL when handle is
 * NULL or empty, or bare and server gives no host. The glue uses it too, to
 * find the member whose --stream endpoint wrote a post. (transfer full) */
char        *rt_watch_qualify_handle (const char *handle, const char *server);

/* A post as watchlists see it. Every field is borrowed and may be NULL. */
typedef struct {
  const char *server;     /* the server (or feed URL) it was read from */
  const char *author;     /* the author's handle: "ceo@social.example",
                           * "ceo" (local to server), "@ceo"; Viva Engage:
                           * the user name; feeds: NULL */
  const char *author_name;/* display name (alerts use it only without a handle) */
  const char *title;      /* feeds: the entry's title */
  const char *spoiler;    /* content warning */
  const char *text;       /* plain text (never markup) */
  const char *const *tags;      /* hashtags, with or without '#' */
  const char *const *mentions;  /* handles mentioned, like author */
  const char *url;        /* link to the original */
} RtWatchPost;

/* The terms that match the post, in the order of terms (element type
 * RtWatchTerm, borrowed from terms; empty when none):
 *   keyword  in the title, content warning or text as whole words: the
 *            characters around it are no letters, digits or '_' ("acme"
 *            matches "Acme's", "#acme", "@acme", "acme-corp" but not
 *            "acmeville" or "acme_corp"); a phrase's spaces match any white
 *            space; no boundary is needed next to scripts written without
 *            spaces (Han, kana, Thai, ...). A keyword also matches a tag
 *            equal to it.
 *   hashtag  a tag of the post equal to it, or "#tag" as a whole word in
 *            the title, content warning or text.
 *   account  the author or a mention (qualified with the post's server when
 *            bare), or "@name[@server]" in the text: "@ceo@social.example"
 *            matches only that account; "@ceo" matches ceo on any server.
 * (transfer container) */
GPtrArray   *rt_watch_match (const GPtrArray *terms, const RtWatchPost *post);

/* Which post this is, the same wherever it is read from:
 * "SERVICE/SERVER/POST-ID", each part percent-encoded, the server without
 * scheme and trailing '/' and its host in lower case
 * ("mastodon/social.example/1098", a feed:
 * "feed/blog.example%2Fnews.xml/https%3A%2F%2Fblog.example%2Fp%2F1").
 * service: "mastodon", "viva", "feed"; server: the account's server URL, for
 * a feed the feed's URL. A workspace message made from a post takes it as
 * its origin (unique per workspace: a post is bridged once). NULL if a part
 * is NULL or empty. (transfer full) */
char        *rt_watch_post_origin (const char *service, const char *server,
                                   const char *post_id);

/* The key that makes an alert "once per post" in a workspace, for the
 * store's unique column: "WS/" and rt_watch_post_origin
 * ("5/mastodon/social.example/1098"). Pass the original's id for a boost,
 * so boosts of one post alert once. NULL if a part is NULL or empty or
 * ws_id <= 0. (transfer full) */
char        *rt_watch_hit_key (const char *service, const char *server,
                               const char *post_id, gint64 ws_id);

/* A member's stream endpoint as `--stream` takes it: "@name@server" or
 * "name@server", checked like an account term, the server required. Gives
 * "name@server" with the server in lower case (the form the stream plugin
 * gives authors, see rt_watch_qualify_handle), or NULL and RT_ERROR_INVALID.
 * (transfer full) */
char        *rt_watch_parse_stream_handle (const char *value, GError **error);

/* The alert posted into the workspace (plain text, one line, translated
 * with the process's language):
 *   Watchlist: “acme”, #acmefail in a post by @x@server: EXCERPT LINK
 * matched: terms from rt_watch_match (not empty). Up to
 * RT_WATCH_ALERT_TERMS terms are named, the rest counted. The author is
 * "@handle@server" (rt_watch_qualify_handle), else the display name, else
 * left out ("in a post:"). EXCERPT: the content warning first, then the
 * title and text, white space and control or bidi characters made single
 * spaces, cut to RT_WATCH_ALERT_EXCERPT characters with "…". The link
 * comes last when the post has one. (transfer full) */
char        *rt_watch_alert_text (const RtWatchPost *post, const GPtrArray *matched);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtWatchTerm, rt_watch_term_free)

G_END_DECLS
