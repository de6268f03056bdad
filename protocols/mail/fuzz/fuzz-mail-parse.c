/* fuzz-mail-parse.c: libFuzzer target for rt_mail_parse, and for
 * rt_html_to_text on the same bytes. Built only with -Dfuzzing=true. */
#include "rt-mail-parse.h"
#include "rt-html-text.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean once;
  g_autoptr(GError) error = NULL;
  g_autoptr(RtMailMessage) msg = NULL;
  g_autofree char *text = NULL;

  if (!once)
    {
      /* A critical is a bug in our use of GLib or GMime: make it a crash. */
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
      once = TRUE;
    }
  msg = rt_mail_parse ((const char *) data, size, &error);
  if (msg == NULL)
    g_assert (error != NULL);
  else
    {
      g_assert (error == NULL);
      g_assert (g_utf8_validate (msg->subject, -1, NULL));
      g_assert (g_utf8_validate (msg->text, -1, NULL));
      g_assert (msg->attachments != NULL && msg->to != NULL);
    }
  text = rt_html_to_text ((const char *) data, (gssize) size);
  g_assert (g_utf8_validate (text, -1, NULL));
  return 0;
}
