/* rt-digest-run.c: choosing who gets a digest now, collecting its items and
 * building the mail's fields (see rt-digest-run.h). */
#include "config.h"
#include <string.h>
#include <libintl.h>
#include <glib/gi18n-lib.h>
#include "rt-digest-run.h"
#include "rt-email.h"
#include "rt-error.h"
#include "rt-lang.h"
#include "rt-mailout.h"
#include "rt-mention.h"
#include "rt-token.h"

/* Mention mails are written for a member, in the member's language: lookups
 * straight from libintl, not GLib's g_dgettext() family, which may switch
 * translation off for the whole process (rt-lang.h, caveat 1). */
#undef _
#define _(String) dgettext (GETTEXT_PACKAGE, String)

#define THREAD_TITLE_CHARS 60

gboolean
rt_digest_row_eligible (const RtMember *member, const RtWorkspace *ws)
{
  return member->digest.kind != RT_SCHEDULE_OFF && member->unsubscribed_us == 0
         && rt_member_mail_endpoint (member) >= 0
         && ws != NULL && ws->mailbox != NULL && *ws->mailbox != '\0';
}

gint64
rt_digest_row_due (const RtMember *m, gint64 since_us, gint64 now_us, gint64 *next_us)
{
  gint64 last = m->last_digest_slot;
  gint64 slot = rt_schedule_due_slot (&m->digest, &m->hours, &m->quiet, m->tz, last, now_us);

  if (next_us != NULL)
    *next_us = 0;
  if (slot != 0 && slot >= since_us)
    return slot;
  if (next_us != NULL)
    {
      /* The first slot after the last one sent, after now, and not before
       * the oldest item. */
      gint64 after = MAX (last, MAX (now_us, since_us - 1));
      *next_us = rt_schedule_next_slot (&m->digest, &m->hours, &m->quiet, m->tz, after);
    }
  return 0;
}

void
rt_digest_person_free (RtDigestPerson *person)
{
  if (person == NULL)
    return;
  g_free (person->address);
  g_ptr_array_unref (person->rows);
  g_array_unref (person->slots);
  g_free (person);
}

static gint
row_by_id (gconstpointer a, gconstpointer b)
{
  const RtDigestRow *x = a, *y = b;
  return x->member->id < y->member->id ? -1 : x->member->id > y->member->id;
}

GPtrArray *
rt_digest_people (const RtDigestRow *rows, guint n_rows, gint64 now_us)
{
  GPtrArray *people = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_digest_person_free);
  g_autoptr (GHashTable) by_address = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GArray) sorted = g_array_sized_new (FALSE, FALSE, sizeof (RtDigestRow), n_rows);

  g_array_append_vals (sorted, rows, n_rows);
  g_array_sort (sorted, row_by_id);
  for (guint i = 0; i < sorted->len; i++)
    {
      const RtDigestRow *row = &g_array_index (sorted, RtDigestRow, i);
      gint ep = rt_member_mail_endpoint (row->member);
      if (ep < 0)
        continue;
      const char *address = ((RtEndpoint *) g_ptr_array_index (row->member->endpoints, ep))->address;
      g_autofree char *key = g_utf8_casefold (address, -1);
      RtDigestPerson *p = g_hash_table_lookup (by_address, key);
      if (p == NULL)
        {
          p = g_new0 (RtDigestPerson, 1);
          p->address = g_steal_pointer (&key);
          p->rows = g_ptr_array_new ();
          p->slots = g_array_new (FALSE, FALSE, sizeof (gint64));
          g_hash_table_insert (by_address, p->address, p);
          g_ptr_array_add (people, p);
        }
      g_ptr_array_add (p->rows, (gpointer) row->member);
      if (row->since_us != 0 && (p->since_us == 0 || row->since_us < p->since_us))
        p->since_us = row->since_us;
    }

  for (guint i = people->len; i-- > 0;)
    {
      RtDigestPerson *p = g_ptr_array_index (people, i);
      if (p->since_us == 0)
        {
          g_ptr_array_remove_index (people, i);   /* nothing kept for them */
          continue;
        }
      for (guint r = 0; r < p->rows->len; r++)
        {
          const RtMember *m = g_ptr_array_index (p->rows, r);
          gint64 next = 0;
          gint64 slot = rt_digest_row_due (m, p->since_us, now_us, &next);
          if (slot != 0)
            {
              g_array_append_val (p->slots, m->id);
              g_array_append_val (p->slots, slot);
              if (p->due == NULL || slot > p->due_slot)
                {
                  p->due = m;
                  p->due_slot = slot;
                }
            }
          else if (next != 0 && (p->next_us == 0 || next < p->next_us))
            p->next_us = next;
        }
      if (p->due != NULL)
        p->next_us = 0;
    }
  return people;
}

