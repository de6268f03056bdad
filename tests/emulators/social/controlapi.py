"""The test-only control API under /_control/ (JSON in, JSON out, no auth).
See docs/emulators.md for the full list; control.py is the client.
"""
import json
import secrets

import feeds
import mastodon_entities as ent
import mastodon_stream
import viva
from wire import Resp


def _body(req):
    try:
        return json.loads(req.body.decode("utf-8")) if req.body else {}
    except (UnicodeDecodeError, ValueError):
        return None


def _bad(msg):
    return Resp(400, {"error": msg})


# -- general ---------------------------------------------------------------------------
def reset(req, b):
    req.state.reset()
    req.faults.clear()
    return Resp(200, {"ok": True})


def limits(req, b):
    hb = b.pop("heartbeat", None)
    if hb is not None:
        req.state.heartbeat = float(hb)
    try:
        req.state.set_limits(**b)
    except (KeyError, TypeError, ValueError) as e:
        return _bad("bad limits: %s" % e)
    return Resp(200, {"limits": req.state.limits, "heartbeat": req.state.heartbeat})


def clock(req, b):
    now = req.state.set_clock(advance=b.get("advance"), set_to=b.get("set"),
                              freeze=b.get("freeze"), real=bool(b.get("real")))
    return Resp(200, {"now": now})


def add_fault(req, b):
    try:
        f = req.faults.add(b)
    except ValueError as e:
        return _bad(str(e))
    return Resp(200, f)


def list_faults(req, b):
    return Resp(200, {"pending": req.faults.pending(), "fired": list(req.faults.fired)})


def clear_faults(req, b):
    req.faults.clear()
    return Resp(200, {"ok": True})


def requests_log(req, b):
    with req.state.lock:
        return Resp(200, list(req.state.request_log))


def streams(req, b):
    return Resp(200, {"count": req.hub.count(), "keys": req.hub.keys()})


# -- Mastodon --------------------------------------------------------------------------
def m_account(req, b):
    if not b.get("username"):
        return _bad("username required")
    acc = ent.new_account(req.state, b["username"], b.get("display_name"), b.get("note", ""),
                          b.get("domain"), b.get("bot", False), b.get("locked", False),
                          b.get("fields"))
    token = b.get("token") or secrets.token_urlsafe(16)
    req.state.data["tokens"][token] = acc["id"]
    return Resp(200, {"id": acc["id"], "token": token, "account": ent.account_json(req, acc)})


def m_follow(req, b):
    d = req.state.data
    a, t = str(b.get("account_id")), str(b.get("target_id"))
    if a not in d["accounts"] or t not in d["accounts"]:
        return _bad("unknown account")
    f = {"id": req.state.internal_id() + 7000000, "account_id": a, "target_id": t}
    d["follows"].append(f)
    return Resp(200, f)


def m_list(req, b):
    d = req.state.data
    lid = str(req.state.internal_id() + 12000)
    lst = {"id": lid, "account_id": str(b["account_id"]), "title": b.get("title", "List"),
           "members": [str(m) for m in b.get("members", [])],
           "replies_policy": b.get("replies_policy", "list"), "exclusive": b.get("exclusive", False)}
    d["lists"][lid] = lst
    return Resp(200, lst)


def m_tag(req, b):
    req.state.data.setdefault("tags_known", []).append(b["name"].lower().lstrip("#"))
    return Resp(200, {"ok": True})


def m_status(req, b):
    d = req.state.data
    acc_id = str(b.get("account_id"))
    if acc_id not in d["accounts"]:
        return _bad("unknown account")
    if b.get("reblog_of") and str(b["reblog_of"]) not in d["statuses"]:
        return _bad("unknown reblog_of")
    if b.get("in_reply_to_id") and str(b["in_reply_to_id"]) not in d["statuses"]:
        return _bad("unknown in_reply_to_id")
    st = ent.new_status(req.state, acc_id, content=b.get("content"), text=b.get("text"),
                        spoiler_text=b.get("spoiler_text", ""), visibility=b.get("visibility", "public"),
                        in_reply_to_id=b.get("in_reply_to_id"), reblog_of=b.get("reblog_of"),
                        media=b.get("media"), tags=b.get("tags"),
                        mentions=b.get("mentions"), language=b.get("language", "en"),
                        sensitive=b.get("sensitive", False), application=b.get("application"),
                        card=b.get("card"), created_at=b.get("created_at"))
    if b.get("publish", True):
        mastodon_stream.fanout(req, st)
    return Resp(200, ent.status_json(req, st))


def m_statuses_bulk(req, b):
    """{"account_id", "count", "text": "post {n} #tag"}: many statuses at once."""
    out = []
    for n in range(int(b.get("count", 1))):
        st = ent.new_status(req.state, str(b["account_id"]), text=b.get("text", "post {n}").format(n=n),
                            visibility=b.get("visibility", "public"))
        out.append(st["id"])
    return Resp(200, {"ids": out})


