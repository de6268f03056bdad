"""Mastodon client API (REST part), after docs.joinmastodon.org:

  api/guidelines#pagination   max_id / since_id / min_id / limit, Link header
  api/rate-limits             X-RateLimit-* headers, 300 requests / 5 min
  methods/accounts            verify_credentials, :id/following
  methods/timelines           home, tag/:hashtag, list/:list_id
  methods/lists, methods/conversations, methods/statuses (GET :id, POST)
"""
import urllib.parse

import mastodon_entities as ent
import mastodon_stream
from wire import Resp, error, iso

INVALID_TOKEN = "The access token is invalid"
NOT_FOUND = "Record not found"
VISIBILITIES = ("public", "unlisted", "private", "direct")
IDEMPOTENCY_TTL = 3600        # "Idempotency keys are stored for up to 1 hour."


# -- auth and rate limit -----------------------------------------------------------
def authenticate(req):
    """(account, rate-limit headers) or (None, error Resp)."""
    token = req.bearer()
    acc_id = req.state.data["tokens"].get(token) if token else None
    if acc_id is None:
        return None, error(401, INVALID_TOKEN)
    now = req.state.now()
    allowed, remaining, reset = req.state.limiter("mastodon").hit(token, now)
    headers = {
        "X-RateLimit-Limit": str(req.state.limits["mastodon"]["limit"]),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": iso(reset),
    }
    if not allowed:
        # Mastodon's throttled response carries the X-RateLimit headers, not Retry-After.
        return None, error(429, "Too many requests", headers)
    return req.state.data["accounts"][acc_id], headers


# -- pagination ----------------------------------------------------------------------
def _int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def paginate(req, items, key, default_limit=20, max_limit=40, prev_param="min_id"):
    """items sorted newest first; key(item) -> int cursor. Returns (page, Link)."""
    limit = _int(req.param("limit")) or default_limit
    limit = max(1, min(limit, max_limit))
    max_id, since_id, min_id = (_int(req.param(p)) for p in ("max_id", "since_id", "min_id"))
    sel = [x for x in items
           if (max_id is None or key(x) < max_id)
           and (since_id is None or key(x) > since_id)
           and (min_id is None or key(x) > min_id)]
    if min_id is not None:
        # min_id: the items immediately newer than the cursor (oldest first),
        # returned newest first like every page.
        page = sorted(sel, key=key)[:limit][::-1]
    else:
        page = sel[:limit]
    links = []
    keep = [(k, v) for k, vs in req.query.items() if k not in ("max_id", "since_id", "min_id")
            for v in vs]
    if page and len(page) == limit:
        links.append('<%s?%s>; rel="next"' % (req.base_url + req.path,
                                              urllib.parse.urlencode(keep + [("max_id", key(page[-1]))])))
    if page:
        links.append('<%s?%s>; rel="prev"' % (req.base_url + req.path,
                                              urllib.parse.urlencode(keep + [(prev_param, key(page[0]))])))
    return page, ", ".join(links)


def _page_resp(page_json, link, headers):
    h = dict(headers)
    if link:
        h["Link"] = link
    return Resp(200, page_json, headers=h)


def _sid(st):
    return int(st["id"])


# -- timelines -----------------------------------------------------------------------
def _live(data):
    return sorted((s for s in data["statuses"].values() if not s["deleted"]), key=_sid, reverse=True)


def following_ids(data, acc_id):
    return {f["target_id"] for f in data["follows"] if f["account_id"] == acc_id}


def home(req, acc, headers):
    data = req.state.data
    authors = following_ids(data, acc["id"]) | {acc["id"]}
    items = [s for s in _live(data) if s["account_id"] in authors and s["visibility"] != "direct"]
    page, link = paginate(req, items, _sid)
    return _page_resp([ent.status_json(req, s) for s in page], link, headers)


def known_tags(data):
    tags = set(data.get("tags_known", []))
    for s in data["statuses"].values():
        tags.update(s["tags"])
    return tags


def tag(req, acc, headers):
    data = req.state.data
    name = urllib.parse.unquote(req.match.group(1)).lower().lstrip("#")
    if name not in known_tags(data):
        return error(404, NOT_FOUND, headers)
    items = [s for s in _live(data) if name in s["tags"] and s["visibility"] == "public"
             and s["reblog_of"] is None]
    page, link = paginate(req, items, _sid)
    return _page_resp([ent.status_json(req, s) for s in page], link, headers)


def list_timeline(req, acc, headers):
    data = req.state.data
    lst = data["lists"].get(req.match.group(1))
    if not lst or lst["account_id"] != acc["id"]:
        return error(404, NOT_FOUND, headers)
    members = set(lst["members"])
    items = [s for s in _live(data) if s["account_id"] in members and s["visibility"] != "direct"]
    page, link = paginate(req, items, _sid)
    return _page_resp([ent.status_json(req, s) for s in page], link, headers)


def lists(req, acc, headers):
    data = req.state.data
    own = sorted((l for l in data["lists"].values() if l["account_id"] == acc["id"]), key=lambda l: int(l["id"]))
    return Resp(200, [ent.list_json(l) for l in own], headers=headers)


# -- conversations ---------------------------------------------------------------------
def thread_root(data, st):
    seen = set()
    while st["in_reply_to_id"] and st["in_reply_to_id"] in data["statuses"] and st["id"] not in seen:
        seen.add(st["id"])
        st = data["statuses"][st["in_reply_to_id"]]
    return st["id"]


