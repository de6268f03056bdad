"""Fault tests for the "Roundtable Mail" protocol plugin against the private
Dovecot + Postfix: Dovecot goes away while the account polls (backoff inside
the account, no reconnect, no spin, no loss or duplicate), Postfix goes away
while an IM is sent (retried, arrives once), SMTP 451 and 421 (at RCPT and
as the greeting: retried, arrives once, never an authentication failure),
and a recipient the server refuses for good (one error in that conversation,
account stays)."""
import os
import re
import time

import pytest

from mailhub import PRPL, collect, is_msg_from, mail_options, make_msg, new_hub
from mailservers import bad_source


def log_lines(h, pattern):
    """Debug lines of the hub (its stderr.log) matching pattern."""
    with open(os.path.join(h.userdir, "stderr.log"), errors="replace") as f:
        return [l for l in f if re.search(pattern, l)]


def is_conn_event(e):
    return e["ev"] in ("signed-on", "connection-error", "fatal", "eof")


def test_imap_server_gone_backs_off_and_recovers(mail_servers, tmp_path):
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    alice, _ = mail_servers.new_user("site-a.test", prefix="alice")
    h = new_hub(str(tmp_path / "hub"))
    try:
        h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers))
        mail_servers.send(alice, hub_addr, make_msg(alice, hub_addr, "before", "1\n"))
        h.wait(is_msg_from(alice), 10)

        mail_servers.stop_dovecot()
        try:
            # Postfix accepts it and defers it until LMTP (Dovecot) is back.
            mail_servers.send(alice, hub_addr, make_msg(alice, hub_addr, "while down", "2\n"))
            seen = collect(h, 3)
        finally:
            mail_servers.start_dovecot()
        # Delivered once after Dovecot is back, by the backed-off poll.
        ev = h.wait(is_msg_from(alice), 30, skipped=seen)
        assert ev["msg"] == "Subject: while down\n2", ev
        seen += collect(h, 3)
        assert [e for e in seen if is_msg_from(alice)(e)] == [], seen
        # The account stayed connected: no error, no new sign-on.
        assert [e for e in seen if is_conn_event(e)] == [], seen

        failed = log_lines(h, r"IMAP poll failed")
        delays = [int(re.search(r"next poll in (\d+) s", l).group(1)) for l in failed]
        # Not a spin: with poll_interval 1 and ~4-5 s down, a few failed
        # polls at growing intervals (2 s, 4 s, ...).
        assert 1 <= len(failed) <= 4, failed
        assert delays == [min(2 << i, 60) for i in range(len(delays))], failed
        assert log_lines(h, r"IMAP poll works again"), "no recovery logged"

        # Normal polling again (the backoff was reset): the next mail arrives fast.
        mail_servers.send(alice, hub_addr, make_msg(alice, hub_addr, "after", "3\n"))
        t0 = time.monotonic()
        ev = h.wait(is_msg_from(alice), 10)
        assert ev["msg"] == "Subject: after\n3", ev
        assert time.monotonic() - t0 < 5
        assert len(log_lines(h, r"IMAP poll failed")) == len(failed)
    finally:
        h.stop()
        # Postfix's smtpd keeps its SASL link to the old Dovecot auth process
        # (one AUTH then fails with 454); start the next test from fresh servers.
        mail_servers.start_postfix()


def test_smtp_permanent_failure_is_reported_for_that_message_only(mail_servers, tmp_path):
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    bob, bob_pw = mail_servers.new_user("site-b.test", prefix="bob")
    far = "nobody@elsewhere.example"     # not our domains: 554 Relay access denied
    h = new_hub(str(tmp_path / "hub"))
    try:
        h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers))
        h.im(hub_addr, far, "to nowhere")
        seen = collect(h, 4)
        errors = [e for e in seen if e["ev"] == "write" and e.get("kind") == "error"]
        assert len(errors) == 1, seen
        assert errors[0]["conv"] == far, errors
        assert "554" in errors[0]["msg"] and "Relay access denied" in errors[0]["msg"], errors
        assert [e for e in seen if is_conn_event(e)] == [], seen
        # Not retried: a permanent failure is tried once.
        assert log_lines(h, r"temporary failure") == []
        # Still connected and sending.
        h.im(hub_addr, bob, "still here")
        mail = mail_servers.wait_for_mail(bob, bob_pw, 1)[0].message
        assert mail["Subject"] == "still here"
    finally:
        h.stop()


