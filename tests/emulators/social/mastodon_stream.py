"""Mastodon streaming API over HTTP (server-sent events), after
https://docs.joinmastodon.org/methods/streaming/

  GET /api/v1/streaming/health                       -> "OK"
  GET /api/v1/streaming/user | user/notification | public | public/local
      | hashtag?tag=X | hashtag/local?tag=X | list?list=ID | direct
  GET /api/v1/streaming?stream=user|list&list=ID|hashtag&tag=X|...
  GET /api/v1/streaming (no stream)                  -> 404: the docs' way of
      saying "stream from this same host"

Events: update (Status JSON), delete (status id), notification
(Notification JSON), conversation (Conversation JSON); heartbeats ":thump".
"""
import json

import mastodon_entities as ent
from wire import Resp, error

PATH_STREAMS = {
    "user": "user", "user/notification": "user:notification",
    "public": "public", "public/local": "public:local", "public/remote": "public:remote",
    "hashtag": "hashtag", "hashtag/local": "hashtag:local",
    "list": "list", "direct": "direct",
}
KNOWN = set(PATH_STREAMS.values())


def _token(req):
    return req.bearer() or req.param("access_token")


def health(req):
    return Resp(200, body="OK")


def stream(req):
    data = req.state.data
    sub = req.match.group(1)
    name = PATH_STREAMS.get(sub.strip("/")) if sub else req.param("stream")
    if sub and name is None:
        return error(400, "Unknown channel requested")
    if name is None:
        return error(404, "Not found")
    token = _token(req)
    acc_id = data["tokens"].get(token) if token else None
    if acc_id is None:
        return error(401, "The access token is invalid")
    if name not in KNOWN:
        return error(400, "Unknown channel requested")
    if name in ("user", "user:notification", "direct"):
        key = (name, acc_id)
    elif name.startswith("public"):
        key = ("public",)
    elif name.startswith("hashtag"):
        tag = (req.param("tag") or "").lower().lstrip("#")
        if not tag:
            return error(400, "No tag for stream provided")
        key = ("hashtag", tag)
    else:
        lst = data["lists"].get(req.param("list") or "")
        if not lst or lst["account_id"] != acc_id:
            return error(404, "Record not found")
        key = ("list", lst["id"])
    resp = Resp(200, body=b"", ctype="text/event-stream")
    resp.headers.update({"Cache-Control": "no-store", "Transfer-Encoding": "chunked"})
    resp.stream = key
    return resp


def routes():
    return [
        ("GET", r"/api/v1/streaming/health", health),
        ("GET", r"/api/v1/streaming(?:/(.+))?", stream),
    ]


# -- fan-out of new statuses -----------------------------------------------------------
def _dump(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def fanout(req, st):
    """Publish a new status to every stream that would carry it."""
    data = req.state.data
    hub = req.hub
    payload = _dump(ent.status_json(req, st))
    author = st["account_id"]
    if st["visibility"] == "direct":
        import mastodon  # late: mastodon imports this module
        for acc_id in {author, *st["mentions"]}:
            for conv in mastodon.conversations_of(req.state, acc_id):
                if conv["last_status"]["id"] == st["id"]:
                    hub.publish([("direct", acc_id)], "conversation",
                                _dump(ent.conversation_json(req, conv)))
    else:
        followers = {f["account_id"] for f in data["follows"] if f["target_id"] == author}
        keys = [("user", a) for a in followers | {author}]
        keys += [("list", l["id"]) for l in data["lists"].values() if author in l["members"]]
        if st["visibility"] == "public" and st["reblog_of"] is None:
            keys.append(("public",))
            keys += [("hashtag", t) for t in st["tags"]]
        hub.publish(keys, "update", payload)
    for acc_id in st["mentions"]:
        if acc_id != author and acc_id in data["accounts"]:
            notify(req, acc_id, "mention", author, st["id"])


def notify(req, acc_id, ntype, from_account_id, status_id=None):
    state = req.state
    n = {"id": str(state.internal_id() + 68000000), "account_id": acc_id, "type": ntype,
         "from_account_id": from_account_id, "status_id": status_id, "created_at": state.now()}
    state.data["notifications"][n["id"]] = n
    req.hub.publish([("user", acc_id), ("user:notification", acc_id)], "notification",
                    _dump(ent.notification_json(req, n)))
    return n


def delete(req, status_id):
    """Every open Mastodon stream hears of a deletion (the client ignores
    ids it never saw)."""
    keys = [tuple(k) for k in req.hub.keys()]
    return req.hub.publish(keys, "delete", str(status_id))
