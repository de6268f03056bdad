#!/usr/bin/python3
"""Prepare the demo hub's Finch user dir: accounts on the demo Prosody, a
"Roundtable Mail" account for the hub's mailbox, a "Roundtable Stream" account
on the Mastodon emulator, the workspace "RFP Acme 2027" with members in several
sites and time zones (Bob by email only), two linked rooms and the linked
hashtag chat. Idempotent: what exists is updated, not duplicated.

usage: demo_seed.py DEMO_DIR [--check]
  --check  then prove the hub works end to end: a mail from Bob and a post on
           the hashtag both reach the rooms, and a line for the public
           timeline waits for /ws approve, then is posted (tools/demo --check)."""
import os
import re
import smtplib
import sys
import time
import uuid
from email.message import EmailMessage

from demo_env import (HUB_A, HUB_B, HUB_MAIL, HUB_SOCIAL, MAIL_USERS, PASSWORD, ROOM_A, ROOM_B, ROOT,
                      PUBLIC_TIMELINE, SOCIAL_ACCOUNTS, TAG, TIMELINE, WS, mail_ports, prosody_port, social_token,
                      social_url)

sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulators", "social"))
from hub import Hub, MAIL_PLUGIN_DIR, PLUGIN_DIR, STREAM_PLUGIN_DIR  # noqa: E402
from control import Control, request  # noqa: E402

PLUGINS = [(PLUGIN_DIR, "roundtable.so"), (MAIL_PLUGIN_DIR, "roundtable-mail.so"),
           (STREAM_PLUGIN_DIR, "roundtable-stream.so")]
MEMBERS = [
    ("alice", "Alice Dubois", "Brussels", "BE", "Europe/Brussels", "fr", "08:30-17:30", "--im xmpp:alice@site-a.test"),
    # Bob is reached by email only: every line is mailed to him at once (the
    # workspace's --immediate yes), and his answers by mail come back.
    ("bob", "Bob Silva", "São Paulo", "BR", "America/Sao_Paulo", "en", "09:00-18:00",
     '--email %s --digest "daily 08:00"' % MAIL_USERS["bob"]),
    # Chloé is offline on IM; what she misses waits for her daily digest.
    ("chloe", "Chloé Martin", "Paris", "FR", "Europe/Paris", "fr", "09:00-17:00",
     '--im xmpp:chloe@site-a.test --email %s --immediate-mail no --digest "daily 08:00"' % MAIL_USERS["chloe"]),
    ("dmitri", "Dmitri Tan", "Singapore", "SG", "Asia/Singapore", "en", "09:00-18:00", "--im xmpp:dmitri@site-b.test"),
    ("erik", "Erik de Vries", "Amsterdam", "NL", "Europe/Amsterdam", "nl", "08:00-16:30", "--im xmpp:erik@site-b.test"),
    ("fatima", "Fatima Zahra", "Casablanca", "MA", "Africa/Casablanca", "fr", "09:00-18:00", "--im xmpp:fatima@site-b.test"),
]
WATCH = "uptime"
# Earlier demos gave Bob an IM endpoint: a second run takes it away. Alice
# speaks for the team in public.
MEMBER_UPDATES = {"bob": "--no-im xmpp:bob@site-a.test", "alice": "--role spokesperson"}


def link_plugins(userdir):
    """Finch looks for plugins in USERDIR/plugins: link the three from the build.
    Protocol plugins load by themselves; the core one is named in prefs.xml."""
    os.makedirs(os.path.join(userdir, "plugins"), exist_ok=True)
    links = []
    for directory, name in PLUGINS:
        link = os.path.join(userdir, "plugins", name)
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.join(directory, name), link)
        links.append(link)
    return links


def seed_social(url):
    """The emulator's accounts (made once; kept in its state) and the hashtag
    with a first post. Returns the hub's access token."""
    ctl = Control(url)
    ids, new = {}, set()
    for username, display, note, token in SOCIAL_ACCOUNTS:
        r = request(url + "/api/v1/accounts/verify_credentials", token=token)
        if r.status == 200:
            ids[username] = r.json()["id"]
            continue
        ids[username] = ctl.mastodon_account(username, display_name=display, note=note, token=token)["id"]
        new.add(username)
    for username in ("acme", "nadia", "sam"):     # the hub follows them: buddies in Finch
        if new & {"hub", username}:
            ctl.follow(ids["hub"], ids[username])
    if "acme" in new:
        ctl.tag(TAG)
        ctl.status(ids["acme"], text="Our 2027 infrastructure RFP is out: answers due Friday 17:00 CET. "
                                     "Questions welcome under #AcmeRFP")
    return social_token("hub")


