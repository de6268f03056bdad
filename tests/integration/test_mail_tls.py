"""TLS for the "Roundtable Mail" protocol plugin against the private Dovecot +
Postfix and their self-signed certificate (made with openssl by
tools/mail-servers-start; subjectAltName IP:127.0.0.1 and DNS:localhost):
the account option tls_certificate names it, and then mail comes in over
IMAPS / IMAP STARTTLS and goes out over submissions / submission STARTTLS.
Without it, with another certificate, or to a host name it does not cover,
the account fails once with CERT_UNTRUSTED; an unusable file is one
INVALID_SETTINGS error naming the option. The password never shows in the
debug log."""
import imaplib
import os
import re
import smtplib
import socket
import ssl

import pytest

from mailhub import PRPL, TEXT, collect, is_msg_from, mail_options, make_msg, new_hub
from mailservers import make_certificate, tls_context

PASSWORD = "Tls-Secret-8f3a"      # grep-able: must never appear in the hub's log

# libpurple's PurpleConnectionError values (connection.h, 2.14)
INVALID_SETTINGS, CERT_UNTRUSTED = 7, 9


def hub_log(h):
    with open(os.path.join(h.userdir, "stderr.log"), errors="replace") as f:
        return f.read()


def conn_errors(h):
    """(reason code, text) of every libpurple connection error in the log."""
    return [(int(m.group(1)), m.group(2)) for m in
            re.finditer(r"Connection error on \S+ \(reason: (\d+) description: (.*)\)", hub_log(h))]


def is_conn_event(e):
    return e["ev"] in ("signed-on", "connection-error")


def tls_options(servers, security, host="127.0.0.1", **extra):
    """Account options for security "tls" (IMAPS_PORT, SUBMISSIONS_PORT) or
    "starttls" (IMAP_PORT, SUBMISSION_PORT)."""
    implicit = security == "tls"
    opts = mail_options(servers, security=security, imap_host=host, smtp_host=host,
                        imap_port=servers.imaps_port if implicit else servers.imap_port,
                        smtp_port=servers.submissions_port if implicit else servers.submission_port)
    opts.update(extra)
    return opts


def add_failing(h, addr, opts):
    """Add an account that must not sign on; returns its connection-error event."""
    h.send("account", addr, PASSWORD, PRPL, *("%s=%s" % kv for kv in opts.items()))
    ev = h.wait(lambda e: is_conn_event(e) and e.get("account") == addr, 15)
    assert ev["ev"] == "connection-error", ev
    return ev


def assert_once_and_quiet(h, seconds=3):
    """No further sign-on or error (no retry storm) and no secret in the log."""
    later = [e for e in collect(h, seconds) if is_conn_event(e)]
    assert later == [], later
    assert PASSWORD not in hub_log(h)


