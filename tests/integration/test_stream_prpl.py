"""The "Roundtable Stream" protocol plugin (prpl-roundtable-stream) in the
headless hub against the social emulator (tests/emulators/social, started in
a thread per test): sign-in, timelines as chats with safe markup, posting
with Idempotency-Key, positions across restarts, streaming and its
fallback, rate limits, bad answers, Viva Engage, feeds, direct messages."""
import os
import re
import time

import pytest

import positions
from streamhub import (PRPL, api_requests, chat_msgs, collect, debug_log,
                       feed_options, mastodon_options, new_hub, viva_options, wait_all)

ALICE = "alice@social.test"


@pytest.fixture
def social(ctl):
    """alice follows bob; the tag #acme exists."""
    alice = ctl.mastodon_account("alice")
    bob = ctl.mastodon_account("bob", display_name="Bob Builder")
    ctl.follow(alice["id"], bob["id"])
    ctl.tag("acme")
    return alice, bob


@pytest.fixture
def hub(tmp_path):
    h = new_hub(str(tmp_path / "hub"))
    try:
        yield h
    finally:
        if h.proc is not None:
            h.stop()


def signed_in(h, emu, token, **opts):
    h.add_account(ALICE, token, PRPL, mastodon_options(emu, **opts))


def texts(events):
    return [e["msg"].split("\n")[0] for e in events]


# -- sign-in ------------------------------------------------------------------------
def test_login_ok_and_401_without_retry_storm(emu, ctl, social, hub):
    alice, bob = social
    signed_in(hub, emu, alice["token"])
    # bob is a buddy (followed account) in the group "Stream".
    ev = hub.wait(lambda e: e["ev"] == "buddy" and e["name"] == "bob@social.test", 10)
    assert ev["online"] in ("0", "1")

    start = time.time()
    hub.send("account", "mallory@social.test", "not-a-token", PRPL,
             *("%s=%s" % kv for kv in mastodon_options(emu).items()))
    ev = hub.wait(lambda e: e["ev"] in ("signed-on", "connection-error")
                  and e.get("account") == "mallory@social.test", 15)
    assert ev["ev"] == "connection-error", ev
    assert "token" in ev["reason"] and "401" in ev["reason"], ev
    collect(hub, 3)
    tries = [r for r in api_requests(ctl, "/api/v1/accounts/verify_credentials", since=start)
             if r["status"] == 401]
    assert len(tries) == 1, tries
    assert "not-a-token" not in debug_log(hub)


# -- a hashtag timeline -----------------------------------------------------------------
def test_hashtag_post_once_with_safe_markup(emu, ctl, social, hub):
    alice, bob = social
    signed_in(hub, emu, alice["token"])
    hub.join(ALICE, "tag:acme")
    time.sleep(1.5)     # the first read sets the position
    ctl.status(bob["id"], content='<p>Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt; &#x263A; '
                                  '<script>alert("x")</script><img src=x onerror=alert(2)>'
                                  '<a href="javascript:alert(3)">click</a> '
                                  '<a href="https://example.org/x">site</a> #acme</p>',
               tags=["acme"], spoiler_text="<i>spoiler</i>")
    ev = hub.wait(chat_msgs("tag:acme"), 10)
    assert ev["who"] == "bob@social.test"
    html = ev["html"]
    assert "<script" not in html and "alert" not in html and "onerror" not in html
    assert "javascript:" not in html and "<img" not in html
    assert "Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt; \u263a" in html, html
    assert '<a href="https://example.org/x">site</a>' in html
    # The content warning first, escaped.
    assert html.startswith("<b>[CW: &lt;i&gt;spoiler&lt;/i&gt;]</b><br>"), html
    # Once: later polls do not repeat it.
    later = collect(hub, 3)
    assert [e for e in later if chat_msgs("tag:acme")(e)] == []


