"""Mastodon entities as the API documents them (docs.joinmastodon.org/entities/).

The internal models (plain dicts in State.data) are turned into the JSON of
Status, Account, CredentialAccount, MediaAttachment, PreviewCard, Conversation,
List and Notification here. Key sets follow the documentation's examples; see
examples/README.md and test_examples.py.
"""
import html
import re

from wire import iso, iso_date

TAG_RE = re.compile(r"(?<![\w&])#(\w+)", re.UNICODE)
TAG_STRIP_RE = re.compile(r"<[^>]*>")


# -- creation helpers (used by the control API and POST /api/v1/statuses) ------
def new_account(state, username, display_name=None, note="", domain=None, bot=False,
                locked=False, fields=None, created_at=None):
    acc_id = state.mastodon_id()
    acct = username if not domain else "%s@%s" % (username, domain)
    acc = {
        "id": acc_id, "username": username, "acct": acct,
        "display_name": display_name if display_name is not None else username,
        "note": note or "", "bot": bool(bot), "locked": bool(locked),
        "created_at": created_at if created_at is not None else state.now(),
        "fields": list(fields or []), "domain": domain,
    }
    state.data["accounts"][acc_id] = acc
    return acc


def text_to_html(text, base=""):
    """Roughly what Mastodon does with a plain-text post: escape, link
    hashtags, paragraphs on blank lines, <br /> on single newlines."""
    paras = []
    for para in re.split(r"\n\s*\n", text.strip()):
        esc = html.escape(para, quote=False)
        esc = TAG_RE.sub(lambda m: '<a href="%s/tags/%s" class="mention hashtag" rel="tag">#<span>%s</span></a>'
                         % (base, m.group(1).lower(), m.group(1)), esc)
        paras.append("<p>" + esc.replace("\n", "<br />") + "</p>")
    return "".join(paras)


def tags_in(content_html):
    text = html.unescape(TAG_STRIP_RE.sub("", content_html or ""))
    seen = []
    for m in TAG_RE.finditer(text):
        t = m.group(1).lower()
        if t not in seen:
            seen.append(t)
    return seen


def new_status(state, account_id, content=None, text=None, spoiler_text="", visibility="public",
               in_reply_to_id=None, reblog_of=None, media=None, tags=None, mentions=None,
               language="en", sensitive=False, application=None, card=None, created_at=None):
    data = state.data
    if content is None:
        content = text_to_html(text or "", state.public_base) if reblog_of is None else ""
    st_id = state.mastodon_id()
    reply_acc = None
    if in_reply_to_id is not None:
        parent = data["statuses"].get(str(in_reply_to_id))
        reply_acc = parent["account_id"] if parent else None
    media_models = []
    for i, m in enumerate(media or []):
        media_models.append({
            "id": str(int(st_id) + i + 1), "type": m.get("type", "image"),
            "url": m.get("url"), "preview_url": m.get("preview_url"),
            "description": m.get("description"),
            "width": int(m.get("width", 640)), "height": int(m.get("height", 480)),
        })
    st = {
        "id": st_id, "account_id": account_id, "content": content,
        "spoiler_text": spoiler_text or "", "visibility": visibility,
        "sensitive": bool(sensitive or spoiler_text), "language": language,
        "in_reply_to_id": str(in_reply_to_id) if in_reply_to_id is not None else None,
        "in_reply_to_account_id": reply_acc,
        "reblog_of": str(reblog_of) if reblog_of is not None else None,
        "media": media_models,
        "tags": [t.lower().lstrip("#") for t in tags] if tags is not None else tags_in(content),
        "mentions": [str(m) for m in (mentions or [])],
        "application": application, "card": card,
        "created_at": created_at if created_at is not None else state.now(),
        "deleted": False,
    }
    data["statuses"][st_id] = st
    return st


# -- JSON ------------------------------------------------------------------------
def account_json(req, acc):
    data = req.state.data
    base = req.base_url
    followers = sum(1 for f in data["follows"] if f["target_id"] == acc["id"])
    following = sum(1 for f in data["follows"] if f["account_id"] == acc["id"])
    own = [s for s in data["statuses"].values() if s["account_id"] == acc["id"] and not s["deleted"]]
    last = max((s["created_at"] for s in own), default=None)
    avatar = acc.get("avatar") or base + "/avatars/original/missing.png"
    header = acc.get("header") or base + "/headers/original/missing.png"
    return {
        "id": acc["id"], "username": acc["username"], "acct": acc["acct"],
        "display_name": acc["display_name"], "locked": acc["locked"], "bot": acc["bot"],
        "discoverable": True, "group": False, "created_at": iso(acc["created_at"]),
        "note": acc["note"], "url": "%s/@%s" % (base, acc["username"]),
        "avatar": avatar, "avatar_static": avatar, "header": header, "header_static": header,
        "followers_count": followers, "following_count": following, "statuses_count": len(own),
        "last_status_at": iso_date(last) if last is not None else None,
        "indexable": True, "roles": [],
        "emojis": [],
        "fields": [{"name": f["name"], "value": f["value"], "verified_at": f.get("verified_at")}
                   for f in acc["fields"]],
    }