def ok(out):
    errors = [w["msg"] for w in out if w["kind"] == "error"]
    if errors:
        raise SystemExit("demo_seed: %s" % "; ".join(errors))
    return out


def seed(hub, demo):
    xmpp = {"connect_server": "127.0.0.1", "port": prosody_port(demo), "remember_password": "true",
            # Plaintext only because this is a private server on loopback.
            "connection_security": "opportunistic_tls", "auth_plain_in_clear": "true"}
    for acct in (HUB_A, HUB_B):
        hub.add_account(acct, PASSWORD, "prpl-jabber", xmpp)
    ports = mail_ports(demo)
    hub.add_account(HUB_MAIL, PASSWORD, "prpl-roundtable-mail", {
        "imap_host": "127.0.0.1", "imap_port": ports["IMAP_PORT"],
        "smtp_host": "127.0.0.1", "smtp_port": ports["SUBMISSION_PORT"],
        # Plaintext is allowed (and only allowed) because both are on loopback.
        "security": "none", "poll_interval": 3, "from_name": "Roundtable (RFP Acme 2027)",
        "remember_password": "true"})
    url = social_url(demo)
    token = seed_social(url)
    hub.add_account(HUB_SOCIAL, token, "prpl-roundtable-stream", {
        "service": "mastodon", "server_url": url, "poll_interval": 5, "remember_password": "true"})

    hub.join(HUB_A, ROOM_A)
    hub.join(HUB_B, ROOM_B)
    hub.join(HUB_SOCIAL, TIMELINE)
    hub.join(HUB_SOCIAL, PUBLIC_TIMELINE)
    # Both say "already ..." the second time: fine.
    hub.cmd(HUB_A, ROOM_A, '/ws create "%s"' % WS)
    for acct, room in ((HUB_A, ROOM_A), (HUB_B, ROOM_B)):
        hub.cmd(acct, room, '/ws link "%s"' % WS)
    # The hashtag comes in, the team's talk does not go out to it; a watchlist
    # term raises an alert. (Older builds without link directions and
    # watchlists: a plain link, both ways.)
    help_text = " ".join(w["msg"] for w in hub.cmd(HUB_A, ROOM_A, "/ws help"))
    streams_in_ws = "--direction" in help_text and "/ws watch" in help_text
    hub.cmd(HUB_SOCIAL, TIMELINE, '/ws link "%s"%s' % (WS, " --direction in" if streams_in_ws else ""))
    if streams_in_ws:
        ok(hub.cmd(HUB_A, ROOM_A, '/ws watch add "%s" %s' % (WS, WATCH)))
        hub.cmd(HUB_SOCIAL, PUBLIC_TIMELINE, '/ws link "%s" --direction out --audience public' % WS)
    ok(hub.cmd(HUB_A, ROOM_A, '/ws mailbox "%s" %s --immediate yes' % (WS, HUB_MAIL)))
    for handle, name, site, country, tz, lang, hours, reach in MEMBERS:
        opts = '--name "%s" --site "%s" --country %s --tz %s --lang %s --hours %s %s' % (
            name, site, country, tz, lang, hours, reach)
        out = hub.cmd(HUB_A, ROOM_A, '/ws member add "%s" %s %s' % (WS, handle, opts))
        if any(w["kind"] == "error" for w in out):
            ok(hub.cmd(HUB_A, ROOM_A, '/ws member set "%s" %s %s' % (WS, handle, opts)))
    for handle, opts in MEMBER_UPDATES.items():   # an error when already done: fine
        hub.cmd(HUB_A, ROOM_A, '/ws member set "%s" %s %s' % (WS, handle, opts))
    return streams_in_ws


def room_lines(hub, marker, count, timeout=30):
    """The next count lines with marker written in ROOM_A, on one line each."""
    lines, deadline = [], time.monotonic() + timeout
    while len(lines) < count:
        ev = hub.wait(lambda e: e["ev"] == "write" and e.get("conv") == ROOM_A and marker in e.get("msg", ""),
                      max(0.1, deadline - time.monotonic()))
        lines.append(" ".join(ev["msg"].split()))
    return lines