# -- posting ------------------------------------------------------------------------------
def test_typed_line_posts_with_idempotency_key_and_retry(emu, ctl, social, hub):
    alice, bob = social
    signed_in(hub, emu, alice["token"])
    hub.join(ALICE, "tag:acme")
    hub.say(ALICE, "tag:acme", "first line")
    ev = hub.wait(chat_msgs("tag:acme", ALICE), 10)
    assert ev["msg"].startswith("first line #acme")
    posted = ctl.posted()
    assert [p["status"] for p in posted] == ["first line #acme"]
    assert posted[0]["idempotency_key"] and posted[0]["visibility"] == "public"

    # A 500 for the next post: retried with the same key, posted once.
    start = time.time()
    ctl.fault("status", "/api/v1/statuses", method="POST", status=500)
    hub.say(ALICE, "tag:acme", "second line")
    ev = hub.wait(chat_msgs("tag:acme", ALICE), 15)
    assert ev["msg"].startswith("second line #acme")
    posts = api_requests(ctl, "/api/v1/statuses", "POST", since=start)
    assert [r["status"] for r in posts] == [500, 200], posts
    second = [p for p in ctl.posted() if p["status"] == "second line #acme"]
    assert len(second) == 1
    key = second[0]["idempotency_key"]
    log = debug_log(hub)
    assert re.search(r"post %s to tag:acme: temporary failure \(HTTP 500\), try 1" % re.escape(key), log), log
    assert "post %s to tag:acme accepted (try 2)" % key in log
    # The echo is not repeated when the timeline is read back.
    later = collect(hub, 3)
    assert [e for e in later if chat_msgs("tag:acme")(e)] == []

    # A reply: "@bob ..." answers bob's last post in this chat.
    st = ctl.status(bob["id"], text="question #acme", tags=["acme"])
    hub.wait(chat_msgs("tag:acme", "bob@social.test"), 10)
    hub.say(ALICE, "tag:acme", "@bob answer")
    hub.wait(chat_msgs("tag:acme", ALICE), 10)
    reply = [p for p in ctl.posted() if p["status"].startswith("@bob answer")]
    assert reply and reply[0]["in_reply_to_id"] == st["id"], reply


def test_feed_chat_is_read_only_and_gets_entries(emu, ctl, hub):
    ctl.feed("news", [{"title": "Old news", "link": "https://blog.example.com/old", "content": "<p>old</p>"}])
    url = emu.url + "/feeds/news.rss"
    hub.add_account("news-reader", "", PRPL, feed_options([url]))
    hub.join("news-reader", "feed:1")
    time.sleep(1.5)
    ctl.feed("news", [{"title": "Acme & Co", "link": "https://blog.example.com/acme",
                       "content": "<p>Big <script>x()</script>news</p>"}])
    ev = hub.wait(chat_msgs("feed:1"), 10)
    assert "Acme &amp; Co" in ev["html"] and "<script" not in ev["html"], ev
    assert "Old news" not in ev["html"]
    hub.send("say", "news-reader", "feed:1", "can I post?")
    seen = []
    hub.wait(lambda e: e["ev"] == "said", 5, skipped=seen)
    errors = [e for e in seen if e["ev"] == "write" and e.get("kind") == "error" and e["conv"] == "feed:1"]
    assert len(errors) == 1 and "read-only" in errors[0]["msg"], seen


# -- positions ------------------------------------------------------------------------------
def read_one_post(h, emu, ctl, token, author_id):
    """Signs alice in, joins tag:acme and sees one post arrive there (the
    status, as the emulator made it)."""
    signed_in(h, emu, token)
    h.join(ALICE, "tag:acme")
    time.sleep(1.5)
    post = ctl.status(author_id, text="before #acme", tags=["acme"])
    assert h.wait(chat_msgs("tag:acme"), 10)["msg"].startswith("before #acme")
    return post


