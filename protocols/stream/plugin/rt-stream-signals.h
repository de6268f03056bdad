/* rt-stream-signals.h: the signals of rt-stream-ipc.h on the plugin's
 * handle, and their emission. */
#pragma once
#include "rt-stream-account.h"

G_BEGIN_DECLS

/* In load; purple_signals_unregister_by_instance in unload removes them. */
void rt_stream_signals_register (PurplePlugin *plugin);
void rt_stream_signals_unregister (PurplePlugin *plugin);

void rt_stream_signal_post (RtStreamAccount *sa, const char *timeline, gboolean is_dm,
                            const RtStreamPost *post, const char *markup);
void rt_stream_signal_posted (RtStreamAccount *sa, const char *key, const char *id, const char *url);
void rt_stream_signal_post_failed (RtStreamAccount *sa, const char *key, const char *error);

G_END_DECLS
