"""Social streams in workspaces (issue 5, docs/stream-workspace.md), end to
end: the headless hub with the Roundtable core and the "Roundtable Stream"
plugin from the build dir, real prpl-jabber accounts on the private Prosody,
and the social emulator (tests/emulators/social) as the Mastodon server.

(a) a post in a linked hashtag appears in the linked XMPP room, by the
    member whose --stream handle wrote it, else marked external, once;
(b) a line in the room is posted to the linked timeline with an
    Idempotency-Key rt-l<link>-m<message>, once;
(c) a public link: a non-spokesperson's line is held, listed by /ws held,
    refused to a plain member, posted once after /ws approve by a
    spokesperson; /ws reject drops another;
(d) a watchlist hit from an unlinked timeline raises exactly one alert in
    the room, also when the post is read again after a restart; a direct
    message with the watched word raises none;
(e) a post the server first answers with 500 is retried with the same key
    and made once."""
import os
import re
import time

import pytest

import positions
from hub import STREAM_PLUGIN_DIR, start_hub
from streamhub import PRPL, api_requests, mastodon_options
from wslib import error, muc_user, ok, unique, wait_reach

ALICE = "alice@social.test"
KEY = re.compile(r"^rt-l(\d+)-m(\d+)$")


@pytest.fixture
def social(ctl):
    """alice (the hub's stream account), bob and dora; tags #acme, #official, #news."""
    people = {name: ctl.mastodon_account(name, display_name=name.capitalize() + " D")
              for name in ("alice", "bob", "dora")}
    for tag in ("acme", "official", "news"):
        ctl.tag(tag)
    return people


@pytest.fixture
def shub(prosody, tmp_path):
    """A hub with the stream plugin and three XMPP accounts (hub.a, hub.b,
    hub.c: hub.c only types commands)."""
    h = start_hub(prosody, str(tmp_path / "hub"),
                  env={"RT_EXTRA_PLUGIN_DIRS": STREAM_PLUGIN_DIR, "RT_DEBUG": "1"})
    h.c = prosody.new_user("site-a.test", prefix="hub")[0] + "/hub"
    h.add_account(h.c, "secret", "prpl-jabber",
                  {"connect_server": prosody.host, "port": prosody.port,
                   "connection_security": "opportunistic_tls", "auth_plain_in_clear": "true"})
    try:
        yield h
    finally:
        if h.proc is not None:
            h.stop()


def bare(account):
    return account.split("/", 1)[0]


def from_hub(hub_account):
    nick = hub_account.split("@", 1)[0]
    return lambda m: m["type"] == "groupchat" and m["nick"] == nick


def workspace(h, prosody, emu, social):
    """Workspace with room A (hub.a) linked, the stream account signed in."""
    ws = unique("Stream WS")
    room = prosody.new_room("site-a.test")
    h.join(h.a, room)
    ok(h.cmd(h.a, room, '/ws create "%s"' % ws))
    ok(h.cmd(h.a, room, '/ws link "%s"' % ws))
    h.add_account(ALICE, social["alice"]["token"], PRPL, mastodon_options(emu))
    return ws, room


def link_timeline(h, ws, timeline, *opts):
    h.join(ALICE, timeline)
    return ok(h.cmd(ALICE, timeline, '/ws link "%s" %s' % (ws, " ".join(opts))))


def posted_with(ctl, text):
    return [p for p in ctl.posted() if text in p["status"]]


