"""The private mail servers themselves (tools/mail-servers-start, mailservers.py):
real Postfix -> LMTP -> Dovecot -> IMAP on loopback. Basis for the mail tests."""
import imaplib
import os
import smtplib
import socket
import time
from email.message import EmailMessage

import pytest

from mailservers import MailServers, bad_source, imap_login, send

TEXT = "Zoë, São Paulo, Łódź, 東京"


def make_msg(frm, to, subject=TEXT, body=TEXT + "\n"):
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = frm, to, subject
    m.set_content(body)
    return m


def queue_files(servers):
    q = os.path.join(servers.dir, "postfix", "queue")
    return [os.path.join(d, f) for sub in ("maildrop", "incoming", "active", "deferred", "hold")
            for d, _, fs in os.walk(os.path.join(q, sub)) for f in fs]


def test_smtp_to_imap_keeps_non_ascii_exact(mail_servers):
    alice, apw = mail_servers.new_user("site-a.test")
    bob, bpw = mail_servers.new_user("site-b.test")
    mail_servers.send(alice, bob, make_msg(alice, bob))          # plain SMTP port, no AUTH
    mail_servers.wait_for_mail(bob, bpw, 1)    # two SMTP sessions may be delivered in any order
    # The same text as raw 8-bit UTF-8 headers and body (no RFC 2047, no SMTPUTF8).
    raw = ("From: %s\r\nTo: %s\r\nSubject: %s (raw)\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
           "\r\n%s\r\n" % (alice, bob, TEXT, TEXT)).encode("utf-8")
    mail_servers.send(alice, bob, raw)
    mails = mail_servers.wait_for_mail(bob, bpw, 2)
    assert len(mails) == 2 and mails[0].uid < mails[1].uid
    first, second = mails[0].message, mails[1].message
    assert first["Subject"] == TEXT
    assert first.get_content() == TEXT + "\n"
    assert first["From"] == alice and first["To"] == bob
    assert ("Subject: %s (raw)" % TEXT).encode("utf-8") in mails[1].raw
    assert second.get_content() == TEXT + "\n"
    assert mail_servers.fetch_all(alice, apw) == []


def test_submission_requires_and_accepts_sasl_plain(mail_servers):
    alice, apw = mail_servers.new_user("site-a.test")
    bob, bpw = mail_servers.new_user("site-b.test")
    # Without AUTH the submission port refuses the recipient.
    with pytest.raises(smtplib.SMTPRecipientsRefused) as e:
        mail_servers.send(bob, alice, make_msg(bob, alice), submission=True)
    assert e.value.recipients[alice][0] == 554
    # Wrong password: 535, immediately (from a fresh address, see below).
    t = time.monotonic()
    with pytest.raises(smtplib.SMTPAuthenticationError) as e:
        mail_servers.send(bob, alice, make_msg(bob, alice), auth=(bob, "wrong"), source=bad_source())
    assert e.value.smtp_code == 535 and time.monotonic() - t < 1.5
    # AUTH PLAIN as the user.
    with smtplib.SMTP("127.0.0.1", mail_servers.submission_port, timeout=10) as s:
        s.ehlo("test.client")
        assert "PLAIN" in s.esmtp_features["auth"].split()
        s.user, s.password = bob, bpw
        code, _ = s.auth("PLAIN", s.auth_plain)
        assert code == 235
        s.send_message(make_msg(bob, alice))
    # The helper does the same.
    mail_servers.send(bob, alice, make_msg(bob, alice, subject="2"), auth=(bob, bpw))
    mails = mail_servers.wait_for_mail(alice, apw, 2)
    assert [m.message["Subject"] for m in mails] == [TEXT, "2"]
    assert mails[0].message.get_content() == TEXT + "\n"
    assert "sasl_method=PLAIN, sasl_username=%s" % bob in mail_servers.log_tail("postfix", 200)


