/* rt-reach.h: reachability of a member, a pure function of endpoint presence,
 * local time and working hours. */
#pragma once
#include "rt-model.h"

G_BEGIN_DECLS

typedef enum {
  RT_PRESENCE_OFFLINE = 0,
  RT_PRESENCE_AWAY,       /* online but away, extended away, idle, busy */
  RT_PRESENCE_AVAILABLE,
} RtPresence;

typedef enum {
  RT_REACH_LIVE = 0,      /* an IM endpoint is available, inside working hours */
  RT_REACH_AWAY,          /* online but away, inside working hours */
  RT_REACH_OFF_HOURS,     /* outside working hours or days (whatever the presence) */
  RT_REACH_ASYNC_ONLY,    /* no IM endpoint online */
} RtReach;

typedef struct {
  RtReach  reach;
  gint     best_endpoint;  /* index into member->endpoints of the best online
                              IM endpoint (available before away), -1 if none */
  gboolean online;         /* some endpoint is online (available or away) */
} RtReachability;

/* presence[i] is the presence of member->endpoints[i]; n must equal
 * member->endpoints->len. Inside working hours: LIVE if an endpoint is
 * available, AWAY if only away ones are online, ASYNC_ONLY if none is online.
 * Outside working hours: OFF_HOURS if online, ASYNC_ONLY if not. */
RtReachability rt_reach_compute (const RtMember *member,
                                 const RtPresence *presence, guint n,
                                 gint64 now_us);

/* Untranslated stable keyword: "live", "away", "off-hours", "async-only". */
const char *rt_reach_to_string (RtReach reach);
/* Translated for display. */
const char *rt_reach_to_display (RtReach reach);

G_END_DECLS