def m_delete(req, b):
    st = req.state.data["statuses"].get(str(b.get("status_id")))
    if not st:
        return _bad("unknown status")
    st["deleted"] = True
    n = mastodon_stream.delete(req, st["id"])
    return Resp(200, {"ok": True, "delivered": n})


def m_notify(req, b):
    n = mastodon_stream.notify(req, str(b["account_id"]), b.get("type", "mention"),
                               str(b["from_account_id"]), b.get("status_id"))
    return Resp(200, n)


def m_posted(req, b):
    return Resp(200, list(req.state.data["posted"]))


def push(req, b):
    """Raw event to a stream: {"stream": "user"|"user:notification"|"public"|
    "hashtag"|"list"|"direct", "account_id"|"tag"|"list", "event", "data"}."""
    s = b.get("stream")
    if s in ("user", "user:notification", "direct"):
        key = (s, str(b["account_id"]))
    elif s == "public":
        key = ("public",)
    elif s == "hashtag":
        key = ("hashtag", b["tag"].lower())
    elif s == "list":
        key = ("list", str(b["list"]))
    else:
        return _bad("unknown stream")
    data = b.get("data", "")
    if not isinstance(data, str):
        data = json.dumps(data, separators=(",", ":"))
    return Resp(200, {"delivered": req.hub.publish([key], b.get("event", "update"), data)})


# -- Viva Engage ---------------------------------------------------------------------------
def v_user(req, b):
    if not b.get("name"):
        return _bad("name required")
    u = viva.new_user(req.state, b["name"], b.get("full_name"), b.get("email"),
                      b.get("job_title", ""), b.get("department", ""))
    u["following"] = [int(x) for x in b.get("following", [])]
    token = b.get("token") or secrets.token_urlsafe(16)
    req.state.data["viva_tokens"][token] = u["id"]
    return Resp(200, {"id": u["id"], "token": token, "user": viva.user_json(req, u)})


def v_group(req, b):
    g = viva.new_group(req.state, b.get("name", "group"), b.get("full_name"), b.get("members", []),
                       b.get("privacy", "public"), b.get("description", ""))
    return Resp(200, viva.group_json(req, g))


def v_message(req, b):
    d = req.state.data
    if str(b.get("sender_id")) not in d["viva_users"]:
        return _bad("unknown sender")
    if b.get("replied_to_id") and str(b["replied_to_id"]) not in d["viva_messages"]:
        return _bad("unknown replied_to_id")
    m = viva.new_message(req.state, b["sender_id"], plain=b.get("body"), rich=b.get("rich"),
                         group_id=b.get("group_id"), replied_to_id=b.get("replied_to_id"),
                         direct_to=b.get("direct_to_user_ids"), attachments=b.get("attachments"),
                         liked_by=b.get("liked_by"), created_at=b.get("created_at"))
    return Resp(200, viva.message_json(req, m))


def v_posted(req, b):
    return Resp(200, list(req.state.data["viva_posted"]))


# -- feeds ---------------------------------------------------------------------------------
def feed(req, b):
    f = req.state.data["feeds"].get(b["name"]) or feeds.new_feed(
        req.state, b["name"], b.get("title"), b.get("link"), b.get("description", ""))
    for it in b.get("items", []):
        feeds.add_item(req.state, b["name"], it["title"], it["link"], it.get("content", ""),
                       it.get("author", "newsroom"), it.get("published"), it.get("guid"))
    return Resp(200, f)


TABLE = {
    ("POST", "reset"): reset, ("POST", "limits"): limits, ("POST", "clock"): clock,
    ("POST", "faults"): add_fault, ("GET", "faults"): list_faults,
    ("POST", "faults/clear"): clear_faults, ("GET", "requests"): requests_log,
    ("GET", "streams"): streams, ("POST", "stream/push"): push,
    ("POST", "mastodon/accounts"): m_account, ("POST", "mastodon/follow"): m_follow,
    ("POST", "mastodon/lists"): m_list, ("POST", "mastodon/tags"): m_tag,
    ("POST", "mastodon/statuses"): m_status, ("POST", "mastodon/statuses/bulk"): m_statuses_bulk,
    ("POST", "mastodon/delete"): m_delete, ("POST", "mastodon/notifications"): m_notify,
    ("GET", "mastodon/posted"): m_posted,
    ("POST", "viva/users"): v_user, ("POST", "viva/groups"): v_group,
    ("POST", "viva/messages"): v_message, ("GET", "viva/posted"): v_posted,
    ("POST", "feeds"): feed,
}


def handle(req):
    fn = TABLE.get((req.method, req.match.group(1)))
    if fn is None:
        return Resp(404, {"error": "no such control call"})
    b = _body(req)
    if not isinstance(b, dict):
        return _bad("body must be a JSON object")
    try:
        with req.state.lock:
            resp = fn(req, b)
            if req.method == "POST" and resp.status == 200:
                req.state.save()
            return resp
    except (KeyError, TypeError, ValueError) as e:
        return _bad("bad request: %r" % (e,))


def routes():
    return [("GET", r"/_control/(.+)", handle), ("POST", r"/_control/(.+)", handle)]