def test_restart_between_polls_no_duplicate_no_gap(emu, ctl, social, tmp_path):
    alice, bob = social
    h = new_hub(str(tmp_path / "hub"))
    try:
        read_one_post(h, emu, ctl, alice["token"], bob["id"])
        time.sleep(1.5)   # a poll after it: the position is saved
    finally:
        h.stop()
    # In the account's positions file, not in accounts.xml (docs/stream-plugin.md).
    stored = positions.read(h.userdir, PRPL, ALICE)
    assert int(stored["stream_pos:tag:acme"]) > 0 and "stream_pos:dm" in stored, stored
    with open(os.path.join(h.userdir, "accounts.xml"), encoding="utf-8") as f:
        assert "stream_pos" not in f.read()
    for n in range(45):    # more than one page (40) while the hub is down
        ctl.status(bob["id"], text="down %d #acme" % n, tags=["acme"])
    h.restart()
    try:
        h.join(ALICE, "tag:acme")
        got = wait_all(h, chat_msgs("tag:acme"), 45, 20)
        assert [t.split(" (")[0] for t in texts(got)] == ["down %d #acme" % n for n in range(45)]
        ctl.status(bob["id"], text="after #acme", tags=["acme"])
        ev = h.wait(chat_msgs("tag:acme"), 10)
        assert ev["msg"].startswith("after #acme")
        assert [e for e in collect(h, 2.5) if chat_msgs("tag:acme")(e)] == []
    finally:
        h.stop()


def test_legacy_position_in_the_account_settings_is_taken_over(emu, ctl, social, tmp_path):
    """A timeline whose position an earlier version kept in accounts.xml: it
    is taken over once (the posts after it come, the one before does not)
    and the account setting is never written again."""
    alice, bob = social
    h = new_hub(str(tmp_path / "hub"))
    try:
        before = read_one_post(h, emu, ctl, alice["token"], bob["id"])
    finally:
        h.stop()
    os.remove(positions.path(h.userdir, PRPL, ALICE))
    accounts = os.path.join(h.userdir, "accounts.xml")
    with open(accounts, encoding="utf-8") as f:
        xml = f.read()
    legacy = "<setting name='stream_pos:tag:acme' type='string'>%s</setting>" % before["id"]
    xml, n = re.subn(r"(<settings>)", r"\g<1>" + legacy, xml, count=1)
    assert n == 1, xml
    with open(accounts, "w", encoding="utf-8") as f:
        f.write(xml)
    for n in range(3):
        ctl.status(bob["id"], text="down %d #acme" % n, tags=["acme"])
    h.restart()
    try:
        h.join(ALICE, "tag:acme")
        got = wait_all(h, chat_msgs("tag:acme"), 3, 20)
        assert [t.split(" (")[0] for t in texts(got)] == ["down %d #acme" % n for n in range(3)]
        assert [e for e in collect(h, 2.5) if chat_msgs("tag:acme")(e)] == []
    finally:
        h.stop()
    assert int(positions.read(h.userdir, PRPL, ALICE)["stream_pos:tag:acme"]) > int(before["id"])
    with open(accounts, encoding="utf-8") as f:
        assert legacy in f.read()   # left as it was, never written again


# -- streaming -------------------------------------------------------------------------------
def test_sse_pushed_post_arrives_without_polling(emu, ctl, social, hub):
    alice, bob = social
    signed_in(hub, emu, alice["token"], streaming="true", poll_interval=300)
    hub.join(ALICE, "tag:acme")
    ctl.wait_streams(2)      # direct messages and the hashtag
    time.sleep(1)            # the stream's catch-up read
    start = time.time()
    ctl.status(bob["id"], text="live #acme", tags=["acme"])
    ev = hub.wait(chat_msgs("tag:acme"), 5)
    assert ev["msg"].startswith("live #acme")
    assert time.time() - start < 3
    assert api_requests(ctl, "/api/v1/timelines/tag", since=start) == []


def test_stream_drop_and_silence_fall_back_to_polling(emu, ctl, social, hub):
    alice, bob = social
    signed_in(hub, emu, alice["token"], streaming="true", poll_interval=1, stream_retry=3)
    ctl.fault("drop", "/api/v1/streaming/hashtag", after_events=1)
    hub.join(ALICE, "tag:acme")
    ctl.wait_streams(2)
    time.sleep(1)
    ctl.status(bob["id"], text="one #acme", tags=["acme"])   # streamed, then the stream drops
    ctl.status(bob["id"], text="two #acme", tags=["acme"])   # only a poll can see it
    ctl.status(bob["id"], text="three #acme", tags=["acme"])
    got = wait_all(hub, chat_msgs("tag:acme"), 3, 10)
    assert [t.split(" (")[0] for t in texts(got)] == ["one #acme", "two #acme", "three #acme"]
    assert "stream dropped" in debug_log(hub)

    # Silence: no heartbeat for longer than stream_timeout (2 s) drops the
    # stream too; polling carries on, nothing is missed.
    ctl.limits(heartbeat=60)
    time.sleep(5)            # the stream comes back (retry 3 s), then goes silent
    ctl.status(bob["id"], text="four #acme", tags=["acme"])
    ev = hub.wait(chat_msgs("tag:acme"), 10)
    assert ev["msg"].startswith("four #acme")
    time.sleep(3)
    assert "no heartbeat" in debug_log(hub)
    assert [e for e in collect(hub, 2) if chat_msgs("tag:acme")(e)] == []


