"""Figure 5: the longest event-loop stall of the hub during an initial IMAP
sync of a large folder (the mail plugin, initial_sync=all), and its rate.

Usage: mailsync.py WORKDIR [MAILS]     (default 10,000 mails)

Starts its own private Dovecot + Postfix (tools/mail-servers-start
WORKDIR/mail, two users: an idle mailbox and the one to sync) and stops them
at the end, deleting their runtime directory (the mail store). The folder is
filled by writing typical ~5 KB multipart/alternative mails (text/plain and
text/html, quoted-printable or base64, some non-ASCII; 20 senders) straight
into the user's Maildir (tmp/ then rename into new/, owned by the mail user);
Dovecot numbers them in order on the next STATUS, which must report MAILS.

The hub (tests/harness/rt-headless, RT_STALL_PROBE=1: a 1 ms GLib heartbeat;
its `stall` command prints the longest gap beyond the period since the last
`stall`) runs the mail plugin from the build dir with one account on the
empty idle mailbox, polling every second. RT_MAILSYNC_DEBUG=1 turns on the
hub's libpurple debug log (USERDIR/stderr.log, ms timestamps) to find what a
long stall was doing.

  mail_sync_max_stall (ms): from the moment the second account (the full
  folder, initial_sync=all, poll every second) is added until the hub has
  delivered its last mail as an IM; against idle_mail_max_stall: the same
  hub with only the idle account, for IDLE_S right before.
  mail_sync_rate (mails/s): MAILS / (last IM - account added); against
  curl_fetch_rate: the curl tool (the same libcurl 7.88) fetching the same
  mails over one connection with one URL per mail, as the hub does
  ("INBOX;UIDVALIDITY=v/;UID=[1-MAILS]": one `UID FETCH n BODY[]` round
  trip each, which also sets \\Seen), right before the hub's sync, after
  one batched warm-up fetch of the whole folder (so both read from a warm
  Dovecot); \\Seen is cleared again before the hub starts. What the hub
  adds on top: a new easy handle and event-loop round per mail, the parse,
  libpurple's IM delivery (conversation, HTML chat log), the core plugin
  looking at the IM, the harness writing it as JSON.

The IMs are checked: each mail exactly once, in UID order. If the sync has
not finished after SYNC_TIMEOUT_S the stall seen until then is printed as
mail_sync_max_stall_partial and the exit status is 1.
"""
import base64
import email.policy
import os
import pwd
import random
import re
import shutil
import subprocess
import sys
import time
from email.message import EmailMessage

from benchlib import emit, log, ratio
from hub import Hub, MAIL_PLUGIN_DIR
from mailservers import MailServers

IDLE_S = 10.0
SYNC_TIMEOUT_S = 300.0
PRPL = "prpl-roundtable-mail"
SENDERS = ["sender%02d@site-b.test" % i for i in range(20)]
SUBJECT_RE = re.compile(r"^Subject: Sync bench #(\d+) ")

ENGLISH = ("the proposal pricing annex deadline we will send review team tomorrow customer "
           "meeting schedule draft please check numbers and update section three before Friday "
           "thanks for quick reply contract delivery plan risks open questions agreed next steps").split()
ACCENTED = ["Zoë", "São Paulo", "Łódź", "Müller", "naïve", "café", "réunion", "déjà", "zażółć"]
JAPANESE = ["東京", "会議", "提案書", "価格", "締め切り", "明日", "確認", "お願いします", "資料", "顧客"]


def body_template(rng, kind):
    """The MIME part of one mail (multipart/alternative, its headers first),
    about 4.5 KB: kind 0 ASCII, 1 a few accents, 2 Japanese-heavy."""
    paras = []
    size = 0
    while size < (1700 if kind < 2 else 1000):
        words = []
        for _ in range(rng.randint(20, 50)):
            r = rng.random()
            if kind == 2 and r < 0.6:
                words.append(rng.choice(JAPANESE))
            elif kind == 1 and r < 0.08:
                words.append(rng.choice(ACCENTED))
            else:
                words.append(rng.choice(ENGLISH))
        p = " ".join(words) + "."
        paras.append(p)
        size += len(p.encode())
    text = "\n\n".join(paras) + "\n\n-- \nBid team\n"
    html = ("<html><head><style>p{margin:0}</style></head><body>\n"
            + "".join("<p><span style=\"font-family:Arial\">%s</span></p>\n" % p for p in paras)
            + "<p>-- <br><i>Bid team</i></p></body></html>\n")
    m = EmailMessage(policy=email.policy.SMTP)
    m.set_content(text)
    m.add_alternative(html, subtype="html")
    return m.as_bytes()


