"""Shared helpers of the Python benchmarks (tests/bench/run calls them).

Reuses the integration test drivers: tests/integration/hub.py (the headless
libpurple hub), xmpp.py (raw XMPP clients stamping each received stanza with
perf_counter_ns) and prosody.py (the private Prosody that `run` started).
Figures go to stdout as tab-separated lines, everything else to stderr."""
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from hub import Hub          # noqa: E402
from prosody import Prosody  # noqa: E402
from xmpp import Client      # noqa: E402

PREFS_ROOT = "/plugins/core/roundtable"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(*args):
    print("[bench %s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def emit(name, value, unit, base_name, base_value, ratio):
    """One figure: name value unit baseline_name baseline_value ratio."""
    def fmt(v):
        if isinstance(v, str):
            return v
        return "%.3f" % v if abs(v) < 10 else "%.1f" % v if abs(v) < 1000 else "%.0f" % v
    print("\t".join([name, fmt(value), unit, base_name, fmt(base_value), "%.2f" % ratio]), flush=True)


def ratio(a, b):
    return a / b if b else float("nan")


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2.0


# -- process CPU ---------------------------------------------------------------
def cpu_seconds(pid):
    """utime + stime of a process (all its threads), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK   # fields 14 and 15 of stat


def prosody_pid(prosody):
    with open(os.path.join(prosody.dir, "pid")) as f:
        return int(f.read().split()[0])


# -- Prosody -------------------------------------------------------------------
_tag = ""


def attach_prosody(directory, port, tag):
    """The Prosody that tests/bench/run started in directory on port. tag
    prefixes every account and room this process creates, so that scripts
    sharing the server never reuse a name (prosody.py numbers them per
    process)."""
    global _tag
    _tag = tag
    p = Prosody(directory)
    p.port = int(port)
    return p


def new_user(prosody, host, prefix):
    return prosody.new_user(host, prefix=_tag + prefix)


def new_room(prosody, host, prefix="room"):
    return prosody.new_room(host, prefix=_tag + prefix)


def client(prosody, host, prefix, **kwargs):
    """A fresh account on host, logged in; kwargs go to xmpp.Client."""
    jid, pw = new_user(prosody, host, prefix)
    return Client(**kwargs).connect(prosody.host, prosody.port, jid, pw, resource="bench")


# -- the hub -------------------------------------------------------------------
PREFS_XML = """<?xml version='1.0' encoding='UTF-8' ?>
<pref version='1' name='/'>
 <pref name='plugins'>
  <pref name='core'>
   <pref name='roundtable'>
%s
   </pref>
  </pref>
 </pref>
</pref>
"""


def write_prefs(userdir, prefs):
    """Write the hub's prefs.xml before it starts (the plugin reads some prefs,
    e.g. quickack, only when it loads). prefs: {name: bool|int|str} under
    /plugins/core/roundtable."""
    os.makedirs(userdir, exist_ok=True)
    lines = []
    for name, value in prefs.items():
        if isinstance(value, bool):
            lines.append("    <pref name='%s' type='bool' value='%d'/>" % (name, int(value)))
        elif isinstance(value, int):
            lines.append("    <pref name='%s' type='int' value='%d'/>" % (name, value))
        else:
            lines.append("    <pref name='%s' type='string' value='%s'/>" % (name, value))
    with open(os.path.join(userdir, "prefs.xml"), "w") as f:
        f.write(PREFS_XML % "\n".join(lines))


def start_hub(prosody, userdir, prefs=None, env=None):
    """A hub signed in with one fresh account on site-a.test (hub.a) and one on
    site-b.test (hub.b), as the integration tests' `hub` fixture."""
    if prefs:
        write_prefs(userdir, prefs)
    h = Hub(userdir, env=env)
    h.start()
    h.a = new_user(prosody, "site-a.test", "hub")[0] + "/hub"
    h.b = new_user(prosody, "site-b.test", "hub")[0] + "/hub"
    opts = {"connect_server": prosody.host, "port": prosody.port,
            # Plaintext is for this loopback server only.
            "connection_security": "opportunistic_tls", "auth_plain_in_clear": "true"}
    for acct in (h.a, h.b):
        h.add_account(acct, "secret", "prpl-jabber", opts)
    return h


def hub_nick(account):
    return account.split("@", 1)[0]


def cmd_ok(hub, account, conv, text):
    writes = hub.cmd(account, conv, text)
    errors = [w["msg"] for w in writes if w.get("kind") == "error"]
    if errors:
        raise RuntimeError("%s: %s" % (text, errors))
    return "\n".join(w["msg"] for w in writes)


def linked_rooms(hub, prosody, ws):
    """Workspace ws with a fresh room on site-a (joined by hub.a) and one on
    site-b (hub.b) linked; returns (room_1, room_2)."""
    room_1, room_2 = new_room(prosody, "site-a.test"), new_room(prosody, "site-b.test")
    hub.join(hub.a, room_1)
    hub.join(hub.b, room_2)
    cmd_ok(hub, hub.a, room_1, '/ws create "%s"' % ws)
    cmd_ok(hub, hub.a, room_1, '/ws link "%s"' % ws)
    cmd_ok(hub, hub.b, room_2, '/ws link "%s"' % ws)
    return room_1, room_2


def wait_idle_cpu(pid, quiet=0.3, timeout=10.0):
    """Wait until the process used no CPU tick for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    last = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = cpu_seconds(pid)
        if now == last:
            return True
        last = now
    return False


SEQ_RE = re.compile(r"\bbench (\w+) (\d+)\b")


def seq_of(body, tag):
    """The sequence number of a bench line with tag in body, else None."""
    m = SEQ_RE.search(body)
    if m and m.group(1) == tag:
        return int(m.group(2))
    return None
