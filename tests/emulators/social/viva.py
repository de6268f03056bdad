"""Viva Engage (Yammer) REST API v1, after learn.microsoft.com/rest/api/yammer/:

  users/current.json, groups.json (mine=1),
  messages.json (GET all, POST body/group_id/replied_to_id/direct_to_user_ids),
  messages/my_feed.json, messages/in_group/:id.json, messages/private.json,
  messages/in_thread/:id.json  with older_than / newer_than / threaded / limit.
  Responses: {"messages": [...], "references": [...], "meta": {...}}.
  Rate limits (rest-api-rate-limits): per user per app, messages 10 requests
  in 30 s, all other endpoints 10 in 10 s; over it every endpoint answers 429.
"""
import html
import re

from wire import Resp, yammer_time

API = "/api/v1"
PAGE_MAX = 20


# -- creation --------------------------------------------------------------------------
def new_user(state, name, full_name=None, email=None, job_title="", department=""):
    uid = state.viva_id()
    full = full_name or name
    first, _, last = full.partition(" ")
    u = {"id": uid, "name": name, "full_name": full, "first_name": first, "last_name": last,
         "email": email or "%s@example.com" % name, "job_title": job_title,
         "department": department, "following": [], "activated_at": state.now()}
    state.data["viva_users"][str(uid)] = u
    return u


def new_group(state, name, full_name=None, members=(), privacy="public", description=""):
    gid = state.viva_id()
    g = {"id": gid, "name": name, "full_name": full_name or name, "privacy": privacy,
         "description": description, "members": [int(m) for m in members], "created_at": state.now()}
    state.data["viva_groups"][str(gid)] = g
    return g


def plain_to_rich(text):
    return html.escape(text, quote=False).replace("\n", "<br>")


def new_message(state, sender_id, plain=None, rich=None, group_id=None, replied_to_id=None,
                direct_to=None, attachments=None, liked_by=None, created_at=None):
    data = state.data
    mid = state.viva_id()
    thread_id = mid
    if replied_to_id is not None:
        parent = data["viva_messages"][str(replied_to_id)]
        thread_id, group_id = parent["thread_id"], parent["group_id"]
        if parent["direct_to"] is not None:
            direct_to = sorted((set(parent["direct_to"]) | {parent["sender_id"]}) - {int(sender_id)})
    if plain is None:
        plain = html.unescape(re.sub(r"<[^>]*>", "", rich or ""))
    m = {"id": mid, "sender_id": int(sender_id), "plain": plain,
         "rich": rich if rich is not None else plain_to_rich(plain),
         "group_id": int(group_id) if group_id is not None else None,
         "replied_to_id": int(replied_to_id) if replied_to_id is not None else None,
         "thread_id": thread_id,
         "direct_to": [int(u) for u in direct_to] if direct_to else None,
         "attachments": list(attachments or []), "liked_by": [int(u) for u in (liked_by or [])],
         "created_at": created_at if created_at is not None else state.now()}
    data["viva_messages"][str(mid)] = m
    return m


# -- JSON ------------------------------------------------------------------------------------
def _host(req):
    return req.base_url


def user_json(req, u):
    data = req.state.data
    net = data["viva_network"]
    updates = sum(1 for m in data["viva_messages"].values() if m["sender_id"] == u["id"])
    followers = sum(1 for o in data["viva_users"].values() if u["id"] in o["following"])
    return {
        "type": "user", "id": u["id"], "network_id": net["id"], "state": "active",
        "guid": None, "job_title": u["job_title"], "location": "", "interests": "",
        "summary": "", "expertise": "", "full_name": u["full_name"],
        "first_name": u["first_name"], "last_name": u["last_name"],
        "activated_at": yammer_time(u["activated_at"]), "network_name": net["name"],
        "network_domains": [net["permalink"]], "name": u["name"], "department": u["department"],
        "url": "%s%s/users/%d" % (_host(req), API, u["id"]),
        "web_url": "%s/%s/users/%s" % (_host(req), net["permalink"], u["name"]),
        "mugshot_url": "%s/mugshot/48x48/%d" % (_host(req), u["id"]),
        "mugshot_url_template": "%s/mugshot/{width}x{height}/%d" % (_host(req), u["id"]),
        "birth_date": "", "timezone": "UTC", "external_urls": [], "admin": "false",
        "verified_admin": "false", "can_broadcast": "false",
        "contact": {"im": {"provider": "", "username": ""}, "has_fake_email": False,
                    "email_addresses": [{"type": "primary", "address": u["email"]}],
                    "phone_numbers": []},
        "stats": {"following": len(u["following"]), "followers": followers, "updates": updates},
    }


