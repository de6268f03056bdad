"""Rooms bridged through the hub, presence-aware IM delivery and hostile input,
on a real Prosody with real prpl-jabber accounts in the hub."""
import datetime

from wslib import error, linked_rooms, muc_user, ok, unique, wait_reach, wait_who, who_line

ALWAYS = "--hours 00:00-24:00 --days Mon-Sun"


def from_hub(hub_account):
    nick = hub_account.split("@", 1)[0]
    return lambda m: m["type"] == "groupchat" and m["nick"] == nick


def test_bridge_both_ways_between_two_hosts(hub, prosody, xmpp_client):
    ws = unique("RFP Acme")
    room_a, room_b = linked_rooms(hub, prosody, xmpp_client, ws)
    alice_jid, alice_pw = prosody.new_user("site-a.test", prefix="alice")
    ok(hub.cmd(hub.a, room_a, '/ws member add "%s" alice --name "Alice Dubois" --site Brussels '
               '--tz Europe/Brussels --lang fr %s --im xmpp:%s' % (ws, ALWAYS, alice_jid)))
    alice = xmpp_client(alice_jid, alice_pw, register=False)
    alice.join_muc(room_a, "alice")
    # Alice is online and inside her hours, but sits in a linked room: she
    # sees everything there, so the plan sends her nothing.
    # (her presence and her room join reach the hub separately: wait for both)
    wait_who(hub, hub.a, room_a, ws, "alice", r", live, none \(in room\)$")
    carol = muc_user(xmpp_client, room_a, "carol", "site-a.test")
    dave = muc_user(xmpp_client, room_b, "dave", "site-b.test")
    observer = muc_user(xmpp_client, room_a, "observer", "site-a.test")

    lines_a = ["a-line %d" % i for i in range(10)]
    for i, text in enumerate(lines_a):
        (alice if i % 2 == 0 else carol).send_groupchat(room_a, text)
    lines_b = ["b-line %d" % i for i in range(5)]
    for text in lines_b:
        dave.send_groupchat(room_b, text)

    got_b = [dave.wait_message(from_hub(hub.b), 5)["body"] for _ in lines_a]
    # Two senders on two connections: the room decides their interleaving, and
    # the bridge must keep the room's order.
    room_order = [observer.wait_message(lambda m: "a-line" in m["body"], 5) for _ in lines_a]
    label = {"alice": "Alice Dubois (Brussels)", "carol": "carol (guest)"}
    assert got_b == ["%s: %s" % (label[m["nick"]], m["body"]) for m in room_order]
    assert sorted(got_b) == sorted("%s: %s" % ("Alice Dubois (Brussels)" if i % 2 == 0 else "carol (guest)", t)
                                   for i, t in enumerate(lines_a))
    got_a = [carol.wait_message(from_hub(hub.a), 5)["body"] for _ in lines_b]
    assert got_a == ["dave (guest): %s" % t for t in lines_b]

    # Nothing more: no echo back into the room a line came from, no duplicate.
    assert dave.collect(from_hub(hub.b), 0.7) == []
    assert carol.collect(from_hub(hub.a), 0.1) == []
    assert not [m for m in alice.collect(from_hub(hub.a), 0.1) if "a-line" in m["body"]]
    assert alice.collect(lambda m: m["type"] == "chat", 0.1) == []      # no IM either


def test_hub_users_own_line_is_bridged_once(hub, prosody, xmpp_client):
    ws = unique("Operator")
    room_a, room_b = linked_rooms(hub, prosody, xmpp_client, ws)
    carol = muc_user(xmpp_client, room_a, "carol", "site-a.test")
    dave = muc_user(xmpp_client, room_b, "dave", "site-b.test")
    nick = hub.a.split("@")[0]
    hub.say(hub.a, room_a, "typed by the hub's user")
    assert carol.wait_message(from_hub(hub.a), 5)["body"] == "typed by the hub's user"
    assert dave.wait_message(from_hub(hub.b), 5)["body"] == "%s (guest): typed by the hub's user" % nick
    assert dave.collect(from_hub(hub.b), 0.5) == [] and carol.collect(from_hub(hub.a), 0.1) == []


