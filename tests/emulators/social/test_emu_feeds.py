"""RSS 2.0 and Atom feeds: well-formed, the required elements present, item
HTML carried as escaped text, conditional GET."""
import datetime
import email.utils
import xml.etree.ElementTree as ET

import pytest

from control import request
from faults import NASTY_HTML

A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def blog(ctl):
    ctl.feed("acme-blog", title="Acme & Co blog", link="https://acme.example/blog", items=[
        {"title": "Older <post>", "link": "https://acme.example/1", "content": "<p>first</p>",
         "published": 1_700_000_000},
        {"title": "RFP Acme 2027", "link": "https://acme.example/2", "content": NASTY_HTML,
         "published": 1_700_003_600, "author": "pr"},
    ])


def test_rss_is_valid_rss2(emu, blog):
    r = request(emu.url + "/feeds/acme-blog.rss")
    assert r.status == 200 and r.headers["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(r.body)
    assert root.tag == "rss" and root.get("version") == "2.0"
    ch = root.find("channel")
    assert ch.findtext("title") == "Acme & Co blog"
    assert ch.findtext("link") and ch.findtext("description")
    items = ch.findall("item")
    assert [i.findtext("title") for i in items] == ["RFP Acme 2027", "Older <post>"]
    assert items[0].findtext("description") == NASTY_HTML        # escaped in XML, intact
    assert items[0].findtext("guid") == "https://acme.example/2"
    when = email.utils.parsedate_to_datetime(items[0].findtext("pubDate"))
    assert when.timestamp() == 1_700_003_600


def test_atom_is_valid_atom(emu, blog):
    r = request(emu.url + "/feeds/acme-blog.atom")
    assert r.status == 200 and r.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(r.body)
    assert root.tag == A + "feed"
    for el in ("id", "title", "updated", "author"):
        assert root.find(A + el) is not None, el
    entries = root.findall(A + "entry")
    assert len(entries) == 2
    for e in entries:
        for el in ("id", "title", "updated", "link"):
            assert e.find(A + el) is not None, el
        assert e.find(A + "link").get("href").startswith("https://acme.example/")
    content = entries[0].find(A + "content")
    assert content.get("type") == "html" and content.text == NASTY_HTML
    updated = datetime.datetime.strptime(entries[0].findtext(A + "updated"), "%Y-%m-%dT%H:%M:%SZ")
    assert updated.replace(tzinfo=datetime.timezone.utc).timestamp() == 1_700_003_600


def test_conditional_get(emu, ctl, blog):
    r = request(emu.url + "/feeds/acme-blog.rss")
    etag, modified = r.headers["ETag"], r.headers["Last-Modified"]
    assert request(emu.url + "/feeds/acme-blog.rss", headers={"If-None-Match": etag}).status == 304
    assert request(emu.url + "/feeds/acme-blog.rss", headers={"If-Modified-Since": modified}).status == 304
    assert request(emu.url + "/feeds/acme-blog.rss", headers={"If-Modified-Since": "garbage"}).status == 200
    ctl.feed("acme-blog", items=[{"title": "new", "link": "https://acme.example/3", "published": 1_700_009_000}])
    r = request(emu.url + "/feeds/acme-blog.rss", headers={"If-None-Match": etag})
    assert r.status == 200 and r.headers["ETag"] != etag


def test_unknown_feed_and_broken_feed(emu, ctl, blog):
    assert request(emu.url + "/feeds/none.rss").status == 404
    ctl.fault("truncated", "/feeds/acme-blog.atom")
    with pytest.raises(ET.ParseError):
        ET.fromstring(request(emu.url + "/feeds/acme-blog.atom").body)
    ET.fromstring(request(emu.url + "/feeds/acme-blog.atom").body)      # one request only
