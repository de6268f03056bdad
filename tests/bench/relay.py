"""Figure 1: relay over a real Prosody through the hub.

Usage: relay.py PROSODY_DIR PROSODY_PORT WORKDIR [on|off ...]   (default: on off)

"on"/"off" is the plugin's TCP_QUICKACK re-arming (pref
/plugins/core/roundtable/quickack, read when the plugin loads, so it is
written into the hub's prefs.xml before the hub starts). One hub per setting;
all run at the same time and the measurements alternate between them, so the
machine's drift hits every setting alike.

Raw clients S (sender) and R1 on site-a, R2 on site-b. Per setting a
workspace with no members links room 1 (site-a, the hub's site-a account)
and room 2 (site-b, its site-b account); S sits in every room 1, R2 in every
room 2. Room 0 (site-a) has only S and R1, no hub.
  latency    ROUNDS x PER_ROUND lines said by S in room 1, PAUSE_S apart,
             one-way delay to R2 in room 2 (relayed by the hub); baseline: the
             same in room 0, S to R1 (unbridged, the floor). Rounds alternate:
             setting 1, setting 2, room 0, setting 1, ... Median and p99.
             (Not R1 in room 1 next to the hub: there R1's delay depended on
             the room, see docs/benchmarks.md.)
  CPU        utime+stime of the hub over its latency rounds, per line;
             baseline: Prosody's CPU per line for the same paced lines said
             in room 0 (no hub). Also over the relayed burst (_burst), against
             Prosody's per line over the unbridged burst.
  throughput BURST lines said by S as fast as it can into room 0 (unbridged,
             arrivals at R1), then into room 1 (arrivals at R2); the Python
             side parses as much in both (S's echo and one receiver).
             lines/s = lines / (last arrival - first send). Twice per
             setting, in A B B A order; the mean.
"""
import os
import shutil
import sys
import time

from benchlib import (attach_prosody, client, cpu_seconds, emit, hub_nick,
                      linked_rooms, log, median, new_room, percentile, prosody_pid, ratio,
                      seq_of, start_hub, wait_idle_cpu)

ROUNDS, PER_ROUND, PAUSE_S = 5, 200, 0.005
BURST = 5000
ROUND_TIMEOUT_S = 15.0
BURST_TIMEOUT_S = 60.0


class Arrivals:
    """Arrival stamps of bench lines with one tag at one client, read from
    Client.messages (every message the reader thread parsed, with ts)."""

    def __init__(self, client, tag, pred):
        self.client, self.tag, self.pred = client, tag, pred
        self.ts = {}          # seq -> perf_counter_ns of the recv that completed it
        self._pos = len(client.messages)

    def poll(self):
        msgs = self.client.messages
        end = len(msgs)
        for m in msgs[self._pos:end]:
            if not self.pred(m):
                continue
            seq = seq_of(m["body"], self.tag)
            if seq is not None and seq not in self.ts:
                self.ts[seq] = m["ts"]
        self._pos = end
        return len(self.ts)

    def wait(self, n, timeout):
        """Wait until n distinct lines arrived; returns whether they did."""
        deadline = time.monotonic() + timeout
        while self.poll() < n:
            if time.monotonic() > deadline or self.client.closed:
                return False
            time.sleep(0.01)
        return True


def groupchat_from(room, nick):
    return lambda m: (m["type"] == "groupchat" and m["from"] == room + "/" + nick
                      and not m["delayed"])


def paced_round(S, room, receivers, tag):
    """PER_ROUND lines said by S in room, PAUSE_S apart. receivers:
    {key: (client, pred)}. Returns ({key: [one-way ms...]}, {key: lost})."""
    arr = {k: Arrivals(c, tag, pred) for k, (c, pred) in receivers.items()}
    sent = {}
    for i in range(PER_ROUND):
        t = time.perf_counter_ns()
        S.send_groupchat(room, "bench %s %d %d" % (tag, i, t))
        sent[i] = t
        time.sleep(PAUSE_S)
    for a in arr.values():
        a.wait(PER_ROUND, ROUND_TIMEOUT_S)
    delays = {k: [(a.ts[i] - t) / 1e6 for i, t in sent.items() if i in a.ts]
              for k, a in arr.items()}
    lost = {k: PER_ROUND - len(v) for k, v in delays.items()}
    for c, _ in receivers.values():
        c.drain()
    S.drain()
    return delays, lost


def burst(S, room, receiver, pred, tag, n=BURST, timeout=BURST_TIMEOUT_S):
    """S says n lines in room as fast as it can; returns (lines/s or None, arrived)."""
    arr = Arrivals(receiver, tag, pred)
    t0 = time.perf_counter_ns()
    for i in range(n):
        S.send_groupchat(room, "bench %s %d" % (tag, i))
    ok = arr.wait(n, timeout)
    if not arr.ts:
        return None, 0
    last = max(arr.ts.values())
    return (n / ((last - t0) / 1e9) if ok else None), len(arr.ts)


