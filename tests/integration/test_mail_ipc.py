"""Roundtable Mail: replies threaded to the last mail received from the buddy,
and the plugin IPC "send-mail" for rich mail (rt-mail-ipc.h), through the
headless hub against the private Dovecot + Postfix."""
import time
from email.message import EmailMessage

from mailhub import PRPL, TEXT, collect, is_msg_from, mail_options, new_hub



def threaded_msg(frm, to, subject, msgid, refs=None, body="hi\n"):
    m = EmailMessage()
    m["From"], m["To"], m["Subject"], m["Message-ID"] = frm, to, subject, msgid
    if refs:
        m["In-Reply-To"] = refs.split()[-1]
        m["References"] = refs
    m.set_content(body)
    return m


def test_im_reply_is_threaded(mail_servers, tmp_path):
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    alice, alice_pw = mail_servers.new_user("site-a.test", prefix="alice")
    h = new_hub(str(tmp_path / "hub"))
    try:
        h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers))
        # A mail from alice, itself a reply in a longer thread.
        mail_servers.send(alice, hub_addr, threaded_msg(
            alice, hub_addr, "Plans " + TEXT, "<a1@site-a.test>", "<r0@site-a.test> <r1@site-a.test>"))
        h.wait(is_msg_from(alice), 10)
        h.im(hub_addr, alice, "Sounds good")
        mail = mail_servers.wait_for_mail(alice, alice_pw, 1)[0].message
        assert mail["In-Reply-To"] == "<a1@site-a.test>"
        assert mail["References"].split() == ["<r0@site-a.test>", "<r1@site-a.test>", "<a1@site-a.test>"]
        assert mail["Subject"] == "Re: Plans " + TEXT
        assert mail.get_content().rstrip("\n") == "Sounds good"

        # Her answer already says "RE:": no doubled "Re: Re:"; the newest
        # mail is the one answered.
        mail_servers.send(alice, hub_addr, threaded_msg(
            alice, hub_addr, "RE: Plans", "<a2@site-a.test>", "<a1@site-a.test>"))
        h.wait(is_msg_from(alice), 10)
        h.im(hub_addr, alice, "Fine")
        mail = mail_servers.wait_for_mail(alice, alice_pw, 2)[1].message
        assert mail["In-Reply-To"] == "<a2@site-a.test>"
        assert mail["References"].split() == ["<a1@site-a.test>", "<a2@site-a.test>"]
        assert mail["Subject"] == "Re: Plans"

        # Someone never heard from: a plain new mail, no threading headers.
        bob, bob_pw = mail_servers.new_user("site-b.test", prefix="bob")
        h.im(hub_addr, bob, "Hello bob")
        mail = mail_servers.wait_for_mail(bob, bob_pw, 1)[0].message
        assert mail["Subject"] == "Hello bob"
        assert mail["In-Reply-To"] is None and mail["References"] is None
    finally:
        h.stop()


def test_ipc_send_mail_rich(mail_servers, tmp_path):
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    bob, bob_pw = mail_servers.new_user("site-b.test", prefix="bob")
    h = new_hub(str(tmp_path / "hub"))
    try:
        h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers))
        html = "<p>Hello <b>%s</b></p>" % TEXT
        fields = {
            "subject": "Digest " + TEXT,
            "text": "Hello " + TEXT + "\nsecond line",
            "html": html,
            "reply-to": "noreply@site-a.test",
            "list-id": "Roundtable digest <digest.site-a.test>",
            "list-unsubscribe": "<mailto:unsubscribe@site-a.test>",
            "auto-submitted": "auto-generated",
            "in-reply-to": "<parent1@site-a.test>",
        }
        # An unknown key: refused, nothing sent.
        assert not h.ipc_mail(hub_addr, bob, **dict(fields, **{"x-mailer": "evil"}))
        # No text: refused.
        assert not h.ipc_mail(hub_addr, bob, subject="only a subject")
        assert h.ipc_mail(hub_addr, bob, **fields)

        mails = mail_servers.wait_for_mail(bob, bob_pw, 1)
        time.sleep(1.5)     # nothing else arrives (the refused calls sent nothing)
        mails = mail_servers.fetch_all(bob, bob_pw)
        assert len(mails) == 1, [m.message["Subject"] for m in mails]
        mail = mails[0].message
        assert mail["Subject"] == "Digest " + TEXT
        assert mail["From"].addresses[0].addr_spec == hub_addr
        assert mail["To"].addresses[0].addr_spec == bob
        assert mail["Reply-To"].addresses[0].addr_spec == "noreply@site-a.test"
        assert mail["List-Id"] == "Roundtable digest <digest.site-a.test>"
        assert mail["List-Unsubscribe"] == "<mailto:unsubscribe@site-a.test>"
        assert mail["Auto-Submitted"] == "auto-generated"
        assert mail["In-Reply-To"] == "<parent1@site-a.test>"
        assert mail["References"].split() == ["<parent1@site-a.test>"]
        assert mail["Message-ID"] and mail["Date"]
        assert mail.get_content_type() == "multipart/alternative"
        parts = list(mail.iter_parts())
        assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
        assert parts[0].get_content().replace("\r\n", "\n").rstrip("\n") == "Hello " + TEXT + "\nsecond line"
        assert parts[1].get_content().strip() == html
        assert [e for e in collect(h, 0.5) if e["ev"] == "write" and e.get("kind") == "error"] == []
    finally:
        h.stop()


def test_ipc_refuses_without_connected_account(mail_servers, tmp_path):
    """An account that is not a connected mail account: refused."""
    h = new_hub(str(tmp_path / "hub"))
    try:
        # The wrong-password path would be slow; a remote plaintext account
        # fails at once and stays disconnected.
        opts = {"imap_host": "imap.example.com", "smtp_host": "smtp.example.com", "security": "none"}
        h.send("account", "x@example.com", "pw", PRPL, *("%s=%s" % kv for kv in opts.items()))
        h.wait(lambda e: e["ev"] == "connection-error", 10)
        assert not h.ipc_mail("x@example.com", "bob@site-b.test", text="hi")
    finally:
        h.stop()
