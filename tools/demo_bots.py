#!/usr/bin/python3
"""Demo colleagues, on the servers tools/demo started: Alice talks in the
site-a room, Erik in the site-b room, Dmitri is online (away) for IM; Bob, who
has no IM, answers the hub's mails by mail (through the private Postfix); and
people post on the #acmerfp hashtag of the Mastodon emulator. Runs until
killed. usage: demo_bots.py DEMO_DIR"""
import imaplib
import itertools
import os
import smtplib
import sys
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, localtime

from demo_env import (MAIL_USERS, HUB_MAIL, PASSWORD, ROOM_A, ROOM_B, ROOT, mail_ports, prosody_port,
                      social_token, social_url)

sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulators", "social"))
from xmpp import Client  # noqa: E402
from control import Control, request  # noqa: E402

# (channel, who, text): "room" lines are said in that person's room, "mail"
# lines are Bob's answers by mail, "post" lines go to the hashtag.
SCRIPT = [
    ("room", "alice", "Bonjour all, the Acme RFP draft v3 is in the shared folder."),
    ("post", "nadia", "Word is the #AcmeRFP favours multi-region designs. Who is bidding?"),
    ("room", "erik", "Thanks Alice. Pricing section needs the Amsterdam numbers; I'll add them today."),
    ("mail", "bob", "The São Paulo numbers are in the sheet, tab BR."),
    ("room", "alice", "Deadline reminder: Acme wants our answer Friday 17:00 CET."),
    ("post", "acme", "Q&A for the #AcmeRFP: yes, a 3-year option is welcome."),
    ("room", "erik", "Legal asked: can we commit to 99.95% uptime? I think yes with the new cluster."),
    ("mail", "bob", "99.95% works for Brazil too: the new cluster is live in São Paulo."),
    ("room", "alice", "Decision: we bid with the 3-year option. Bob, can you confirm the Brazil rollout plan? "
                      "Chloé, can you check the French version?"),
    ("mail", "bob", "Confirmed: Brazil rollout in Q2, plan attached to the draft."),
    ("post", "sam", "The uptime clause in the #AcmeRFP is tough. 99.95% with a 4 h restore time?"),
]
STEP_S = 15
SIGNATURE = "-- \nBob Silva, São Paulo\n"


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


def mail_answer(demo, text):
    """Bob answers the newest mail in his mailbox (to its Reply-To, in its
    thread, quoting it as a mail client would); with none yet, a new mail."""
    ports = mail_ports(demo)
    bob = MAIL_USERS["bob"]
    imap = imaplib.IMAP4("127.0.0.1", ports["IMAP_PORT"])
    try:
        imap.login(bob, PASSWORD)
        imap.select("INBOX", readonly=True)
        uids = imap.uid("SEARCH", None, "ALL")[1][0].split()
        last = None
        if uids:
            raw = imap.uid("FETCH", uids[-1], "(BODY.PEEK[])")[1][0][1]
            last = BytesParser(policy=policy.default).parsebytes(raw.replace(b"\r\n", b"\n"))
    finally:
        imap.logout()
    m = EmailMessage()
    m["From"] = "Bob Silva <%s>" % bob
    m["Date"] = format_datetime(localtime())
    if last is None:
        m["To"], m["Subject"] = HUB_MAIL, "Brazil rollout"
        m.set_content("%s\n\n%s" % (text, SIGNATURE))
    else:
        m["To"] = str(last.get("Reply-To") or last["From"])
        m["Subject"] = "Re: " + str(last["Subject"] or "")
        if last["Message-ID"]:
            m["In-Reply-To"] = m["References"] = last["Message-ID"]
        body = last.get_body(("plain",))
        quoted = "".join("> " + line + "\n" for line in (body.get_content() if body else "").splitlines())
        m.set_content("%s\n\n%s\nOn %s, %s wrote:\n%s" % (text, SIGNATURE, last["Date"], last["From"], quoted))
    with smtplib.SMTP("127.0.0.1", ports["SUBMISSION_PORT"], timeout=10) as s:
        s.login(bob, PASSWORD)
        s.send_message(m)
    return m["To"]


def social_post(url, who, text):
    account = request(url + "/api/v1/accounts/verify_credentials", token=social_token(who)).json()["id"]
    Control(url).status(account, text=text)


def session(demo):
    host, port = "127.0.0.1", prosody_port(demo)
    alice = Client().connect(host, port, "alice@site-a.test", PASSWORD, resource="demo")
    erik = Client().connect(host, port, "erik@site-b.test", PASSWORD, resource="demo")
    dmitri = Client().connect(host, port, "dmitri@site-b.test", PASSWORD, resource="demo", show="away")
    alice.join_muc(ROOM_A, "alice")
    erik.join_muc(ROOM_B, "erik")
    rooms = {"alice": (alice, ROOM_A), "erik": (erik, ROOM_B)}
    log("colleagues online")
    time.sleep(20)     # let the hub (Finch) sign in and join first
    for channel, who, text in itertools.cycle(SCRIPT):
        try:
            if channel == "room":
                client, room = rooms[who]
                client.send_groupchat(room, text)
                log(who, "said:", text)
            elif channel == "mail":
                log("bob mailed %s:" % mail_answer(demo, text), text)
            else:
                social_post(social_url(demo), who, text)
                log(who, "posted:", text)
        except (OSError, smtplib.SMTPException, imaplib.IMAP4.error, RuntimeError) as e:
            log("could not %s as %s: %s" % (channel, who, e))   # the others go on
        dmitri.drain()
        time.sleep(STEP_S)


def main(demo):
    while True:   # a demo should survive a hiccup: start over
        try:
            session(demo)
        except Exception as e:  # noqa: BLE001
            log("restarting after error:", e)
            time.sleep(3)


if __name__ == "__main__":
    main(sys.argv[1])
