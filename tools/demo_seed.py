#!/usr/bin/python3
"""Prepare the demo hub's Finch user dir: accounts on the demo Prosody, the
workspace "RFP Acme 2027" with members in several sites and time zones, and
two linked rooms. Idempotent: what exists is updated, not duplicated.

usage: demo_seed.py DEMO_DIR PORT"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from hub import Hub, PLUGIN_DIR  # noqa: E402

WS = "RFP Acme 2027"
ROOM_A = "rfp@conference.site-a.test"
ROOM_B = "rfp@conference.site-b.test"
HUB_A = "hub@site-a.test/finch"
HUB_B = "hub@site-b.test/finch"
MEMBERS = [
    ("alice", "Alice Dubois", "Brussels", "BE", "Europe/Brussels", "fr", "08:30-17:30", "xmpp:alice@site-a.test"),
    ("bob", "Bob Silva", "São Paulo", "BR", "America/Sao_Paulo", "en", "09:00-18:00", "xmpp:bob@site-a.test"),
    ("chloe", "Chloé Martin", "Paris", "FR", "Europe/Paris", "fr", "09:00-17:00", "xmpp:chloe@site-a.test"),
    ("dmitri", "Dmitri Tan", "Singapore", "SG", "Asia/Singapore", "en", "09:00-18:00", "xmpp:dmitri@site-b.test"),
    ("erik", "Erik de Vries", "Amsterdam", "NL", "Europe/Amsterdam", "nl", "08:00-16:30", "xmpp:erik@site-b.test"),
    ("fatima", "Fatima Zahra", "Casablanca", "MA", "Africa/Casablanca", "fr", "09:00-18:00", "xmpp:fatima@site-b.test"),
]


def main(demo, port):
    userdir = os.path.join(demo, "finch")
    os.makedirs(os.path.join(userdir, "plugins"), exist_ok=True)
    link = os.path.join(userdir, "plugins", "roundtable.so")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(os.path.join(PLUGIN_DIR, "roundtable.so"), link)

    hub = Hub(userdir, env={"RT_HEADLESS_UI_ID": "gnt-purple"}).start()
    opts = {"connect_server": "127.0.0.1", "port": port, "remember_password": "true",
            # Plaintext only because this is a private server on loopback.
            "connection_security": "opportunistic_tls", "auth_plain_in_clear": "true"}
    for acct in (HUB_A, HUB_B):
        hub.add_account(acct, "demo", "prpl-jabber", opts)
    hub.join(HUB_A, ROOM_A)
    hub.join(HUB_B, ROOM_B)
    hub.cmd(HUB_A, ROOM_A, '/ws create "%s"' % WS)
    hub.cmd(HUB_A, ROOM_A, '/ws link "%s"' % WS)
    hub.cmd(HUB_B, ROOM_B, '/ws link "%s"' % WS)
    for handle, name, site, country, tz, lang, hours, im in MEMBERS:
        opts = '--name "%s" --site "%s" --country %s --tz %s --lang %s --hours %s --im %s' % (
            name, site, country, tz, lang, hours, im)
        out = hub.cmd(HUB_A, ROOM_A, '/ws member add "%s" %s %s' % (WS, handle, opts))
        if any(w["kind"] == "error" for w in out):
            hub.cmd(HUB_A, ROOM_A, '/ws member set "%s" %s %s' % (WS, handle, opts))
    hub.pref("pathlist", "/finch/plugins/loaded", link)
    for w in hub.cmd(HUB_A, ROOM_A, '/ws who "%s"' % WS):
        print(w["msg"])
    hub.stop()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
