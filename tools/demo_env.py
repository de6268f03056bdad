"""What the demo's scripts share: who is who, the demo passwords (all on
loopback-only servers), and where tools/demo wrote the servers' ports.

    DEMO/prosody/port      the XMPP c2s port (tools/prosody-start)
    DEMO/mail/ports.env    IMAP_PORT, SMTP_PORT, SUBMISSION_PORT ... (tools/mail-servers-start)
    DEMO/social/port       the Mastodon emulator (tests/emulators/social/emulator.py)"""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(ROOT, ".demo")

WS = "RFP Acme 2027"
ROOM_A = "rfp@conference.site-a.test"
ROOM_B = "rfp@conference.site-b.test"
HUB_A = "hub@site-a.test/finch"
HUB_B = "hub@site-b.test/finch"
PASSWORD = "demo"          # every demo account, IM and mail (loopback only)

# Mail (the private Dovecot + Postfix know only site-a.test and site-b.test).
HUB_MAIL = "hub@site-a.test"
MAIL_USERS = {"hub": HUB_MAIL, "bob": "bob@site-a.test", "chloe": "chloe@site-a.test"}

# The Mastodon emulator: the hub's own account and a few people posting on the
# hashtag. Tokens are fixed so a second run finds the accounts it made before.
HUB_SOCIAL = "hub@social.test"      # the stream account's user name (handle)
TAG = "acmerfp"
TIMELINE = "tag:" + TAG
# The company's own voice: the hub account's home timeline, linked out and
# public: only spokespersons (Alice) post there; other lines wait for
# /ws approve.
PUBLIC_TIMELINE = "home"
SOCIAL_ACCOUNTS = [
    # username, display name, note, token
    ("hub", "RFP hub", "The Roundtable hub of the Acme RFP team.", "demo-token-hub"),
    ("acme", "Acme Corp", "Official account of Acme Corp procurement.", "demo-token-acme"),
    ("nadia", "Nadia Costa", "Industry analyst at TechWatch.", "demo-token-nadia"),
    ("sam", "Sam Okafor", "Cloud engineer, tender watcher.", "demo-token-sam"),
]


def social_token(username):
    return {u: t for u, _, _, t in SOCIAL_ACCOUNTS}[username]


def prosody_port(demo=DEMO):
    with open(os.path.join(demo, "prosody", "port")) as f:
        return int(f.read())


def mail_ports(demo=DEMO):
    """{"IMAP_PORT": n, "SMTP_PORT": n, "SUBMISSION_PORT": n, ...}"""
    with open(os.path.join(demo, "mail", "ports.env")) as f:
        return {k: int(v) for k, v in re.findall(r"^(\w+_PORT)=(\d+)$", f.read(), re.M)}


def social_url(demo=DEMO):
    with open(os.path.join(demo, "social", "port")) as f:
        return "http://127.0.0.1:%d" % int(f.read())