def check(hub, demo, watching):
    """A mail from Bob and a post on the hashtag reach the room, as in Finch;
    the post also raises a watchlist alert."""
    marker = uuid.uuid4().hex[:6]
    m = EmailMessage()
    m["From"], m["To"] = "Bob Silva <%s>" % MAIL_USERS["bob"], HUB_MAIL
    m["Subject"] = "Brazil rollout"
    m.set_content("Brazil rollout plan confirmed (check %s).\n\n-- \nBob Silva, São Paulo\n" % marker)
    hub.drain()
    with smtplib.SMTP("127.0.0.1", mail_ports(demo)["SUBMISSION_PORT"], timeout=10) as s:
        s.login(MAIL_USERS["bob"], PASSWORD)
        s.send_message(m)
    print("check: Bob's mail reached %s: %s" % (ROOM_A, room_lines(hub, marker, 1)[0]))

    marker = uuid.uuid4().hex[:6]
    ctl = Control(social_url(demo))
    nadia = request(ctl.url + "/api/v1/accounts/verify_credentials", token=social_token("nadia")).json()["id"]
    ctl.status(nadia, text="The #AcmeRFP asks for 99.95%% %s, ambitious (check %s)" % (WATCH, marker))
    for line in room_lines(hub, marker, 2 if watching else 1):
        what = "a watchlist alert" if "“%s”" % WATCH in line else "a #%s post" % TAG
        print("check: %s reached %s: %s" % (what, ROOM_A, line))

    # The operator (no spokesperson) says something in the room: it waits for
    # approval before it goes to the public timeline; approved, it is posted.
    marker = uuid.uuid4().hex[:6]
    hub.say(HUB_A, ROOM_A, "We will answer the Acme RFP by Friday (check %s)" % marker)
    deadline, held = time.monotonic() + 20, None
    while held is None and time.monotonic() < deadline:
        listing = " ".join(w["msg"] for w in hub.cmd(HUB_A, ROOM_A, '/ws held "%s"' % WS))
        found = re.search(r"#(\d+) \d\d:\d\d for %s \(public\) — [^:]*: We will answer the Acme RFP by Friday "
                          r"\(check %s\)" % (PUBLIC_TIMELINE, marker), listing)
        held = found.group(1) if found else None
        time.sleep(0.2)
    if held is None:
        raise SystemExit("demo_seed: the line for the public timeline was not held")
    print("check: a line for the public timeline %s is held as #%s" % (PUBLIC_TIMELINE, held))
    print("check: " + " ".join(w["msg"] for w in ok(hub.cmd(HUB_A, ROOM_A, "/ws approve %s" % held))))
    deadline = time.monotonic() + 20
    while not [p for p in ctl.posted() if marker in p["status"]]:
        if time.monotonic() > deadline:
            raise SystemExit("demo_seed: the approved line was not posted")
        time.sleep(0.2)
    (post,) = [p for p in ctl.posted() if marker in p["status"]]
    print("check: posted publicly (%s): %s" % (post["visibility"], post["status"]))


def main(demo, check_too):
    userdir = os.path.join(demo, "finch")
    links = link_plugins(userdir)
    hub = Hub(userdir, env={"RT_HEADLESS_UI_ID": "gnt-purple", "RT_HEADLESS_VERBOSE": "1",
                            "RT_EXTRA_PLUGIN_DIRS": MAIL_PLUGIN_DIR + ":" + STREAM_PLUGIN_DIR}).start()
    try:
        watching = seed(hub, demo)
        hub.pref("pathlist", "/finch/plugins/loaded", links[0])
        for command in ("/ws list", '/ws who "%s"' % WS):
            for w in hub.cmd(HUB_A, ROOM_A, command):
                print(w["msg"])
        if check_too:
            print("check: the hub signed in to %s (mail) and %s (stream), joined %s" % (HUB_MAIL, HUB_SOCIAL, TIMELINE))
            check(hub, demo, watching)
    finally:
        hub.stop()


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3) or sys.argv[2:] not in ([], ["--check"]):
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2:] == ["--check"])
