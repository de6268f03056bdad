"""The core plugin with the hub's mailbox (a "Roundtable Mail" account) linked
to a workspace, on a real Prosody and real Dovecot + Postfix: a room line is
mailed at once to a member who has only an email address, the member's mail
comes back into the room, without immediate mail the line waits for the
digest, and a delivery due while the mailbox is offline goes out once when it
is back."""
import os
import re
import time

import pytest

from mailhub import (PRPL, TEXT, collect, is_msg_from, mail_options, mail_parts, make_msg,
                     start_mail_hub)
from wslib import error, muc_user, ok, unique, wait_who, who_line

import contextlib
import sqlite3


@pytest.fixture
def mail_hub(prosody, mail_servers, tmp_path):
    h = start_mail_hub(prosody, str(tmp_path / "hub"))
    try:
        yield h
    finally:
        if h.proc is not None:
            h.stop()


def from_hub(hub_account):
    nick = hub_account.split("@", 1)[0]
    return lambda m: m["type"] == "groupchat" and m["nick"] == nick


def log_lines(h, pattern):
    with open(os.path.join(h.userdir, "stderr.log"), errors="replace") as f:
        return [l for l in f if re.search(pattern, l)]


def mails_after(mail_servers, user, password, count, settle=2.0):
    """Wait for count mails, then let settle seconds pass and read them all
    again: what arrived, including anything that came twice."""
    mail_servers.wait_for_mail(user, password, count, timeout=15)
    time.sleep(settle)
    return mail_servers.fetch_all(user, password)


def setup_workspace(h, prosody, mail_servers, xmpp_client, immediate):
    """A workspace linked to a room on site-a and to a fresh hub mailbox;
    Bob is a member with only an email address; Carol, a guest, sits in the
    room. Returns a dict of what the test needs."""
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    bob, bob_pw = mail_servers.new_user("site-b.test", prefix="bob")
    h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers))
    ws = unique("Mail WS")
    room = prosody.new_room("site-a.test")
    h.join(h.a, room)
    ok(h.cmd(h.a, room, '/ws create "%s"' % ws))
    ok(h.cmd(h.a, room, '/ws link "%s"' % ws))
    said = ok(h.cmd(h.a, room, '/ws mailbox "%s" %s --immediate %s' % (ws, hub_addr, "yes" if immediate else "no")))
    assert hub_addr in said
    # The address as a user may type it: the domain is stored in lower case.
    local, domain = bob.split("@")
    ok(h.cmd(h.a, room, '/ws member add "%s" bob --name Bob --site Rio --email %s@%s'
             % (ws, local, domain.upper())))
    carol = muc_user(xmpp_client, room, "carol", "site-a.test")
    return dict(ws=ws, room=room, hub_addr=hub_addr, hub_pw=hub_pw, bob=bob, bob_pw=bob_pw, carol=carol)


def test_room_line_mailed_at_once_and_mail_back_into_room(mail_hub, prosody, mail_servers, xmpp_client):
    h = mail_hub
    s = setup_workspace(h, prosody, mail_servers, xmpp_client, immediate=True)
    ws, room, bob = s["ws"], s["room"], s["bob"]

    shown = ok(h.cmd(h.a, room, '/ws member show "%s" bob' % ws))
    assert "email %s" % bob in shown and "immediate mail: as the workspace (yes)" in shown, shown
    listing = ok(h.cmd(h.a, room, "/ws list"))
    assert "%s: 1 member, 1 linked room, mailbox %s (immediate mail)" % (ws, s["hub_addr"]) in listing, listing
    line = who_line(h, h.a, room, ws, "bob")
    assert line.endswith(", async-only, mail now (no IM endpoint online), email %s" % bob), line

    # (a) A line said in the room: one mail in Bob's INBOX, read over IMAP.
    s["carol"].send_groupchat(room, TEXT)
    mails = mails_after(mail_servers, bob, s["bob_pw"], 1)
    assert len(mails) == 1, [m.message["Subject"] for m in mails]
    mail = mails[0].message
    assert mail["Subject"] == "[%s] carol (guest): %s" % (ws, TEXT)
    assert mail["From"].addresses[0].addr_spec == s["hub_addr"]
    assert mail["To"].addresses[0].addr_spec == bob
    assert re.fullmatch(r"<ws-\d+\.roundtable\.site-a\.test>", mail["List-Id"]), mail["List-Id"]
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail.get_content_type() == "multipart/alternative"
    parts = mail_parts(mail)
    assert parts["text/plain"].startswith("carol (guest) wrote in “%s”:\n\n%s\n" % (ws, TEXT)), parts
    assert "<blockquote>%s</blockquote>" % TEXT in parts["text/html"], parts

    # (b) Bob answers by mail: his text appears in the room as his line, and
    # he does not get his own line back.
    mail_servers.send(bob, s["hub_addr"], make_msg(bob, s["hub_addr"], "Re: " + mail["Subject"],
                                                   "Agreed, " + TEXT + "\n"))
    body = s["carol"].wait_message(from_hub(h.a), 15)["body"]
    assert body.startswith("Bob (Rio): "), body
    # Only the new text of the mail (docs/mail-replies.md, Wiring): no Subject line.
    assert body == "Bob (Rio): Agreed, " + TEXT, body
    assert "<br" not in body and "&lt;" not in body     # plain text, no markup left

    # Mail from an address that is nobody's: a normal IM only, not in the room.
    stranger, _ = mail_servers.new_user("site-b.test", prefix="stranger")
    mail_servers.send(stranger, s["hub_addr"], make_msg(stranger, s["hub_addr"], "hello", "who reads this?\n"))
    ev = h.wait(is_msg_from(stranger), 15)
    assert "who reads this?" in ev["msg"]
    assert s["carol"].collect(from_hub(h.a), 1.5) == []
    assert len(mail_servers.fetch_all(bob, s["bob_pw"])) == 1


