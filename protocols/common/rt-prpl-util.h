/* rt-prpl-util.h: small libpurple helpers shared by the Roundtable protocol
 * plugins (mail and stream). */
#pragma once
#include <purple.h>

G_BEGIN_DECLS

/* A list account option from (label, value) string pairs ending with NULL;
 * the first choice is the default. */
PurpleAccountOption *rt_prpl_choice_option (const char *text, const char *key, ...)
  G_GNUC_NULL_TERMINATED;

/* Registers the IPC command both plugins offer for rich sends:
 * gboolean cb (PurpleAccount *account, const char *target, GHashTable *fields),
 * marshaller purple_marshal_BOOLEAN__POINTER_POINTER_POINTER (see
 * rt-mail-ipc.h and rt-stream-ipc.h for the contracts). */
void rt_prpl_ipc_register_send (PurplePlugin *plugin, const char *command, PurpleCallback cb);

G_END_DECLS
