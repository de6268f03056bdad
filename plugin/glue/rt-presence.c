/* rt-presence.c: what libpurple knows about members: which local account
 * reaches an endpoint, the presence of that endpoint, and whether a member
 * sits in a linked room. These answers feed the core's RtWorld. */
#include "rt-glue.h"
#include "rt-clock.h"

#define SETTLE_US (3 * G_USEC_PER_SEC)

/* account -> monotonic µs of its last sign-on (accounts live until exit). */
static GHashTable *signed_on_at;

gboolean
rt_presence_settled (PurpleAccount *account)
{
  gpointer at = signed_on_at ? g_hash_table_lookup (signed_on_at, account) : NULL;
  return at == NULL || g_get_monotonic_time () - *(gint64 *) at > SETTLE_US;
}

const char *
rt_presence_scheme_for_protocol (const char *protocol_id)
{
  if (g_strcmp0 (protocol_id, "prpl-jabber") == 0)
    return "xmpp";
  if (g_strcmp0 (protocol_id, "prpl-irc") == 0)
    return "irc";
  return protocol_id;
}

/* "alice@site-a.test/Res" -> "site-a.test"; NULL without '@'. */
static char *
domain_of (const char *name)
{
  const char *at = name != NULL ? strchr (name, '@') : NULL;
  if (at == NULL)
    return NULL;
  const char *slash = strchr (at + 1, '/');
  return slash ? g_strndup (at + 1, slash - at - 1) : g_strdup (at + 1);
}

PurpleAccount *
rt_presence_account_for (const RtEndpoint *ep)
{
  const char *protocol = rt_endpoint_protocol (ep);
  if (protocol == NULL)
    return NULL;

  if (ep->account != NULL)
    {
      PurpleAccount *named = purple_accounts_find (ep->account, protocol);
      return named != NULL && purple_account_is_connected (named) ? named : NULL;
    }

  g_autofree char *ep_domain = domain_of (ep->address);
  PurpleAccount *with_buddy = NULL, *same_domain = NULL, *first = NULL;
  for (GList *l = purple_accounts_get_all (); l != NULL; l = l->next)
    {
      PurpleAccount *account = l->data;
      if (g_strcmp0 (purple_account_get_protocol_id (account), protocol) != 0
          || !purple_account_is_connected (account))
        continue;
      if (first == NULL)
        first = account;
      if (with_buddy == NULL && purple_find_buddy (account, ep->address) != NULL)
        with_buddy = account;
      g_autofree char *domain = domain_of (purple_account_get_username (account));
      if (same_domain == NULL && ep_domain != NULL
          && g_ascii_strcasecmp (ep_domain, domain ? domain : "") == 0)
        same_domain = account;
    }
  if (with_buddy != NULL)
    return with_buddy;
  return same_domain != NULL ? same_domain : first;
}

static RtPresence
endpoint_presence (const RtEndpoint *ep, gpointer data)
{
  PurpleAccount *account = rt_presence_account_for (ep);
  if (account == NULL)
    return RT_PRESENCE_OFFLINE;
  PurpleBuddy *buddy = purple_find_buddy (account, ep->address);
  if (buddy == NULL)
    return RT_PRESENCE_OFFLINE;
  PurplePresence *presence = purple_buddy_get_presence (buddy);
  if (!purple_presence_is_online (presence))
    return RT_PRESENCE_OFFLINE;
  if (!purple_presence_is_available (presence) || purple_presence_is_idle (presence))
    return RT_PRESENCE_AWAY;
  return RT_PRESENCE_AVAILABLE;
}

/* Which members sit in a workspace's linked rooms. Matching every occupant
 * against every member is O(occupants x members), too much to repeat for each
 * member of each message, so the answer is kept per workspace and rebuilt
 * after an occupancy change, a membership change, or 5 s (renames). */
#define IN_ROOM_TTL_US (5 * G_USEC_PER_SEC)

typedef struct {
  GHashTable *ids;         /* member id set */
  GPtrArray  *members;     /* the store's cached array it was built from */
  gint64      built_at;
} InRoom;

static GHashTable *in_room_cache;   /* ws_id -> InRoom* */

static void
in_room_free (InRoom *entry)
{
  g_hash_table_destroy (entry->ids);
  g_free (entry);
}