def test_without_immediate_mail_the_line_waits_for_the_digest(mail_hub, prosody, mail_servers, xmpp_client):
    h = mail_hub
    s = setup_workspace(h, prosody, mail_servers, xmpp_client, immediate=False)
    ws, room, bob = s["ws"], s["room"], s["bob"]
    assert re.search(r", async-only, next digest \(no IM endpoint online\), email ", who_line(h, h.a, room, ws, "bob"))

    # (c) No immediate mail: kept for the digest, nothing mailed.
    s["carol"].send_groupchat(room, "kept " + TEXT)
    wait_who(h, h.a, room, ws, "bob", r"async-only")
    deadline = time.monotonic() + 10
    pending = ""
    while "kept " + TEXT not in pending and time.monotonic() < deadline:
        pending = ok(h.cmd(h.a, room, '/ws pending "%s" bob' % ws))
    assert "1 message kept" in pending and "carol (guest): kept " + TEXT in pending, pending
    time.sleep(2)
    assert mail_servers.fetch_all(bob, s["bob_pw"]) == []
    assert not log_lines(h, r"mailed to")

    # The member asks for it: the next line is mailed, the earlier one stays
    # kept for the digest.
    ok(h.cmd(h.a, room, '/ws member set "%s" bob --immediate-mail yes' % ws))
    s["carol"].send_groupchat(room, "mailed " + TEXT)
    mails = mails_after(mail_servers, bob, s["bob_pw"], 1)
    assert [m.message["Subject"] for m in mails] == ["[%s] carol (guest): mailed %s" % (ws, TEXT)]
    assert "1 message kept" in ok(h.cmd(h.a, room, '/ws pending "%s" bob' % ws))

    # Bad input: clear errors, and nothing changed (all or nothing).
    before = ok(h.cmd(h.a, room, '/ws member show "%s" bob' % ws))
    assert "immediate mail: yes" in before and "email " + bob in before, before
    assert "not-an-address" in error(h.cmd(h.a, room, '/ws member set "%s" bob --name X --email not-an-address' % ws))
    assert "nobody@site-b.test" in error(h.cmd(h.a, room, '/ws member set "%s" bob --name X --no-email nobody@site-b.test' % ws))
    assert "maybe" in error(h.cmd(h.a, room, '/ws member set "%s" bob --name X --immediate-mail maybe' % ws))
    assert ok(h.cmd(h.a, room, '/ws member show "%s" bob' % ws)) == before
    assert "no-such@site-a.test" in error(h.cmd(h.a, room, '/ws mailbox "%s" no-such@site-a.test' % ws))
    assert "sometimes" in error(h.cmd(h.a, room, '/ws mailbox "%s" --immediate sometimes' % ws))
    assert "uses the mailbox %s; messages are mailed at once only to members who asked" % s["hub_addr"] \
        in ok(h.cmd(h.a, room, '/ws mailbox "%s"' % ws))
    # Without WS, in the linked room: the room's workspace (docs/commands.md),
    # to show, to change only immediate mail, and with the account first.
    hub_addr = s["hub_addr"]
    waits = "%s” uses the mailbox %s; messages are mailed at once only" % (ws, hub_addr)
    at_once = "%s” uses the mailbox %s; members who cannot be reached by IM get each message" % (ws, hub_addr)
    assert waits in ok(h.cmd(h.a, room, "/ws mailbox"))
    assert at_once in ok(h.cmd(h.a, room, "/ws mailbox --immediate yes"))
    assert at_once in ok(h.cmd(h.a, room, '/ws mailbox "%s"' % ws))
    assert "(immediate mail)" in ok(h.cmd(h.a, room, "/ws list")).split(ws, 1)[1].split("\n")[0]
    assert "sometimes" in error(h.cmd(h.a, room, "/ws mailbox --immediate sometimes"))
    assert waits in ok(h.cmd(h.a, room, "/ws mailbox %s --immediate no" % hub_addr))
    # Neither a workspace nor a mail account: the workspace error, nothing changed.
    assert "No workspace named “no-such-ws”" in error(h.cmd(h.a, room, "/ws mailbox no-such-ws"))
    assert "Unexpected “extra”" in error(h.cmd(h.a, room, "/ws mailbox --none extra"))
    assert waits in ok(h.cmd(h.a, room, "/ws mailbox"))
    assert "no mailbox" in ok(h.cmd(h.a, room, '/ws mailbox "%s" --none' % ws))
    assert "mailbox" not in ok(h.cmd(h.a, room, "/ws list")).split(ws, 1)[1].split("\n")[0]
    # Without a mailbox the member's next line is kept for the digest again.
    s["carol"].send_groupchat(room, "third " + TEXT)
    wait_who(h, h.a, room, ws, "bob", r"next digest")
    deadline = time.monotonic() + 10
    while "2 messages kept" not in ok(h.cmd(h.a, room, '/ws pending "%s" bob' % ws)):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert len(mail_servers.fetch_all(bob, s["bob_pw"])) == 1