class Setting:
    def __init__(self, prosody, workdir, quickack):
        self.quickack = quickack
        self.name = "quickack " + ("on" if quickack else "off")
        self.suffix = "" if quickack else "_noquickack"
        self.userdir = os.path.join(workdir, "hub-relay-quickack-%s" % ("on" if quickack else "off"))
        shutil.rmtree(self.userdir, ignore_errors=True)
        log("relay (%s): starting hub in %s" % (self.name, self.userdir))
        self.hub = start_hub(prosody, self.userdir, prefs={"quickack": quickack})
        self.pid = self.hub.proc.pid
        self.room_1, self.room_2 = linked_rooms(self.hub, prosody, "Relay bench %s" % self.name)
        self.from_hub2 = groupchat_from(self.room_2, hub_nick(self.hub.b))
        self.relayed, self.lost = [], {"relayed": 0}
        self.cpu = 0.0
        self.ok = True
        self.res = {}

    def stop(self):
        if self.hub.proc is None:
            return
        self.hub.stop()
        # The plugin read the pref at load; the hub saved its prefs at exit.
        want = "name='quickack' type='bool' value='%d'" % int(self.quickack)
        try:
            with open(os.path.join(self.userdir, "prefs.xml")) as f:
                if want not in f.read():
                    log("relay (%s): WARNING: the hub's prefs.xml does not hold %s"
                        % (self.name, want))
        except OSError as e:
            log("relay (%s): cannot read prefs.xml: %s" % (self.name, e))


def run(prosody, workdir, quickacks):
    settings, clients = [], []
    try:
        for q in quickacks:
            settings.append(Setting(prosody, workdir, q))
        room_0 = new_room(prosody, "site-a.test", "plain")
        S = client(prosody, "site-a.test", "snd"); clients.append(S)
        R1 = client(prosody, "site-a.test", "rcva"); clients.append(R1)
        R2 = client(prosody, "site-b.test", "rcvb"); clients.append(R2)
        for st in settings:
            S.join_muc(st.room_1, "sender", history=0)
            R2.join_muc(st.room_2, "r2", history=0)
        S.join_muc(room_0, "sender", history=0)
        R1.join_muc(room_0, "r1", history=0)
        from_s0 = groupchat_from(room_0, "sender")
        pros_pid = prosody_pid(prosody)

        # Warm-up (also proves each path works).
        for st in settings:
            warm = Arrivals(R2, "W", st.from_hub2)
            for i in range(20):
                S.send_groupchat(st.room_1, "bench W %d" % i)
                time.sleep(0.01)
            if not warm.wait(20, 15):
                log("relay (%s): warm-up lines did not arrive in room 2 (%d/20); see %s/stderr.log"
                    % (st.name, len(warm.ts), st.userdir))
                st.ok = False
        R1.drain(); R2.drain(); S.drain()
        settings_ok = [st for st in settings if st.ok]

        log("relay: latency, %d x %d lines %d ms apart per setting and in room 0, "
            "rounds alternating" % (ROUNDS, PER_ROUND, PAUSE_S * 1000))
        plain, plain_lost, pros_cpu_paced = [], 0, 0.0
        for r in range(ROUNDS):
            for st in settings_ok:
                wait_idle_cpu(st.pid)
                c0 = cpu_seconds(st.pid)
                d, lost = paced_round(S, st.room_1, {"relayed": (R2, st.from_hub2)}, "L%d" % r)
                wait_idle_cpu(st.pid)
                st.cpu += cpu_seconds(st.pid) - c0
                st.relayed += d["relayed"]
                st.lost["relayed"] += lost["relayed"]
            wait_idle_cpu(pros_pid)
            p0 = cpu_seconds(pros_pid)
            d, lost = paced_round(S, room_0, {"plain": (R1, from_s0)}, "P%d" % r)
            pros_cpu_paced += cpu_seconds(pros_pid) - p0
            plain += d["plain"]
            plain_lost += lost["plain"]
        total = ROUNDS * PER_ROUND
        pros_paced = pros_cpu_paced * 1000 / total
        if plain_lost:
            log("relay: lost %d of %d unbridged lines in room 0" % (plain_lost, total))
        if plain:
            log("relay: unbridged (room 0) median %.3f p99 %.3f max %.3f ms; "
                "Prosody %.3f ms CPU/line" % (median(plain), percentile(plain, 99),
                                              max(plain), pros_paced))
        for st in settings_ok:
            rl = st.relayed
            if st.lost["relayed"]:
                log("relay (%s): lost %d of %d relayed lines" % (st.name, st.lost["relayed"], total))
            if len(rl) < total * 0.99 or len(plain) < total * 0.99:
                log("relay (%s): too many lines lost, no latency figure" % st.name)
                continue
            st.res["lat"] = (median(rl), percentile(rl, 99), median(plain), percentile(plain, 99))
            log("relay (%s): relayed median %.3f p99 %.3f max %.3f ms; hub %.3f ms CPU/line"
                % (st.name, st.res["lat"][0], st.res["lat"][1], max(rl), st.cpu * 1000 / total))
            if plain_lost == 0 and pros_paced > 0:
                st.res["cpu_paced"] = (st.cpu * 1000 / total, pros_paced)

        # Throughput: settings in A B B A order (the first burst after the
        # latency phase runs on a slightly different machine state), each
        # relayed burst right after an unbridged one in room 0.
        tputs = {st.suffix: [] for st in settings_ok}
        order = settings_ok + settings_ok[::-1] if len(settings_ok) > 1 else settings_ok
        for k, st in enumerate(order):
            for other in settings_ok:
                wait_idle_cpu(other.pid)
            wait_idle_cpu(pros_pid)
            tag = "%s%d" % (st.suffix, k)
            log("relay (%s): unbridged burst of %d lines in room 0" % (st.name, BURST))
            p0 = cpu_seconds(pros_pid)
            base_rate, got = burst(S, room_0, R1, from_s0, "U" + tag)
            pros_cpu = (cpu_seconds(pros_pid) - p0) * 1000 / BURST
            S.drain(); R1.drain()
            if base_rate is None:
                log("relay (%s): unbridged burst incomplete (%d/%d)" % (st.name, got, BURST))
                continue
            wait_idle_cpu(pros_pid)
            log("relay (%s): relayed burst of %d lines, room 1 to room 2" % (st.name, BURST))
            c0, p0 = cpu_seconds(st.pid), cpu_seconds(pros_pid)
            rate, got = burst(S, st.room_1, R2, st.from_hub2, "B" + tag)
            wait_idle_cpu(st.pid)
            hub_cpu = (cpu_seconds(st.pid) - c0) * 1000 / BURST
            pros_cpu_relay = (cpu_seconds(pros_pid) - p0) * 1000 / BURST
            S.drain(); R2.drain()
            log("relay (%s): unbridged %.0f lines/s, Prosody %.3f ms CPU/line"
                % (st.name, base_rate, pros_cpu))
            if rate is None:
                log("relay (%s): relayed burst incomplete (%d/%d in %.0f s)"
                    % (st.name, got, BURST, BURST_TIMEOUT_S))
                continue
            log("relay (%s): relayed %.0f lines/s, hub %.3f ms CPU/line, Prosody %.3f ms CPU/line"
                % (st.name, rate, hub_cpu, pros_cpu_relay))
            tputs[st.suffix].append((rate, base_rate, hub_cpu, pros_cpu))
        # Each figure: the mean over the setting's bursts (all of them must
        # have completed).
        for st in settings_ok:
            runs = tputs[st.suffix]
            if not runs or len(runs) < order.count(st):
                continue
            mean = [sum(r[i] for r in runs) / len(runs) for i in range(4)]
            st.res["tput"] = (mean[0], mean[1])
            if mean[3] > 0:
                st.res["cpu_burst"] = (mean[2], mean[3])
        return settings
    finally:
        for c in clients:
            try:
                c.disconnect()
            except Exception:
                pass
        for st in settings:
            st.stop()


