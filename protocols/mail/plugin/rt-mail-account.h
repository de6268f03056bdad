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

/* An easy handle for url with the account's credentials, security, source
 * address and timeouts; verbose off (the password must never be logged).
 * protocols: "imap,imaps" or "smtp,smtps". (transfer full) */
CURL *rt_mail_account_easy (RtMailAccount *ma, const char *url, const char *protocols);

/* "imap://host:port" / "smtps://host:port", hosts in brackets if IPv6.
 * (transfer full) */
char *rt_mail_account_base_url (RtMailAccount *ma, gboolean smtp);

/* Reports a failed transfer as the connection's error, reason chosen from
 * the libcurl code (login denied: authentication, no reconnect; otherwise
 * network, so libpurple may reconnect). Only the first report counts. */
void rt_mail_account_fail (RtMailAccount *ma, CURLcode code, const char *what, const char *detail);

/* TRUE for codes that mean the server could not be reached or the link broke. */
gboolean rt_mail_curl_is_network (CURLcode code);

G_END_DECLS