def make_mails(count, to):
    """count raw mails (CRLF), Subject "Sync bench #i ..." in order."""
    rng = random.Random(20261127)
    templates = [body_template(rng, k % 3) for k in range(30)]
    subjects = ["Pricing annex for Acme", "Réunion à São Paulo", "東京の会議について"]
    base = int(time.time()) - count - 600
    for i in range(count):
        k = i % len(templates)
        subj = "Sync bench #%d %s" % (i, subjects[k % 3])
        enc = "=?utf-8?b?%s?=" % base64.b64encode(subj.encode()).decode()
        head = ("From: Sender %d <%s>\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
                "Message-ID: <sync-%d@site-b.test>\r\n"
                % (i % len(SENDERS), SENDERS[i % len(SENDERS)], to, enc,
                   time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(base + i)), i))
        yield base + i, head.encode() + templates[k]


def seed(servers, addr, pw, count):
    conn = servers.imap(addr, pw)          # Dovecot creates the Maildir
    conn.select("INBOX")
    conn.logout()
    local, _, domain = addr.partition("@")
    path = os.path.join(servers.dir, "runtime", "mail", domain, local, "Maildir")
    nobody = pwd.getpwnam("nobody")
    total = 0
    for i, (stamp, data) in enumerate(make_mails(count, addr)):
        # One second apart: Dovecot numbers new files by the time in the name.
        name = "%d.M%dP%d.rtbench" % (stamp, i, os.getpid())
        tmp = os.path.join(path, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.chown(tmp, nobody.pw_uid, nobody.pw_gid)
        os.utime(tmp, (stamp, stamp))
        os.rename(tmp, os.path.join(path, "new", name))
        total += len(data)
    conn = servers.imap(addr, pw, timeout=120)
    typ, data = conn.status("INBOX", "(MESSAGES)")
    conn.logout()
    n = int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))
    if n != count:
        raise RuntimeError("INBOX holds %d messages, want %d" % (n, count))
    return total


