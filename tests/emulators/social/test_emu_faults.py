"""Each injected fault does what it says, for the next N matching requests only."""
import email.utils
import http.client
import json
import time

import pytest

from control import SSEStream, request
from faults import NASTY_HTML

HOME = "/api/v1/timelines/home"


@pytest.fixture
def alice(ctl):
    a = ctl.mastodon_account("alice")
    ctl.statuses_bulk(a["id"], 3, text="post {n} #acme")
    return a


def get(emu, alice, path=HOME):
    return request(emu.url + path, token=alice["token"])


@pytest.mark.parametrize("code", [500, 502, 503])
def test_status_codes(emu, ctl, alice, code):
    ctl.fault("status", HOME, status=code, count=2)
    assert [get(emu, alice).status for _ in range(3)] == [code, code, 200]
    assert ctl.faults()["pending"] == []


def test_429_with_retry_after_seconds_and_date(emu, ctl, alice):
    ctl.fault("429", HOME, retry_after=7)
    r = get(emu, alice)
    assert r.status == 429 and r.headers["Retry-After"] == "7"
    ctl.fault("429", HOME, retry_after=120, http_date=True)
    r = get(emu, alice)
    when = email.utils.parsedate_to_datetime(r.headers["Retry-After"]).timestamp()
    assert r.status == 429 and 100 < when - time.time() <= 121
    assert get(emu, alice).status == 200


def test_delay(emu, ctl, alice):
    ctl.fault("delay", HOME, seconds=1.0)
    start = time.monotonic()
    assert get(emu, alice).status == 200
    assert time.monotonic() - start >= 1.0


def test_disconnect(emu, ctl, alice):
    ctl.fault("disconnect", HOME)
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        get(emu, alice)
    assert get(emu, alice).status == 200


def test_stream_drop_after_events(emu, ctl, alice):
    ctl.fault("drop", "/api/v1/streaming", after_events=2)
    with SSEStream(emu.url + "/api/v1/streaming/user", token=alice["token"]) as s:
        ctl.wait_streams(1)
        for i in range(4):
            ctl.status(alice["id"], text="live %d" % i)
        got = [s.next() for _ in range(3)]
    assert [g[0] for g in got[:2]] == ["update", "update"] and got[2] is None
    with SSEStream(emu.url + "/api/v1/streaming/user", token=alice["token"]) as s:   # only once
        ctl.wait_streams(1)
        ctl.status(alice["id"], text="after")
        assert s.next()[0] == "update"


def test_malformed_json(emu, ctl, alice):
    ctl.fault("malformed", HOME)
    r = get(emu, alice)
    assert r.status == 200
    with pytest.raises(ValueError):
        json.loads(r.body)
    get(emu, alice).json()


def test_truncated_json(emu, ctl, alice):
    full = get(emu, alice).body
    ctl.fault("truncated", HOME, fraction=0.3)
    r = get(emu, alice)
    assert r.status == 200 and len(r.body) < len(full) and full.startswith(r.body)
    with pytest.raises(ValueError):
        json.loads(r.body)
    ctl.fault("truncated", HOME, short_read=True)
    with pytest.raises(http.client.IncompleteRead):
        get(emu, alice)


def test_wrong_types(emu, ctl, alice):
    ctl.fault("wrong_types", HOME)
    st = get(emu, alice).json()[0]
    assert isinstance(st["id"], int) and isinstance(st["content"], dict)
    assert isinstance(st["created_at"], int) and isinstance(st["account"], str)
    ann = ctl.viva_user("ann")
    ctl.viva_message(ann["id"], body="hi")
    ctl.fault("wrong_types", "/api/v1/messages")
    m = request(emu.url + "/api/v1/messages.json", token=ann["token"]).json()["messages"][0]
    assert isinstance(m["id"], str) and isinstance(m["body"], str)


def test_huge_page(emu, ctl, alice):
    ctl.fault("huge_page", HOME)
    r = get(emu, alice)
    page = r.json()
    assert len(page) == 40 and len({s["id"] for s in page}) == 40
    assert all(len(s["content"]) >= 100000 for s in page) and len(r.body) > 4_000_000
    ids = [int(s["id"]) for s in page]
    assert ids == sorted(ids, reverse=True)
    ann = ctl.viva_user("ann")
    ctl.fault("huge_page", "/api/v1/messages", items=5, item_bytes=1000)
    msgs = request(emu.url + "/api/v1/messages.json", token=ann["token"]).json()["messages"]
    assert len(msgs) == 5 and all(len(m["body"]["rich"]) >= 1000 for m in msgs)


def test_nasty_html(emu, ctl, alice):
    ctl.fault("nasty_html", "/api/v1/timelines/tag/acme")
    page = get(emu, alice, "/api/v1/timelines/tag/acme").json()
    assert all(s["content"] == NASTY_HTML for s in page)
    for piece in ("<script>", "onerror=", "javascript:", "&bogus;", "&#x1F600;", "<b><i>unclosed"):
        assert piece in NASTY_HTML
    # The same is available without a fault, as ordinary content.
    st = ctl.status(alice["id"], content=NASTY_HTML, spoiler_text="<b>CW</b>")
    served = get(emu, alice, "/api/v1/statuses/" + st["id"]).json()
    assert served["content"] == NASTY_HTML and served["spoiler_text"] == "<b>CW</b>"


def test_matching_by_path_and_method(emu, ctl, alice):
    ctl.fault("status", "/api/v1/statuses", method="POST", status=503)
    assert get(emu, alice).status == 200
    r = request(emu.url + "/api/v1/statuses", "POST", token=alice["token"], form={"status": "x"})
    assert r.status == 503
    assert ctl.faults()["fired"] == [{"kind": "status", "path": "/api/v1/statuses"}]
    ctl.fault("status", "/")                # everything but the control API
    assert ctl.streams()["count"] == 0
    assert get(emu, alice).status == 500
    with pytest.raises(RuntimeError):
        ctl.fault("explode")