def credential_account_json(req, acc):
    out = account_json(req, acc)
    out["source"] = {
        "privacy": "public", "sensitive": False, "language": "",
        "note": TAG_STRIP_RE.sub("", acc["note"]),
        "fields": [{"name": f["name"], "value": TAG_STRIP_RE.sub("", f["value"]),
                    "verified_at": f.get("verified_at")} for f in acc["fields"]],
        "follow_requests_count": 0, "attribution_domains": [], "hide_collections": False,
        "discoverable": True, "indexable": True,
    }
    out["role"] = {"id": "-99", "name": "", "permissions": "65536", "color": "", "highlighted": False}
    return out


def media_json(req, m):
    url = m["url"] or "%s/media/%s.jpeg" % (req.base_url, m["id"])
    w, h = m["width"], m["height"]
    sw, sh = max(1, w // 2), max(1, h // 2)
    meta = {
        "original": {"width": w, "height": h, "size": "%dx%d" % (w, h), "aspect": w / h},
        "small": {"width": sw, "height": sh, "size": "%dx%d" % (sw, sh), "aspect": sw / sh},
    }
    if m["type"] == "image":
        meta["focus"] = {"x": 0.0, "y": 0.0}
    return {
        "id": m["id"], "type": m["type"], "url": url,
        "preview_url": m["preview_url"] or url, "remote_url": None,
        "text_url": "%s/media/%s" % (req.base_url, m["id"]),
        "meta": meta, "description": m["description"],
        "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}",
    }


def card_json(card):
    if not card:
        return None
    return {
        "url": card.get("url", ""), "title": card.get("title", ""),
        "description": card.get("description", ""), "type": card.get("type", "link"),
        "author_name": "", "author_url": "", "provider_name": "", "provider_url": "",
        "html": "", "width": 0, "height": 0, "image": card.get("image"), "embed_url": "",
    }


def status_json(req, st):
    data = req.state.data
    base = req.base_url
    acc = data["accounts"][st["account_id"]]
    reblog = None
    if st["reblog_of"] is not None:
        orig = data["statuses"].get(st["reblog_of"])
        reblog = status_json(req, orig) if orig else None
    replies = sum(1 for s in data["statuses"].values()
                  if s["in_reply_to_id"] == st["id"] and not s["deleted"])
    reblogs = sum(1 for s in data["statuses"].values()
                  if s["reblog_of"] == st["id"] and not s["deleted"])
    mentions = []
    for mid in st["mentions"]:
        m = data["accounts"].get(mid)
        if m:
            mentions.append({"id": m["id"], "username": m["username"],
                             "url": "%s/@%s" % (base, m["username"]), "acct": m["acct"]})
    return {
        "id": st["id"], "created_at": iso(st["created_at"]),
        "in_reply_to_id": st["in_reply_to_id"], "in_reply_to_account_id": st["in_reply_to_account_id"],
        "sensitive": st["sensitive"], "spoiler_text": st["spoiler_text"],
        "visibility": st["visibility"], "language": st["language"],
        "uri": "%s/users/%s/statuses/%s" % (base, acc["username"], st["id"]),
        "url": None if reblog else "%s/@%s/%s" % (base, acc["username"], st["id"]),
        "replies_count": replies, "reblogs_count": reblogs, "favourites_count": 0, "quotes_count": 0,
        "edited_at": None,
        "favourited": False, "reblogged": False, "muted": False, "bookmarked": False,
        "content": st["content"], "filtered": [],
        "reblog": reblog,
        "application": st["application"],
        "account": account_json(req, acc),
        "media_attachments": [media_json(req, m) for m in st["media"]],
        "mentions": mentions,
        "tags": [{"name": t, "url": "%s/tags/%s" % (base, t)} for t in st["tags"]],
        "emojis": [], "quote": None, "card": card_json(st["card"]), "poll": None,
        "quote_approval": {"automatic": ["public"], "manual": [], "current_user": "automatic"},
    }


def list_json(lst):
    return {"id": lst["id"], "title": lst["title"], "replies_policy": lst.get("replies_policy", "list"),
            "exclusive": bool(lst.get("exclusive", False))}


def notification_json(req, n):
    data = req.state.data
    out = {"id": n["id"], "type": n["type"], "created_at": iso(n["created_at"]),
           "account": account_json(req, data["accounts"][n["from_account_id"]])}
    if n.get("status_id"):
        st = data["statuses"].get(n["status_id"])
        if st:
            out["status"] = status_json(req, st)
    return out


def conversation_json(req, conv):
    data = req.state.data
    return {"id": conv["id"], "unread": conv["unread"],
            "accounts": [account_json(req, data["accounts"][a]) for a in conv["accounts"]],
            "last_status": status_json(req, conv["last_status"])}
