/* rt-mail-account.h: one "Roundtable Mail" account (a PurpleConnection's
 * proto_data): its settings, its libcurl loop, its IMAP poll and its SMTP
 * sends. The account owns every transfer and timer; rt_mail_account_free
 * (from the prpl's close) cancels them all. */
#pragma once
#include <purple.h>
#include <curl/curl.h>
#include "rt-curl-loop.h"

G_BEGIN_DECLS

#define RT_MAIL_PRPL_ID "prpl-roundtable-mail"

/* The account option naming a PEM file with the server's self-signed
 * certificate (or the CA that signed it): the only trust anchor of the
 * account's TLS connections when set. Its label is in rt-mail-prpl.c. */
#define RT_MAIL_OPT_TLS_CERTIFICATE "tls_certificate"

typedef enum {
  RT_MAIL_SECURITY_TLS,       /* implicit TLS: imaps://, smtps:// */
  RT_MAIL_SECURITY_STARTTLS,  /* STARTTLS required */
  RT_MAIL_SECURITY_NONE,      /* plaintext, loopback hosts only */
} RtMailSecurity;

typedef struct _RtMailImap RtMailImap;

typedef struct {
  PurpleConnection *gc;     /* (transfer none) */
  PurpleAccount *account;   /* (transfer none) */
  RtCurlLoop *loop;         /* owned: every IMAP and SMTP transfer */
  char *address;            /* the account's mail address (username) */
  char *domain;             /* its right side, for Message-IDs */
  char *from_name;          /* or NULL */
  char *imap_host, *smtp_host;
  int imap_port, smtp_port;
  RtMailSecurity security;
  char *folder;
  int poll_interval;        /* seconds, >= 1 */
  char *source_address;     /* CURLOPT_INTERFACE, or NULL */
  char *tls_certificate;    /* CURLOPT_CAINFO (absolute path), or NULL: the
                             * system's trusted authorities */
  RtMailImap *imap;         /* owned poll state */
  GList *sends;             /* owned RtMailSend* in flight */
  GHashTable *threads;      /* owned: lower-case sender address ->
                             * RtMailThread* of the last mail from them */
  gboolean failed;          /* a connection error was reported */
} RtMailAccount;

/* What a reply to the last mail received from one sender needs (kept in
 * memory per connection, see rt-mail-smtp.c). */
typedef struct {
  char *message_id;         /* without <> */
  char *subject;            /* "" if none */
  GStrv references;         /* their References ids, oldest first */
} RtMailThread;

void rt_mail_thread_free (RtMailThread *t);

/* Reads the account option RT_MAIL_OPT_TLS_CERTIFICATE into
 * ma->tls_certificate (a leading "~/" is the home directory). Empty: the
 * system's authorities, TRUE. A relative path, or a file that cannot be read
 * or holds no PEM certificate: the connection's error (INVALID_SETTINGS,
 * naming the option; libpurple does not reconnect) and FALSE. Ignored (TRUE)
 * for security "none". Reads a small local file: call it once, in login. */
gboolean rt_mail_account_load_certificate (RtMailAccount *ma);

/* An easy handle for url with the account's credentials, security, source
 * address and timeouts; verbose off (the password must never be logged).
 * TLS: peer and host name always verified, against ma->tls_certificate only
 * when it is set. protocols: "imap,imaps" or "smtp,smtps". (transfer full) */
CURL *rt_mail_account_easy (RtMailAccount *ma, const char *url, const char *protocols);

/* "imap://host:port" / "smtps://host:port", hosts in brackets if IPv6.
 * (transfer full) */
char *rt_mail_account_base_url (RtMailAccount *ma, gboolean smtp);

/* Reports a failed transfer as the connection's error, reason chosen from
 * the libcurl code: login denied: AUTHENTICATION_FAILED; a certificate that
 * is not trusted (unknown issuer, self-signed and not named, wrong host
 * name): CERT_UNTRUSTED; the named certificate file unusable:
 * INVALID_SETTINGS (libpurple does not reconnect after those); other TLS
 * failures ENCRYPTION_ERROR, the rest NETWORK_ERROR (libpurple may
 * reconnect). Only the first report counts. */
void rt_mail_account_fail (RtMailAccount *ma, CURLcode code, const char *what, const char *detail);

/* TRUE for codes that mean the server could not be reached or the link broke. */
gboolean rt_mail_curl_is_network (CURLcode code);

/* TRUE for codes that mean the server's certificate was not trusted or the
 * trusted certificates could not be loaded: retrying cannot help. */
gboolean rt_mail_curl_is_certificate (CURLcode code);

G_END_DECLS
