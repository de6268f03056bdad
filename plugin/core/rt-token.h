/* rt-token.h: reply-address tokens: "hub+<token>@domain" names the member
 * and workspace a mail reply (or an unsubscribe request) belongs to.
 *
 * A token is "<p>-<member>-<ws>-<mac>", for example "r-2s-k-3hz7e2qvd5g4lm6a":
 *   p       'r' (reply) or 'u' (unsubscribe), see RtTokenPurpose;
 *   member  the member id, ws the workspace id, both in lowercase base 36
 *           without leading zeros (ids are >= 1);
 *   mac     the first 80 bits of HMAC-SHA256(key, canonical(p, member, ws)),
 *           16 characters of lowercase RFC 4648 base32 without padding.
 * Only [a-z0-9] and '-' occur, so the token survives mail servers that fold
 * the case of local parts; rt_token_verify accepts uppercase too. The longest
 * token (two ids of 2^63-1) is RT_TOKEN_MAX_LEN characters.
 *
 * What verify proves, and what it does not: a token that verifies was made
 * with this hub's key for exactly that purpose, member and workspace. It does
 * NOT prove the member still exists, still belongs to the workspace, or that
 * the mail came from the member. Before acting on a token the caller must
 *   1. check the purpose is the one expected for that use;
 *   2. check the member still exists and still belongs to that workspace
 *      (this is how tokens of removed members stop working);
 *   3. check the sender address is one of that member's email endpoints.
 * Tokens are credentials: never log them (nor the key). docs/reply-tokens.md
 * has the details. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  RT_TOKEN_REPLY,        /* 'r': a reply posts into the workspace */
  RT_TOKEN_UNSUBSCRIBE,  /* 'u': the List-Unsubscribe address */
} RtTokenPurpose;

/* Length of the key made by rt_token_key_generate; keys of at least
 * RT_TOKEN_KEY_MIN bytes are accepted. */
#define RT_TOKEN_KEY_LEN 32
#define RT_TOKEN_KEY_MIN 16

/* Longest token: "p-" + 13 + "-" + 13 + "-" + 16. */
#define RT_TOKEN_MAX_LEN 46

/* SMTP's limit on a local part (RFC 5321 4.5.3.1.1), which "hub+token"
 * must respect: with the longest token the hub's local part may have at
 * most 64 - 1 - 46 = 17 characters, with small ids (the usual case, about
 * 22-character tokens) about 40. */
#define RT_TOKEN_LOCAL_PART_MAX 64

/* A new token; member_id and ws_id must be >= 1, the key at least
 * RT_TOKEN_KEY_MIN bytes (else a critical and NULL). (transfer full) */
char *rt_token_make (const guint8 *key, gsize key_len, RtTokenPurpose purpose,
                     gint64 member_id, gint64 ws_id);

/* Checks a token (any case) made by rt_token_make with the same key and
 * fills purpose, member_id and ws_id (each may be NULL) on success only.
 * Fails with RT_ERROR_INVALID and a translated message: "malformed" for
 * anything that is not exactly the format above, "not valid" when the MAC
 * does not match. Neither message contains the token, the MAC or the key.
 * See the top of this file for what the caller must check next. */
gboolean rt_token_verify (const guint8 *key, gsize key_len, const char *token,
                          RtTokenPurpose *purpose, gint64 *member_id,
                          gint64 *ws_id, GError **error);

/* "local+token@domain" for the hub address "local@domain". A +tag already
 * in the hub's local part is replaced: "hub+x@d" gives "hub+token@d", which
 * servers deliver to the same mailbox as "hub+x@d" (rt_token_from_address
 * does the same). Fails (RT_ERROR_INVALID) when the hub address is not a
 * plain ASCII addr-spec (dot-atom local part, letters/digits/hyphen domain
 * labels), when the token has characters other than [A-Za-z0-9-], or when
 * the local part would exceed RT_TOKEN_LOCAL_PART_MAX octets.
 * (transfer full) */
char *rt_token_address (const char *hub_address, const char *token,
                        GError **error);

/* The token in to_address (a bare addr-spec, no display name or <>) when it
 * is hub_local+TOKEN@hub_domain with the hub's +tag (if any) replaced as in
 * rt_token_address, else NULL. The domain is compared case-insensitively;
 * so is the local part: RFC 5321 lets the receiving server treat it as
 * case-sensitive, but the mail did reach the hub's mailbox and many servers
 * fold case on the way. The token is returned as written and not checked:
 * pass it to rt_token_verify. (transfer full) */
char *rt_token_from_address (const char *hub_address, const char *to_address);

/* Fills out with RT_TOKEN_KEY_LEN bytes from the kernel's CSPRNG. */
gboolean rt_token_key_generate (guint8 out[RT_TOKEN_KEY_LEN], GError **error);

G_END_DECLS
