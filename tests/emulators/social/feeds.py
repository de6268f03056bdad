"""RSS 2.0 (https://www.rssboard.org/rss-specification) and Atom (RFC 4287)
feeds at /feeds/NAME.rss and /feeds/NAME.atom, built with ElementTree so
they are well-formed whatever the item HTML holds (it travels escaped, as
RSS description and Atom content type="html" require). ETag and
Last-Modified are sent; If-None-Match / If-Modified-Since give 304.
"""
import email.utils
import hashlib
import xml.etree.ElementTree as ET

from wire import Resp, http_date, rfc3339

ATOM_NS = "http://www.w3.org/2005/Atom"


def new_feed(state, name, title=None, link=None, description=""):
    feed = {"name": name, "title": title or name, "link": link or "https://blog.example.com/",
            "description": description or "Posts of %s" % name, "items": []}
    state.data["feeds"][name] = feed
    return feed


def add_item(state, name, title, link, content="", author="newsroom", published=None, guid=None):
    feed = state.data["feeds"][name]
    item = {"title": title, "link": link, "content": content, "author": author,
            "published": published if published is not None else state.now(),
            "guid": guid or link}
    feed["items"].append(item)
    return item


def _sorted_items(feed):
    return sorted(feed["items"], key=lambda i: i["published"], reverse=True)


def rss(feed):
    root = ET.Element("rss", {"version": "2.0"})
    ch = ET.SubElement(root, "channel")
    ET.SubElement(ch, "title").text = feed["title"]
    ET.SubElement(ch, "link").text = feed["link"]
    ET.SubElement(ch, "description").text = feed["description"]
    items = _sorted_items(feed)
    if items:
        ET.SubElement(ch, "lastBuildDate").text = http_date(items[0]["published"])
    for it in items:
        el = ET.SubElement(ch, "item")
        ET.SubElement(el, "title").text = it["title"]
        ET.SubElement(el, "link").text = it["link"]
        ET.SubElement(el, "description").text = it["content"]
        ET.SubElement(el, "author").text = "%s@example.com (%s)" % (it["author"], it["author"])
        ET.SubElement(el, "guid", {"isPermaLink": "true" if it["guid"] == it["link"] else "false"}).text = it["guid"]
        ET.SubElement(el, "pubDate").text = http_date(it["published"])
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def atom(feed, self_url):
    ET.register_namespace("", ATOM_NS)
    q = lambda tag: "{%s}%s" % (ATOM_NS, tag)
    root = ET.Element(q("feed"))
    items = _sorted_items(feed)
    ET.SubElement(root, q("id")).text = "urn:emulator:feed:" + feed["name"]
    ET.SubElement(root, q("title")).text = feed["title"]
    ET.SubElement(root, q("subtitle")).text = feed["description"]
    ET.SubElement(root, q("updated")).text = rfc3339(items[0]["published"] if items else 0)
    ET.SubElement(root, q("link"), {"rel": "self", "href": self_url})
    ET.SubElement(root, q("link"), {"rel": "alternate", "href": feed["link"]})
    author = ET.SubElement(root, q("author"))
    ET.SubElement(author, q("name")).text = feed["title"]
    for it in items:
        e = ET.SubElement(root, q("entry"))
        ET.SubElement(e, q("id")).text = it["guid"] if ":" in it["guid"] else "urn:emulator:" + it["guid"]
        ET.SubElement(e, q("title")).text = it["title"]
        ET.SubElement(e, q("updated")).text = rfc3339(it["published"])
        ET.SubElement(e, q("published")).text = rfc3339(it["published"])
        ET.SubElement(e, q("link"), {"rel": "alternate", "href": it["link"]})
        a = ET.SubElement(e, q("author"))
        ET.SubElement(a, q("name")).text = it["author"]
        ET.SubElement(e, q("content"), {"type": "html"}).text = it["content"]
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def serve(req):
    with req.state.lock:
        return _serve(req)


def _serve(req):
    name, fmt = req.match.group(1), req.match.group(2)
    feed = req.state.data["feeds"].get(name)
    if feed is None:
        return Resp(404, body="no such feed\n")
    if fmt == "rss":
        body, ctype = rss(feed), "application/rss+xml; charset=utf-8"
    else:
        body, ctype = atom(feed, req.base_url + req.path), "application/atom+xml; charset=utf-8"
    etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
    newest = max((i["published"] for i in feed["items"]), default=0)
    headers = {"ETag": etag, "Last-Modified": http_date(newest)}
    inm = req.headers.get("If-None-Match")
    ims = req.headers.get("If-Modified-Since")
    if inm == etag:
        return Resp(304, body=b"", headers=headers)
    if inm is None and ims:
        try:
            parsed = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None and int(newest) <= parsed.timestamp():
            return Resp(304, body=b"", headers=headers)
    return Resp(200, body=body, ctype=ctype, headers=headers)


def routes():
    return [("GET", r"/feeds/([A-Za-z0-9_.-]+)\.(rss|atom)", serve)]