def test_member_live_then_pending_then_live(hub, prosody, xmpp_client):
    ws = unique("Live")
    room_a, _ = linked_rooms(hub, prosody, xmpp_client, ws)
    bob_jid, bob_pw = prosody.new_user("site-a.test", prefix="bob")
    bob = xmpp_client(bob_jid, bob_pw, register=False)
    ok(hub.cmd(hub.a, room_a, '/ws member add "%s" bob --name Bob --site Rio --tz America/Sao_Paulo %s '
               '--im xmpp:%s' % (ws, ALWAYS, bob_jid)))
    carol = muc_user(xmpp_client, room_a, "carol", "site-a.test")
    wait_reach(hub, hub.a, room_a, ws, "bob", "live")
    assert "live IM" in who_line(hub, hub.a, room_a, ws, "bob")

    carol.send_groupchat(room_a, "first")
    im = bob.wait_message(lambda m: m["type"] == "chat", 5)
    assert im["body"] == "carol (guest): first"
    assert im["from"].startswith(hub.a.split("/")[0])

    bob.disconnect()
    wait_reach(hub, hub.a, room_a, ws, "bob", "async-only")
    carol.send_groupchat(room_a, "second")
    pending = ok(hub.cmd(hub.a, room_a, "/ws pending bob"))
    deadline_tries = 20
    while "second" not in pending and deadline_tries:
        deadline_tries -= 1
        pending = ok(hub.cmd(hub.a, room_a, "/ws pending bob"))
    assert "1 message kept" in pending and "carol (guest): second" in pending

    bob = xmpp_client(bob_jid, bob_pw, register=False)
    wait_reach(hub, hub.a, room_a, ws, "bob", "live")
    carol.send_groupchat(room_a, "third")
    im = bob.wait_message(lambda m: m["type"] == "chat", 5)
    # "second" was kept for the digest, not sent while Bob was away (the
    # server would have stored it and delivered it first, on reconnect).
    assert im["body"] == "carol (guest): third"
    assert bob.collect(lambda m: m["type"] == "chat", 0.5) == []


def test_im_from_member_lands_in_every_linked_room(hub, prosody, xmpp_client):
    ws = unique("IM in")
    room_a, room_b = linked_rooms(hub, prosody, xmpp_client, ws)
    alice_jid, alice_pw = prosody.new_user("site-a.test", prefix="alice")
    ok(hub.cmd(hub.a, room_a, '/ws member add "%s" alice --name "Alice Dubois" --site Brussels %s '
               '--im xmpp:%s' % (ws, ALWAYS, alice_jid)))
    alice = xmpp_client(alice_jid, alice_pw, register=False)
    carol = muc_user(xmpp_client, room_a, "carol", "site-a.test")
    dave = muc_user(xmpp_client, room_b, "dave", "site-b.test")
    alice.send_chat(hub.a.split("/")[0], "Decision: we bid.")
    want = "Alice Dubois (Brussels): Decision: we bid."
    assert carol.wait_message(from_hub(hub.a), 5)["body"] == want
    assert dave.wait_message(from_hub(hub.b), 5)["body"] == want
    # The author does not get her own line back.
    assert alice.collect(lambda m: m["type"] == "chat", 0.5) == []