def raw_fetch_rate(servers, addr, pw, count, work):
    """The curl tool (same libcurl) fetching every mail over one connection,
    one URL "INBOX;UIDVALIDITY=v/;UID=n" per mail as the hub does (so the same
    UID FETCH n BODY[], which sets \\Seen), after one batched warm-up fetch
    with imaplib; then \\Seen is cleared again so the hub's sync finds the
    folder as it was."""
    conn = servers.imap(addr, pw, timeout=120)
    try:
        conn.select("INBOX")
        for lo in range(1, count + 1, 1000):         # warm-up, batched
            typ, _ = conn.uid("FETCH", "%d:%d" % (lo, min(count, lo + 999)), "(BODY.PEEK[])")
            assert typ == "OK"
        validity = servers.uidvalidity(addr, pw)
        netrc = os.path.join(work, "netrc")          # the password stays off argv
        with open(os.open(netrc, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write("machine %s login %s password %s\n" % (servers.host, addr, pw))
        url = "imap://%s:%d/INBOX;UIDVALIDITY=%d/;UID=[1-%d]" % (servers.host, servers.imap_port,
                                                                  validity, count)
        t0 = time.monotonic()
        r = subprocess.run(["curl", "-sS", "--netrc-file", netrc, url], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600)
        took = time.monotonic() - t0
        got = r.stdout.count(b"\r\nMessage-ID: <sync-")
        if r.returncode != 0 or got != count:
            raise RuntimeError("curl fetched %d of %d mails (exit %d): %s"
                               % (got, count, r.returncode, r.stderr.decode(errors="replace")[-300:]))
        typ, _ = conn.uid("STORE", "1:*", "-FLAGS.SILENT", "(\\Seen)")
        assert typ == "OK"
        return count / took
    finally:
        conn.logout()


def options(servers, **extra):
    opts = {"imap_host": "127.0.0.1", "imap_port": servers.imap_port,
            "smtp_host": "127.0.0.1", "smtp_port": servers.submission_port,
            # Plaintext: these servers are on loopback only.
            "security": "none", "poll_interval": 1}
    opts.update(extra)
    return opts


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        log("mailsync: the private mail servers need root; not measured")
        return 1
    count = int(argv[2]) if len(argv) > 2 else 10000
    work = os.path.abspath(argv[1])
    mdir = os.path.join(work, "mail")
    userdir = os.path.join(work, "hub-mailsync")
    shutil.rmtree(userdir, ignore_errors=True)
    servers = MailServers(mdir)
    idle_addr, sync_addr, pw = "idle@site-a.test", "hub@site-a.test", "benchpw"
    hub = None
    try:
        log("mailsync: starting Dovecot and Postfix in %s" % mdir)
        servers.start(mdir, [(idle_addr, pw), (sync_addr, pw)])
        t = time.monotonic()
        size = seed(servers, sync_addr, pw, count)
        log("mailsync: %d mails (%.1f MB, mean %.0f bytes) in %s's INBOX in %.1f s"
            % (count, size / 1e6, size / count, sync_addr, time.monotonic() - t))
        raw_rate = raw_fetch_rate(servers, sync_addr, pw, count, work)
        log("mailsync: curl, one URL (UID FETCH) per mail: %.0f mails/s" % raw_rate)

        log("mailsync: starting hub (stall probe on) in %s" % userdir)
        hub = Hub(userdir, env={"RT_EXTRA_PLUGIN_DIRS": MAIL_PLUGIN_DIR, "RT_HEADLESS_VERBOSE": "1",
                                "RT_STALL_PROBE": "1", **({"RT_DEBUG": "1"} if os.environ.get("RT_MAILSYNC_DEBUG") else {})})
        hub.start()
        if os.path.dirname(hub.protocols.get(PRPL, "")) != MAIL_PLUGIN_DIR:
            log("mailsync: the mail plugin was not loaded from %s: %r" % (MAIL_PLUGIN_DIR, hub.protocols))
            return 1
        hub.add_account(idle_addr, pw, PRPL, options(servers))
        time.sleep(1.5)
        hub.stall_us()                                  # reset
        log("mailsync: hub idle for %.0f s (baseline: one account polling an empty INBOX)" % IDLE_S)
        time.sleep(IDLE_S)
        stall_idle = hub.stall_us() / 1000.0
        log("mailsync: idle max stall %.1f ms" % stall_idle)

        hub.stall_us()                                  # reset
        t0 = time.monotonic()
        hub.add_account(sync_addr, pw, PRPL, options(servers, initial_sync="all"))
        got = []
        deadline = t0 + SYNC_TIMEOUT_S
        done = False
        senders = set(SENDERS)
        while time.monotonic() < deadline:
            try:
                ev = hub.wait(lambda e: e["ev"] == "write" and e.get("who") in senders,
                              max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                break
            m = SUBJECT_RE.match(ev["msg"])
            got.append(int(m.group(1)) if m else -1)
            if len(got) == count:
                done = True
                break
        t1 = time.monotonic()
        stall_sync = hub.stall_us() / 1000.0
        duration = t1 - t0
        if done and got != list(range(count)):
            dup = len(got) - len(set(got))
            log("mailsync: WRONG delivery: %d IMs, %d duplicates, in order: %s"
                % (len(got), dup, got == sorted(got)))
            return 1
        extra = [e for e in hub.drain() if e["ev"] == "write" and e.get("who") in senders]
        if extra:
            log("mailsync: %d IMs more than mails" % len(extra))
            return 1
        if done:
            log("mailsync: %d mails delivered in %.1f s (%.0f/s), each once, in order; max stall %.1f ms"
                % (count, duration, count / duration, stall_sync))
        else:
            log("mailsync: INCOMPLETE after %.0f s: %d of %d mails; max stall so far %.1f ms (a lower "
                "bound, printed as mail_sync_max_stall_partial); see %s/stderr.log"
                % (duration, len(got), count, stall_sync, userdir))
        emit("mail_sync_max_stall" + ("" if done else "_partial"), stall_sync, "ms",
             "idle_mail_max_stall", stall_idle, ratio(stall_sync, stall_idle))
        if done:
            rate = count / duration
            emit("mail_sync_rate", rate, "mails/s", "curl_fetch_rate", raw_rate, ratio(rate, raw_rate))
        return 0 if done else 1
    finally:
        if hub is not None and hub.proc is not None:
            hub.stop()
        servers.stop()
        runtime = os.path.join(mdir, "runtime")
        if os.path.islink(runtime):
            shutil.rmtree(os.path.realpath(runtime), ignore_errors=True)
            os.unlink(runtime)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:
        log("mailsync failed: %r" % (e,))
        sys.exit(1)