static void
rooms_changed (void)
{
  if (in_room_cache != NULL)
    g_hash_table_remove_all (in_room_cache);
}

static InRoom *
in_room_build (gint64 ws_id, GPtrArray *members)
{
  RtGlue *glue = rt_glue ();
  InRoom *entry = g_new0 (InRoom, 1);
  entry->ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  entry->members = members;
  entry->built_at = g_get_monotonic_time ();
  g_autoptr(GPtrArray) links = rt_store_links (glue->store, ws_id);
  for (guint i = 0; i < links->len; i++)
    {
      /* A stream timeline lists no readers: nobody "sits" in it. */
      if (rt_bridge_is_stream_link (g_ptr_array_index (links, i)))
        continue;
      PurpleConversation *conv = rt_bridge_link_conversation (g_ptr_array_index (links, i));
      if (conv == NULL)
        continue;
      for (GList *u = purple_conv_chat_get_users (PURPLE_CONV_CHAT (conv)); u != NULL; u = u->next)
        {
          const RtMember *m = rt_bridge_member_for_nick (ws_id, purple_conv_chat_cb_get_name (u->data));
          if (m != NULL)
            g_hash_table_add (entry->ids, g_memdup2 (&m->id, sizeof m->id));
        }
    }
  return entry;
}

static gboolean
member_in_room (const RtMember *member, gint64 ws_id, gpointer data)
{
  GPtrArray *members = rt_store_members (rt_glue ()->store, ws_id);
  InRoom *entry = g_hash_table_lookup (in_room_cache, &ws_id);
  if (entry == NULL || entry->members != members
      || g_get_monotonic_time () - entry->built_at > IN_ROOM_TTL_US)
    {
      entry = in_room_build (ws_id, members);
      g_hash_table_replace (in_room_cache, g_memdup2 (&ws_id, sizeof ws_id), entry);
    }
  return g_hash_table_contains (entry->ids, &member->id);
}

void
rt_presence_world_init (RtWorld *world)
{
  world->endpoint_presence = endpoint_presence;
  world->member_in_room = member_in_room;
  world->data = NULL;
}

static PurpleGroup *
roundtable_group (void)
{
  /* Not translated: the name is saved in the buddy list, and a translated
   * one would make a second group when the user changes language. */
  const char *name = "Roundtable";
  PurpleGroup *group = purple_find_group (name);
  if (group == NULL)
    {
      group = purple_group_new (name);
      purple_blist_add_group (group, NULL);
    }
  return group;
}

void
rt_presence_track_member (const RtMember *member)
{
  for (guint i = 0; i < member->endpoints->len; i++)
    {
      const RtEndpoint *ep = g_ptr_array_index (member->endpoints, i);
      PurpleAccount *account = rt_presence_account_for (ep);
      if (account == NULL || purple_find_buddy (account, ep->address) != NULL)
        continue;
      PurpleBuddy *buddy = purple_buddy_new (account, ep->address, member->name);
      purple_blist_add_buddy (buddy, NULL, roundtable_group (), NULL);
      /* Asks the server for a presence subscription. */
      purple_account_add_buddy (account, buddy);
      purple_debug_info (RT_DEBUG_CAT, "tracking %s for member %s\n", ep->address, member->handle);
    }
  rooms_changed ();   /* a new nick or endpoint may match an occupant now */
}

void
rt_presence_track_account (PurpleAccount *account)
{
  RtGlue *glue = rt_glue ();
  g_autoptr(GPtrArray) workspaces = rt_store_workspaces (glue->store);
  for (guint w = 0; w < workspaces->len; w++)
    {
      const RtWorkspace *ws = g_ptr_array_index (workspaces, w);
      GPtrArray *members = rt_store_members (glue->store, ws->id);
      for (guint i = 0; i < members->len; i++)
        rt_presence_track_member (g_ptr_array_index (members, i));
    }
}

static void
on_signed_on (PurpleConnection *gc, gpointer data)
{
  PurpleAccount *account = purple_connection_get_account (gc);
  gint64 *at = g_new (gint64, 1);
  *at = g_get_monotonic_time ();
  g_hash_table_replace (signed_on_at, account, at);
  rt_presence_track_account (account);
  rt_bridge_join_links (account);
  rt_pump_kick ();
  rt_digester_retry_now ();   /* a mailbox, maybe: waiting digests go now */
}

