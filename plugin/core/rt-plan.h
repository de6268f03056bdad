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
  RT_ROUTE_MAIL,       /* mail now to endpoint_index (a mailto endpoint)
                          through the workspace's mailbox */
} RtRoute;

typedef enum {
  RT_REASON_NONE = 0,
  RT_REASON_AUTHOR,        /* the member wrote it */
  RT_REASON_IN_ROOM,       /* the member sits in a linked room and saw it there */
  RT_REASON_LIVE,
  RT_REASON_AWAY,
  RT_REASON_OFF_HOURS_IM,  /* off-hours but the member allows IM then */
  RT_REASON_OFF_HOURS,     /* route PENDING, or MAIL when immediate mail is on */
  RT_REASON_NO_ENDPOINT,   /* async-only: route PENDING, or MAIL as above */
} RtPlanReason;

typedef struct {
  gboolean im_when_away;   /* TRUE (default): an away member still gets the IM */
  gint64   mention_delay_us; /* a mention of a member who waits for the digest
                                is mailed this long after the message unless
                                they were live meanwhile (default 300 s) */
} RtPolicy;

typedef struct {
  RtRoute      route;
  RtPlanReason reason;
  gint         endpoint_index;  /* for RT_ROUTE_IM and RT_ROUTE_MAIL, else -1 */
} RtPlan;

#define RT_POLICY_MENTION_DELAY_S 300

void   rt_policy_init_default (RtPolicy *policy);

/* msg->author_member == member->id gives NONE/AUTHOR; in_linked_room gives
 * NONE/IN_ROOM; then by reachability: LIVE -> IM; AWAY -> IM if
 * policy->im_when_away else PENDING; OFF_HOURS -> IM if member->offhours_im and
 * online, else PENDING; ASYNC_ONLY -> PENDING.
 * A PENDING plan for OFF_HOURS or NO_ENDPOINT becomes MAIL (to the member's
 * first email endpoint) when the workspace has a mailbox, the member has an
 * email endpoint and wants immediate mail (rt_member_wants_immediate_mail).
 * ws may be NULL (no mailbox). */
RtPlan rt_plan_for_member (const RtMessage *msg, const RtMember *member,
                           const RtReachability *reach, gboolean in_linked_room,
                           const RtPolicy *policy, const RtWorkspace *ws);

/* Translated, for /ws who: "live IM", "next digest", "none (in room)". */
const char *rt_plan_describe (const RtPlan *plan);
/* Stable keyword stored in the outbox: "im", "mail", "pending", "none". */
const char *rt_route_to_string (RtRoute route);
/* The route of a keyword; NONE for anything else. */
RtRoute     rt_route_from_string (const char *keyword);

G_END_DECLS
