/* rt-mail-gmime.h (internal to the mail core and its plugin): GMime with g_autoptr.
 * GMime 3.2 declares no cleanup functions; if a later GMime does, drop
 * the ones it has. */
#pragma once
#include <gmime/gmime.h>
#include "rt-mail-parse.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeObject, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeFilter, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeDataWrapper, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMultipart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (InternetAddressList, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParserOptions, g_mime_parser_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeFormatOptions, g_mime_format_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeReferences, g_mime_references_free)

/* Walk the MIME tree under root (internal to rt-mail-parse): fills msg's
 * text, attachments, is_bounce, truncated and text_truncated. */
void rt_mail_walk (GMimeObject *root, RtMailMessage *msg);

/* Bare addresses of list (groups flattened) appended to out as valid,
 * clipped UTF-8, at most RT_MAIL_MAX_LIST in all. */
void rt_mail_add_addresses (GPtrArray *out, InternetAddressList *list);

/* rt_mail_parse that also hands back the GMime tree it parsed (transfer
 * full, set only on success), for callers that need more than
 * RtMailMessage holds, so that a mail is parsed once. */
RtMailMessage *rt_mail_parse_keep (const char *data, gsize len, GMimeMessage **message,
                                   GError **error);