def group_json(req, g):
    data = req.state.data
    msgs = [m for m in data["viva_messages"].values() if m["group_id"] == g["id"]]
    last = max(msgs, key=lambda m: m["id"], default=None)
    net = data["viva_network"]
    return {
        "type": "group", "id": g["id"], "name": g["name"], "full_name": g["full_name"],
        "description": g["description"], "privacy": g["privacy"], "state": "active",
        "show_in_directory": "true", "creator_type": "user", "mugshot_id": "g%d" % g["id"], "creator_id": g["members"][0] if g["members"] else None,
        "created_at": yammer_time(g["created_at"]),
        "url": "%s%s/groups/%d" % (_host(req), API, g["id"]),
        "web_url": "%s/%s/groups/%s" % (_host(req), net["permalink"], g["name"]),
        "mugshot_url": "%s/group_mugshot/48x48/%d" % (_host(req), g["id"]),
        "mugshot_url_template": "%s/group_mugshot/{width}x{height}/%d" % (_host(req), g["id"]),
        "stats": {"members": len(g["members"]), "updates": len(msgs),
                  "last_message_id": last["id"] if last else None,
                  "last_message_at": yammer_time(last["created_at"]) if last else None},
    }


def message_json(req, m):
    data = req.state.data
    net = data["viva_network"]
    names = []
    for uid in m["liked_by"]:
        u = data["viva_users"].get(str(uid))
        if u:
            names.append({"permalink": u["name"], "full_name": u["full_name"], "user_id": u["id"]})
    return {
        "id": m["id"], "sender_id": m["sender_id"], "replied_to_id": m["replied_to_id"],
        "created_at": yammer_time(m["created_at"]), "network_id": net["id"],
        "message_type": "update", "sender_type": "user",
        "url": "%s%s/messages/%d" % (_host(req), API, m["id"]),
        "web_url": "%s/%s/messages/%d" % (_host(req), net["permalink"], m["id"]),
        "group_id": m["group_id"], "thread_id": m["thread_id"],
        "body": {"parsed": m["plain"], "plain": m["plain"], "rich": m["rich"]},
        "content_excerpt": m["plain"][:280],
        "client_type": "Web", "client_url": _host(req) + "/",
        "system_message": False, "direct_message": m["direct_to"] is not None,
        "chat_client_sequence": None, "language": None,
        "notified_user_ids": list(m["direct_to"] or []),
        "privacy": "private" if m["direct_to"] is not None else "public",
        "attachments": [dict(a) for a in m["attachments"]],
        "liked_by": {"count": len(names), "names": names},
    }


def thread_ref(req, data, thread_id):
    msgs = [m for m in data["viva_messages"].values() if m["thread_id"] == thread_id]
    latest = max(msgs, key=lambda m: m["id"])
    net = data["viva_network"]
    return {"type": "thread", "id": thread_id, "thread_starter_id": thread_id,
            "url": "%s%s/messages/in_thread/%d" % (_host(req), API, thread_id),
            "web_url": "%s/%s/threads/%d" % (_host(req), net["permalink"], thread_id),
            "privacy": "private" if latest["direct_to"] is not None else "public",
            "direct_message": latest["direct_to"] is not None,
            "stats": {"updates": len(msgs), "latest_reply_id": latest["id"],
                      "latest_reply_at": yammer_time(latest["created_at"])}}


def references(req, msgs):
    data = req.state.data
    users, groups, threads = set(), set(), set()
    for m in msgs:
        users.add(m["sender_id"])
        users.update(m["direct_to"] or [])
        if m["group_id"] is not None:
            groups.add(m["group_id"])
        threads.add(m["thread_id"])
        if m["replied_to_id"] and str(m["replied_to_id"]) in data["viva_messages"]:
            users.add(data["viva_messages"][str(m["replied_to_id"])]["sender_id"])
    refs = [user_json(req, data["viva_users"][str(u)]) for u in sorted(users)
            if str(u) in data["viva_users"]]
    refs += [group_json(req, data["viva_groups"][str(g)]) for g in sorted(groups)
             if str(g) in data["viva_groups"]]
    refs += [thread_ref(req, data, t) for t in sorted(threads)]
    return refs


# -- feeds ---------------------------------------------------------------------------------
def _int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def feed(req, user, selector, feed_name, feed_desc, headers):
    data = req.state.data
    all_msgs = sorted((m for m in data["viva_messages"].values() if selector(m)),
                      key=lambda m: m["id"], reverse=True)
    threaded = req.param("threaded")
    if threaded in ("true", "extended"):
        all_msgs = [m for m in all_msgs if m["id"] == m["thread_id"]]
    newer, older = _int(req.param("newer_than")), _int(req.param("older_than"))
    limit = max(1, min(_int(req.param("limit")) or PAGE_MAX, PAGE_MAX))
    sel = [m for m in all_msgs if (newer is None or m["id"] > newer)
           and (older is None or m["id"] < older)]
    page = sel[:limit]
    older_available = len(sel) > len(page)
    body = {
        "threaded_extended": {},
        "messages": [message_json(req, m) for m in page],
        "references": references(req, page),
        "meta": {"older_available": older_available, "requested_poll_interval": 60,
                 "current_user_id": user["id"], "feed_name": feed_name, "feed_desc": feed_desc,
                 "followed_user_ids": list(user["following"]), "followed_references": [],
                 "direct_from_body": False, "ymodules": []},
    }
    return Resp(200, body, headers=headers)


def _member(data, user, gid):
    g = data["viva_groups"].get(str(gid))
    return g is not None and user["id"] in g["members"]


