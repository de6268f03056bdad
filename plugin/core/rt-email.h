/* rt-email.h: plain mail addresses, as members' email endpoints.
 * Pure; no network, no DNS. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Check value as a plain RFC 5322 addr-spec (dot-atom local part, host name
 * domain; no display name, quoted string, comment or domain literal) and
 * normalize it: surrounding white space and a leading "mailto:" dropped, the
 * domain lower-cased (an internationalized domain in its ASCII form). The
 * local part keeps its case (it is the receiving server's to interpret).
 * Returns NULL with a translated RT_ERROR_INVALID naming the value if it is
 * not such an address. (transfer full) */
char       *rt_email_normalize (const char *value, GError **error);

/* The domain of an address: "example.org" for "bob@example.org"; NULL if it
 * has no '@'. (transfer none: points into address) */
const char *rt_email_domain (const char *address);

G_END_DECLS
