/* bench-raw-gmime.c: the raw GMime baseline (see the header). */
#include <gmime/gmime.h>
#include "bench-raw-gmime.h"

gboolean
bench_raw_gmime_parse (GBytes *mail)
{
  gsize len;
  const char *data = g_bytes_get_data (mail, &len);
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (data, len);
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  GMimeMessage *m = g_mime_parser_construct_message (parser, NULL);
  gboolean ok = m != NULL;
  if (m != NULL)
    g_object_unref (m);
  g_object_unref (parser);
  g_object_unref (stream);
  return ok;
}