def conversations_of(state, acc_id):
    """AccountConversation-like records for acc_id, newest activity first."""
    data = state.data
    convs = {}
    for s in sorted((s for s in data["statuses"].values()
                     if not s["deleted"] and s["visibility"] == "direct"), key=_sid):
        parts = {s["account_id"], *s["mentions"]}
        if acc_id not in parts:
            continue
        root = thread_root(data, s)
        c = convs.setdefault(root, {"participants": set()})
        c["participants"] |= parts
        c["last_status"] = s
    ids = data.setdefault("conversation_ids", {})
    out = []
    for root, c in convs.items():
        cid = ids.setdefault("%s:%s" % (acc_id, root), str(state.internal_id() + 400000))
        out.append({"id": cid, "unread": c["last_status"]["account_id"] != acc_id,
                    "accounts": sorted(c["participants"] - {acc_id}),
                    "last_status": c["last_status"]})
    out.sort(key=lambda c: _sid(c["last_status"]), reverse=True)
    return out


def conversations(req, acc, headers):
    with req.state.lock:
        items = conversations_of(req.state, acc["id"])
    # Paginated by the last status id, which the entity does not expose as "id".
    page, link = paginate(req, items, lambda c: _sid(c["last_status"]))
    return _page_resp([ent.conversation_json(req, c) for c in page], link, headers)


# -- accounts ----------------------------------------------------------------------------
def verify_credentials(req, acc, headers):
    return Resp(200, ent.credential_account_json(req, acc), headers=headers)


def following(req, acc, headers):
    data = req.state.data
    target = data["accounts"].get(req.match.group(1))
    if not target:
        return error(404, NOT_FOUND, headers)
    follows = sorted((f for f in data["follows"] if f["account_id"] == target["id"]),
                     key=lambda f: f["id"], reverse=True)
    # Follow ids are internal: clients must use the Link header (the docs' prev uses since_id).
    page, link = paginate(req, follows, lambda f: f["id"], default_limit=40, max_limit=80,
                          prev_param="since_id")
    return _page_resp([ent.account_json(req, data["accounts"][f["target_id"]]) for f in page],
                      link, headers)


# -- statuses ------------------------------------------------------------------------------
def visible_to(data, st, acc_id):
    if st["visibility"] in ("public", "unlisted"):
        return True
    if st["account_id"] == acc_id or acc_id in st["mentions"]:
        return True
    return st["visibility"] == "private" and st["account_id"] in following_ids(data, acc_id)


def get_status(req, acc, headers):
    st = req.state.data["statuses"].get(req.match.group(1))
    if not st or st["deleted"] or not visible_to(req.state.data, st, acc["id"]):
        return error(404, NOT_FOUND, headers)
    return Resp(200, ent.status_json(req, st), headers=headers)


def post_status(req, acc, headers):
    state = req.state
    data = state.data
    if req.form is None:
        return error(422, "Validation failed: Text can't be blank", headers)
    key = req.headers.get("Idempotency-Key")
    now = state.now()
    with state.lock:
        if key:
            seen = data["idempotency"].get("%s:%s" % (acc["id"], key))
            if seen and now - seen["at"] < IDEMPOTENCY_TTL and seen["id"] in data["statuses"]:
                return Resp(200, ent.status_json(req, data["statuses"][seen["id"]]), headers=headers)
        text = req.param("status")
        media_ids = req.params("media_ids")
        if not (text or "").strip() and not media_ids:
            return error(422, "Validation failed: Text can't be blank", headers)
        visibility = req.param("visibility") or "public"
        if visibility not in VISIBILITIES:
            return error(422, "Validation failed: Visibility is not included in the list", headers)
        reply_to = req.param("in_reply_to_id")
        if reply_to and reply_to not in data["statuses"]:
            return error(404, NOT_FOUND, headers)
        mentions = [a["id"] for a in data["accounts"].values()
                    if a["id"] != acc["id"] and ("@" + a["acct"]) in (text or "")]
        st = ent.new_status(state, acc["id"], text=text or "", visibility=visibility,
                            spoiler_text=req.param("spoiler_text") or "", in_reply_to_id=reply_to,
                            sensitive=(req.param("sensitive") in ("true", "1", True)),
                            language=req.param("language") or "en", mentions=mentions,
                            application={"name": "emulated client", "website": None})
        if key:
            data["idempotency"]["%s:%s" % (acc["id"], key)] = {"id": st["id"], "at": now}
        data["posted"].append({
            "id": st["id"], "account_id": acc["id"], "status": text, "visibility": visibility,
            "in_reply_to_id": reply_to, "spoiler_text": st["spoiler_text"],
            "idempotency_key": key, "at": now,
        })
        state.save()
    mastodon_stream.fanout(req, st)
    return Resp(200, ent.status_json(req, st), headers=headers)


ROUTES = [
    ("GET", r"/api/v1/accounts/verify_credentials", verify_credentials),
    ("GET", r"/api/v1/accounts/([^/]+)/following", following),
    ("GET", r"/api/v1/timelines/home", home),
    ("GET", r"/api/v1/timelines/tag/([^/]+)", tag),
    ("GET", r"/api/v1/timelines/list/([^/]+)", list_timeline),
    ("GET", r"/api/v1/lists", lists),
    ("GET", r"/api/v1/conversations", conversations),
    ("GET", r"/api/v1/statuses/([^/]+)", get_status),
    ("POST", r"/api/v1/statuses", post_status),
]


def authed(fn):
    def run(req):
        acc, extra = authenticate(req)
        if acc is None:
            return extra
        with req.state.lock:
            return fn(req, acc, extra)
    return run


def routes():
    return [(m, p, authed(fn)) for m, p, fn in ROUTES] + mastodon_stream.routes()
