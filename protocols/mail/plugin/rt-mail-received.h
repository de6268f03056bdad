/* rt-mail-received.h: the signals of rt-mail-ipc.h on the mail plugin's
 * handle, and the "roundtable-mail-received" emission for one fetched mail
 * (who wrote it, its recipients, its new text). */
#pragma once
#include "rt-mail-account.h"
#include "rt-mail-gmime.h"

G_BEGIN_DECLS

/* Registers "roundtable-mail-received", "-sent" and "-failed" on plugin
 * (its load); purple_signals_unregister_by_instance in unload removes them. */
void rt_mail_received_register (PurplePlugin *plugin);

/* Emits "roundtable-mail-received" for the mail gm (the tree m was parsed
 * from by rt_mail_parse_keep: each mail is parsed once). Returns TRUE when a handler took the mail
 * (then no IM must be shown). *auto_kind gets RT_MAIL_RECEIVED_HUMAN,
 * _AUTO_REPLY or _BOUNCE. */
gboolean rt_mail_received_emit (RtMailAccount *ma, GMimeMessage *gm,
                                const RtMailMessage *m, int *auto_kind);

G_END_DECLS
