/* rt-mailin.c: what a mail to a workspace's mailbox becomes. Pure
 * decisions over the store (reads only); the writes are in
 * rt-store-mailin.c, the libpurple side in plugin/glue/rt-mail-in.c. */
#include "config.h"
#include <string.h>
#include <glib/gi18n-lib.h>
#include "rt-mailin.h"
#include "rt-token.h"

/* Longest name of the answered message's author in a thread label. */
#define PARENT_LABEL_CHARS 40

char *
rt_mailin_key (const RtMailinMail *mail, const char *text)
{
  if (mail->message_id != NULL && *mail->message_id != '\0')
    return g_strdup (mail->message_id);
  /* No Message-ID (rare: every MTA adds one): the same mail fetched again
   * gives the same digest. A Message-ID always has an "@", a digest
   * never, so the two cannot collide. */
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  const char *parts[] = { mail->from_address, mail->subject, text };
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    g_checksum_update (sum, (const guchar *) (parts[i] ? parts[i] : ""), (gssize) strlen (parts[i] ? parts[i] : "") + 1);
  g_checksum_update (sum, (const guchar *) &mail->date_us, sizeof mail->date_us);
  return g_strconcat ("sha256:", g_checksum_get_string (sum), NULL);
}

/* "local" and "domain" of local[+tag]@domain; FALSE when not an address. */
static gboolean
split_address (const char *address, char **local, char **domain)
{
  const char *at = address != NULL ? strrchr (address, '@') : NULL;
  if (at == NULL || at == address || at[1] == '\0')
    return FALSE;
  gsize n = at - address;
  const char *plus = memchr (address, '+', n);
  *local = g_strndup (address, plus != NULL ? (gsize) (plus - address) : n);
  *domain = g_strdup (at + 1);
  return TRUE;
}

/* a and b name the same mailbox, +tags ignored, case-insensitively. */
static gboolean
same_mailbox (const char *a, const char *b)
{
  g_autofree char *la = NULL, *da = NULL, *lb = NULL, *db = NULL;
  return split_address (a, &la, &da) && split_address (b, &lb, &db)
         && g_ascii_strcasecmp (la, lb) == 0 && g_ascii_strcasecmp (da, db) == 0;
}

/* Workspaces whose mailbox is this account. (RtWorkspace*) */
static GPtrArray *
workspaces_of (RtStore *store, const char *mailbox)
{
  GPtrArray *all = rt_store_workspaces (store);
  for (guint i = all->len; i-- > 0;)
    {
      const RtWorkspace *ws = g_ptr_array_index (all, i);
      if (mailbox == NULL || ws->mailbox == NULL || g_ascii_strcasecmp (ws->mailbox, mailbox) != 0)
        g_ptr_array_remove_index (all, i);
    }
  return all;
}

static gboolean
has_workspace (GPtrArray *wss, gint64 ws_id)
{
  for (guint i = 0; i < wss->len; i++)
    if (((const RtWorkspace *) g_ptr_array_index (wss, i))->id == ws_id)
      return TRUE;
  return FALSE;
}

/* A mailbox of any workspace: the hub itself. */
static gboolean
is_hub_address (RtStore *store, const char *address)
{
  g_autoptr(GPtrArray) all = rt_store_workspaces (store);
  for (guint i = 0; i < all->len; i++)
    {
      const RtWorkspace *ws = g_ptr_array_index (all, i);
      if (ws->mailbox != NULL && same_mailbox (ws->mailbox, address))
        return TRUE;
    }
  return FALSE;
}

