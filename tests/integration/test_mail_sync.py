"""Paged IMAP sync of the "Roundtable Mail" plugin (docs/mail-plugin.md,
"Incoming (IMAP)") against the private Dovecot: a folder of 1,200 mails
(more than two windows of 500 UIDs) with initial_sync=all is delivered
exactly once and in UID order, also across a restart in the middle of the
sync; initial_sync=new skips what is there; a changed UIDVALIDITY repeats
nothing; a bad option value is refused.

The folder is filled by writing the messages straight into the user's
Maildir (tmp/ then rename into new/, owned by the mail user, as a delivery
agent does); Dovecot assigns the UIDs on its next look, ordered by the time
in the file names. seed_maildir() checks the result over IMAP."""
import os
import pwd
import re
import time

import pytest

import positions
from mailhub import PRPL, collect, is_msg_from, mail_options, make_msg, new_hub

WINDOW = 500          # RT_MAIL_SYNC_WINDOW in rt-mail-imap.c
N = 1200
SENDER = "sync.sender@site-b.test"


def maildir(servers, addr, pw):
    """The user's INBOX Maildir; Dovecot creates it on the first SELECT."""
    conn = servers.imap(addr, pw)
    try:
        assert conn.select("INBOX")[0] == "OK"
    finally:
        conn.logout()
    local, _, domain = addr.partition("@")
    path = os.path.join(servers.dir, "runtime", "mail", domain, local, "Maildir")
    assert os.path.isdir(os.path.join(path, "new")), path
    return path


