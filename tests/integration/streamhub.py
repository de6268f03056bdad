"""Helpers for the tests of the "Roundtable Stream" protocol plugin in the
headless hub against the social emulator (tests/emulators/social): the
hub with the plugin from the build dir, account options, event filters."""
import os
import sys
import time

from hub import Hub, STREAM_PLUGIN_DIR

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulators", "social"))

from control import Control  # noqa: E402,F401
from emulator import Emulator  # noqa: E402,F401

PRPL = "prpl-roundtable-stream"


def new_hub(userdir):
    """A hub with the stream plugin loaded from the build dir; debug log in
    USERDIR/stderr.log."""
    h = Hub(userdir, env={"RT_EXTRA_PLUGIN_DIRS": STREAM_PLUGIN_DIR, "RT_HEADLESS_VERBOSE": "1",
                          "RT_DEBUG": "1"})
    h.start()
    # The build under test, never an installed copy.
    assert os.path.dirname(h.protocols[PRPL]) == STREAM_PLUGIN_DIR, h.protocols
    return h


def mastodon_options(emu, **extra):
    opts = {"service": "mastodon", "server_url": emu.url, "poll_interval": 1,
            "streaming": "false", "stream_timeout": 2, "stream_retry": 2}
    opts.update(extra)
    return opts


def viva_options(emu, **extra):
    opts = {"service": "viva", "server_url": emu.url, "poll_interval": 1}
    opts.update(extra)
    return opts


def feed_options(urls, **extra):
    opts = {"service": "feed", "feed_urls": " ".join(urls), "poll_interval": 1}
    opts.update(extra)
    return opts


def chat_msgs(room, who=None):
    """Predicate: a received chat line in room (from who)."""
    return lambda e: (e["ev"] == "write" and e.get("kind") == "msg" and e.get("conv") == room
                      and (who is None or e.get("who") == who))


def collect(h, seconds):
    """Every event of the next few seconds."""
    seen = []
    try:
        h.wait(lambda e: False, seconds, skipped=seen)
    except TimeoutError:
        pass
    return seen


def wait_all(h, pred, n, timeout):
    """The first n events matching pred (others are dropped)."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("only %d of %d events" % (len(got), n))
        got.append(h.wait(pred, left))
    return got


def debug_log(h):
    with open(os.path.join(h.userdir, "stderr.log"), encoding="utf-8", errors="replace") as f:
        return f.read()


def api_requests(ctl, prefix, method="GET", since=0.0):
    """Requests the emulator logged for paths starting with prefix."""
    return [r for r in ctl.requests() if r["path"].startswith(prefix)
            and r["method"] == method and r["t"] >= since]