def night_zone(now=None):
    """An Etc/GMT zone where it is about 03:00 now."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    offset = (3 - now.hour) % 24
    if offset > 14:
        offset -= 24
    return "Etc/GMT" if offset == 0 else "Etc/GMT%+d" % -offset


def test_off_hours_member_gets_pending_not_im(hub, prosody, xmpp_client):
    ws = unique("Night")
    room_a, _ = linked_rooms(hub, prosody, xmpp_client, ws)
    erin_jid, erin_pw = prosody.new_user("site-a.test", prefix="erin")
    erin = xmpp_client(erin_jid, erin_pw, register=False)
    ok(hub.cmd(hub.a, room_a, '/ws member add "%s" erin --tz %s --hours 08:30-17:30 --days Mon-Sun '
               '--im xmpp:%s' % (ws, night_zone(), erin_jid)))
    carol = muc_user(xmpp_client, room_a, "carol", "site-a.test")
    line = wait_reach(hub, hub.a, room_a, ws, "erin", "off-hours")
    assert "next digest" in line
    carol.send_groupchat(room_a, "late news")
    assert erin.collect(lambda m: m["type"] == "chat", 1.0) == []
    assert "carol (guest): late news" in ok(hub.cmd(hub.a, room_a, "/ws pending erin"))

    # The same member allowing off-hours IM gets it live.
    ok(hub.cmd(hub.a, room_a, '/ws member set "%s" erin --offhours-im yes' % ws))
    carol.send_groupchat(room_a, "urgent")
    assert erin.wait_message(lambda m: m["type"] == "chat", 5)["body"] == "carol (guest): urgent"


HOSTILE = ('<b>bold</b> <script>alert(1)</script> &amp; '
           '<a href="javascript:alert(2)">click</a> <img src=x onerror=alert(3)>')


def test_hostile_markup_arrives_literally(hub, prosody, xmpp_client):
    ws = unique("Hostile")
    room_a, room_b = linked_rooms(hub, prosody, xmpp_client, ws)
    carol = muc_user(xmpp_client, room_a, "carol", "site-a.test")
    dave = muc_user(xmpp_client, room_b, "dave", "site-b.test")
    carol.send_groupchat(room_a, HOSTILE)
    m = dave.wait_message(from_hub(hub.b), 5)
    assert m["body"] == "carol (guest): " + HOSTILE
    # The XHTML-IM alternative libpurple sends must not carry live markup.
    html = m["stanza"].find("{http://jabber.org/protocol/xhtml-im}html")
    if html is not None:
        import xml.etree.ElementTree as ET
        tags = {el.tag.split("}")[-1] for el in html.iter()}
        assert not tags & {"script", "a", "img", "b"}, ET.tostring(html)


def test_huge_line_is_split_with_markers_and_nothing_lost(hub, prosody, xmpp_client):
    ws = unique("Huge")
    room_a, room_b = linked_rooms(hub, prosody, xmpp_client, ws)
    carol = muc_user(xmpp_client, room_a, "carol", "site-a.test")
    dave = muc_user(xmpp_client, room_b, "dave", "site-b.test")
    words = ("Zoë São-Paulo Łódź 東京 lorem%d " % i for i in range(100000))
    text = ""
    for w in words:
        if len(text.encode()) + len(w.encode()) > 64 * 1024:
            break
        text += w
    text = text.strip()
    carol.send_groupchat(room_a, text)
    first = dave.wait_message(from_hub(hub.b), 10)["body"]
    prefix = "carol (guest): "
    assert first.startswith(prefix + "[1/")
    n = int(first[len(prefix) + 3:].split("]", 1)[0])
    assert n >= 2
    pieces = [first] + [dave.wait_message(from_hub(hub.b), 10)["body"] for _ in range(n - 1)]
    rebuilt = ""
    for k, body in enumerate(pieces, 1):
        marker = "%s[%d/%d] " % (prefix, k, n)
        assert body.startswith(marker), body[:60]
        rebuilt += body[len(marker):]
    assert rebuilt == text


def test_bad_commands_give_clear_errors_and_change_nothing(hub, prosody, xmpp_client):
    ws = unique("Strict")
    room_a, _ = linked_rooms(hub, prosody, xmpp_client, ws)
    ok(hub.cmd(hub.a, room_a, '/ws member add "%s" frank --name Frank --tz Europe/Berlin --hours 09:00-17:00' % ws))
    before = ok(hub.cmd(hub.a, room_a, '/ws member show "%s" frank' % ws))

    assert "Unknown command" in error(hub.cmd(hub.a, room_a, "/ws frobnicate"))
    assert "Mars/Olympus" in error(hub.cmd(hub.a, room_a, '/ws member set "%s" frank --tz Mars/Olympus' % ws))
    assert "25:00" in error(hub.cmd(hub.a, room_a, '/ws member set "%s" frank --name Other --hours 25:00-26:00' % ws))
    assert "No workspace" in error(hub.cmd(hub.a, room_a, '/ws member add "No Such WS" gina --tz UTC'))
    assert error(hub.cmd(hub.a, room_a, '/ws member set "%s" frank --bogus 1' % ws))
    assert error(hub.cmd(hub.a, room_a, '/ws member add "%s" frank' % ws))       # exists already
    assert error(hub.cmd(hub.a, room_a, '/ws create "unterminated'))
    assert error(hub.cmd(hub.a, room_a, '/ws member set "%s" frank --im mailto-ish' % ws))

    assert ok(hub.cmd(hub.a, room_a, '/ws member show "%s" frank' % ws)) == before
    listing = ok(hub.cmd(hub.a, room_a, "/ws list"))
    assert "No Such WS" not in listing and "unterminated" not in listing
    assert "gina" not in ok(hub.cmd(hub.a, room_a, '/ws who "%s"' % ws))
