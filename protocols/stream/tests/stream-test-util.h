/* stream-test-util.h: helpers shared by the stream core's unit tests. */
#pragma once
#include <glib.h>
#include <string.h>
#include "rt-stream-html.h"

/* The bytes of fixtures/NAME (G_TEST_SRCDIR is set by meson). */
static inline char *
load_fixture (const char *name, gsize *len)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
  g_autoptr (GError) error = NULL;
  char *data = NULL;

  if (!g_file_get_contents (path, &data, len, &error))
    g_error ("fixture %s: %s", name, error->message);
  return data;
}

static void
safe_start (GMarkupParseContext *ctx, const char *name, const char **attr_names,
            const char **attr_values, gpointer data, GError **error)
{
  if (strcmp (name, "root") == 0 || strcmp (name, "br") == 0)
    {
      if (attr_names[0] != NULL)
        g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "attribute on <%s>", name);
      return;
    }
  if (strcmp (name, "a") != 0)
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_UNKNOWN_ELEMENT, "tag <%s> survived", name);
      return;
    }
  if (attr_names[0] == NULL || strcmp (attr_names[0], "href") != 0 || attr_names[1] != NULL
      || !rt_stream_url_is_safe (attr_values[0]))
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "bad <a> attributes");
}

/* Markup is libpurple-safe: the only tags are <br> and <a href="SAFE">...
 * </a>, and it is well-formed once <br> is written <br/> (checked with
 * GLib's XML parser, which also rejects any stray '&' or '<'). */
static inline void
assert_safe_markup (const char *markup)
{
  static const GMarkupParser parser = { safe_start, NULL, NULL, NULL, NULL };
  g_autoptr (GString) doc = g_string_new ("<root>");
  g_autoptr (GError) error = NULL;
  GMarkupParseContext *ctx;

  /* Raw check: every '<' starts one of the three allowed forms. */
  for (const char *p = strchr (markup, '<'); p != NULL; p = strchr (p + 1, '<'))
    if (strncmp (p, "<br>", 4) != 0 && strncmp (p, "<a href=\"", 9) != 0 && strncmp (p, "</a>", 4) != 0)
      g_error ("unexpected markup at \"%.30s\" in %.200s", p, markup);
  /* <br> as <br/>, copied in one pass (g_string_replace is quadratic, and
   * so is strstr in a loop under ASan, which measures the haystack). */
  for (const char *p = markup; *p != '\0'; p++)
    if (p[0] == '<' && strncmp (p, "<br>", 4) == 0)
      {
        g_string_append (doc, "<br/>");
        p += 3;
      }
    else
      g_string_append_c (doc, *p);
  g_string_append (doc, "</root>");
  ctx = g_markup_parse_context_new (&parser, 0, NULL, NULL);
  if (!g_markup_parse_context_parse (ctx, doc->str, (gssize) doc->len, &error)
      || !g_markup_parse_context_end_parse (ctx, &error))
    g_error ("unsafe markup (%s): %.300s", error->message, markup);
  g_markup_parse_context_free (ctx);
}