def seed_maildir(servers, addr, pw, count, subject="sync %d", first=0):
    """Put count small mails (Subject: subject % i, i from first) into addr's
    INBOX. Returns the subjects of the whole folder in UID order, as Dovecot
    reports them (so "delivered in order" is checked against the server, not
    against the seeding)."""
    path = maildir(servers, addr, pw)
    nobody = pwd.getpwnam("nobody")
    base = int(time.time()) - count - 60    # one second apart: UIDs follow i
    for i in range(first, first + count):
        stamp = base + (i - first)
        name = "%d.M%dP%d.rtseed" % (stamp, i, os.getpid())
        data = ("From: Sync Sender <%s>\r\nTo: %s\r\nSubject: %s\r\n"
                "Message-ID: <seed-%d-%d@site-b.test>\r\nDate: %s\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n\r\nbody %d\r\n"
                % (SENDER, addr, subject % i, os.getpid(), i,
                   time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(stamp)), i)).encode()
        tmp = os.path.join(path, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.chown(tmp, nobody.pw_uid, nobody.pw_gid)
        os.utime(tmp, (stamp, stamp))
        os.rename(tmp, os.path.join(path, "new", name))
    return folder_subjects(servers, addr, pw)


def folder_subjects(servers, addr, pw):
    conn = servers.imap(addr, pw)
    try:
        conn.select("INBOX", readonly=True)
        typ, data = conn.uid("FETCH", "1:*", "(UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert typ == "OK", data
        rows = []
        for item in data:
            if isinstance(item, tuple):
                uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
                subj = re.search(rb"Subject: ([^\r\n]*)", item[1]).group(1).decode()
                rows.append((uid, subj))
        return [s for _, s in sorted(rows)]
    finally:
        conn.logout()


def subject_of(ev):
    return ev["msg"].split("\n", 1)[0].removeprefix("Subject: ")


def wait_subjects(h, count, timeout):
    """The subjects of the next count IMs from SENDER."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("%d of %d mails delivered after %ss (last %r); see %s/stderr.log"
                                 % (len(got), count, timeout, got[-1:], h.userdir))
        got.append(subject_of(h.wait(is_msg_from(SENDER), left)))
    return got


def windows(userdir, addr):
    """The (lo, hi) UID ranges the plugin searched, from its debug log."""
    with open(os.path.join(userdir, "stderr.log"), errors="replace") as f:
        return [(int(a), int(b)) for a, b in
                re.findall(r"%s: UIDs (\d+):(\d+) of \d+: \d+ to fetch" % re.escape(addr), f.read())]


def sync_opts(servers, initial):
    opts = mail_options(servers)
    if initial is not None:
        opts["initial_sync"] = initial
    return opts


def test_initial_sync_all_delivers_every_mail_once_in_order(mail_servers, tmp_path):
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    expected = seed_maildir(mail_servers, hub_addr, hub_pw, N)
    assert expected == ["sync %d" % i for i in range(N)]
    h = new_hub(str(tmp_path / "hub"))
    try:
        t0 = time.monotonic()
        h.add_account(hub_addr, hub_pw, PRPL, sync_opts(mail_servers, "all"))
        got = wait_subjects(h, N, 120)
        took = time.monotonic() - t0
        assert got == expected
        # Exactly once: nothing more, not even after further polls.
        assert [e for e in collect(h, 3) if is_msg_from(SENDER)(e)] == []
        # Paged: contiguous windows of at most WINDOW UIDs from 1 to N.
        w = windows(h.userdir, hub_addr)
        assert w[0][0] == 1 and w[-1][1] == N and len(w) == 3, w
        assert all(hi - lo + 1 <= WINDOW for lo, hi in w), w
        assert all(b[0] == a[1] + 1 for a, b in zip(w, w[1:])), w
        print("synced %d mails in %.1f s" % (N, took))
        # New mail after the sync arrives once.
        mail_servers.send(SENDER, hub_addr, make_msg(SENDER, hub_addr, "after sync", "new\n"))
        assert wait_subjects(h, 1, 15) == ["after sync"]
        assert [e for e in collect(h, 2.5) if is_msg_from(SENDER)(e)] == []
    finally:
        h.stop()


def test_restart_in_the_middle_of_the_sync(mail_servers, tmp_path):
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    expected = seed_maildir(mail_servers, hub_addr, hub_pw, N)
    userdir = str(tmp_path / "hub")
    h = new_hub(userdir)
    try:
        h.add_account(hub_addr, hub_pw, PRPL, sync_opts(mail_servers, "all"))
        # Into the second window, then a normal quit while fetches go on.
        first = wait_subjects(h, WINDOW + 100, 90)
    finally:
        h.stop()
    # Whatever the hub wrote before it quit is still in the old event queue.
    tail = []
    h.wait(lambda e: e["ev"] == "eof", 10, skipped=tail)
    first += [subject_of(e) for e in tail if is_msg_from(SENDER)(e)]
    assert WINDOW + 100 <= len(first) < N, "the stop did not land in the middle of the sync"

    h.restart()
    try:
        second = wait_subjects(h, N - len(first), 120)
        assert [e for e in collect(h, 3) if is_msg_from(SENDER)(e)] == []
    finally:
        h.stop()
    # No gap, no duplicate, in order across the restart.
    assert first + second == expected, (len(first), len(second))


def test_killed_in_the_middle_of_the_sync_reads_again_never_skips(mail_servers, tmp_path):
    """SIGKILL (no clean-up) in the middle of the sync: the positions file
    holds a position at most a write delay (1 s) old, so after the restart
    the last mails before the kill may come again, but none is skipped and
    the order holds."""
    n = 3000              # a sync of several seconds
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    expected = seed_maildir(mail_servers, hub_addr, hub_pw, n)
    userdir = str(tmp_path / "hub")
    h = new_hub(userdir)
    try:
        h.add_account(hub_addr, hub_pw, PRPL, sync_opts(mail_servers, "all"))
        first = wait_subjects(h, 1, 30)
        # At least one asynchronous write of the positions (1 s after the
        # first change), then killed while the sync goes on.
        t0 = time.monotonic()
        while time.monotonic() - t0 < 1.3:
            first += wait_subjects(h, 1, 30)
    finally:
        h.kill()
    tail = []
    h.wait(lambda e: e["ev"] == "eof", 10, skipped=tail)
    first += [subject_of(e) for e in tail if is_msg_from(SENDER)(e)]
    assert first == expected[:len(first)] and len(first) < n, len(first)
    stored = int(positions.read(userdir, PRPL, hub_addr)["imap_last_uid:INBOX"])
    assert 0 < stored <= len(first), (stored, len(first))

    h.restart()
    try:
        second = wait_subjects(h, n - stored, 120)
        assert [e for e in collect(h, 3) if is_msg_from(SENDER)(e)] == []
    finally:
        h.stop()
    # Read again from the stored position on: the overlap is what the kill
    # lost (at most the last second), nothing is missing.
    assert second == expected[stored:], (stored, len(first), second[:3])
    print("killed after %d mails, position %d: %d read again" % (len(first), stored, len(first) - stored))


def test_legacy_positions_in_the_account_settings_are_taken_over(mail_servers, tmp_path):
    """An account whose positions an earlier version kept in accounts.xml:
    they are taken over once into the positions file (nothing delivered
    again, nothing skipped) and never written to the account again."""
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    expected = seed_maildir(mail_servers, hub_addr, hub_pw, 5)
    userdir = str(tmp_path / "hub")
    h = new_hub(userdir)
    try:
        h.add_account(hub_addr, hub_pw, PRPL, sync_opts(mail_servers, "new"))
    finally:
        h.stop()
    # As an earlier version left it: positions in the account settings (UID
    # 3 of 5 delivered), no positions file.
    os.remove(positions.path(userdir, PRPL, hub_addr))
    validity = str(mail_servers.uidvalidity(hub_addr, hub_pw))
    accounts = os.path.join(userdir, "accounts.xml")
    with open(accounts, encoding="utf-8") as f:
        xml = f.read()
    legacy = ("<setting name='imap_uidvalidity:INBOX' type='string'>%s</setting>"
              "<setting name='imap_last_uid:INBOX' type='string'>3</setting>" % validity)
    xml, n = re.subn(r"(<settings>)", r"\g<1>" + legacy, xml, count=1)
    assert n == 1, xml
    with open(accounts, "w", encoding="utf-8") as f:
        f.write(xml)
    h.restart()
    try:
        assert wait_subjects(h, 2, 15) == expected[3:]
        assert [e for e in collect(h, 2.5) if is_msg_from(SENDER)(e)] == []
    finally:
        h.stop()
    assert positions.read(userdir, PRPL, hub_addr) == {"imap_uidvalidity:INBOX": validity,
                                                       "imap_last_uid:INBOX": "5"}
    with open(accounts, encoding="utf-8") as f:
        assert "<setting name='imap_last_uid:INBOX' type='string'>3</setting>" in f.read()


def test_initial_sync_new_skips_what_is_there(mail_servers, tmp_path):
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    seed_maildir(mail_servers, hub_addr, hub_pw, 40, subject="old %d")
    for initial in ("new", None):     # explicit, and the default
        h = new_hub(str(tmp_path / ("hub-%s" % initial)))
        try:
            h.add_account(hub_addr, hub_pw, PRPL, sync_opts(mail_servers, initial))
            assert [e for e in collect(h, 3) if is_msg_from(SENDER)(e)] == []
            subject = "fresh for %s" % initial
            mail_servers.send(SENDER, hub_addr, make_msg(SENDER, hub_addr, subject, "x\n"))
            assert wait_subjects(h, 1, 15) == [subject]
            assert [e for e in collect(h, 2.5) if is_msg_from(SENDER)(e)] == []
        finally:
            h.stop()


def test_uidvalidity_change_with_all_repeats_nothing(mail_servers, tmp_path):
    """initial_sync=all applies to the first use only: after a UIDVALIDITY
    change the folder is not delivered again."""
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    expected = seed_maildir(mail_servers, hub_addr, hub_pw, 5)
    userdir = str(tmp_path / "hub")
    h = new_hub(userdir)
    try:
        h.add_account(hub_addr, hub_pw, PRPL, sync_opts(mail_servers, "all"))
        assert wait_subjects(h, 5, 30) == expected
    finally:
        h.stop()
    validity = str(mail_servers.uidvalidity(hub_addr, hub_pw))
    stored = positions.read(userdir, PRPL, hub_addr)
    assert stored == {"imap_uidvalidity:INBOX": validity, "imap_last_uid:INBOX": "5"}, stored
    positions.update(userdir, PRPL, hub_addr, {"imap_uidvalidity:INBOX": "1"})
    h.restart()
    try:
        assert [e for e in collect(h, 3) if is_msg_from(SENDER)(e)] == []
        mail_servers.send(SENDER, hub_addr, make_msg(SENDER, hub_addr, "after change", "x\n"))
        assert wait_subjects(h, 1, 15) == ["after change"]
        assert [e for e in collect(h, 2.5) if is_msg_from(SENDER)(e)] == []
    finally:
        h.stop()
    assert positions.read(userdir, PRPL, hub_addr)["imap_uidvalidity:INBOX"] == validity


def test_bad_initial_sync_value_is_refused(mail_servers, tmp_path):
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    h = new_hub(str(tmp_path / "hub"))
    try:
        opts = sync_opts(mail_servers, "everything")
        h.send("account", hub_addr, hub_pw, PRPL, *("%s=%s" % kv for kv in opts.items()))
        ev = h.wait(lambda e: e["ev"] in ("signed-on", "connection-error"), 10)
        assert ev["ev"] == "connection-error", ev
        assert "initial sync" in ev["reason"], ev
    finally:
        h.stop()
