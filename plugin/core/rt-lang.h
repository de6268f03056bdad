/* rt-lang.h: compose text in one member's language inside a process that
 * serves many members.
 *
 * A scope switches the calling thread's LC_MESSAGES, LC_TIME and LC_CTYPE
 * (newlocale() + uselocale()) so that _(), g_dngettext() in domain
 * roundtable and g_date_time_format() day and month names come out in the
 * member's language; leaving it restores the thread's previous locale. The
 * process's global locale is never touched, so other code (the libpurple UI)
 * is not affected.
 *
 * Caveat 1: GLib's g_dgettext() family (behind _(), C_(), g_dngettext())
 * decides once per process to stop translating when the application's own
 * text domain (textdomain(), e.g. Finch's) has no catalogue for the global
 * locale and that locale is neither "C" nor en_*: Finch or a headless hub
 * under C.UTF-8 would then write every member's text in English. Code that
 * writes for members calls libintl directly: dgettext(), dngettext() and
 * rt_lang_pgettext() below.
 *
 * Caveat 2: GNU gettext gives the LANGUAGE environment variable priority over
 * the locale. With LANGUAGE set, every scope gets the catalogue LANGUAGE
 * names (dates still follow the scope). The hub must run without LANGUAGE;
 * rt_lang_environment_overrides() tells whether it is set, and the first
 * scope entered with it set says so once with g_message(). */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

typedef struct _RtLangScope RtLangScope;

/* Enter the language lang ("fr", "nl", "pt_BR", "pt-BR"; NULL or empty:
 * "en") for a member in country (ISO 3166 alpha-2, may be NULL). The locale
 * tried first is "<lang>_<COUNTRY>.UTF-8", then the language's usual region
 * (en_US, nl_NL, fr_FR, de_DE, pt_BR, es_ES, it_IT, ...), then
 * "<lang>_<LANG>.UTF-8". When none is installed the scope uses C.UTF-8
 * (English), said once per language with g_debug(). Locale objects are
 * cached for the life of the process.
 *
 * Scopes nest and must be left in reverse order, on the thread that entered
 * them. Never returns NULL. (transfer full: leave with rt_lang_scope_leave) */
RtLangScope *rt_lang_scope_enter (const char *lang, const char *country);

/* Restore the locale the thread had before the scope, and free it. */
void         rt_lang_scope_leave (RtLangScope *scope);

/* The locale the scope runs in: "nl_NL.UTF-8", or "C.UTF-8" after a
 * fallback. (transfer none, valid for the life of the process) */
const char  *rt_lang_scope_locale (const RtLangScope *scope);

/* TRUE when none of the requested language's locales is installed and the
 * scope fell back to C.UTF-8 (English). */
gboolean     rt_lang_scope_is_fallback (const RtLangScope *scope);

/* TRUE if the LANGUAGE environment variable is set and not empty: then
 * gettext ignores the scopes' languages for translations. */
gboolean     rt_lang_environment_overrides (void);

/* dpgettext() in domain roundtable, from libintl: ctx_msgid is
 * "context\004msgid", msgid_offset the size of "context" with its NUL (as
 * GLib's C_() passes them). Untranslated: the msgid part. */
const char  *rt_lang_pgettext (const char *ctx_msgid, gsize msgid_offset) G_GNUC_FORMAT (1);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtLangScope, rt_lang_scope_leave)

G_END_DECLS
