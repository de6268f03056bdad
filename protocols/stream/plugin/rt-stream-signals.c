/* rt-stream-signals.c: "roundtable-stream-post", "-posted", "-post-failed". */
#include "config.h"
#include "rt-stream-signals.h"
#include "rt-stream-ipc.h"

static PurplePlugin *the_plugin;

void
rt_stream_signals_register (PurplePlugin *plugin)
{
  the_plugin = plugin;
  purple_signal_register (plugin, RT_STREAM_SIGNAL_POST, purple_marshal_VOID__POINTER_POINTER, NULL, 2,
                          purple_value_new (PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_ACCOUNT),
                          purple_value_new (PURPLE_TYPE_POINTER));
  purple_signal_register (plugin, RT_STREAM_SIGNAL_POSTED, purple_marshal_VOID__POINTER_POINTER_POINTER_POINTER,
                          NULL, 4,
                          purple_value_new (PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_ACCOUNT),
                          purple_value_new (PURPLE_TYPE_STRING), purple_value_new (PURPLE_TYPE_STRING),
                          purple_value_new (PURPLE_TYPE_STRING));
  purple_signal_register (plugin, RT_STREAM_SIGNAL_POST_FAILED, purple_marshal_VOID__POINTER_POINTER_POINTER,
                          NULL, 3,
                          purple_value_new (PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_ACCOUNT),
                          purple_value_new (PURPLE_TYPE_STRING), purple_value_new (PURPLE_TYPE_STRING));
}

void
rt_stream_signals_unregister (PurplePlugin *plugin)
{
  purple_signals_unregister_by_instance (plugin);
  the_plugin = NULL;
}

void
rt_stream_signal_post (RtStreamAccount *sa, const char *timeline, gboolean is_dm,
                       const RtStreamPost *post, const char *markup)
{
  if (the_plugin == NULL)
    return;
  RtStreamPostRead read = {
    .struct_size = sizeof (RtStreamPostRead),
    .version = RT_STREAM_POST_READ_VERSION,
    .account = sa->account,
    .service = rt_stream_service_name (sa->service),
    .timeline = timeline,
    .is_dm = is_dm,
    .chat_name = is_dm ? NULL : timeline,
    .post = post,
    .markup = markup,
  };
  purple_signal_emit (the_plugin, RT_STREAM_SIGNAL_POST, sa->account, &read);
}

void
rt_stream_signal_posted (RtStreamAccount *sa, const char *key, const char *id, const char *url)
{
  if (the_plugin != NULL)
    purple_signal_emit (the_plugin, RT_STREAM_SIGNAL_POSTED, sa->account, key, id, url);
}

void
rt_stream_signal_post_failed (RtStreamAccount *sa, const char *key, const char *error)
{
  if (the_plugin != NULL)
    purple_signal_emit (the_plugin, RT_STREAM_SIGNAL_POST_FAILED, sa->account, key, error);
}