# -- the servers' TLS (fixture sanity) ---------------------------------------------
def test_servers_offer_tls_with_their_certificate(mail_servers, tmp_path):
    ctx = tls_context(mail_servers.tls_cert)
    with socket.create_connection(("127.0.0.1", mail_servers.imaps_port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            assert s.recv(512).startswith(b"* OK")
    with smtplib.SMTP_SSL("127.0.0.1", mail_servers.submissions_port, context=ctx, timeout=10) as s:
        assert s.ehlo("tls.probe")[0] == 250 and "auth" in s.esmtp_features
    with smtplib.SMTP("localhost", mail_servers.submission_port, timeout=10) as s:
        s.ehlo("tls.probe")
        assert s.starttls(context=ctx)[0] == 220
    imap = imaplib.IMAP4("127.0.0.1", mail_servers.imap_port, timeout=10)
    assert imap.starttls(ssl_context=ctx)[0] == "OK"
    imap.logout()
    # The plain ports still work without TLS (other tests use them).
    assert mail_servers.greeting().startswith("220 ")
    # Another self-signed certificate with the same names is not trusted, and
    # the servers' own certificate does not name 127.0.0.2.
    other = tls_context(make_certificate(str(tmp_path)))
    for context, host in ((other, "127.0.0.1"), (ctx, "127.0.0.2")):
        with socket.create_connection((host, mail_servers.imaps_port), timeout=10) as raw:
            with pytest.raises(ssl.SSLCertVerificationError):
                context.wrap_socket(raw, server_hostname=host)


# -- (a) the named certificate: mail in and out over TLS ---------------------------
@pytest.mark.parametrize("security,host", [("tls", "127.0.0.1"), ("starttls", "localhost")])
def test_named_certificate_mail_in_and_out(mail_servers, tmp_path, security, host):
    hub_addr, _ = mail_servers.new_user("site-a.test", password=PASSWORD, prefix="hub")
    alice, _ = mail_servers.new_user("site-a.test", prefix="alice")
    bob, bob_pw = mail_servers.new_user("site-b.test", prefix="bob")
    h = new_hub(str(tmp_path / "hub"))
    try:
        h.add_account(hub_addr, PASSWORD, PRPL,
                      tls_options(mail_servers, security, host, tls_certificate=mail_servers.tls_cert))
        mail_servers.send(alice, hub_addr, make_msg(alice, hub_addr, "over " + security, TEXT + "\n"))
        ev = h.wait(is_msg_from(alice), 15)
        assert ev["msg"] == "Subject: over %s\n%s" % (security, TEXT), ev

        h.im(hub_addr, bob, "Reply over " + security)
        mail = mail_servers.wait_for_mail(bob, bob_pw, 1, timeout=15)[0].message
        assert mail["Subject"] == "Reply over " + security
        assert mail["From"].addresses[0].addr_spec == hub_addr

        seen = collect(h, 1)
        assert [e for e in seen if is_conn_event(e) or e.get("kind") == "error"] == [], seen
        log = hub_log(h)
        assert "TLS trusts only the certificate(s) in %s" % mail_servers.tls_cert in log
        assert PASSWORD not in log
    finally:
        h.stop()
    # The servers saw TLS logins: Dovecot marks the IMAP login "TLS", Postfix
    # logs the handshake in the same smtpd process that took the AUTH.
    dovecot = [l for l in mail_servers.log_tail("dovecot", 400).splitlines()
               if "imap-login: Info: Login: user=<%s>" % hub_addr in l]
    assert dovecot and all(", TLS" in l for l in dovecot), dovecot
    postfix = mail_servers.log_tail("postfix", 600).splitlines()
    auth_pids = {m.group(1) for l in postfix if "sasl_username=%s" % hub_addr in l
                 for m in [re.search(r"smtpd\[(\d+)\]", l)] if m}
    tls_pids = {m.group(1) for l in postfix if "TLS connection established" in l
                for m in [re.search(r"smtpd\[(\d+)\]", l)] if m}
    assert auth_pids and auth_pids <= tls_pids, (auth_pids, tls_pids)


# -- (b), (c) certificates that are not trusted --------------------------------------
def _assert_untrusted(h, ev):
    assert "certificate was not trusted" in ev["reason"], ev
    assert [code for code, _ in conn_errors(h)] == [CERT_UNTRUSTED], conn_errors(h)
    assert_once_and_quiet(h)
    assert "IMAP poll failed" not in hub_log(h)       # not retried inside the account either


def test_without_the_option_the_certificate_is_not_trusted(mail_servers, tmp_path):
    hub_addr, _ = mail_servers.new_user("site-a.test", password=PASSWORD, prefix="hub")
    h = new_hub(str(tmp_path / "hub"))
    try:
        ev = add_failing(h, hub_addr, tls_options(mail_servers, "tls"))
        _assert_untrusted(h, ev)
        assert "Trusted server certificate" in ev["reason"], ev     # says what to set
    finally:
        h.stop()


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_another_self_signed_certificate_is_not_trusted(mail_servers, tmp_path, security):
    hub_addr, _ = mail_servers.new_user("site-a.test", password=PASSWORD, prefix="hub")
    other = make_certificate(str(tmp_path / "other"))      # same names, another key
    h = new_hub(str(tmp_path / "hub"))
    try:
        ev = add_failing(h, hub_addr, tls_options(mail_servers, security, tls_certificate=other))
        _assert_untrusted(h, ev)
    finally:
        h.stop()


def test_imap_host_name_not_in_the_certificate(mail_servers, tmp_path):
    """The right certificate, but the server is reached as 127.0.0.2, which
    its subjectAltName does not list: host name verification stays on."""
    hub_addr, _ = mail_servers.new_user("site-a.test", password=PASSWORD, prefix="hub")
    h = new_hub(str(tmp_path / "hub"))
    try:
        ev = add_failing(h, hub_addr, tls_options(mail_servers, "tls", "127.0.0.2",
                                                  tls_certificate=mail_servers.tls_cert))
        _assert_untrusted(h, ev)
    finally:
        h.stop()


def test_smtp_host_name_not_in_the_certificate(mail_servers, tmp_path):
    """IMAP is trusted (the account signs on); the SMTP server reached as
    127.0.0.2 is not: the IM gets one error in its conversation, not retried,
    and the account fails with CERT_UNTRUSTED."""
    hub_addr, _ = mail_servers.new_user("site-a.test", password=PASSWORD, prefix="hub")
    bob, bob_pw = mail_servers.new_user("site-b.test", prefix="bob")
    h = new_hub(str(tmp_path / "hub"))
    try:
        h.add_account(hub_addr, PASSWORD, PRPL,
                      tls_options(mail_servers, "tls", tls_certificate=mail_servers.tls_cert,
                                  smtp_host="127.0.0.2"))
        h.im(hub_addr, bob, "never sent")
        seen = []
        ev = h.wait(lambda e: e["ev"] == "connection-error", 15, skipped=seen)
        assert ev["reason"].startswith("SMTP: ") and "certificate was not trusted" in ev["reason"], ev
        seen += collect(h, 3)
        errors = [e for e in seen if e["ev"] == "write" and e.get("kind") == "error"]
        assert len(errors) == 1 and errors[0]["conv"] == bob, seen
        assert "certificate was not trusted" in errors[0]["msg"], errors
        assert [e for e in seen if is_conn_event(e)] == [], seen
        assert [code for code, _ in conn_errors(h)] == [CERT_UNTRUSTED], conn_errors(h)
        assert "temporary failure" not in hub_log(h)
        assert PASSWORD not in hub_log(h)
        assert mail_servers.fetch_all(bob, bob_pw) == []
    finally:
        h.stop()


# -- an unusable certificate option ----------------------------------------------------
def test_unusable_certificate_file_is_one_clear_error(mail_servers, tmp_path):
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("not a certificate\n")
    unreadable = tmp_path / "dir.pem"
    unreadable.mkdir()                  # root reads any file; a directory cannot be read
    cases = {
        "missing": (str(tmp_path / "missing.pem"), "No such file"),
        "relative": ("certs/server.pem", "not an absolute path"),
        "not-pem": (str(not_pem), "holds no PEM certificate"),
        "unreadable": (str(unreadable), str(unreadable)),
    }
    h = new_hub(str(tmp_path / "hub"))
    try:
        for name, (path, why) in cases.items():
            addr, _ = mail_servers.new_user("site-a.test", password=PASSWORD, prefix="hub-" + name)
            ev = add_failing(h, addr, tls_options(mail_servers, "tls", tls_certificate=path))
            assert "tls_certificate" in ev["reason"] and "Trusted server certificate" in ev["reason"], ev
            assert why in ev["reason"], (name, ev)
        assert [code for code, _ in conn_errors(h)] == [INVALID_SETTINGS] * len(cases), conn_errors(h)
        assert_once_and_quiet(h)
        # Refused before any connection: no IMAP transfer was even tried.
        assert "IMAP" not in "".join(text for _, text in conn_errors(h))
    finally:
        h.stop()


def test_certificate_file_is_read_at_login(mail_servers, tmp_path):
    """The file is checked at login and libcurl keeps the trust store it
    loads for the connection (its CA cache, 24 h): removing the file later
    does not break a running connection, and the next login reports it once
    (INVALID_SETTINGS, naming the option)."""
    hub_addr, _ = mail_servers.new_user("site-a.test", password=PASSWORD, prefix="hub")
    bob, bob_pw = mail_servers.new_user("site-b.test", prefix="bob")
    copy = tmp_path / "server.pem"
    copy.write_bytes(open(mail_servers.tls_cert, "rb").read())
    opts = tls_options(mail_servers, "tls", tls_certificate=str(copy))
    h = new_hub(str(tmp_path / "hub"))
    try:
        h.add_account(hub_addr, PASSWORD, PRPL, opts)
        copy.unlink()
        h.im(hub_addr, bob, "sent after the file went")
        assert mail_servers.wait_for_mail(bob, bob_pw, 1, timeout=15)[0].message["Subject"] \
            == "sent after the file went"
        assert [e for e in collect(h, 1) if is_conn_event(e)] == []
        h.stop()
        h.start()
        ev = add_failing(h, hub_addr, opts)
        assert "tls_certificate" in ev["reason"] and str(copy) in ev["reason"], ev
        assert [code for code, _ in conn_errors(h)] == [INVALID_SETTINGS], conn_errors(h)
        assert_once_and_quiet(h)
    finally:
        h.stop()


def test_server_certificate_changes_while_connected(mail_servers, tmp_path):
    """Signed on; then Dovecot restarts with another self-signed certificate
    (same names, another key). The next poll's certificate failure is the
    connection's error at once (CERT_UNTRUSTED), not one more failed poll to
    back off from and retry."""
    hub_addr, _ = mail_servers.new_user("site-a.test", password=PASSWORD, prefix="hub")
    tls_dir = os.path.dirname(mail_servers.tls_cert)
    saved = {n: open(os.path.join(tls_dir, n), "rb").read() for n in ("cert.pem", "key.pem")}
    other = make_certificate(str(tmp_path / "other"))
    h = new_hub(str(tmp_path / "hub"))
    try:
        h.add_account(hub_addr, PASSWORD, PRPL,
                      tls_options(mail_servers, "tls", tls_certificate=mail_servers.tls_cert))
        try:
            for name, src in (("cert.pem", other), ("key.pem", other[:-4] + ".key")):
                with open(os.path.join(tls_dir, name), "wb") as f:
                    f.write(open(src, "rb").read())
            mail_servers.start_dovecot()           # --restart, now with the other certificate
            seen = []
            ev = h.wait(lambda e: e["ev"] == "connection-error", 20, skipped=seen)
        finally:
            for name, data in saved.items():
                with open(os.path.join(tls_dir, name), "wb") as f:
                    f.write(data)
            mail_servers.start_dovecot()
        assert ev["reason"].startswith("IMAP") and "certificate was not trusted" in ev["reason"], ev
        assert [code for code, _ in conn_errors(h)] == [CERT_UNTRUSTED], conn_errors(h)
        failed = hub_log(h).count("IMAP poll failed")
        assert_once_and_quiet(h)
        assert hub_log(h).count("IMAP poll failed") == failed      # not retried
        # Polls that failed while Dovecot restarted were network errors only.
        assert "certificate" not in "".join(l for l in hub_log(h).splitlines() if "IMAP poll failed" in l)
    finally:
        h.stop()
        # Postfix's smtpd keeps its SASL link to the old Dovecot auth process.
        mail_servers.start_postfix()


# -- (d) plaintext stays loopback-only ------------------------------------------------------
def test_plaintext_refused_when_only_the_smtp_host_is_remote(mail_servers, tmp_path):
    """test_mail_prpl.py checks two remote hosts; one is enough to refuse."""
    hub_addr, _ = mail_servers.new_user("site-a.test", password=PASSWORD, prefix="hub")
    h = new_hub(str(tmp_path / "hub"))
    try:
        ev = add_failing(h, hub_addr, mail_options(mail_servers, smtp_host="smtp.example.com",
                                                   tls_certificate=mail_servers.tls_cert))
        assert "loopback" in ev["reason"], ev
        assert_once_and_quiet(h, 1)
    finally:
        h.stop()