/* ---- the batch ------------------------------------------------------- */

void
rt_digest_batch_free (RtDigestBatch *batch)
{
  if (batch == NULL)
    return;
  g_array_unref (batch->items);
  g_array_unref (batch->rows);
  g_ptr_array_unref (batch->messages);
  g_ptr_array_unref (batch->workspaces);
  g_ptr_array_unref (batch->strings);
  g_free (batch);
}

static const RtWorkspace *
batch_workspace (RtStore *store, RtDigestBatch *batch, GHashTable *cache, gint64 ws_id)
{
  RtWorkspace *ws = g_hash_table_lookup (cache, &ws_id);
  if (ws == NULL && (ws = rt_store_workspace_get (store, ws_id)) != NULL)
    {
      g_ptr_array_add (batch->workspaces, ws);
      g_hash_table_insert (cache, &ws->id, ws);
    }
  return ws;
}

/* The first words of the message a thread answers, or NULL. */
static const char *
batch_thread (RtStore *store, RtDigestBatch *batch, GHashTable *cache, gint64 thread_id)
{
  gpointer title;
  if (thread_id == 0)
    return NULL;
  if (g_hash_table_lookup_extended (cache, &thread_id, NULL, &title))
    return title;
  g_autoptr (RtMessage) root = rt_store_message_get (store, thread_id);
  char *t = root != NULL ? rt_mailout_first_words (root->text, THREAD_TITLE_CHARS) : NULL;
  if (t != NULL)
    g_ptr_array_add (batch->strings, t);
  gint64 *key = g_new (gint64, 1);
  *key = thread_id;
  g_ptr_array_add (batch->strings, key);   /* freed with the strings */
  g_hash_table_insert (cache, key, t);
  return t;
}

RtDigestBatch *
rt_digest_batch_load (RtStore *store, const RtDigestPerson *person,
                      const RtPendingRow *pending, guint n_pending)
{
  RtDigestBatch *batch = g_new0 (RtDigestBatch, 1);
  batch->items = g_array_new (FALSE, TRUE, sizeof (RtDigestItem));
  batch->rows = g_array_new (FALSE, FALSE, sizeof (RtPendingRow));
  batch->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_message_free);
  batch->workspaces = g_ptr_array_new_with_free_func ((GDestroyNotify) rt_workspace_free);
  batch->strings = g_ptr_array_new_with_free_func (g_free);

  g_autoptr (GHashTable) rows = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < person->rows->len; i++)
    {
      RtMember *m = g_ptr_array_index (person->rows, i);
      g_hash_table_insert (rows, &m->id, m);
    }
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr (GHashTable) wss = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr (GHashTable) threads = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; i < n_pending; i++)
    {
      const RtMember *m = g_hash_table_lookup (rows, &pending[i].member_id);
      if (m == NULL)
        continue;
      g_array_append_val (batch->rows, pending[i]);
      if (g_hash_table_contains (seen, &pending[i].msg_id))
        continue;   /* two rows of one person in one workspace: once */
      RtMessage *msg = rt_store_message_get (store, pending[i].msg_id);
      if (msg == NULL)
        continue;
      g_ptr_array_add (batch->messages, msg);
      g_hash_table_add (seen, &msg->id);
      const RtWorkspace *ws = batch_workspace (store, batch, wss, msg->ws_id);
      RtDigestItem item = {
        .msg_id = msg->id,
        .ws_id = msg->ws_id,
        .ws_name = ws != NULL ? ws->name : "",
        .thread = batch_thread (store, batch, threads, msg->thread_id),
        .author_label = msg->author_label != NULL ? msg->author_label : "",
        .text = msg->text,
        .created_us = msg->created_us,
        .mention = rt_text_mentions (msg->text, m),
        .decision = rt_text_is_decision (msg->text),
      };
      /* Only a mention can have had a mention mail: one key lookup each. */
      item.mailed = item.mention && rt_store_mention_mailed (store, msg->id, m->id);
      g_array_append_val (batch->items, item);
    }
  return batch;
}

