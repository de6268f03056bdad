/* rt-stream-json.h (internal to the stream core): bounded JSON loading and
 * typed accessors that turn every wrong type into a GError naming the field
 * ("status[3].account.acct: expected a string, got a number"). */
#pragma once
#include <glib.h>
#include <json-glib/json-glib.h>
#include "rt-stream-post.h"

G_BEGIN_DECLS

/* Largest document and deepest nesting accepted. json-glib's parser
 * recurses per nesting level and overflows the stack on ~100,000 levels, so
 * the depth is checked by a linear pre-scan before json-glib sees the data. */
#define RT_STREAM_JSON_MAX_BYTES (32u * 1024 * 1024)
#define RT_STREAM_JSON_MAX_DEPTH 64

/* Where a value sits, as a chain of parents on the stack: rendered only when
 * an error is reported, so the accessors cost nothing on good input. */
typedef struct RtJsonPath RtJsonPath;
struct RtJsonPath {
  const RtJsonPath *parent;
  const char *key;    /* member name, or NULL for an array element */
  gint index;         /* the element's index when key is NULL */
};

/* "status[3].account.acct" (transfer full) */
char *rt_json_path_render (const RtJsonPath *at, const char *key);

/* Parse len bytes (-1: NUL-terminated) after checking size and depth.
 * Returns the parser (owner of the root) or NULL with RT_STREAM_ERROR_SYNTAX
 * or RT_STREAM_ERROR_TOO_LARGE. what names the document in errors. */
JsonParser *rt_json_load (const char *data, gssize len, const char *what, GError **error);

typedef enum {
  RT_JSON_OPTIONAL = 0,  /* absent or null is fine: the result is NULL/0 */
  RT_JSON_REQUIRED = 1,  /* absent or null is RT_STREAM_ERROR_MISSING */
} RtJsonNeed;

/* Each accessor returns FALSE with error set when the member has the wrong
 * type (or is required and missing); the out value is then untouched. */
gboolean rt_json_get_string (JsonObject *o, const RtJsonPath *at, const char *key,
                             RtJsonNeed need, const char **out, GError **error);
/* An id: a JSON string, or an integer (Viva's ids) turned into its decimal
 * string. (transfer full) */
gboolean rt_json_get_id (JsonObject *o, const RtJsonPath *at, const char *key,
                         RtJsonNeed need, char **out, GError **error);
gboolean rt_json_get_bool (JsonObject *o, const RtJsonPath *at, const char *key,
                           RtJsonNeed need, gboolean *out, GError **error);
gboolean rt_json_get_int (JsonObject *o, const RtJsonPath *at, const char *key,
                          RtJsonNeed need, gint64 *out, GError **error);
gboolean rt_json_get_object (JsonObject *o, const RtJsonPath *at, const char *key,
                             RtJsonNeed need, JsonObject **out, GError **error);
gboolean rt_json_get_array (JsonObject *o, const RtJsonPath *at, const char *key,
                            RtJsonNeed need, JsonArray **out, GError **error);
/* An ISO 8601 time string to UTC microseconds (0 when optional and absent);
 * an unparsable time is RT_STREAM_ERROR_INVALID. */
gboolean rt_json_get_time (JsonObject *o, const RtJsonPath *at, const char *key,
                           RtJsonNeed need, gint64 *out_us, GError **error);

/* Element i of an array must be an object. */
gboolean rt_json_element_object (JsonArray *a, const RtJsonPath *at, guint i,
                                 JsonObject **out, GError **error);
/* The root must be of this type (JSON_NODE_OBJECT or JSON_NODE_ARRAY). */
gboolean rt_json_root_is (JsonNode *root, JsonNodeType type, const char *what, GError **error);

/* Reads one item of a page. TRUE with *out a post, or with *out NULL when
 * the item holds nothing to show (a conversation without a status); FALSE
 * when the item is unreadable, with error set (or not: the page loop then
 * names the item itself). */
typedef gboolean (*RtJsonPostReader) (JsonObject *item, const RtJsonPath *at, gpointer data,
                                      RtStreamPost **out, GError **error);

/* Every element of items (at names the array) into page: each element's
 * "id" is noted (rt_stream_page_saw_id) even when the element is bad, so
 * a position moves past it; a good one is read by reader into page->posts,
 * a bad one (not an object, or the reader failed) is one GError in
 * page->errors, never NULL. */
void rt_json_read_posts (JsonArray *items, const RtJsonPath *at, RtJsonPostReader reader,
                         gpointer data, RtStreamPage *page);

G_END_DECLS