def all_messages(req, user, headers):
    data = req.state.data
    return feed(req, user, lambda m: m["direct_to"] is None and (
        m["group_id"] is None or data["viva_groups"][str(m["group_id"])]["privacy"] == "public"
        or _member(data, user, m["group_id"])), "All", "All messages in this network", headers)


def my_feed(req, user, headers):
    data = req.state.data
    return feed(req, user, lambda m: m["direct_to"] is None and (
        m["group_id"] is None or _member(data, user, m["group_id"])
        or m["sender_id"] in user["following"]), "My Feed", "Messages you follow", headers)


def in_group(req, user, headers):
    data = req.state.data
    g = data["viva_groups"].get(req.match.group(1))
    if not g or (g["privacy"] == "private" and user["id"] not in g["members"]):
        return Resp(404, {"error": "Not found"}, headers=headers)
    return feed(req, user, lambda m: m["group_id"] == g["id"] and m["direct_to"] is None,
                g["full_name"], "Messages in this group", headers)


def private(req, user, headers):
    return feed(req, user, lambda m: m["direct_to"] is not None and (
        m["sender_id"] == user["id"] or user["id"] in m["direct_to"]),
        "Private Messages", "Private messages", headers)


def in_thread(req, user, headers):
    tid = _int(req.match.group(1))
    msgs = [m for m in req.state.data["viva_messages"].values() if m["thread_id"] == tid]
    if not msgs or (msgs[0]["direct_to"] is not None and user["id"] not in
                    set(msgs[0]["direct_to"]) | {msgs[0]["sender_id"]}):
        return Resp(404, {"error": "Not found"}, headers=headers)
    return feed(req, user, lambda m: m["thread_id"] == tid, "Conversation",
                "Messages in this conversation", headers)


def post_message(req, user, headers):
    state = req.state
    data = state.data
    if req.form is None:
        return Resp(400, {"error": "Unreadable body"}, headers=headers)
    body = req.param("body")
    if not (body or "").strip():
        return Resp(400, {"error": "Please include a message"}, headers=headers)
    group_id, replied = _int(req.param("group_id")), _int(req.param("replied_to_id"))
    direct = [_int(x) for x in req.params("direct_to_user_ids")]
    if replied is not None and str(replied) not in data["viva_messages"]:
        return Resp(404, {"error": "Not found"}, headers=headers)
    if group_id is not None and str(group_id) not in data["viva_groups"]:
        return Resp(404, {"error": "Not found"}, headers=headers)
    if any(d is None or str(d) not in data["viva_users"] for d in direct):
        return Resp(400, {"error": "Unknown user in direct_to_user_ids"}, headers=headers)
    m = new_message(state, user["id"], plain=body, group_id=group_id, replied_to_id=replied,
                    direct_to=direct or None)
    data["viva_posted"].append({"id": m["id"], "sender_id": user["id"], "body": body,
                                "group_id": m["group_id"], "replied_to_id": replied,
                                "direct_to_user_ids": direct, "at": state.now()})
    state.save()
    return Resp(201, {"messages": [message_json(req, m)], "references": references(req, [m]),
                      "meta": {"current_user_id": user["id"], "requested_poll_interval": 60}},
                headers=headers)


def current_user(req, user, headers):
    return Resp(200, user_json(req, user), headers=headers)


def groups(req, user, headers):
    data = req.state.data
    gs = sorted(data["viva_groups"].values(), key=lambda g: g["id"])
    if req.param("mine") in ("1", "true"):
        gs = [g for g in gs if user["id"] in g["members"]]
    else:
        gs = [g for g in gs if g["privacy"] == "public" or user["id"] in g["members"]]
    return Resp(200, [group_json(req, g) for g in gs], headers=headers)


# -- auth and the documented limits ------------------------------------------------------
def authed(fn, limiter):
    def run(req):
        token = req.bearer()
        uid = req.state.data["viva_tokens"].get(token) if token else None
        if uid is None:
            return Resp(401, {"error": "Unauthorized"})
        allowed, _, _ = req.state.limiter(limiter).hit(token, req.state.now())
        if not allowed:
            return Resp(429, {"error": "Too Many Requests"})
        with req.state.lock:
            return fn(req, req.state.data["viva_users"][str(uid)], {})
    return run


def routes():
    M, O = "viva_messages", "viva_other"
    table = [
        ("GET", r"/api/v1/users/current\.json", current_user, O),
        ("GET", r"/api/v1/groups\.json", groups, O),
        ("GET", r"/api/v1/messages\.json", all_messages, M),
        ("GET", r"/api/v1/messages/my_feed\.json", my_feed, M),
        ("GET", r"/api/v1/messages/in_group/(\d+)\.json", in_group, M),
        ("GET", r"/api/v1/messages/private\.json", private, M),
        ("GET", r"/api/v1/messages/in_thread/(\d+)\.json", in_thread, M),
        ("POST", r"/api/v1/messages(?:\.json)?", post_message, M),
    ]
    return [(m, p, authed(fn, lim)) for m, p, fn, lim in table]
