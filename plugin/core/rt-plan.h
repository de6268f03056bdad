/* rt-plan.h: the delivery plan for one message and one member. Pure: no I/O,
 * no clock, no store. */
#pragma once
#include "rt-model.h"
#include "rt-reach.h"

G_BEGIN_DECLS

typedef enum {
  RT_ROUTE_NONE = 0,   /* nothing to deliver (see RtPlanReason) */
  RT_ROUTE_IM,         /* send now as an IM to endpoint_index */
  RT_ROUTE_PENDING,    /* keep for the member's next digest */
} RtRoute;

typedef enum {
  RT_REASON_NONE = 0,
  RT_REASON_AUTHOR,        /* the member wrote it */
  RT_REASON_IN_ROOM,       /* the member sits in a linked room and saw it there */
  RT_REASON_LIVE,
  RT_REASON_AWAY,
  RT_REASON_OFF_HOURS_IM,  /* off-hours but the member allows IM then */
  RT_REASON_OFF_HOURS,
  RT_REASON_NO_ENDPOINT,   /* async-only */
} RtPlanReason;

typedef struct {
  gboolean im_when_away;   /* TRUE (default): an away member still gets the IM */
} RtPolicy;

typedef struct {
  RtRoute      route;
  RtPlanReason reason;
  gint         endpoint_index;  /* for RT_ROUTE_IM, else -1 */
} RtPlan;

void   rt_policy_init_default (RtPolicy *policy);

/* msg->author_member == member->id gives NONE/AUTHOR; in_linked_room gives
 * NONE/IN_ROOM; then by reachability: LIVE -> IM; AWAY -> IM if
 * policy->im_when_away else PENDING; OFF_HOURS -> IM if member->offhours_im and
 * online, else PENDING; ASYNC_ONLY -> PENDING. */
RtPlan rt_plan_for_member (const RtMessage *msg, const RtMember *member,
                           const RtReachability *reach, gboolean in_linked_room,
                           const RtPolicy *policy);

/* Translated, for /ws who: "live IM", "next digest", "none (in room)". */
const char *rt_plan_describe (const RtPlan *plan);
/* Stable keyword stored in the outbox: "im", "pending", "none". */
const char *rt_route_to_string (RtRoute route);

G_END_DECLS