static gboolean
member_has_address (const RtMember *m, const char *address)
{
  for (guint i = 0; address != NULL && i < m->endpoints->len; i++)
    {
      const RtEndpoint *ep = g_ptr_array_index (m->endpoints, i);
      if (g_strcmp0 (ep->scheme, RT_EMAIL_SCHEME) == 0 && g_ascii_strcasecmp (ep->address, address) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The first token in the recipients (hub+TOKEN@domain), or NULL.
 * (transfer full) */
static char *
find_token (const char *mailbox, const char *const *recipients)
{
  for (guint i = 0; recipients != NULL && recipients[i] != NULL; i++)
    {
      char *token = rt_token_from_address (mailbox, recipients[i]);
      if (token != NULL && *token != '\0')
        return token;
      g_free (token);
    }
  return NULL;
}

static gboolean
blank (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

/* The thread the mail answers: In-Reply-To, then References newest first,
 * looked up among the Message-IDs the hub mailed for this workspace. */
static gint64
find_thread (RtStore *store, gint64 ws_id, const RtMailinMail *mail)
{
  gint64 t = mail->in_reply_to != NULL ? rt_store_mailin_thread_of (store, ws_id, mail->in_reply_to) : 0;
  guint n = mail->references != NULL ? g_strv_length ((char **) mail->references) : 0;
  for (guint i = n; t == 0 && i-- > 0;)
    t = rt_store_mailin_thread_of (store, ws_id, mail->references[i]);
  return t;
}

static void
post (RtStore *store, const RtMailinMail *mail, const RtMember *m, RtMailinDecision *out)
{
  out->ws_id = m->ws_id;
  out->member_id = m->id;
  if (blank (mail->new_text))
    {
      out->action = RT_MAILIN_EMPTY;
      out->why = "no new text";
      return;
    }
  out->action = RT_MAILIN_POST;
  out->why = "posted";
  out->thread_id = find_thread (store, m->ws_id, mail);
}

static void
refuse (RtStore *store, const RtMailinMail *mail, RtMailinDecision *out, const char *why)
{
  out->action = RT_MAILIN_REFUSE;
  out->why = why;
  out->member_id = 0;
  out->explain = rt_mailin_may_explain (store, mail);
}

/* A mail with a token: the token's checks (rt-token.h, "What the caller
 * must check"), in the order that tells the least to a forger. */
static void
decide_token (RtStore *store, const guint8 *key, gsize key_len, GPtrArray *wss, const char *token,
              const RtMailinMail *mail, RtMailinDecision *out)
{
  RtTokenPurpose purpose;
  gint64 member_id = 0, ws_id = 0;
  if (!rt_token_verify (key, key_len, token, &purpose, &member_id, &ws_id, NULL))
    {
      refuse (store, mail, out, "reply address not valid");
      return;
    }
  if (!has_workspace (wss, ws_id))
    {
      refuse (store, mail, out, "reply address of a workspace not using this mailbox");
      return;
    }
  out->ws_id = ws_id;
  g_autoptr(RtMember) m = rt_store_member_get (store, member_id);
  if (m == NULL || m->ws_id != ws_id)
    {
      refuse (store, mail, out, "reply address of a removed member");
      return;
    }
  if (!member_has_address (m, mail->from_address))
    {
      refuse (store, mail, out, "reply address used from another address");
      return;
    }
  if (purpose == RT_TOKEN_UNSUBSCRIBE)
    {
      out->action = RT_MAILIN_UNSUBSCRIBE;
      out->why = "unsubscribed";
      out->member_id = m->id;
      return;
    }
  post (store, mail, m, out);
}

void
rt_mailin_decide (RtStore *store, const guint8 *key, gsize key_len, const char *mail_key,
                  const RtMailinMail *mail, RtMailinDecision *out)
{
  memset (out, 0, sizeof *out);
  g_autoptr(GPtrArray) wss = workspaces_of (store, mail->mailbox);
  if (wss->len == 0)
    {
      out->action = RT_MAILIN_NOT_OURS;
      out->why = "not a workspace's mailbox";
      return;
    }
  if (mail_key != NULL && rt_store_mailin_seen (store, mail_key))
    {
      out->action = RT_MAILIN_DUPLICATE;
      out->why = "seen before";
      return;
    }
  if (mail->kind == RT_MAILIN_BOUNCED)
    {
      out->action = RT_MAILIN_BOUNCE;
      out->why = "bounce";
      return;
    }
  if (mail->kind == RT_MAILIN_AUTOMATIC)
    {
      out->action = RT_MAILIN_AUTO;
      out->why = "automatic";
      return;
    }
  if (mail->from_address == NULL || is_hub_address (store, mail->from_address))
    {
      /* The hub's own mail (a loop) or no sender at all. */
      out->action = RT_MAILIN_NOT_OURS;
      out->why = mail->from_address == NULL ? "no sender" : "the hub's own mail";
      return;
    }
  g_autofree char *token = find_token (mail->mailbox, mail->recipients);
  if (token != NULL)
    {
      decide_token (store, key, key_len, wss, token, mail, out);
      explicit_bzero (token, strlen (token));
      return;
    }
  /* No token: mail from a member's address to the mailbox of their
   * workspace, as before tokens existed. */
  g_autoptr(GPtrArray) members = rt_store_members_by_endpoint (store, RT_EMAIL_SCHEME, mail->from_address);
  for (guint i = 0; i < members->len; i++)
    {
      const RtMember *m = g_ptr_array_index (members, i);
      if (has_workspace (wss, m->ws_id))
        {
          /* The store orders members who were reached last first. */
          post (store, mail, m, out);
          return;
        }
    }
  out->action = RT_MAILIN_NOT_OURS;
  out->why = "not from a member";
}

gboolean
rt_mailin_may_explain (RtStore *store, const RtMailinMail *mail)
{
  static const char *const never[] = { "mailer-daemon", "postmaster", "noreply", "no-reply",
                                       "do-not-reply", "donotreply", NULL };
  g_autofree char *local = NULL, *domain = NULL;
  if (mail->kind != RT_MAILIN_HUMAN || (mail->return_path != NULL && *mail->return_path == '\0')
      || !split_address (mail->from_address, &local, &domain))
    return FALSE;
  for (guint i = 0; never[i] != NULL; i++)
    if (g_ascii_strcasecmp (local, never[i]) == 0)
      return FALSE;
  return !is_hub_address (store, mail->from_address);
}

/* English, then the hub's language when it has a translation. */
static char *
both_languages (const char *english, const char *translated, const char *separator)
{
  if (g_strcmp0 (english, translated) == 0)
    return g_strdup (english);
  return g_strconcat (english, separator, translated, NULL);
}

char *
rt_mailin_explain_subject (void)
{
  static const char subject[] = N_("Your mail was not posted");
  return both_languages (subject, _(subject), " / ");
}

char *
rt_mailin_explain_text (const char *mailbox)
{
  static const char text[] =
    N_("Your mail to %s was not posted to the workspace.\n\n"
       "It was sent to a reply address that does not work for your address: the mail "
       "you answered was meant for someone else, the address was changed on the way, or "
       "the member it was made for has left the workspace. Answer from the address the "
       "workspace writes to, or ask the workspace's owner to add this address.\n\n"
       "This is an automatic answer; you get at most one a day.");
  g_autofree char *english = g_strdup_printf (text, mailbox);
  g_autofree char *local = g_strdup_printf (_(text), mailbox);
  return both_languages (english, local, "\n\n----\n\n");
}

char *
rt_mailin_thread_label (const char *author_label, const char *parent_label)
{
  if (parent_label == NULL || *parent_label == '\0')
    return g_strdup (author_label);
  g_autofree char *parent = g_strdup (parent_label);
  /* "Alice Dubois (Brussels)" -> "Alice Dubois": the room knows her site. */
  gsize n = strlen (parent);
  char *open = g_strrstr (parent, " (");
  if (n > 0 && parent[n - 1] == ')' && open != NULL && open != parent)
    *open = '\0';
  if (g_utf8_strlen (parent, -1) > PARENT_LABEL_CHARS)
    {
      *g_utf8_offset_to_pointer (parent, PARENT_LABEL_CHARS - 1) = '\0';
      char *clipped = g_strconcat (parent, "…", NULL);
      g_free (parent);
      parent = clipped;
    }
  /* TRANSLATORS: a reply's author, then the author of the message it answers. */
  return g_strdup_printf (_("%s ↪ %s"), author_label, parent);
}