/* ---- seen live (members.last_live_us; a mention mail is dropped if the
 * member was live after the message) ------------------------------------ */

/* A buddy came online or changed status: each member with that endpoint who
 * is live now is recorded. */
static void
on_buddy_presence (PurpleBuddy *buddy)
{
  RtGlue *glue = rt_glue ();
  PurpleAccount *account = purple_buddy_get_account (buddy);
  const char *scheme = rt_presence_scheme_for_protocol (purple_account_get_protocol_id (account));
  g_autoptr(GPtrArray) members = rt_store_members_by_endpoint (glue->store, scheme,
                                                               purple_buddy_get_name (buddy));
  gint64 now = rt_clock_now ();
  for (guint i = 0; i < members->len; i++)
    {
      const RtMember *m = g_ptr_array_index (members, i);
      if (rt_hub_reach (&glue->world, m, now).reach == RT_REACH_LIVE)
        rt_digester_seen_live (m->id);
    }
}

static void
on_buddy_status (PurpleBuddy *buddy, PurpleStatus *old_status, PurpleStatus *status, gpointer data)
{
  on_buddy_presence (buddy);
}

static void
on_buddy_signed_on (PurpleBuddy *buddy, gpointer data)
{
  on_buddy_presence (buddy);
}

/* Occupants of a linked room who are members were live there. */
static void
seen_in_room (PurpleConversation *conv, const char *nick)
{
  RtGlue *glue = rt_glue ();
  PurpleAccount *account = purple_conversation_get_account (conv);
  g_autoptr(RtLink) link = rt_store_link_find (glue->store, purple_account_get_protocol_id (account),
                                               purple_account_get_username (account),
                                               purple_conversation_get_name (conv));
  if (link == NULL)
    return;
  if (nick != NULL)
    {
      const RtMember *m = rt_bridge_member_for_nick (link->ws_id, nick);
      if (m != NULL)
        rt_digester_seen_live (m->id);
      return;
    }
  for (GList *u = purple_conv_chat_get_users (PURPLE_CONV_CHAT (conv)); u != NULL; u = u->next)
    {
      const RtMember *m = rt_bridge_member_for_nick (link->ws_id, purple_conv_chat_cb_get_name (u->data));
      if (m != NULL)
        rt_digester_seen_live (m->id);
    }
}

static void
on_chat_buddy_joined (PurpleConversation *conv, const char *name, PurpleConvChatBuddyFlags flags,
                      gboolean new_arrival, gpointer data)
{
  rooms_changed ();
  seen_in_room (conv, name);
}

static void
on_chat_joined_seen (PurpleConversation *conv, gpointer data)
{
  rooms_changed ();
  seen_in_room (conv, NULL);
}

static void
on_room_change (void)
{
  rooms_changed ();
}

void
rt_presence_connect (PurplePlugin *plugin)
{
  g_clear_pointer (&in_room_cache, g_hash_table_destroy);   /* from an earlier load */
  in_room_cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) in_room_free);
  void *conversations = purple_conversations_get_handle ();
  static const char *const room_signals[] = { "chat-buddy-left", "chat-left" };
  for (guint i = 0; i < G_N_ELEMENTS (room_signals); i++)
    purple_signal_connect (conversations, room_signals[i], plugin, PURPLE_CALLBACK (on_room_change), NULL);
  purple_signal_connect (conversations, "chat-buddy-joined", plugin,
                         PURPLE_CALLBACK (on_chat_buddy_joined), NULL);
  purple_signal_connect (conversations, "chat-joined", plugin,
                         PURPLE_CALLBACK (on_chat_joined_seen), NULL);
  void *blist = purple_blist_get_handle ();
  purple_signal_connect (blist, "buddy-status-changed", plugin, PURPLE_CALLBACK (on_buddy_status), NULL);
  purple_signal_connect (blist, "buddy-signed-on", plugin, PURPLE_CALLBACK (on_buddy_signed_on), NULL);
  if (signed_on_at == NULL)
    signed_on_at = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  purple_signal_connect (purple_connections_get_handle (), "signed-on", plugin,
                         PURPLE_CALLBACK (on_signed_on), NULL);
}