# -- rate limits and bad answers ------------------------------------------------------------
def test_429_retry_after_is_honoured_and_shown(emu, ctl, social, hub):
    alice, bob = social
    signed_in(hub, emu, alice["token"])
    hub.join(ALICE, "tag:acme")
    time.sleep(1.5)
    ctl.fault("429", "/api/v1/timelines/tag", retry_after=4)
    ev = hub.wait(lambda e: e["ev"] == "write" and e.get("kind") == "system" and e["conv"] == "tag:acme"
                  and "Rate limited" in e["msg"], 10)
    assert re.search(r"next read at \d\d:\d\d:\d\d", ev["msg"]), ev
    ctl.status(bob["id"], text="after the limit #acme", tags=["acme"])
    ev = hub.wait(chat_msgs("tag:acme"), 15)
    assert ev["msg"].startswith("after the limit #acme")
    reqs = [r for r in ctl.requests() if r["path"].startswith("/api/v1/")
            and not r["path"].startswith("/api/v1/streaming")]
    limited = [r for r in reqs if r["status"] == 429]
    assert len(limited) == 1
    # A request already in flight when the 429 came may finish just after
    # it; none may start until Retry-After has passed.
    t429 = limited[0]["t"]
    early = [(r["path"], r["t"] - t429) for r in reqs if t429 + 0.2 < r["t"] < t429 + 3.9]
    assert early == [], early
    assert [r for r in reqs if r["t"] >= t429 + 3.9]
    # Shown once per episode.
    msgs = [e for e in collect(hub, 1) if e["ev"] == "write" and "Rate limited" in e.get("msg", "")]
    assert msgs == []


@pytest.mark.parametrize("kind,opts", [("malformed", {}), ("truncated", {"fraction": 0.5}),
                                       ("truncated", {"fraction": 0.5, "short_read": True}),
                                       ("wrong_types", {})])
def test_bad_answers_do_not_crash_and_next_poll_works(emu, ctl, social, hub, kind, opts):
    alice, bob = social
    signed_in(hub, emu, alice["token"])
    hub.join(ALICE, "tag:acme")
    time.sleep(1.5)
    ctl.status(bob["id"], text="bad page #acme", tags=["acme"])
    ctl.fault(kind, "/api/v1/timelines/tag", **opts)
    ev = hub.wait(lambda e: e["ev"] == "write" and e.get("kind") == "system" and e["conv"] == "tag:acme", 10)
    assert ("Reading failed" in ev["msg"] or "could not be read" in ev["msg"]), ev
    ctl.status(bob["id"], text="good page #acme", tags=["acme"])
    got = []
    deadline = time.time() + 15
    while not any(t.startswith("good page") for t in texts(got)) and time.time() < deadline:
        got.append(hub.wait(chat_msgs("tag:acme"), deadline - time.time()))
    shown = texts(got)
    assert shown[-1].startswith("good page #acme")
    if kind != "wrong_types":     # the bad page was not consumed: the post comes with the next
        assert shown[0].startswith("bad page #acme") and len(shown) == 2, shown
    assert hub.proc.poll() is None


