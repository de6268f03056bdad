"""Drive the headless libpurple host (tests/harness/rt-headless) with the
Roundtable plugin loaded: accounts, rooms, /ws commands, and its events."""
import json
import os
import queue
import signal
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("RT_BUILD_DIR", os.path.join(ROOT, "build"))
HEADLESS = os.path.join(BUILD, "tests", "harness", "rt-headless")
PLUGIN_DIR = os.path.join(BUILD, "plugin")
# Protocol plugins: pass {"RT_EXTRA_PLUGIN_DIRS": MAIL_PLUGIN_DIR} as env.
MAIL_PLUGIN_DIR = os.path.join(BUILD, "protocols", "mail")
# The stream protocol plugin (roundtable-stream.so, protocols/stream/plugin/).
STREAM_PLUGIN_DIR = os.path.join(BUILD, "protocols", "stream", "plugin")


class Hub:
    """One hub process. userdir persists across restart() (same store)."""

    def __init__(self, userdir, env=None, wrapper=None):
        self.userdir = userdir
        self.wrapper = wrapper or []   # e.g. ["strace", "-f", ...]
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.events = queue.Queue()
        self.plugin_path = None
        self.accounts = []   # (user, password, protocol, options) for restart

    # -- process -----------------------------------------------------------
    def start(self):
        os.makedirs(self.userdir, exist_ok=True)
        self.events = queue.Queue()
        self.proc = subprocess.Popen(
            self.wrapper + [HEADLESS, self.userdir, PLUGIN_DIR], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=open(os.path.join(self.userdir, "stderr.log"), "ab"),
            env=self.env, text=True, encoding="utf-8", bufsize=1)
        threading.Thread(target=self._read, args=(self.proc, self.events), daemon=True).start()
        ev = self.wait(lambda e: e["ev"] in ("plugin", "fatal"), 10)
        assert ev["ev"] == "plugin", ev
        self.plugin_path = ev["path"]
        seen = []
        self.wait(lambda e: e["ev"] in ("ready", "fatal"), 10, skipped=seen)
        # Protocol plugins loaded from RT_EXTRA_PLUGIN_DIRS: {id: path}.
        self.protocols = {e["id"]: e["path"] for e in seen if e["ev"] == "protocol"}
        return self

    @staticmethod
    def _read(proc, events):
        for line in proc.stdout:
            try:
                events.put(json.loads(line))
            except ValueError:
                events.put({"ev": "garbage", "line": line})
        events.put({"ev": "eof"})

    def send(self, *fields):
        line = "\t".join(str(f) for f in fields)
        assert "\n" not in line
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(10)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self):
        """SIGKILL: no clean-up at all, as a crash or power cut of the process."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def restart(self):
        self.start()
        for acc in self.accounts:
            self.add_account(*acc, remember=False)
        return self

    # -- events ------------------------------------------------------------
    def wait(self, pred, timeout=10.0, skipped=None):
        """The first event matching pred; others are dropped (or appended to
        skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("hub event not seen within %.1fs" % timeout)
            try:
                ev = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if ev["ev"] == "eof" and not pred(ev):
                raise RuntimeError("hub exited; see %s/stderr.log" % self.userdir)
            if pred(ev):
                return ev
            if skipped is not None:
                skipped.append(ev)

    def drain(self):
        out = []
        while True:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                return out

    # -- actions -----------------------------------------------------------
    def add_account(self, user, password, protocol="prpl-jabber", options=None, remember=True):
        opts = ["%s=%s" % kv for kv in (options or {}).items()]
        if remember:
            self.accounts.append((user, password, protocol, options))
        self.send("account", user, password, protocol, *opts)
        ev = self.wait(lambda e: e["ev"] in ("signed-on", "connection-error") and e.get("account") == user, 15)
        assert ev["ev"] == "signed-on", ev

    def account_off(self, user):
        """Disable an account (it signs off at once, as when the user unticks
        it); add_account(..., remember=False) enables it again."""
        self.send("account-off", user)
        ev = self.wait(lambda e: e["ev"] in ("account-off", "error"), 10)
        assert ev["ev"] == "account-off" and ev["connected"] == "0", ev

    def join(self, user, room):
        self.send("join", user, room)
        self.wait(lambda e: e["ev"] == "chat-joined" and e["room"] == room, 10)

    def cmd(self, user, conv, text, timeout=5):
        """Run a /command; returns the system and error lines it wrote."""
        self.drain()
        self.send("cmd", user, conv, text)
        seen = []
        self.wait(lambda e: e["ev"] == "cmd-done", timeout, skipped=seen)
        return [e for e in seen if e["ev"] == "write" and e["conv"] == conv]

    def say(self, user, room, text):
        """The hub's own user types a line in a room (as in Pidgin or Finch)."""
        self.send("say", user, room, text)
        self.wait(lambda e: e["ev"] in ("said", "error"), 5)

    def action(self, label, **answers):
        """Run a plugin action; its dialogs get these field values. Returns
        the events it caused (requests, notifications)."""
        self.drain()
        self.send("action", label, *("%s=%s" % kv for kv in answers.items()))
        seen = []
        ev = self.wait(lambda e: e["ev"] == "action-done", 5, skipped=seen)
        assert ev["found"] == "1", "no plugin action %r" % label
        return seen

    def im(self, user, who, text):
        """The hub's own user types text in an IM window with who."""
        self.send("im", user, who, text)
        ev = self.wait(lambda e: e["ev"] in ("im-sent", "error"), 5)
        assert ev["ev"] == "im-sent", ev

    def ipc_mail(self, user, to, **fields):
        """Call the mail plugin's IPC "send-mail" (rt-mail-ipc.h) with these
        fields (keys with "_" written as "-"); returns whether it was accepted."""
        def esc(v):
            return v.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
        self.send("ipc-mail", user, to, *("%s=%s" % (k.replace("_", "-"), esc(v)) for k, v in fields.items()))
        ev = self.wait(lambda e: e["ev"] in ("ipc-mail", "error"), 5)
        assert ev["ev"] == "ipc-mail", ev
        assert ev["ok"] == "true", ev
        return ev["accepted"] == "true"

    def ipc_post(self, user, timeline, **fields):
        """Call the stream plugin's IPC "post" (rt-stream-ipc.h) with these
        fields (keys with "_" written as "-"); returns whether it was accepted."""
        def esc(v):
            return v.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
        self.send("ipc-post", user, timeline,
                  *("%s=%s" % (k.replace("_", "-"), esc(v)) for k, v in fields.items()))
        ev = self.wait(lambda e: e["ev"] in ("ipc-post", "error"), 5)
        assert ev["ev"] == "ipc-post", ev
        assert ev["ok"] == "true", ev
        return ev["accepted"] == "true"

    def pref(self, kind, path, value):
        self.send("pref", kind, path, value)
        self.wait(lambda e: e["ev"] == "pref-done", 5)

    def stall_us(self):
        self.send("stall")
        return int(self.wait(lambda e: e["ev"] == "stall", 10)["max_us"])


def start_hub(prosody, userdir, **hub_kwargs):
    """A headless libpurple hub with the plugin from the build dir, signed in
    with one fresh account on site-a.test and one on site-b.test
    (hub.a, hub.b: account names, resource "hub")."""
    h = Hub(userdir, **hub_kwargs)
    h.start()
    # The build under test, never an installed copy.
    assert os.path.dirname(h.plugin_path) == PLUGIN_DIR, h.plugin_path
    h.a = prosody.new_user("site-a.test", prefix="hub")[0] + "/hub"
    h.b = prosody.new_user("site-b.test", prefix="hub")[0] + "/hub"
    opts = {"connect_server": prosody.host, "port": prosody.port,
            # Plaintext is for this loopback test server only.
            "connection_security": "opportunistic_tls", "auth_plain_in_clear": "true"}
    for acct in (h.a, h.b):
        h.add_account(acct, "secret", "prpl-jabber", opts)
    return h
