/* rt-member-opts.h: apply "/ws member add|set" options to a member, checking
 * each one. Pure; nothing is changed when an error is returned. */
#pragma once
#include "rt-model.h"

G_BEGIN_DECLS

/* argv holds options only: --name N --site S --country CC --tz TZ --lang L
 * --hours HH:MM-HH:MM --days Mon-Fri --offhours-im yes|no --im URI (repeatable:
 * adds an endpoint) --no-im URI (removes one) --email ADDR (repeatable: adds
 * a mailto endpoint, the address checked by rt_email_normalize) --no-email
 * ADDR (removes one) --immediate-mail yes|no|default --digest SCHEDULE
 * ("off", "immediate", "hourly", "daily 08:00", "weekly Sun 18:00":
 * rt_schedule_parse) --quiet HH:MM-HH:MM|none (rt_quiet_parse) --role
 * owner,spokesperson|none (rt_roles_parse) --stream @name@server
 * (repeatable: a "stream:" endpoint, rt_watch_parse_stream_handle)
 * --no-stream @name@server (removes one). On success the changes are
 * applied to member; on error member is untouched and error says which option
 * and why (translated, RT_ERROR_INVALID). */
gboolean rt_member_apply_options (RtMember *member, char **argv, GError **error);

G_END_DECLS