def test_huge_page(emu, ctl, social, hub):
    alice, bob = social
    signed_in(hub, emu, alice["token"])
    hub.join(ALICE, "tag:acme")
    time.sleep(1.5)
    ctl.status(bob["id"], text="seed #acme", tags=["acme"])
    ctl.fault("huge_page", "/api/v1/timelines/tag", items=40, item_bytes=100000)
    got = wait_all(hub, chat_msgs("tag:acme"), 40, 30)
    assert all(len(e["msg"]) > 90000 for e in got)
    ctl.status(bob["id"], text="after huge #acme", tags=["acme"])
    ev = hub.wait(lambda e: chat_msgs("tag:acme")(e) and e["msg"].startswith("after huge"), 15)
    assert ev


# -- Viva Engage ----------------------------------------------------------------------------
VIVA = "alice@corp.example"


def viva_setup(ctl, groups=("rfp",)):
    """alice and carol, members of each group; returns (me, carol, [group ids])."""
    me = ctl.viva_user("alice", full_name="Alice A", email=VIVA)
    carol = ctl.viva_user("carol", full_name="Carol C")
    gids = [ctl.viva_group(g, members=[me["id"], carol["id"]])["id"] for g in groups]
    return me, carol, gids


def viva_message_reads(ctl, since=0.0):
    """Message requests at the emulator: (combined feed, per-group reads)."""
    return (api_requests(ctl, "/api/v1/messages/my_feed.json", since=since),
            api_requests(ctl, "/api/v1/messages/in_group/", since=since))


def stream_posts(events):
    return [e for e in events if e["ev"] == "stream-post"]


def test_viva_group_chat_post_and_newer_than(emu, ctl, hub):
    me, carol, (gid,) = viva_setup(ctl)
    ctl.viva_message(carol["id"], body="old message", group_id=gid)
    hub.add_account(VIVA, me["token"], PRPL, viva_options(emu))
    room = "group:%s" % gid
    hub.join(VIVA, room)
    time.sleep(3.5)           # the combined read's first read (after the join settles)
    start = time.time()
    ctl.viva_message(carol["id"], rich="<b>Deadline</b> &amp; <script>x</script>friday", group_id=gid)
    ev = hub.wait(chat_msgs(room), 10)
    assert ev["who"] == "carol"
    assert "Deadline &amp; friday" in ev["html"] and "<script" not in ev["html"], ev
    feed, per_group = viva_message_reads(ctl, since=start)
    assert feed and per_group == [], (feed, per_group)
    assert all(re.fullmatch(r"\d+", r["query"].get("newer_than", "")) for r in feed), feed
    hub.say(VIVA, room, "On it")
    ev = hub.wait(chat_msgs(room, "alice"), 10)
    assert ev["msg"].startswith("On it")
    posted = ctl.viva_posted()
    assert [(p["body"], p["group_id"]) for p in posted] == [("On it", gid)]
    # Our own post, read back by the combined read, is neither shown again
    # nor signalled.
    later = collect(hub, 2.5)
    assert [e for e in later if chat_msgs(room)(e)] == []
    assert stream_posts(later) == [], later


def test_viva_one_request_per_poll_for_all_groups(emu, ctl, hub):
    """Three groups and the feed open, a fourth group not: one my_feed
    request per poll serves them all; each message lands once, in its
    group's chat (or the feed chat when it has no group); the closed group's
    message is not shown but signalled, like every message read."""
    me, carol, gids = viva_setup(ctl, groups=("rfp", "sales", "ops", "closed"))
    hub.add_account(VIVA, me["token"], PRPL, viva_options(emu, poll_interval=2))
    rooms = ["group:%s" % g for g in gids[:3]]
    for room in rooms + ["feed"]:
        hub.join(VIVA, room)
    time.sleep(4)             # the first read: the position
    start = time.time()
    for n, gid in enumerate(gids):
        ctl.viva_message(carol["id"], body="news %d" % n, group_id=gid)
    ctl.viva_message(carol["id"], body="company news")
    ev_pred = lambda e: e["ev"] == "stream-post" or (e["ev"] == "write" and e.get("kind") == "msg")
    got = wait_all(hub, ev_pred, 9, 15)      # 5 signals, 4 chat lines
    got += [e for e in collect(hub, 6.5) if ev_pred(e)]
    end = time.time()
    lines = sorted((e["conv"], e["msg"].split(" (")[0].split("\n")[0]) for e in got if e["ev"] == "write")
    assert lines == sorted([(rooms[0], "news 0"), (rooms[1], "news 1"), (rooms[2], "news 2"),
                            ("feed", "company news")]), got
    signals = sorted((e["timeline"], e["dm"]) for e in stream_posts(got))
    assert signals == sorted([(r, "0") for r in rooms] + [("group:%s" % gids[3], "0"), ("feed", "0")]), got
    # One combined request per poll (every 2 s here; a minute at least on a
    # real server), however many groups are open; never a per-group read.
    feed, per_group = viva_message_reads(ctl, since=start)
    assert per_group == [], per_group
    polls = (end - start) / 2.0
    assert 2 <= len(feed) <= polls + 2, (len(feed), polls)
    private = api_requests(ctl, "/api/v1/messages/private.json", since=start)
    assert len(private) <= polls + 2, len(private)