def test_delivery_due_while_mailbox_offline_is_sent_once_when_back(mail_hub, prosody, mail_servers, xmpp_client):
    h = mail_hub
    s = setup_workspace(h, prosody, mail_servers, xmpp_client, immediate=True)
    ws, room, bob = s["ws"], s["room"], s["bob"]
    s["carol"].send_groupchat(room, "before " + TEXT)
    mail_servers.wait_for_mail(bob, s["bob_pw"], 1, timeout=15)

    # The hub restarts while the mail servers cannot be reached (the
    # mailbox's IMAP port now points nowhere): the mailbox account is off.
    h.stop()
    path = os.path.join(h.userdir, "accounts.xml")
    with open(path, encoding="utf-8") as f:
        xml = f.read()
    port = "<setting name='imap_port' type='int'>%d</setting>" % mail_servers.imap_port
    assert port in xml
    with open(path, "w", encoding="utf-8") as f:
        f.write(xml.replace(port, "<setting name='imap_port' type='int'>1</setting>"))
    h.start()
    # hub.a last: the plugin rejoins the linked room when it signs on.
    for user, password, protocol, options in sorted(h.accounts, key=lambda a: a[0] == h.a):
        if protocol == "prpl-jabber":
            h.add_account(user, password, protocol, options, remember=False)
    h.wait(lambda e: e["ev"] == "chat-joined" and e["room"] == room, 15)
    wait_who(h, h.a, room, ws, "bob", r"mail now")
    assert "(offline)" in ok(h.cmd(h.a, room, '/ws who "%s"' % ws)).split("\n")[0]

    s["carol"].send_groupchat(room, "while off " + TEXT)
    deadline = time.monotonic() + 15
    while not log_lines(h, r"not sent \(mailbox account offline\)") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert log_lines(h, r"not sent \(mailbox account offline\), will retry")
    time.sleep(2)
    assert len(mail_servers.fetch_all(bob, s["bob_pw"])) == 1

    # The mailbox signs on again: the waiting delivery goes out, once.
    h.add_account(s["hub_addr"], s["hub_pw"], PRPL, mail_options(mail_servers), remember=False)
    mails = mails_after(mail_servers, bob, s["bob_pw"], 2, settle=3)
    subjects = [m.message["Subject"] for m in mails]
    assert subjects == ["[%s] carol (guest): before %s" % (ws, TEXT),
                        "[%s] carol (guest): while off %s" % (ws, TEXT)], subjects
    assert len(log_lines(h, r"mailed to %s" % re.escape(bob))) == 2
    assert [e for e in collect(h, 0.5) if e["ev"] == "write" and e.get("kind") == "error"] == []


def wait_log(h, pattern, timeout=20):
    deadline = time.monotonic() + timeout
    while not log_lines(h, pattern):
        assert time.monotonic() < deadline, "never logged: %s" % pattern
        time.sleep(0.1)
    return log_lines(h, pattern)