def test_smtp_server_gone_is_retried_and_mail_arrives_once(mail_servers, tmp_path):
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    bob, bob_pw = mail_servers.new_user("site-b.test", prefix="bob")
    h = new_hub(str(tmp_path / "hub"))
    try:
        h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers))
        mail_servers.stop_postfix()
        try:
            h.im(hub_addr, bob, "sent while down")
            seen = collect(h, 3)
        finally:
            mail_servers.start_postfix()
        mails = mail_servers.wait_for_mail(bob, bob_pw, 1, timeout=30)
        assert mails[0].message["Subject"] == "sent while down"
        seen += collect(h, 3)
        assert len(mail_servers.fetch_all(bob, bob_pw)) == 1
        assert [e for e in seen if e["ev"] == "write" and e.get("kind") == "error"] == [], seen
        assert [e for e in seen if is_conn_event(e)] == [], seen
        retries = log_lines(h, r"mail to %s: temporary failure" % re.escape(bob))
        assert 1 <= len(retries) <= 4, retries
        assert log_lines(h, r"mail to %s sent \(try %d\)" % (re.escape(bob), len(retries) + 1))
    finally:
        h.stop()


# Where the server says "try later": a recipient access map entry answers RCPT
# (451, or 421 which also closes the connection, access(5)); a client map entry
# for the hub's source address makes 421 the greeting (libcurl then reports
# CURLE_WEIRD_SERVER_REPLY; the SMTP code decides).
REFUSALS = {
    "451-rcpt": ("recipient", "451 4.3.0 Try again later"),
    "421-rcpt": ("recipient", "421 4.3.2 Closing for maintenance"),
    "421-greeting": ("client", "421 4.3.2 Service shutting down"),
}


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_smtp_4xx_is_retried_and_mail_arrives_once(mail_servers, tmp_path, refusal):
    where, reply = REFUSALS[refusal]
    code = reply[:3]
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    bob, bob_pw = mail_servers.new_user("site-b.test", prefix="bob")
    source = bad_source()      # its own client address: the client map refuses only it
    h = new_hub(str(tmp_path / "hub"))
    try:
        h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers, source_address=source))
        if where == "client":
            mail_servers.refuse_client(source, reply)
        else:
            mail_servers.tempfail(bob, reply)
        try:
            h.im(hub_addr, bob, "sent while " + refusal)
            deadline = time.monotonic() + 10
            pat = r"mail to %s: temporary failure.*SMTP %s" % (re.escape(bob), code)
            while not log_lines(h, pat) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert log_lines(h, pat), log_lines(h, "roundtable-mail")
            seen = collect(h, 1)
        finally:
            if where == "client":
                mail_servers.clear_refuse_client(source)
            else:
                mail_servers.clear_tempfail(bob)
        mails = mail_servers.wait_for_mail(bob, bob_pw, 1, timeout=30)
        assert mails[0].message["Subject"] == "sent while " + refusal
        seen += collect(h, 3)
        assert len(mail_servers.fetch_all(bob, bob_pw)) == 1
        assert [e for e in seen if e["ev"] == "write" and e.get("kind") == "error"] == [], seen
        # Never an authentication failure (nor any other connection error).
        assert [e for e in seen if is_conn_event(e)] == [], seen
        assert log_lines(h, r"Connection error on") == []
        retries = log_lines(h, r"mail to %s: temporary failure" % re.escape(bob))
        assert 1 <= len(retries) <= 5, retries
        assert all("SMTP %s: %s" % (code, reply.split()[0]) in l for l in retries), retries
        assert log_lines(h, r"mail to %s sent \(try %d\)" % (re.escape(bob), len(retries) + 1))
        log = mail_servers.log_tail("postfix", 400)
        if where == "client":
            # Refused before the greeting on the submission port the hub uses.
            pat = r"submission/smtpd\[\d+\]: NOQUEUE: reject: CONNECT from unknown\[%s\]: %s" % (
                re.escape(source), re.escape(reply[:9]))
        else:
            pat = r"submission/smtpd\[\d+\]: NOQUEUE: reject: RCPT from unknown\[%s\]: %s <%s>" % (
                re.escape(source), re.escape(reply[:9]), re.escape(bob))
        assert re.search(pat, log), log
    finally:
        h.stop()
