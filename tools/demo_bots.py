#!/usr/bin/python3
"""Demo colleagues: Alice talks in the site-a room, Erik in the site-b room,
Bob and Dmitri are online for IM and answer the hub now and then. Runs until
killed. usage: demo_bots.py PORT"""
import itertools
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from xmpp import Client  # noqa: E402

SCRIPT = [
    ("alice", "Bonjour all, the Acme RFP draft v3 is in the shared folder."),
    ("erik", "Thanks Alice. Pricing section needs the Amsterdam numbers; I'll add them today."),
    ("alice", "Deadline reminder: Acme wants our answer Friday 17:00 CET."),
    ("erik", "Legal asked: can we commit to 99.95% uptime? I think yes with the new cluster."),
    ("alice", "Decision: we bid with the 3-year option. Bob, can you confirm the Brazil rollout plan?"),
]


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


def session(port):
    host = "127.0.0.1"
    alice = Client().connect(host, port, "alice@site-a.test", "demo", resource="demo")
    erik = Client().connect(host, port, "erik@site-b.test", "demo", resource="demo")
    bob = Client().connect(host, port, "bob@site-a.test", "demo", resource="demo")
    dmitri = Client().connect(host, port, "dmitri@site-b.test", "demo", resource="demo", show="away")
    alice.join_muc("rfp@conference.site-a.test", "alice")
    erik.join_muc("rfp@conference.site-b.test", "erik")
    speakers = {"alice": (alice, "rfp@conference.site-a.test"), "erik": (erik, "rfp@conference.site-b.test")}
    log("colleagues online")
    time.sleep(20)     # let the hub (Finch) sign in and join first
    for who, text in itertools.cycle(SCRIPT):
        client, room = speakers[who]
        client.send_groupchat(room, text)
        log(who, "said:", text)
        time.sleep(15)
        for m in bob.collect(lambda m: m["type"] == "chat", 0.1)[:1]:
            bob.send_chat(m["from"].split("/")[0], "Bob here (by IM): got it, Brazil plan confirmed.")
        time.sleep(15)


def main(port):
    while True:   # a demo should survive a hiccup: start over
        try:
            session(port)
        except Exception as e:  # noqa: BLE001
            log("restarting after error:", e)
            time.sleep(3)


if __name__ == "__main__":
    main(int(sys.argv[1]))