def test_viva_restart_resumes_without_duplicates(emu, ctl, tmp_path):
    me, carol, gids = viva_setup(ctl, groups=("rfp", "sales"))
    # The account's gate keeps 10 message requests per 30 s within one run;
    # a restart starts a new gate while the server still counts the old
    # run's requests (it would answer 429 with a minute's Retry-After).
    ctl.limits(viva_messages={"limit": 100, "period": 30})
    rooms = ["group:%s" % g for g in gids]
    h = new_hub(str(tmp_path / "hub"))
    try:
        h.add_account(VIVA, me["token"], PRPL, viva_options(emu))
        for room in rooms:
            h.join(VIVA, room)
        time.sleep(3.5)
        ctl.viva_message(carol["id"], body="before", group_id=gids[0])
        ev = h.wait(chat_msgs(rooms[0]), 10)
        assert ev["msg"].startswith("before")
        time.sleep(1.5)       # a poll after it: the position is saved
    finally:
        h.stop()
    # More than one page (20) while the hub is down, in both groups.
    for n in range(25):
        ctl.viva_message(carol["id"], body="down %d" % n, group_id=gids[n % 2])
    h.restart()
    try:
        for room in rooms:
            h.join(VIVA, room)
        got = wait_all(h, lambda e: chat_msgs(rooms[0])(e) or chat_msgs(rooms[1])(e), 25, 25)
        for i, room in enumerate(rooms):
            assert [t.split(" (")[0] for t in texts(e for e in got if e["conv"] == room)] == \
                ["down %d" % n for n in range(25) if n % 2 == i], got
        ctl.viva_message(carol["id"], body="after", group_id=gids[1])
        ev = h.wait(lambda e: chat_msgs(rooms[0])(e) or chat_msgs(rooms[1])(e), 10)
        assert ev["conv"] == rooms[1] and ev["msg"].startswith("after"), ev
        assert [e for e in collect(h, 2.5) if chat_msgs(rooms[0])(e) or chat_msgs(rooms[1])(e)] == []
    finally:
        h.stop()


def test_viva_upgrade_starts_from_the_chats_positions(emu, ctl, tmp_path):
    """A store of the version that read each group on its own has group
    positions and none for the combined read: it starts from them, so what
    came while the hub was being upgraded is shown, and nothing older."""
    me, carol, gids = viva_setup(ctl, groups=("rfp",))
    ctl.limits(viva_messages={"limit": 100, "period": 30})
    room = "group:%s" % gids[0]
    h = new_hub(str(tmp_path / "hub"))
    try:
        h.add_account(VIVA, me["token"], PRPL, viva_options(emu))
        h.join(VIVA, room)
        time.sleep(3.5)
        ctl.viva_message(carol["id"], body="before", group_id=gids[0])
        assert h.wait(chat_msgs(room), 10)["msg"].startswith("before")
        time.sleep(1.5)       # a poll after it: the position is saved
    finally:
        h.stop()
    values = positions.read(h.userdir, PRPL, VIVA)
    values[("stream_pos:%s" % room)] = values.pop("stream_pos:feed")
    positions.write(h.userdir, PRPL, VIVA, values)
    for n in range(3):
        ctl.viva_message(carol["id"], body="during %d" % n, group_id=gids[0])
    h.restart()
    try:
        h.join(VIVA, room)
        got = wait_all(h, chat_msgs(room), 3, 20)
        assert [t.split(" (")[0] for t in texts(got)] == ["during 0", "during 1", "during 2"], got
        assert [e for e in collect(h, 2.5) if chat_msgs(room)(e)] == []
    finally:
        h.stop()
    assert int(positions.read(h.userdir, PRPL, VIVA)["stream_pos:feed"]) > 0