def test_mail_retried_when_account_goes_offline_arrives_once(mail_hub, prosody, mail_servers, xmpp_client):
    """Accepted by the mail plugin is not sent: a mail that Postfix keeps
    refusing for now (451) while the mailbox account goes offline is given
    up by the mail plugin ("roundtable-mail-failed"); the hub keeps the
    delivery and sends it again once the account is back: it arrives once,
    with its stable Message-ID."""
    h = mail_hub
    s = setup_workspace(h, prosody, mail_servers, xmpp_client, immediate=True)
    ws, room, bob = s["ws"], s["room"], s["bob"]
    mail_servers.tempfail(bob)
    try:
        s["carol"].send_groupchat(room, "retried " + TEXT)
        # The mail plugin took it and is retrying the 451.
        wait_log(h, r"mail to %s: temporary failure" % re.escape(bob))
        assert wait_log(h, r"delivery \d+/M\d+ mailed to %s from .*, <rt-mail-\d+-\d+@site-a\.test>" % re.escape(bob))
        h.account_off(s["hub_addr"])
        # Given up by the mail plugin, kept by the hub.
        failed = wait_log(h, r"delivery \d+/M\d+ mail failed \(.*\), will retry")
        assert "disconnected" in failed[0], failed
    finally:
        mail_servers.clear_tempfail(bob)
    time.sleep(3)   # the account is off: nothing goes out
    assert mail_servers.fetch_all(bob, s["bob_pw"]) == []
    assert log_lines(h, r"not sent \(mailbox account offline\), will retry")

    # The account is back: the delivery goes out, once.
    h.add_account(s["hub_addr"], s["hub_pw"], PRPL, mail_options(mail_servers), remember=False)
    mails = mails_after(mail_servers, bob, s["bob_pw"], 1, settle=4)
    assert len(mails) == 1, [m.message["Subject"] for m in mails]
    mail = mails[0].message
    assert mail["Subject"] == "[%s] carol (guest): retried %s" % (ws, TEXT)
    message_id = mail["Message-ID"]
    assert re.fullmatch(r"<rt-mail-\d+-\d+@site-a\.test>", message_id), message_id
    # Sent once it was sent, not when it was queued; the id in mail_out (a
    # reply's In-Reply-To finds the message).
    with contextlib.closing(sqlite3.connect(os.path.join(h.userdir, "roundtable.db"), timeout=10)) as db:
        deadline = time.monotonic() + 10
        while db.execute("SELECT COUNT(*) FROM deliveries WHERE kind = 'M' AND state = 2").fetchone()[0] != 1:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert db.execute("SELECT COUNT(*) FROM deliveries WHERE state IN (0, 5)").fetchone()[0] == 0
        assert db.execute("SELECT kind, msg_id > 0 FROM mail_out WHERE message_id = ?",
                          (message_id,)).fetchall() == [("immediate", 1)]
    assert [e for e in collect(h, 0.5) if e["ev"] == "write" and e.get("kind") == "error"
            and e.get("conv") != bob] == []


def test_dialog_edits_email_addresses(hub):
    """The Workspaces dialog has its own field for email addresses; IM
    endpoints and addresses are edited apart, with the same checks."""
    ws = unique("Dialog mail")
    conv = "console@site-a.test"
    hub.action("New workspace…", input=ws)
    hub.action("Workspaces and members…", workspace=0, handle="zoe", name="Zoë",
               im="xmpp:zoe@site-a.test", email="Zoe@Site-B.TEST, zoe.faure@site-a.test")
    shown = ok(hub.cmd(hub.a, conv, '/ws member show "%s" zoe' % ws))
    assert "endpoint xmpp:zoe@site-a.test" in shown
    assert "email Zoe@site-b.test" in shown and "email zoe.faure@site-a.test" in shown, shown
    assert "mailto" not in shown

    # A bad address: refused with a notification, nothing changed.
    events = hub.action("Workspaces and members…", workspace=0, handle="zoe", email="zoe@")
    notes = [e for e in events if e["ev"] == "notify"]
    assert notes and "zoe@" in notes[0]["secondary"], events
    assert ok(hub.cmd(hub.a, conv, '/ws member show "%s" zoe' % ws)) == shown

    # Dropping one address keeps the other and the IM endpoint.
    hub.action("Workspaces and members…", workspace=0, handle="zoe", email="zoe@site-b.test")
    edited = ok(hub.cmd(hub.a, conv, '/ws member show "%s" zoe' % ws))
    assert "email Zoe@site-b.test" in edited and "zoe.faure" not in edited, edited
    assert "endpoint xmpp:zoe@site-a.test" in edited
