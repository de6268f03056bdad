/* rt-prpl-util.c: see rt-prpl-util.h. */
#include "rt-prpl-util.h"

PurpleAccountOption *
rt_prpl_choice_option (const char *text, const char *key, ...)
{
  GList *choices = NULL;
  va_list ap;
  va_start (ap, key);
  for (const char *label; (label = va_arg (ap, const char *)) != NULL;)
    {
      PurpleKeyValuePair *kv = g_new0 (PurpleKeyValuePair, 1);
      kv->key = g_strdup (label);
      kv->value = g_strdup (va_arg (ap, const char *));
      choices = g_list_append (choices, kv);
    }
  va_end (ap);
  return purple_account_option_list_new (text, key, choices);
}

void
rt_prpl_ipc_register_send (PurplePlugin *plugin, const char *command, PurpleCallback cb)
{
  purple_plugin_ipc_register (plugin, command, cb,
                              purple_marshal_BOOLEAN__POINTER_POINTER_POINTER,
                              purple_value_new (PURPLE_TYPE_BOOLEAN), 3,
                              purple_value_new (PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_ACCOUNT),
                              purple_value_new (PURPLE_TYPE_STRING),
                              purple_value_new (PURPLE_TYPE_BOXED, "GHashTable *"));
}
