"""Mastodon streaming over server-sent events
(https://docs.joinmastodon.org/methods/streaming/)."""
import json
import time

import pytest

from control import SSEStream, request


@pytest.fixture
def pair(ctl):
    alice = ctl.mastodon_account("alice")
    bob = ctl.mastodon_account("bob")
    ctl.follow(alice["id"], bob["id"])
    return alice, bob


def events(stream, n):
    out = []
    while len(out) < n:
        ev = stream.next()
        assert ev is not None, "stream ended after %r" % out
        out.append(ev)
    return out


def test_health_and_discovery(emu, pair):
    r = request(emu.url + "/api/v1/streaming/health")
    assert r.status == 200 and r.text() == "OK"
    # "return Not Found when the same host should be used"
    assert request(emu.url + "/api/v1/streaming", token=pair[0]["token"]).status == 404


def test_framing_and_heartbeats(emu, ctl, pair):
    alice, bob = pair
    with SSEStream(emu.url + "/api/v1/streaming/user", token=alice["token"]) as s:
        assert s.status == 200
        assert s.headers["Content-Type"] == "text/event-stream"
        assert s.headers["Transfer-Encoding"] == "chunked"
        first = s.next(skip_comments=False)
        assert first == ("comment", "thump")
        ctl.wait_streams(1)
        start = time.monotonic()
        beats = [s.next(skip_comments=False) for _ in range(3)]
        assert beats == [("comment", "thump")] * 3
        assert time.monotonic() - start >= 0.5          # every 0.3 s here, not a flood
        st = ctl.status(bob["id"], text="hello")
        name, data = events(s, 1)[0]
        assert name == "update" and json.loads(data)["id"] == st["id"]
        assert "\n" not in data                            # Mastodon sends one data line


def test_multiline_data(emu, ctl, pair):
    alice, _ = pair
    with SSEStream(emu.url + "/api/v1/streaming/user", token=alice["token"]) as s:
        ctl.wait_streams(1)
        ctl.push("user", "update", "line one\nline two\n\nline four", account_id=alice["id"])
        assert events(s, 1) == [("update", "line one\nline two\n\nline four")]


@pytest.mark.parametrize("path", ["/api/v1/streaming/user", "/api/v1/streaming?stream=user",
                                  "/api/v1/streaming?stream=user&access_token={token}"])
def test_user_stream_forms(emu, ctl, pair, path):
    alice, bob = pair
    token = None if "access_token" in path else alice["token"]
    with SSEStream(emu.url + path.format(token=alice["token"]), token=token) as s:
        assert s.status == 200
        ctl.wait_streams(1)
        st = ctl.status(bob["id"], text="via %s" % path)
        ctl.notify(alice["id"], bob["id"], "favourite", st["id"])
        ctl.delete(st["id"])
        got = events(s, 3)
    assert [g[0] for g in got] == ["update", "notification", "delete"]
    assert json.loads(got[1][1])["type"] == "favourite" and got[2][1] == st["id"]


@pytest.mark.parametrize("path", ["/api/v1/streaming/hashtag?tag=acme",
                                  "/api/v1/streaming?stream=hashtag&tag=Acme"])
def test_hashtag_stream(emu, ctl, pair, path):
    alice, bob = pair
    eve = ctl.mastodon_account("eve")           # not followed: hashtags are public
    with SSEStream(emu.url + path, token=alice["token"]) as s:
        ctl.wait_streams(1)
        ctl.status(eve["id"], text="nothing here")
        ctl.status(eve["id"], text="quiet #acme", visibility="unlisted")
        hit = ctl.status(eve["id"], text="RFP #ACME 2027")
        name, data = events(s, 1)[0]
    assert name == "update" and json.loads(data)["id"] == hit["id"]


def test_list_and_direct_streams(emu, ctl, pair):
    alice, bob = pair
    lst = ctl.mastodon_list(alice["id"], "bobs", [bob["id"]])
    with SSEStream(emu.url + "/api/v1/streaming?stream=list&list=%s" % lst["id"], token=alice["token"]) as ls, \
            SSEStream(emu.url + "/api/v1/streaming/direct", token=alice["token"]) as ds:
        ctl.wait_streams(2)
        st = ctl.status(bob["id"], text="for the list")
        dm = ctl.status(bob["id"], text="@alice psst", visibility="direct", mentions=[alice["id"]])
        assert json.loads(events(ls, 1)[0][1])["id"] == st["id"]
        name, data = events(ds, 1)[0]
    assert name == "conversation" and json.loads(data)["last_status"]["id"] == dm["id"]


def test_stream_errors(emu, ctl, pair):
    alice, _ = pair
    other = ctl.mastodon_account("other")
    lst = ctl.mastodon_list(other["id"], "theirs")
    cases = [("/api/v1/streaming/hashtag", 400), ("/api/v1/streaming?stream=nope", 400),
             ("/api/v1/streaming/list?list=%s" % lst["id"], 404),
             ("/api/v1/streaming/public/nope", 400)]
    for path, code in cases:
        r = request(emu.url + path, token=alice["token"])
        assert r.status == code, path
        assert "error" in r.json()
    assert ctl.streams()["count"] == 0


def test_client_disconnect_is_cleaned_up(emu, ctl, pair):
    alice, _ = pair
    s = SSEStream(emu.url + "/api/v1/streaming/user", token=alice["token"])
    ctl.wait_streams(1)
    s.close()
    deadline = time.monotonic() + 10
    while ctl.streams()["count"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ctl.streams()["count"] == 0
