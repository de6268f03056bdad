"""The plugin re-arms TCP_QUICKACK on libpurple's sockets after each read
(see plugin/glue/rt-quickack.c for why), and not when the preference is off.
Observed from outside with strace on the real hub process."""
import re

from hub import start_hub
from wslib import linked_rooms, muc_user, unique

QUICKACK = re.compile(r"setsockopt\(\d+, SOL_TCP, TCP_QUICKACK, \[1\], 4\) = 0")


def relay_lines(hub, prosody, xmpp_client, n):
    room_a, room_b = linked_rooms(hub, prosody, xmpp_client, unique("QuickAck"))
    carol = muc_user(xmpp_client, room_a, "carol", "site-a.test")
    dave = muc_user(xmpp_client, room_b, "dave", "site-b.test")
    for i in range(n):
        carol.send_groupchat(room_a, "line %d" % i)
        dave.wait_message(lambda m: m["body"].endswith("line %d" % i), 5)


def start_traced(tmp_path, prosody, trace):
    return start_hub(prosody, str(tmp_path / "hub"),
                     wrapper=["strace", "-f", "-qq", "-e", "trace=setsockopt,connect", "-o", trace])


def test_quickack_rearmed_after_reads_and_pref_turns_it_off(tmp_path, prosody, xmpp_client):
    trace_on = str(tmp_path / "on.trace")
    hub = start_traced(tmp_path, prosody, trace_on)
    try:
        relay_lines(hub, prosody, xmpp_client, 10)
        hub.pref("bool", "/plugins/core/roundtable/quickack", "false")
    finally:
        hub.stop()
    armed = len(QUICKACK.findall(open(trace_on).read()))
    assert armed >= 10, "expected TCP_QUICKACK after each read, saw %d" % armed

    # The preference is read when the plugin loads: restart with it off.
    trace_off = str(tmp_path / "off.trace")
    hub = start_traced(tmp_path, prosody, trace_off)
    try:
        relay_lines(hub, prosody, xmpp_client, 10)
    finally:
        hub.stop()
    trace = open(trace_off).read()
    assert "connect(" in trace          # the trace did see the hub's sockets
    assert QUICKACK.findall(trace) == []