def wait_posted(ctl, text, n=1, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = posted_with(ctl, text)
        if len(got) >= n:
            return got
        time.sleep(0.2)
    raise AssertionError("%r posted %d times, expected %d: %r" % (text, len(posted_with(ctl, text)), n,
                                                                 ctl.posted()))


def debug_log(h):
    with open(os.path.join(h.userdir, "stderr.log"), encoding="utf-8", errors="replace") as f:
        return f.read()


# -- (a) and (b): a linked hashtag, both ways -------------------------------------------
def test_linked_hashtag_both_ways(shub, prosody, xmpp_client, emu, ctl, social):
    h = shub
    ws, room = workspace(h, prosody, emu, social)
    answer = link_timeline(h, ws, "tag:acme")
    assert "(both, internal)" in answer, answer
    ok(h.cmd(h.a, room, '/ws member add "%s" bob --name "Bob Martin" --stream @bob@social.test' % ws))
    shown = ok(h.cmd(h.a, room, '/ws member show "%s" bob' % ws))
    assert "stream @bob@social.test" in shown and "roles: none" in shown, shown
    assert "tag:acme (%s)" % ALICE in ok(h.cmd(h.a, room, "/ws list"))
    carol = muc_user(xmpp_client, room, "carol", "site-a.test")
    time.sleep(1.5)    # the first read learns the timeline's position

    # (a) A member's post and an external author's post reach the room.
    st = ctl.status(social["bob"]["id"], text="Kick-off moved to 10:00 #acme", tags=["acme"])
    ctl.status(social["dora"]["id"], text="Looking forward <b>to it</b> #acme", tags=["acme"])
    first = carol.wait_message(from_hub(h.a), 15)["body"]
    second = carol.wait_message(from_hub(h.a), 15)["body"]
    assert first.startswith("Bob Martin: Kick-off moved to 10:00 #acme"), first
    assert st["url"] in first, first
    assert second.startswith("Dora D (@dora@social.test, external): Looking forward <b>to it</b> #acme"), second
    # Once: later polls and the chat lines of the stream chat bring nothing more.
    assert carol.collect(from_hub(h.a), 3) == []

    # (b) A line in the room becomes a post on the hashtag, with the key, once.
    carol.send_groupchat(room, "Agenda is in the wiki")
    got = wait_posted(ctl, "Agenda is in the wiki")
    assert got[0]["status"] == "carol (guest): Agenda is in the wiki #acme", got
    assert KEY.match(got[0]["idempotency_key"]), got
    assert got[0]["visibility"] == "private", got      # an internal link
    time.sleep(3)
    assert len(posted_with(ctl, "Agenda is in the wiki")) == 1
    # The post does not come back into the room (our own post is not read
    # as a new one) and the bridged posts did not go back to the timeline.
    assert [m for m in carol.collect(from_hub(h.a), 1) if "Agenda" in m["body"]] == []
    assert posted_with(ctl, "Kick-off") == [] and posted_with(ctl, "Looking forward") == []
    # The chat line the stream chat showed was not taken in a second time.
    assert debug_log(h).count("bridged as message") == 2


# -- (c) public link: held, approved by a spokesperson, rejected ----------------------------------
def test_public_link_holds_until_spokesperson_approves(shub, prosody, xmpp_client, emu, ctl, social):
    h = shub
    ws, room = workspace(h, prosody, emu, social)
    answer = link_timeline(h, ws, "tag:official", "--direction", "out", "--audience", "public")
    assert "out, public: only spokespersons post" in answer, answer
    assert "tag:official (%s): out, public" % ALICE in ok(h.cmd(h.a, room, "/ws list"))
    # Olivia speaks for the company (her IM endpoint is the account hub.b);
    # pete is a plain member (hub.c).
    ok(h.cmd(h.a, room, '/ws member add "%s" olivia --role spokesperson --im xmpp:%s' % (ws, bare(h.b))))
    ok(h.cmd(h.a, room, '/ws member add "%s" pete --im xmpp:%s' % (ws, bare(h.c))))
    assert "boss" in error(h.cmd(h.a, room, '/ws member set "%s" pete --role boss' % ws))
    carol = muc_user(xmpp_client, room, "carol", "site-a.test")

    carol.send_groupchat(room, "We ship on Friday")
    deadline = time.monotonic() + 10
    listing = ""
    while "We ship on Friday" not in listing and time.monotonic() < deadline:
        listing = ok(h.cmd(h.a, room, '/ws held "%s"' % ws))
        time.sleep(0.2)
    m = re.search(r"#(\d+) \d\d:\d\d for tag:official \(public\) — carol \(guest\): We ship on Friday", listing)
    assert m, listing
    held_id = m.group(1)
    time.sleep(2)
    assert posted_with(ctl, "We ship on Friday") == []

    # A plain member may not approve; the attempt is recorded.
    refused = error(h.cmd(h.c, "console@site-a.test", "/ws approve %s" % held_id))
    assert "spokesperson" in refused, refused
    time.sleep(1)
    assert posted_with(ctl, "We ship on Friday") == []
    # The spokesperson approves: posted once, publicly, the statement alone.
    said = ok(h.cmd(h.b, "console@site-b.test", "/ws approve #%s" % held_id))
    assert "approved by olivia" in said, said
    got = wait_posted(ctl, "We ship on Friday")
    assert got[0]["status"] == "We ship on Friday #official", got
    assert got[0]["visibility"] == "public" and KEY.match(got[0]["idempotency_key"]), got
    # Once the plugin has said it posted (the server may answer before
    # the hub hears it), approving again is refused; nothing more is posted.
    deadline = time.monotonic() + 10
    while "posted (" not in ok(h.cmd(h.a, room, '/ws held "%s"' % ws)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "already" in error(h.cmd(h.b, "console@site-b.test", "/ws approve %s" % held_id))
    time.sleep(2)
    assert len(posted_with(ctl, "We ship on Friday")) == 1

    # Another line, rejected: never posted.
    carol.send_groupchat(room, "Price is 3 million")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        listing = ok(h.cmd(h.a, room, '/ws held "%s"' % ws))
        m = re.search(r"#(\d+) \d\d:\d\d for tag:official \(public\) — carol \(guest\): Price is 3 million", listing)
        if m:
            break
        time.sleep(0.2)
    assert m, listing
    said = ok(h.cmd(h.b, "console@site-b.test", '/ws reject %s "not for the public"' % m.group(1)))
    assert "rejected by olivia" in said, said
    time.sleep(3)
    assert posted_with(ctl, "Price is 3 million") == []
    # Every decision is listed: nothing waits, the log names who did what.
    listing = ok(h.cmd(h.a, room, '/ws held "%s"' % ws))
    assert "No message" in listing, listing
    assert "rejected by olivia (not for the public)" in listing, listing
    assert "posted" in listing, listing
    assert "approve by pete refused: Only a spokesperson or an owner" in listing, listing
    assert "approve by olivia refused: Held message %s was already posted." % held_id in listing, listing

    # The Workspaces dialog shows and edits roles and stream handles (and
    # keeps the IM endpoint, which is not a stream handle).
    events = h.action("Workspaces and members…", workspace=0, handle="pete", im="xmpp:%s" % bare(h.c),
                      role="owner", stream="@pete@social.test, @Pete@Other.Example")
    assert not [e for e in events if e["ev"] == "notify"], events
    shown = ok(h.cmd(h.a, room, '/ws member show "%s" pete' % ws))
    for part in ("roles: owner", "stream @pete@social.test", "stream @Pete@other.example",
                 "endpoint xmpp:%s" % bare(h.c)):
        assert part in shown, (part, shown)
    h.action("Workspaces and members…", workspace=0, handle="pete", im="xmpp:%s" % bare(h.c),
             role="none", stream="@Pete@other.example")
    shown = ok(h.cmd(h.a, room, '/ws member show "%s" pete' % ws))
    assert "roles: none" in shown and "@pete@social.test" not in shown and "stream @Pete@other.example" in shown, shown


# -- (c') the spokesperson decides by IM, from her own client ------------------------------------
def test_spokesperson_decides_by_im(shub, prosody, xmpp_client, emu, ctl, social):
    h = shub
    ws, room = workspace(h, prosody, emu, social)
    link_timeline(h, ws, "tag:official", "--direction", "out", "--audience", "public")
    olivia_jid, olivia_pw = prosody.new_user("site-b.test", prefix="olivia")
    pete_jid, pete_pw = prosody.new_user("site-a.test", prefix="pete")
    always = "--hours 00:00-24:00 --days Mon-Sun"
    ok(h.cmd(h.a, room, '/ws member add "%s" olivia --role spokesperson --im xmpp:%s %s' % (ws, olivia_jid, always)))
    ok(h.cmd(h.a, room, '/ws member add "%s" pete --im xmpp:%s %s' % (ws, pete_jid, always)))
    olivia = xmpp_client(olivia_jid, olivia_pw, register=False)
    pete = xmpp_client(pete_jid, pete_pw, register=False)
    wait_reach(h, h.a, room, ws, "olivia", "live")
    carol = muc_user(xmpp_client, room, "carol", "site-a.test")
    hub_jid = bare(h.a)

    def chat_with(text):
        return lambda m: m["type"] == "chat" and text in (m["body"] or "")

    # The held line is announced in the workspace: in the room, and to the
    # spokesperson by IM (she is online, not in the room).
    carol.send_groupchat(room, "Offer ends Monday")
    notice = carol.wait_message(lambda m: from_hub(h.a)(m) and "is held for tag:official" in m["body"], 15)
    m = re.search(r"Message #(\d+) from carol \(guest\) is held for tag:official \(public\): .*"
                  r"/ws approve (\d+)", notice["body"])
    assert m and m.group(1) == m.group(2), notice["body"]
    held_id = m.group(1)
    olivia.wait_message(chat_with("Message #%s from carol (guest) is held" % held_id), 15)

    # A plain member's approval by IM is refused, answered by IM, recorded.
    pete.send_chat(hub_jid, "/ws approve %s" % held_id)
    refused = pete.wait_message(chat_with("Only a spokesperson"), 15)
    assert "Only a spokesperson or an owner" in refused["body"], refused
    # Without the slash too (clients that keep "/..." for themselves).
    olivia.send_chat(hub_jid, "ws held")
    listing = olivia.wait_message(chat_with("waits for approval"), 15)["body"]
    assert "#%s" % held_id in listing and "Offer ends Monday" in listing, listing
    time.sleep(1)
    assert posted_with(ctl, "Offer ends Monday") == []

    olivia.send_chat(hub_jid, "/ws approve %s" % held_id)
    said = olivia.wait_message(chat_with("approved by olivia"), 15)["body"]
    assert said == "Held message #%s approved by olivia: it is posted to tag:official now." % held_id, said
    got = wait_posted(ctl, "Offer ends Monday")
    assert got[0]["status"] == "Offer ends Monday #official", got

    # Other /ws commands are explained, never posted into the workspace; a
    # line that only starts with the word "ws" is an ordinary message.
    pete.send_chat(hub_jid, "/ws who")
    assert "hub's own client" in pete.wait_message(chat_with("/ws approve ID"), 15)["body"]
    # Bad input by IM gets its sentence back, nothing else happens.
    pete.send_chat(hub_jid, '/ws reject %s "no closing quote' % held_id)
    assert "Unterminated quote" in pete.wait_message(chat_with("quote"), 15)["body"]
    pete.send_chat(hub_jid, "/ws approve twelve")
    assert "twelve" in pete.wait_message(chat_with("held message"), 15)["body"]
    pete.send_chat(hub_jid, "ws outage again, see status page")
    line = carol.wait_message(lambda m: from_hub(h.a)(m) and "outage again" in m["body"], 15)
    assert line["body"].startswith("pete"), line["body"]
    time.sleep(2)
    assert len(posted_with(ctl, "Offer ends Monday")) == 1
    listing = ok(h.cmd(h.a, room, '/ws held "%s"' % ws))
    assert "approve by pete refused" in listing and "approved by olivia" in listing, listing
    later = carol.collect(from_hub(h.a), 0.5)
    assert "/ws who" not in "".join(m["body"] or "" for m in later)
    # Pete's line was held too, but a notice for this link went out minutes
    # ago: /ws held lists it, the rooms are not told again.
    assert "is held for" not in "".join(m["body"] or "" for m in later), later
    assert "outage again" in ok(h.cmd(h.a, room, '/ws held "%s"' % ws))


# -- (d) watchlist on an unlinked timeline ------------------------------------------------------------
def test_watchlist_alert_once_even_when_read_again(shub, prosody, xmpp_client, emu, ctl, social):
    h = shub
    ws, room = workspace(h, prosody, emu, social)
    added = ok(h.cmd(h.a, room, '/ws watch add "%s" outage #acmefail "@ceo@social.test"' % ws))
    assert "outage" in added and "#acmefail" in added, added
    assert "Already watched: outage" in ok(h.cmd(h.a, room, '/ws watch add "%s" OUTAGE' % ws))
    assert "!!!" in error(h.cmd(h.a, room, '/ws watch add "%s" fine "!!!"' % ws))
    assert "fine" not in ok(h.cmd(h.a, room, '/ws watch list "%s"' % ws))
    h.join(ALICE, "tag:news")      # read, never linked
    carol = muc_user(xmpp_client, room, "carol", "site-a.test")
    time.sleep(1.5)

    st = ctl.status(social["dora"]["id"], text="Big OUTAGE at Acme this morning #news", tags=["news"])
    alert = carol.wait_message(from_hub(h.a), 15)["body"]
    assert alert.startswith("Roundtable: Watchlist: \u201coutage\u201d in a post by @dora@social.test: "
                            "Big OUTAGE at Acme this morning #news"), alert
    assert alert.endswith(st["url"]), alert
    # A direct message with the watched word is private: no alert.
    ctl.status(social["bob"]["id"], text="@alice outage between us", visibility="direct",
               mentions=[social["alice"]["id"]])
    assert carol.collect(from_hub(h.a), 3) == []
    assert "(1 hit)" in ok(h.cmd(h.a, room, '/ws watch list "%s"' % ws)).split("outage", 1)[1].split("\n")[0]

    # Restart with the timeline's position set back: the post is read again
    # (the plugin says so), and no second alert comes.
    h.stop()
    older = str(int(st["id"]) - 1)
    assert int(positions.read(h.userdir, PRPL, ALICE)["stream_pos:tag:news"]) >= int(st["id"])
    positions.update(h.userdir, PRPL, ALICE, {"stream_pos:tag:news": older})
    h.restart()
    h.join(ALICE, "tag:news")
    ev = h.wait(lambda e: e["ev"] == "stream-post" and e["timeline"] == "tag:news", 15)
    assert "Big OUTAGE" in ev["html"]
    assert carol.collect(from_hub(h.a), 4) == []
    assert ok(h.cmd(h.a, room, '/ws watch remove "%s" outage' % ws))
    assert "#unknown" in error(h.cmd(h.a, room, '/ws watch remove "%s" #acmefail #unknown' % ws))
    listing = ok(h.cmd(h.a, room, '/ws watch list "%s"' % ws))
    assert "#acmefail" in listing and "outage" not in listing, listing


# -- (e) a retried post is not duplicated ---------------------------------------------------------------
def test_retried_post_is_made_once(shub, prosody, xmpp_client, emu, ctl, social):
    h = shub
    ws, room = workspace(h, prosody, emu, social)
    link_timeline(h, ws, "tag:acme")
    carol = muc_user(xmpp_client, room, "carol", "site-a.test")
    start = time.time()
    ctl.fault("status", "/api/v1/statuses", method="POST", status=500)
    carol.send_groupchat(room, "Retry me once")
    got = wait_posted(ctl, "Retry me once", timeout=20)
    time.sleep(3)
    got = posted_with(ctl, "Retry me once")
    assert len(got) == 1, got
    posts = api_requests(ctl, "/api/v1/statuses", "POST", since=start)
    assert [r["status"] for r in posts] == [500, 200], posts
    key = got[0]["idempotency_key"]
    assert KEY.match(key), key
    log = debug_log(h)
    assert "post %s to tag:acme queued" % key in log
    assert "post %s posted as" % key in log
