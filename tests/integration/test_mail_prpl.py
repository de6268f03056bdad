"""The "Roundtable Mail" protocol plugin (prpl-roundtable-mail) in the headless
hub against the private Dovecot + Postfix: mail in as IMs, IMs out as mail,
restart without duplicates or gaps, a wrong password."""
import os
import time

import positions
from mailhub import PRPL, TEXT, collect, is_msg_from, mail_options, make_msg, new_hub
from mailservers import bad_source

def test_mail_in_im_out_and_restart(mail_servers, tmp_path):
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    alice, _ = mail_servers.new_user("site-a.test", prefix="alice")
    bob, bob_pw = mail_servers.new_user("site-b.test", prefix="bob")
    userdir = str(tmp_path / "hub")
    h = new_hub(userdir)
    try:
        h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers))

        # (a) mail in: an IM from the sender with subject and text.
        mail_servers.send(alice, hub_addr, make_msg(alice, hub_addr, TEXT, TEXT + "\nsecond line\n"))
        ev = h.wait(is_msg_from(alice), 10)
        assert ev["conv"] == alice
        assert ev["msg"] == "Subject: %s\n%s\nsecond line" % (TEXT, TEXT), ev

        # (b) IM out: a correct mail in bob's INBOX.
        h.im(hub_addr, bob, "Hello " + TEXT)
        mail = mail_servers.wait_for_mail(bob, bob_pw, 1)[0].message
        assert mail["Subject"] == "Hello " + TEXT
        assert mail["From"].addresses[0].addr_spec == hub_addr
        assert mail["From"].addresses[0].display_name == "Hub Zoë"
        assert mail["To"].addresses[0].addr_spec == bob
        assert mail["Message-ID"] and mail["Date"]
        assert mail.get_content_type() == "text/plain"
        assert mail.get_content().rstrip("\n") == "Hello " + TEXT
        time.sleep(1.5)    # let a poll pass so the state is saved after (a)
    finally:
        h.stop()

    # (c) mail arriving while the hub is down is delivered once after the
    # restart; the mail seen before is not delivered again.
    mail_servers.send(alice, hub_addr, make_msg(alice, hub_addr, "while down", "offline " + TEXT + "\n"))
    mail_servers.wait_for_mail(hub_addr, hub_pw, 2)
    h.restart()
    try:
        seen = collect(h, 4)
        got = [e["msg"] for e in seen if is_msg_from(alice)(e)]
        assert got == ["Subject: while down\noffline " + TEXT], seen
        errors = [e for e in seen if e["ev"] in ("connection-error", "fatal")]
        assert errors == []
    finally:
        h.stop()


def test_uidvalidity_change_resyncs_without_duplicates(mail_servers, tmp_path):
    """The stored UIDVALIDITY no longer matches the folder's (as after the
    server rebuilt its UID list): nothing already in the folder is delivered
    again, and mail after the resync arrives once."""
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    alice, _ = mail_servers.new_user("site-a.test", prefix="alice")
    userdir = str(tmp_path / "hub")
    h = new_hub(userdir)
    try:
        h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers))
        mail_servers.send(alice, hub_addr, make_msg(alice, hub_addr, "one", "1\n"))
        h.wait(is_msg_from(alice), 10)
    finally:
        h.stop()
    validity = str(mail_servers.uidvalidity(hub_addr, hub_pw))
    stored = positions.read(userdir, PRPL, hub_addr)
    assert stored == {"imap_uidvalidity:INBOX": validity, "imap_last_uid:INBOX": "1"}, stored
    # The positions are not account settings any more (docs/mail-plugin.md).
    with open(os.path.join(userdir, "accounts.xml"), encoding="utf-8") as f:
        xml = f.read()
    assert "imap_last_uid" not in xml and "imap_uidvalidity" not in xml
    positions.update(userdir, PRPL, hub_addr, {"imap_uidvalidity:INBOX": "1", "imap_last_uid:INBOX": "0"})
    h.restart()
    try:
        seen = collect(h, 2.5)
        assert [e for e in seen if is_msg_from(alice)(e)] == [], seen
        mail_servers.send(alice, hub_addr, make_msg(alice, hub_addr, "two", "2\n"))
        h.wait(is_msg_from(alice), 10)
        assert [e for e in collect(h, 2) if is_msg_from(alice)(e)] == []
    finally:
        h.stop()
    # The folder's real UIDVALIDITY is stored again.
    assert positions.read(userdir, PRPL, hub_addr)["imap_uidvalidity:INBOX"] == validity


def test_wrong_password_is_one_clear_error(mail_servers, tmp_path):
    hub_addr, _ = mail_servers.new_user("site-a.test", prefix="hub")
    h = new_hub(str(tmp_path / "hub"))
    try:
        # From its own loopback address: Dovecot delays every later login from it.
        opts = mail_options(mail_servers, source_address=bad_source())
        h.send("account", hub_addr, "wrong", PRPL, *("%s=%s" % kv for kv in opts.items()))
        ev = h.wait(lambda e: e["ev"] in ("signed-on", "connection-error"), 10)
        assert ev["ev"] == "connection-error", ev
        assert "user name or password" in ev["reason"], ev
        # No retry storm: nothing more in the next seconds.
        later = [e for e in collect(h, 3) if e["ev"] in ("signed-on", "connection-error")]
        assert later == []
    finally:
        h.stop()


def test_plaintext_refused_for_remote_host(tmp_path):
    h = new_hub(str(tmp_path / "hub"))
    try:
        opts = {"imap_host": "imap.example.com", "smtp_host": "smtp.example.com", "security": "none"}
        h.send("account", "x@example.com", "pw", PRPL, *("%s=%s" % kv for kv in opts.items()))
        ev = h.wait(lambda e: e["ev"] in ("signed-on", "connection-error"), 10)
        assert ev["ev"] == "connection-error" and "loopback" in ev["reason"], ev
    finally:
        h.stop()