def test_outside_domains_are_never_relayed(mail_servers):
    alice, apw = mail_servers.new_user("site-a.test")
    before = queue_files(mail_servers)
    for rcpt in ("someone@example.com", "x@site-c.test", "root@localhost"):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as e:
            mail_servers.send(alice, rcpt, make_msg(alice, rcpt))
        code, text = e.value.recipients[rcpt]
        assert code == 554 and b"Relay access denied" in text, (rcpt, code, text)
        # Not even for an authenticated user.
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            mail_servers.send(alice, rcpt, make_msg(alice, rcpt), auth=(alice, apw))
    # A mix: the local recipient gets it, the outside one is refused.
    bob, bpw = mail_servers.new_user("site-b.test")
    refused = mail_servers.send(alice, [bob, "someone@example.com"], make_msg(alice, bob))
    assert list(refused) == ["someone@example.com"]
    assert len(mail_servers.wait_for_mail(bob, bpw, 1)) == 1
    deadline = time.monotonic() + 5       # the queue file goes just after delivery
    while queue_files(mail_servers) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert queue_files(mail_servers) == before == []
    log = mail_servers.log_tail("postfix", 500)
    # Refused at RCPT ("NOQUEUE: reject"), so no delivery attempt was ever logged.
    assert not [l for l in log.splitlines() if "status=" in l and "@site-" not in l.split("to=<")[1][:40]]


def test_unknown_user_in_our_domain_bounces_to_sender(mail_servers):
    alice, apw = mail_servers.new_user("site-a.test")
    mail_servers.send(alice, "nobody-here@site-b.test", make_msg(alice, "nobody-here@site-b.test"))
    bounce = mail_servers.wait_for_mail(alice, apw, 1)[0].message
    assert "<MAILER-DAEMON@" in bounce["From"]
    assert "nobody-here@site-b.test" in bounce.as_string()


def test_wrong_imap_password_fails_fast_from_another_loopback_address(mail_servers):
    user, pw = mail_servers.new_user("site-a.test")
    src = bad_source()
    t = time.monotonic()
    with pytest.raises(imaplib.IMAP4.error):
        mail_servers.imap(user, "wrong", source=src)
    assert time.monotonic() - t < 1.0
    # Logins from 127.0.0.1 are not affected ...
    t = time.monotonic()
    mail_servers.imap(user, pw).logout()
    assert time.monotonic() - t < 1.0
    # ... but Dovecot now delays every login from src, even a correct one
    # (2 s or more; we only wait 0.7 s to see that it does not answer).
    with pytest.raises(socket.timeout):
        mail_servers.imap(user, pw, source=src, timeout=0.7)


def test_add_user_and_change_password_while_running(mail_servers):
    user, pw = mail_servers.new_user("site-b.test", password="first")
    mail_servers.imap(user, "first").logout()
    mail_servers.add_user(user, "second")
    mail_servers.imap(user, "second").logout()
    with pytest.raises(imaplib.IMAP4.error):
        mail_servers.imap(user, "first", source=bad_source())


def test_uidvalidity_stable_and_dovecot_down_then_up(mail_servers):
    alice, apw = mail_servers.new_user("site-a.test")
    bob, bpw = mail_servers.new_user("site-b.test")
    mail_servers.send(alice, bob, make_msg(alice, bob, subject="one"))
    first = mail_servers.wait_for_mail(bob, bpw, 1)
    validity = mail_servers.uidvalidity(bob, bpw)
    imap_port = mail_servers.imap_port

    mail_servers.stop_dovecot()
    with pytest.raises(OSError):                     # ConnectionRefusedError
        mail_servers.imap(bob, bpw)
    # Postfix still accepts; delivery is deferred while LMTP is down.
    mail_servers.send(alice, bob, make_msg(alice, bob, subject="two"))

    mail_servers.start_dovecot()
    assert mail_servers.imap_port == imap_port
    assert mail_servers.uidvalidity(bob, bpw) == validity
    mails = mail_servers.wait_for_mail(bob, bpw, 2, timeout=10)   # retried within ~1-2 s
    assert [m.message["Subject"] for m in mails] == ["one", "two"]
    assert mails[0].uid == first[0].uid and mails[1].uid > mails[0].uid


def test_two_instances_side_by_side(mail_servers, tmp_path):
    other = MailServers()
    ports = other.start(str(tmp_path / "other"), ["carol@site-b.test:pw"])
    try:
        assert set(ports.values()).isdisjoint(mail_servers.ports.values())
        send("dave@site-a.test", "carol@site-b.test", make_msg("dave@site-a.test", "carol@site-b.test"),
             ports["SMTP_PORT"])
        assert [m.message["Subject"] for m in other.wait_for_mail("carol@site-b.test", "pw")] == [TEXT]
        with pytest.raises(imaplib.IMAP4.error):     # carol is unknown to the session's servers
            mail_servers.imap("carol@site-b.test", "pw", source=bad_source())
    finally:
        other.stop()
    with pytest.raises(OSError):
        imap_login("carol@site-b.test", "pw", port=ports["IMAP_PORT"])
