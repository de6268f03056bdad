"""Figure stream_requests_per_hour_20: requests a "Roundtable Stream" account
really makes for 20 followed timelines, measured by running the plugin in
the headless hub against the social emulator and counting the emulator's
request log (GET /_control/requests), against naive polling of each
timeline once a minute (20 x 60 = 1200 requests/h). Lower is better.

Usage: streamreq.py WORKDIR [WINDOW_S]   (default 30)

A Mastodon account with 20 joined hashtag chats, poll interval 60 s,
streaming on (the emulator offers it, heartbeat 5 s). After sign-in and
the first read of every timeline (the start-up), the requests in a steady
window of WINDOW_S seconds, while a post per second is published to the
timelines (each one must arrive in its chat), are extrapolated to an hour;
the start-up requests are added once, as if the account reconnected once
an hour (the poll planner's assumption for streamed timelines).

Figure stream_requests_per_hour_20_viva_measured: a Viva Engage account
with 20 joined group chats. Its one combined read (my_feed.json, every
group) and the direct messages (private.json) are polled every VIVA_POLL_S
seconds (the emulator is on loopback, where the one-minute floor does not
apply) while a message a second goes to the groups (each must arrive once,
in its group's chat); the message requests per poll round, counted at the
emulator, times the 60 rounds an hour that Viva Engage's documented
"at most one poll per minute" allows, is the figure; against naive polling
of each group once a minute (1200 requests/h).
"""
import os
import sys
import time

from benchlib import emit, log, ratio

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from streamhub import PRPL, Control, Emulator, mastodon_options, new_hub, viva_options  # noqa: E402

TIMELINES = 20
NAIVE_PER_HOUR = TIMELINES * 60
# 2 message requests per round (my_feed, private) every 6 s is Viva's 10
# requests per 30 s: the account's gate never has to hold one back.
VIVA_POLL_S = 6
VIVA_ROUNDS_PER_HOUR = 60


def chat_lines(h, prefix, want, timeout):
    """The conversation names of chat lines in rooms starting with prefix,
    until want arrived and a little after (to see a duplicate)."""
    rooms = []
    deadline = time.monotonic() + timeout
    settle = None
    while time.monotonic() < (settle or deadline):
        try:
            ev = h.wait(lambda e: e["ev"] == "write" and e.get("kind") == "msg"
                        and e.get("conv", "").startswith(prefix),
                        max(0.01, (settle or deadline) - time.monotonic()))
            rooms.append((ev["conv"], ev["msg"].split("\n")[0].split(" (")[0]))
        except TimeoutError:
            break
        if len(rooms) >= want and settle is None:
            settle = time.monotonic() + 2
    return rooms


def viva(workdir, window):
    emu = Emulator(heartbeat=5.0).start()
    h = None
    try:
        ctl = Control(emu.url)
        me = ctl.viva_user("alice", email="alice@corp.example")
        carol = ctl.viva_user("carol")
        gids = [ctl.viva_group("g%d" % i, members=[me["id"], carol["id"]])["id"] for i in range(TIMELINES)]
        h = new_hub(os.path.join(workdir, "streamreq-viva-hub"))
        h.add_account("alice@corp.example", me["token"], PRPL, viva_options(emu, poll_interval=VIVA_POLL_S))
        for gid in gids:
            h.join("alice@corp.example", "group:%d" % gid)
        time.sleep(VIVA_POLL_S + 3)                   # the first read: the position
        t0 = time.time()
        sent = []
        while time.time() - t0 < window:
            gid = gids[len(sent) % TIMELINES]
            ctl.viva_message(carol["id"], body="news %d" % len(sent), group_id=gid)
            sent.append(("group:%d" % gid, "news %d" % (len(sent))))
            time.sleep(1.0)
        t1 = time.time()
        got = chat_lines(h, "group:", len(sent), VIVA_POLL_S + 10)
        reqs = [r for r in ctl.requests() if t0 <= r["t"] <= t1 and r["path"].startswith("/api/v1/messages")]
        rounds = [r for r in reqs if r["path"] == "/api/v1/messages/my_feed.json"]
        other = [r for r in reqs if r["path"] not in ("/api/v1/messages/my_feed.json",
                                                      "/api/v1/messages/private.json")]
        log("viva requests: %d message requests in %.0f s: %d my_feed rounds, %d other reads "
            "(%d messages, %d shown)" % (len(reqs), t1 - t0, len(rounds), len(other), len(sent), len(got)))
        if sorted(got) != sorted(sent):
            log("viva: the messages did not each arrive once in their chat: figure not valid")
            return 1
        if not rounds:
            log("viva: no poll round in the window: figure not valid")
            return 1
        per_hour = len(reqs) / len(rounds) * VIVA_ROUNDS_PER_HOUR
        emit("stream_requests_per_hour_20_viva_measured", per_hour, "requests/h", "naive_poll_per_minute",
             NAIVE_PER_HOUR, ratio(per_hour, NAIVE_PER_HOUR))
        return 0
    finally:
        if h is not None and h.proc is not None:
            h.stop()
        emu.stop()


def main():
    workdir = sys.argv[1]
    window = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    status = mastodon(workdir, window)
    # Within tests/bench/run's time box: the Viva window is shorter.
    return viva(workdir, max(VIVA_POLL_S * 3, window / 2)) or status


def mastodon(workdir, window):
    emu = Emulator(heartbeat=5.0).start()
    h = None
    try:
        ctl = Control(emu.url)
        alice = ctl.mastodon_account("alice")
        bob = ctl.mastodon_account("bob")
        ctl.follow(alice["id"], bob["id"])
        tags = ["topic%d" % i for i in range(TIMELINES)]
        for t in tags:
            ctl.tag(t)
        h = new_hub(os.path.join(workdir, "streamreq-hub"))
        h.add_account("alice@social.test", alice["token"], PRPL,
                      mastodon_options(emu, poll_interval=60, streaming="true", stream_timeout=60))
        for t in tags:
            h.join("alice@social.test", "tag:" + t)
        ctl.wait_streams(TIMELINES + 1, timeout=60)   # the tags and direct messages
        time.sleep(3)                                 # catch-up reads after the streams came up
        startup = len(ctl.requests())
        t0 = time.time()
        sent = 0
        while time.time() - t0 < window:
            ctl.status(bob["id"], text="news %d #%s" % (sent, tags[sent % TIMELINES]), tags=[tags[sent % TIMELINES]])
            sent += 1
            time.sleep(1.0)
        t1 = time.time()
        got = 0
        deadline = time.monotonic() + 10
        while got < sent and time.monotonic() < deadline:
            try:
                h.wait(lambda e: e["ev"] == "write" and e.get("kind") == "msg"
                       and e.get("conv", "").startswith("tag:"), deadline - time.monotonic())
                got += 1
            except TimeoutError:
                break
        reqs = [r for r in ctl.requests() if t0 <= r["t"] <= t1]
        per_hour = len(reqs) / (t1 - t0) * 3600 + startup
        log("stream requests: start-up %d, %d in %.0f s of steady state (%d posts, %d shown)"
            % (startup, len(reqs), t1 - t0, sent, got))
        if got < sent:
            log("only %d of %d posts arrived: figure not valid" % (got, sent))
            return 1
        emit("stream_requests_per_hour_20", per_hour, "requests/h", "naive_poll_per_minute",
             NAIVE_PER_HOUR, ratio(per_hour, NAIVE_PER_HOUR))
        return 0
    finally:
        if h is not None and h.proc is not None:
            h.stop()
        emu.stop()


if __name__ == "__main__":
    sys.exit(main())
