"""Figure 3: the longest event-loop stall of the hub while it fans out a burst.

Usage: fanout.py PROSODY_DIR PROSODY_PORT WORKDIR [LINES [ONLINE [MEMBERS]]]
  defaults: 10000 lines, 3 online members of 30.

The hub runs with RT_STALL_PROBE=1: a 1 ms GLib heartbeat in the harness; its
`stall` command prints the longest gap beyond the period since the last
`stall` (then resets). A workspace links room 1 (site-a) and room 2 (site-b)
and has MEMBERS members, working hours 00:00-24:00 every day, each with an
xmpp endpoint; ONLINE of them are logged-in raw clients (so each line goes out
to them by IM), the others never log in (their deliveries are kept for the
digest). Raw client S says LINES lines into room 1 as fast as it can; the
fan-out is over when room 2 has every line and every online member every IM.

  fanout_max_stall: the stall over the fan-out (from just before the first
  line to the last arrival), against idle_max_stall: the same hub, idle, for
  IDLE_S right before (about as long as a complete fan-out takes on a 2-core
  machine). If the fan-out does not finish within FANOUT_TIMEOUT_S, the
  stall seen until then is printed as fanout_max_stall_partial (a lower
  bound) and the exit status is 1.
"""
import os
import re
import shutil
import sys
import time

from benchlib import (attach_prosody, client, cmd_ok, emit, hub_nick, linked_rooms, log,
                      new_user,
                      ratio, start_hub)
from relay import Arrivals, groupchat_from

IDLE_S = 15.0
FANOUT_TIMEOUT_S = 60.0
REACH_TIMEOUT_S = 30.0


def wait_live(hub, account, conv, ws, handles, timeout=REACH_TIMEOUT_S):
    """Poll /ws who until every handle shows reachability "live"."""
    deadline = time.monotonic() + timeout
    while True:
        out = cmd_ok(hub, account, conv, '/ws who "%s"' % ws)
        live = {h for h in handles
                if re.search(r"^%s:.*, live, " % re.escape(h), out, re.M)}
        if live == set(handles):
            return True
        if time.monotonic() > deadline:
            log("fanout: members never became live: %s\n%s" % (sorted(set(handles) - live), out))
            return False
        time.sleep(0.2)


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    prosody = attach_prosody(argv[1], argv[2], "f")
    lines = int(argv[4]) if len(argv) > 4 else 10000
    n_online = int(argv[5]) if len(argv) > 5 else 3
    n_members = int(argv[6]) if len(argv) > 6 else 30
    userdir = os.path.join(argv[3], "hub-fanout")
    shutil.rmtree(userdir, ignore_errors=True)
    log("fanout: starting hub (stall probe on) in %s" % userdir)
    hub = start_hub(prosody, userdir, env={"RT_STALL_PROBE": "1"})
    clients = []
    try:
        ws = "Fanout bench"
        room_1, room_2 = linked_rooms(hub, prosody, ws)
        members = []   # (handle, client or None)
        log("fanout: %d members, %d of them online" % (n_members, n_online))
        for i in range(n_members):
            handle = "m%d" % i
            if i < n_online:
                c = client(prosody, "site-a.test", "mem"); clients.append(c)
                jid = c.jid.split("/", 1)[0]
            else:
                c, jid = None, new_user(prosody, "site-a.test", "off")[0]
            cmd_ok(hub, hub.a, room_1, '/ws member add "%s" %s --name "Member %d" --site Site%d '
                   '--tz Europe/Brussels --hours 00:00-24:00 --days Mon-Sun --im xmpp:%s'
                   % (ws, handle, i, i % 3, jid))
            members.append((handle, c))
        online = [(h, c) for h, c in members if c is not None]
        if not wait_live(hub, hub.a, room_1, ws, [h for h, _ in online]):
            return 1
        S = client(prosody, "site-a.test", "snd"); clients.append(S)
        R2 = client(prosody, "site-b.test", "rcvb"); clients.append(R2)
        S.join_muc(room_1, "sender", history=0)
        R2.join_muc(room_2, "r2", history=0)
        hub_a_bare = hub.a.split("/", 1)[0]
        from_hub2 = groupchat_from(room_2, hub_nick(hub.b))

        def im_from_hub(m):
            return m["type"] == "chat" and m["from"].split("/", 1)[0] == hub_a_bare

        # Warm-up: proves the room and IM paths.
        arr = [Arrivals(R2, "W", from_hub2)] + [Arrivals(c, "W", im_from_hub) for _, c in online]
        for i in range(5):
            S.send_groupchat(room_1, "bench W %d" % i)
            time.sleep(0.02)
        for a in arr:
            if not a.wait(5, 15):
                log("fanout: warm-up did not reach %s (%d/5); see %s/stderr.log"
                    % (a.client.jid, len(a.ts), userdir))
                return 1
        for c in clients:
            c.drain()
        time.sleep(0.5)

        # Baseline: the same hub, idle (its accounts, rooms and members all
        # set up), for about as long as a complete fan-out takes here.
        hub.stall_us()                                  # reset
        log("fanout: hub idle for %.0f s (baseline)" % IDLE_S)
        time.sleep(IDLE_S)
        stall_idle = hub.stall_us() / 1000.0
        log("fanout: idle max stall %.1f ms" % stall_idle)

        arr = [Arrivals(R2, "F", from_hub2)] + [Arrivals(c, "F", im_from_hub) for _, c in online]
        expected = lines * (1 + len(online))
        timeout = FANOUT_TIMEOUT_S
        log("fanout: burst of %d lines into room 1 (%d room lines + %d IMs to send)"
            % (lines, lines, lines * len(online)))
        hub.stall_us()                                  # reset
        t0 = time.monotonic()
        for i in range(lines):
            S.send_groupchat(room_1, "bench F %d" % i)
        deadline = t0 + timeout
        done = False
        while time.monotonic() < deadline:
            got = sum(a.poll() for a in arr)
            if got >= expected:
                done = True
                break
            time.sleep(0.05)
        duration = time.monotonic() - t0
        stall_fanout = hub.stall_us() / 1000.0
        got = sum(a.poll() for a in arr)
        if done:
            log("fanout: %d deliveries in %.1f s (%.0f/s); max stall %.1f ms"
                % (expected, duration, expected / duration, stall_fanout))
        else:
            log("fanout: INCOMPLETE after %.0f s: %d of %d deliveries arrived (%.0f/s); max stall "
                "so far %.1f ms: a lower bound, printed as fanout_max_stall_partial"
                % (duration, got, expected, got / duration, stall_fanout))
        emit("fanout_max_stall" + ("" if done else "_partial"), stall_fanout, "ms",
             "idle_max_stall", stall_idle, ratio(stall_fanout, stall_idle))
        return 0 if done else 1
    finally:
        for c in clients:
            try:
                c.disconnect()
            except Exception:
                pass
        hub.stop()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:
        log("fanout failed: %r" % (e,))
        sys.exit(1)
