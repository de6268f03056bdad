"""Helpers shared by the hub integration tests."""
import itertools
import re
import time

_serial = itertools.count(1)


def unique(prefix):
    return "%s %d-%d" % (prefix, int(time.time() * 1000) % 100000, next(_serial))


def texts(writes):
    return [w["msg"] for w in writes]


def ok(writes):
    """The command answered without an error line; returns its text."""
    errors = [w["msg"] for w in writes if w["kind"] == "error"]
    assert not errors, errors
    assert writes, "command wrote nothing"
    return "\n".join(texts(writes))


def error(writes):
    errors = [w["msg"] for w in writes if w["kind"] == "error"]
    assert errors, "expected an error, got %r" % texts(writes)
    return "\n".join(errors)


def who_line(hub, account, conv, ws, handle):
    out = ok(hub.cmd(account, conv, '/ws who "%s"' % ws))
    for line in out.splitlines():
        if line.startswith(handle + ":"):
            return line
    raise AssertionError("%s not in /ws who: %s" % (handle, out))


def wait_who(hub, account, conv, ws, handle, pattern, timeout=10):
    """Poll /ws who until handle's line matches the regular expression."""
    deadline = time.monotonic() + timeout
    while True:
        line = who_line(hub, account, conv, ws, handle)
        if re.search(pattern, line):
            return line
        if time.monotonic() > deadline:
            raise AssertionError("%s never matched %r: %s" % (handle, pattern, line))
        time.sleep(0.1)


def wait_reach(hub, account, conv, ws, handle, word, timeout=10):
    """Poll /ws who until handle's line shows reachability word."""
    return wait_who(hub, account, conv, ws, handle, r", %s, " % re.escape(word), timeout)


def linked_rooms(hub, prosody, xmpp_client, ws):
    """Workspace ws with room A (site-a, hub.a) and room B (site-b, hub.b)
    linked; returns (room_a, room_b)."""
    room_a, room_b = prosody.new_room("site-a.test"), prosody.new_room("site-b.test")
    hub.join(hub.a, room_a)
    hub.join(hub.b, room_b)
    ok(hub.cmd(hub.a, room_a, '/ws create "%s"' % ws))
    ok(hub.cmd(hub.a, room_a, '/ws link "%s"' % ws))
    ok(hub.cmd(hub.b, room_b, '/ws link "%s"' % ws))
    return room_a, room_b


def muc_user(xmpp_client, room, nick, host):
    c = xmpp_client(host=host, ignore_own_echo=True)
    c.join_muc(room, nick)
    return c