# -- direct messages ----------------------------------------------------------------------------
def test_mastodon_direct_message_arrives_as_im(emu, ctl, social, hub):
    alice, bob = social
    signed_in(hub, emu, alice["token"])
    time.sleep(1.5)
    ctl.status(bob["id"], text="@alice a secret <b>plan</b>", visibility="direct", mentions=[alice["id"]])
    ev = hub.wait(lambda e: e["ev"] == "write" and e.get("kind") == "msg" and e["conv"] == "bob@social.test", 10)
    assert ev["who"] == "bob@social.test"
    assert "a secret &lt;b&gt;plan&lt;/b&gt;" in ev["html"], ev
    hub.im(ALICE, "bob@social.test", "got it")
    deadline = time.time() + 10
    while time.time() < deadline and not [p for p in ctl.posted() if "got it" in p["status"]]:
        time.sleep(0.2)
    mine = [p for p in ctl.posted() if "got it" in p["status"]]
    assert len(mine) == 1 and mine[0]["visibility"] == "direct", mine
    assert mine[0]["status"].startswith("@bob@social.test got it")


# -- IPC and signals -------------------------------------------------------------------------------
def test_ipc_post_and_signals(emu, ctl, social, hub):
    alice, bob = social
    signed_in(hub, emu, alice["token"])
    hub.join(ALICE, "tag:acme")
    time.sleep(1.5)
    # Refused: no key, a bad visibility, an unknown field, a timeline of another service.
    assert not hub.ipc_post(ALICE, "tag:acme", text="no key")
    assert not hub.ipc_post(ALICE, "tag:acme", text="x", idempotency_key="k1", visibility="everyone")
    assert not hub.ipc_post(ALICE, "tag:acme", text="x", idempotency_key="k1", colour="red")
    assert not hub.ipc_post(ALICE, "group:5", text="x", idempotency_key="k1")
    # Accepted: posted once with the caller's key and visibility, even when
    # the first try fails, and the key comes back in the signal.
    ctl.fault("status", "/api/v1/statuses", method="POST", status=503)
    assert hub.ipc_post(ALICE, "tag:acme", text="From the workspace", idempotency_key="rt-ws1-msg7",
                        visibility="unlisted")
    ev = hub.wait(lambda e: e["ev"] in ("stream-posted", "stream-post-failed"), 15)
    assert ev["ev"] == "stream-posted" and ev["key"] == "rt-ws1-msg7", ev
    mine = [p for p in ctl.posted() if p["idempotency_key"] == "rt-ws1-msg7"]
    assert len(mine) == 1 and mine[0]["visibility"] == "unlisted" and mine[0]["status"] == "From the workspace #acme"
    assert mine[0]["id"] == ev["id"]
    # A refusal (422) is reported once with the key.
    ctl.fault("status", "/api/v1/statuses", method="POST", status=422)
    assert hub.ipc_post(ALICE, "home", text="refused", idempotency_key="rt-ws1-msg8")
    ev = hub.wait(lambda e: e["ev"] in ("stream-posted", "stream-post-failed"), 15)
    assert ev["ev"] == "stream-post-failed" and ev["key"] == "rt-ws1-msg8" and "422" in ev["error"], ev

    # Every post read is signalled, with its timeline: chats and direct messages.
    ctl.status(bob["id"], text="watch this #acme", tags=["acme"])
    ev = hub.wait(lambda e: e["ev"] == "stream-post", 10)
    assert ev["timeline"] == "tag:acme" and ev["dm"] == "0" and "watch this" in ev["html"]
    ctl.status(bob["id"], text="@alice psst", visibility="direct", mentions=[alice["id"]])
    ev = hub.wait(lambda e: e["ev"] == "stream-post", 10)
    assert ev["timeline"] == "dm" and ev["dm"] == "1" and "psst" in ev["html"]
