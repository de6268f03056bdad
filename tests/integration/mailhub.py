"""Helpers for the tests of the "Roundtable Mail" protocol plugin in the
headless hub (shared by test_mail_prpl, test_mail_faults, test_mail_ipc)."""
import os
from email.message import EmailMessage

from hub import Hub, MAIL_PLUGIN_DIR

TEXT = "Zoë, São Paulo, Łódź, 東京"
PRPL = "prpl-roundtable-mail"


def make_msg(frm, to, subject, body):
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = frm, to, subject
    m.set_content(body)
    return m


def mail_options(servers, **extra):
    opts = {"imap_host": "127.0.0.1", "imap_port": servers.imap_port,
            "smtp_host": "127.0.0.1", "smtp_port": servers.submission_port,
            # Plaintext: these test servers are on loopback only.
            "security": "none", "poll_interval": 1, "from_name": "Hub Zoë"}
    opts.update(extra)
    return opts


def new_hub(userdir):
    h = Hub(userdir, env={"RT_EXTRA_PLUGIN_DIRS": MAIL_PLUGIN_DIR, "RT_HEADLESS_VERBOSE": "1"})
    h.start()
    # The build under test, never an installed copy.
    assert os.path.dirname(h.protocols[PRPL]) == MAIL_PLUGIN_DIR, h.protocols
    return h


def is_msg_from(who):
    return lambda e: e["ev"] == "write" and e.get("kind") == "msg" and e.get("who") == who


def collect(h, seconds):
    """Every event of the next few seconds."""
    seen = []
    try:
        h.wait(lambda e: False, seconds, skipped=seen)
    except TimeoutError:
        pass
    return seen


# -- the core plugin with the mail plugin (test_mail_workspace) ---------------------
def start_mail_hub(prosody, userdir):
    """A hub as hub.start_hub() makes it (XMPP accounts hub.a on site-a.test,
    hub.b on site-b.test) with the mail plugin loaded from the build dir too."""
    from hub import start_hub
    h = start_hub(prosody, userdir, env={"RT_EXTRA_PLUGIN_DIRS": MAIL_PLUGIN_DIR,
                                         "RT_HEADLESS_VERBOSE": "1"})
    assert os.path.dirname(h.protocols[PRPL]) == MAIL_PLUGIN_DIR, h.protocols
    return h


def mail_parts(message):
    """{content type: decoded text} of the leaf parts of a mail read back
    with mailservers (an EmailMessage), CRLF turned into LF."""
    return {p.get_content_type(): p.get_content().replace("\r\n", "\n")
            for p in message.walk() if not p.is_multipart()}