/* ---- the mail -------------------------------------------------------- */

void
rt_digest_mail_free (RtDigestMail *mail)
{
  if (mail == NULL)
    return;
  g_free (mail->subject);
  g_free (mail->text);
  g_free (mail->html);
  g_free (mail->reply_to);
  g_free (mail->list_id);
  g_free (mail->list_unsubscribe);
  g_free (mail->message_id);
  g_free (mail);
}

/* The domain of mailbox as a valid address, or NULL with error. */
static char *
mailbox_domain (const char *mailbox, GError **error)
{
  g_autofree char *address = rt_email_normalize (mailbox, error);
  return address != NULL ? g_strdup (rt_email_domain (address)) : NULL;
}

char *
rt_digest_list_id (gint64 ws_id, const char *mailbox)
{
  g_autofree char *domain = mailbox_domain (mailbox, NULL);
  return g_strdup_printf ("<ws-%" G_GINT64_FORMAT ".roundtable.%s>", ws_id,
                          domain != NULL ? domain : "invalid");
}

char *
rt_digest_token_address (const guint8 *key, gsize key_len, int purpose, gint64 member_id,
                         gint64 ws_id, const char *mailbox, GError **error)
{
  g_autofree char *token = rt_token_make (key, key_len, purpose, member_id, ws_id);
  if (token == NULL)
    {
      g_set_error_literal (error, RT_ERROR, RT_ERROR_INVALID, _("No reply address can be made."));
      return NULL;
    }
  g_autofree char *address = rt_token_address (mailbox, token, error);
  memset (token, 0, strlen (token));
  if (address == NULL)
    return NULL;
  if (purpose == RT_TOKEN_UNSUBSCRIBE)
    return g_strconcat ("mailto:", address, NULL);
  return g_steal_pointer (&address);
}

/* Reply-To, List-Id, List-Unsubscribe and Message-ID for member in ws_id. */
static gboolean
mail_headers (RtDigestMail *mail, const RtMember *member, const char *mailbox,
              const guint8 *key, gsize key_len, const char *id_local, GError **error)
{
  g_autofree char *domain = mailbox_domain (mailbox, error);
  if (domain == NULL)
    return FALSE;
  mail->reply_to = rt_digest_token_address (key, key_len, RT_TOKEN_REPLY, member->id,
                                            member->ws_id, mailbox, error);
  g_autofree char *unsubscribe = mail->reply_to == NULL ? NULL
    : rt_digest_token_address (key, key_len, RT_TOKEN_UNSUBSCRIBE, member->id,
                               member->ws_id, mailbox, error);
  if (unsubscribe == NULL)
    return FALSE;
  mail->list_unsubscribe = g_strdup_printf ("<%s>", unsubscribe);
  mail->list_id = rt_digest_list_id (member->ws_id, mailbox);
  mail->message_id = g_strdup_printf ("<%s@%s>", id_local, domain);
  return TRUE;
}