def report(res, sfx):
    """Latency and paced CPU baselines are shared by the settings (one series
    of room 0 rounds interleaved with theirs); each setting has its own
    unbridged burst."""
    if "lat" in res:
        med, p99, bmed, bp99 = res["lat"]
        emit("relay_latency_median" + sfx, med, "ms", "unbridged_latency_median", bmed,
             ratio(med, bmed))
        emit("relay_latency_p99" + sfx, p99, "ms", "unbridged_latency_p99", bp99, ratio(p99, bp99))
        emit("relay_added_latency_median" + sfx, med - bmed, "ms", "unbridged_latency_median", bmed,
             ratio(med - bmed, bmed))
    if "tput" in res:
        rate, base = res["tput"]
        emit("relay_throughput" + sfx, rate, "lines/s", "unbridged_throughput" + sfx, base,
             ratio(rate, base))
    if "cpu_paced" in res:
        hub_ms, pros_ms = res["cpu_paced"]
        emit("relay_cpu_per_line" + sfx, hub_ms, "ms", "prosody_cpu_per_line_unbridged", pros_ms,
             ratio(hub_ms, pros_ms))
    if "cpu_burst" in res:
        hub_ms, pros_ms = res["cpu_burst"]
        emit("relay_cpu_per_line_burst" + sfx, hub_ms, "ms",
             "prosody_cpu_per_line_unbridged_burst" + sfx, pros_ms, ratio(hub_ms, pros_ms))


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    prosody = attach_prosody(argv[1], argv[2], "r")
    quickacks = [a == "on" for a in (argv[4:] or ["on", "off"])]
    try:
        settings = run(prosody, argv[3], quickacks)
    except Exception as e:
        log("relay failed: %r" % (e,))
        return 1
    for st in settings:
        report(st.res, st.suffix)
    return 0 if all(st.ok for st in settings) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
