"""Durability: a hub killed with SIGKILL in the middle of a fan-out delivers
every planned message exactly once after it starts again, and keeps its
workspaces, members and links."""
import time

from wslib import linked_rooms, muc_user, ok, unique, wait_reach

ALWAYS = "--hours 00:00-24:00 --days Mon-Sun"
N_MEMBERS = 12
N_LINES = 8


def test_sigkill_during_fanout_delivers_exactly_once(hub, prosody, xmpp_client):
    ws = unique("Crash")
    room_a, room_b = linked_rooms(hub, prosody, xmpp_client, ws)
    members = []
    for i in range(N_MEMBERS):
        jid, pw = prosody.new_user("site-a.test", prefix="m")
        members.append((i, jid, xmpp_client(jid, pw, register=False)))
        ok(hub.cmd(hub.a, room_a, '/ws member add "%s" m%d --site Site%d %s --im xmpp:%s'
                   % (ws, i, i % 3, ALWAYS, jid)))
    carol = muc_user(xmpp_client, room_a, "carol", "site-a.test")
    dave = muc_user(xmpp_client, room_b, "dave", "site-b.test")
    for i, _, _ in members:
        wait_reach(hub, hub.a, room_a, ws, "m%d" % i, "live", timeout=15)

    # Slow the pump down (one delivery per 25 ms) so the kill lands mid-way.
    hub.pref("int", "/plugins/core/roundtable/pump_batch", 1)
    hub.pref("int", "/plugins/core/roundtable/pump_interval_ms", 25)
    lines = ["decision %d" % k for k in range(N_LINES)]
    for text in lines:
        carol.send_groupchat(room_a, text)

    # Wait until some, but far from all, IMs are out; then kill.
    is_im = lambda m: m["type"] == "chat"  # noqa: E731
    received = {i: [] for i, _, _ in members}
    deadline = time.monotonic() + 10
    while sum(len(v) for v in received.values()) < 15 and time.monotonic() < deadline:
        for i, _, client in members:
            received[i] += [m["body"] for m in client.collect(is_im, 0.01)]
    hub.kill()
    before_kill = sum(len(v) for v in received.values())
    assert 0 < before_kill < N_MEMBERS * N_LINES, before_kill

    hub.restart()     # same store and user dir; accounts signed in again
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for i, _, client in members:
            received[i] += [m["body"] for m in client.collect(is_im, 0.02)]
        if all(len(v) >= N_LINES for v in received.values()):
            break
    time.sleep(1.0)   # anything extra would be a duplicate: give it time to show
    for i, _, client in members:
        received[i] += [m["body"] for m in client.collect(is_im, 0.05)]

    want = ["carol (guest): %s" % t for t in lines]
    for i, _, _ in members:
        assert received[i] == want, "member m%d got %r" % (i, received[i])
    # The linked room got each line exactly once too, in order, despite the
    # room history the hub was served when it rejoined.
    nick_b = hub.b.split("@")[0]
    room_lines = [m["body"] for m in dave.collect(lambda m: m["nick"] == nick_b, 0.5)]
    assert room_lines == want

    # Workspaces, members and links survived.
    out = ok(hub.cmd(hub.a, room_a, '/ws who "%s"' % ws))
    assert "%d members" % N_MEMBERS in out
    carol.send_groupchat(room_a, "after restart")
    assert dave.wait_message(lambda m: m["nick"] == nick_b, 10)["body"] == "carol (guest): after restart"