RtDigestMail *
rt_digest_mail_new (const RtDigestPerson *person, const RtDigestBatch *batch,
                    const char *mailbox, const guint8 *key, gsize key_len,
                    gint64 now_us, GError **error)
{
  g_return_val_if_fail (person->due != NULL, NULL);
  if (batch->items->len == 0)
    return NULL;
  g_autoptr (RtDigestMail) mail = g_new0 (RtDigestMail, 1);
  g_autofree char *id_local = g_strdup_printf ("rt-digest-%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                                               person->due->id, person->due_slot);
  if (!mail_headers (mail, person->due, mailbox, key, key_len, id_local, error))
    return NULL;

  /* A reply and unsubscribe link per workspace, for the person's row in it. */
  g_autoptr (GArray) links = g_array_new (FALSE, TRUE, sizeof (RtDigestLink));
  g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < person->rows->len; i++)
    {
      const RtMember *m = g_ptr_array_index (person->rows, i);
      char *reply = rt_digest_token_address (key, key_len, RT_TOKEN_REPLY, m->id, m->ws_id,
                                             mailbox, NULL);
      char *unsubscribe = rt_digest_token_address (key, key_len, RT_TOKEN_UNSUBSCRIBE, m->id,
                                                   m->ws_id, mailbox, NULL);
      g_ptr_array_add (strings, reply);
      g_ptr_array_add (strings, unsubscribe);
      RtDigestLink link = { m->ws_id, reply, unsubscribe };
      g_array_append_val (links, link);
    }
  RtDigestLinks all = { (const RtDigestLink *) links->data, links->len };
  g_autoptr (RtDigest) digest = rt_digest_compose (person->due,
                                                   (const RtDigestItem *) batch->items->data,
                                                   batch->items->len, &all, now_us);
  for (guint i = 0; i < strings->len; i++)
    if (strings->pdata[i] != NULL)
      memset (strings->pdata[i], 0, strlen (strings->pdata[i]));
  if (digest == NULL)
    return NULL;
  mail->subject = g_steal_pointer (&digest->subject);
  mail->text = g_steal_pointer (&digest->text);
  mail->html = g_steal_pointer (&digest->html);
  return g_steal_pointer (&mail);
}

static char *
html_lines (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_auto (GStrv) lines = g_strsplit (escaped, "\n", -1);
  return g_strjoinv ("<br>\n", lines);
}

RtDigestMail *
rt_mention_mail_new (const RtMember *member, const RtWorkspace *ws, const RtMessage *msg,
                     const char *mailbox, const guint8 *key, gsize key_len, GError **error)
{
  g_autoptr (RtDigestMail) mail = g_new0 (RtDigestMail, 1);
  g_autofree char *id_local = g_strdup_printf ("rt-mention-%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                                               msg->id, member->id);
  if (!mail_headers (mail, member, mailbox, key, key_len, id_local, error))
    return NULL;

  g_autoptr (RtLangScope) scope = rt_lang_scope_enter (member->lang, member->country);
  g_autofree char *ws_name = rt_mailout_first_words (ws->name, G_MAXINT);
  g_autofree char *author = rt_mailout_first_words (msg->author_label ? msg->author_label : "",
                                                    G_MAXINT);
  const char *text = msg->text != NULL ? msg->text : "";
  g_autofree char *when = rt_local_time_format (member->tz, msg->created_us);

  /* TRANSLATORS: subject of a mention mail: workspace, author. */
  mail->subject = g_strdup_printf (_("[%s] %s mentioned you"), ws_name, author);
  /* TRANSLATORS: first line of a mention mail: author, workspace, local
   * day and time ("Tue 14:05"). */
  g_autofree char *intro = g_strdup_printf (_("%s mentioned you in “%s” (%s):"),
                                            author, ws_name, when);
  /* TRANSLATORS: footer of a mention mail. */
  g_autofree char *footer = g_strdup_printf (_("Reply to this mail to answer in “%s”: your "
                                               "reply is posted there as you. This message "
                                               "will also be in your next digest."), ws_name);
  mail->text = g_strdup_printf ("%s\n\n%s\n\n-- \n%s\n", intro, text, footer);

  g_autofree char *h_intro = html_lines (intro);
  g_autofree char *h_text = html_lines (text);
  g_autofree char *h_footer = html_lines (footer);
  g_autofree char *h_subject = g_markup_escape_text (mail->subject, -1);
  mail->html = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                                "<title>%s</title></head><body>\n"
                                "<p>%s</p>\n<blockquote>%s</blockquote>\n"
                                "<p style=\"color:#666666\">%s</p>\n</body></html>\n",
                                h_subject, h_intro, h_text, h_footer);
  return g_steal_pointer (&mail);
}
