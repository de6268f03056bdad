"""Private Dovecot (IMAP, LMTP) + Postfix (SMTP, submission) for tests.

Wraps tools/mail-servers-start and -stop; see docs/mail-servers.md.

    m = MailServers().start("/tmp/x", [("alice@site-a.test", "pw")])   # -> m.ports
    addr, pw = m.new_user("site-b.test")          # works while running
    m.send("alice@site-a.test", addr, msg)        # plain SMTP port, no AUTH
    m.send(addr, "alice@site-a.test", msg, submission=True, auth=(addr, pw))
    m.wait_for_mail("alice@site-a.test", "pw", 1) # -> [Mail(uid, message, raw, flags)]
    m.uidvalidity(addr, pw)
    m.stop_dovecot(); m.start_dovecot()           # same ports: fault tests
    m.tempfail(addr, "451 4.3.0 Try again later"); m.clear_tempfail(addr)
    m.refuse_client(src, "421 4.3.2 Closing"); m.clear_refuse_client(src)
    m.tls_cert                                    # PEM of the servers' self-signed certificate
    make_certificate(dir)                         # another one (same names, other key)
    m.stop()

Module-level send() / fetch_all() / uidvalidity() take explicit ports.
Wrong-password attempts: pass source=bad_source() (a fresh 127.0.x.y) or
BAD_SOURCE (127.0.0.2) -- Dovecot delays every login, even correct ones, from
an IP that recently failed (2 s, doubling up to 15 s).

The session fixture `mail_servers` is defined here; import it into a test
module (`from mailservers import mail_servers  # noqa: F401`) or conftest.py.
"""
import collections, email, email.message, email.policy, imaplib, itertools, os, re
import smtplib, socket, ssl, subprocess, time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = os.path.join(ROOT, "tools")
DOMAINS = ("site-a.test", "site-b.test")
HOST = "127.0.0.1"
BAD_SOURCE = "127.0.0.2"     # connect from here for wrong-password tests

Mail = collections.namedtuple("Mail", "uid message raw flags")
_sources = itertools.count(0)


def bad_source():
    """A loopback address not used before in this process (127.0.1.1, 127.0.1.2,
    ...), for wrong-password attempts: Dovecot then delays EVERY login from that
    address (2 s, doubling up to 15 s), so each such test should use its own."""
    n = next(_sources)
    return "127.0.%d.%d" % (1 + n // 254 % 254, 1 + n % 254)


# -- protocol helpers ---------------------------------------------------------
class _IMAP(imaplib.IMAP4):
    """imaplib.IMAP4 that can bind a source address (Dovecot's auth penalty is per IP)."""

    def __init__(self, host, port, timeout=10, source=None):
        self._source = source
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout):
        src = (self._source, 0) if self._source else None
        return socket.create_connection((self.host, self.port), timeout, source_address=src)


def make_certificate(directory, name="other", alt_names="IP:127.0.0.1,DNS:localhost", cn="localhost"):
    """A fresh self-signed certificate (new P-256 key) in directory/NAME.pem
    (key in NAME.key), made with openssl; returns the certificate's path. With
    the default names it is a stand-in for the servers' own certificate that
    no server presents."""
    os.makedirs(directory, exist_ok=True)
    cert, key = os.path.join(directory, name + ".pem"), os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=%s" % cn, "-addext", "subjectAltName=" + alt_names,
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=30)
    return cert


def tls_context(cafile):
    """An ssl context that trusts only cafile and checks host names."""
    return ssl.create_default_context(cafile=cafile)


def imap_login(user, password, *, port, host=HOST, source=None, timeout=10):
    """A logged-in imaplib.IMAP4 (raises imaplib.IMAP4.error on a bad password)."""
    conn = _IMAP(host, port, timeout=timeout, source=source)
    try:
        conn.login(user, password)
    except Exception:
        try:
            conn.shutdown()
        except OSError:
            pass
        raise
    return conn


def _as_bytes(msg):
    if isinstance(msg, (bytes, bytearray)):
        return bytes(msg)
    if isinstance(msg, str):
        return msg.encode("utf-8")
    # EmailMessage: RFC 2047 / MIME encoding unless its policy says utf8.
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def send(from_addr, to_addrs, msg, port, auth=None, *, host=HOST, source=None,
         mail_options=(), auth_mechanism="PLAIN", timeout=10):
    """Send msg (bytes, str or email.message.EmailMessage) by SMTP; auth=(user, pw)
    logs in first (AUTH PLAIN, or auth_mechanism="LOGIN"). Returns smtplib's refused-recipients dict; raises
    smtplib.SMTPRecipientsRefused etc. when the server says no."""
    if isinstance(to_addrs, str):
        to_addrs = [to_addrs]
    src = (source, 0) if source else None
    with smtplib.SMTP(host, port, timeout=timeout, source_address=src) as s:
        s.ehlo("test.client")
        if auth:
            # One mechanism only: smtplib's login() falls back to LOGIN after a
            # failed PLAIN, and that second try meets Dovecot's 2 s penalty.
            s.user, s.password = auth
            s.auth(auth_mechanism, getattr(s, "auth_" + auth_mechanism.lower().replace("-", "_")))
        return s.sendmail(from_addr, list(to_addrs), _as_bytes(msg), mail_options=list(mail_options))


def fetch_all(user, password, folder="INBOX", *, port, host=HOST, source=None):
    """All messages in folder as [Mail(uid, message, raw, flags)], oldest first.
    raw: the bytes IMAP returned (CRLF line ends); message: an
    email.message.EmailMessage parsed from raw with LF line ends and
    policy.default (decoded headers: msg["Subject"] is the real text)."""
    conn = imap_login(user, password, port=port, host=host, source=source)
    try:
        typ, _ = conn.select(_quote(folder), readonly=True)
        if typ != "OK":
            raise imaplib.IMAP4.error("cannot select %r" % folder)
        typ, data = conn.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
        out = []
        for item in data:
            if not isinstance(item, tuple):
                continue
            head = item[0].decode("ascii", "replace")
            uid = int(re.search(r"UID (\d+)", head).group(1))
            flags = re.search(r"FLAGS \(([^)]*)\)", head)
            # IMAP sends CRLF; parse with LF so get_content() has "\n" line ends.
            parsed = email.message_from_bytes(item[1].replace(b"\r\n", b"\n"),
                                              policy=email.policy.default)
            out.append(Mail(uid, parsed, item[1], tuple(flags.group(1).split()) if flags else ()))
        return sorted(out, key=lambda m: m.uid)
    finally:
        conn.logout()


def uidvalidity(user, password, folder="INBOX", *, port, host=HOST, source=None):
    conn = imap_login(user, password, port=port, host=host, source=source)
    try:
        typ, data = conn.status(_quote(folder), "(UIDVALIDITY)")
        if typ != "OK":
            raise imaplib.IMAP4.error("STATUS failed: %r" % data)
        return int(re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1))
    finally:
        conn.logout()


def _quote(folder):
    return '"%s"' % folder.replace("\\", "\\\\").replace('"', '\\"')


# -- the servers -------------------------------------------------------------
class MailServers:
    _serial = itertools.count(1)

    def __init__(self, directory=None):
        self.dir = directory and os.path.abspath(directory)
        self.ports = {}
        self.host = HOST

    # ports as attributes: imap_port, smtp_port, submission_port, lmtp_port, auth_port
    def __getattr__(self, name):
        if name.endswith("_port") and name[:-5].upper() + "_PORT" in self.__dict__.get("ports", {}):
            return self.ports[name[:-5].upper() + "_PORT"]
        raise AttributeError(name)

    @property
    def users_dir(self):
        return os.path.join(self.dir, "dovecot", "users")

    @property
    def tls_cert(self):
        """The servers' self-signed certificate (PEM; subjectAltName IP:127.0.0.1
        and DNS:localhost), used on IMAPS_PORT, SUBMISSIONS_PORT and for
        STARTTLS on IMAP_PORT and SUBMISSION_PORT."""
        return os.path.join(self.dir, "tls", "cert.pem")

    def _run(self, args):
        r = subprocess.run(args, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("%s failed:\n%s%s" % (os.path.basename(args[0]), r.stdout, r.stderr))
        return r.stdout

    def start(self, directory=None, users=()):
        """(Re)start both servers; users: [(addr, pw)] or ["addr:pw"]. Returns
        self.ports, e.g. {"IMAP_PORT": 4xxxx, "SMTP_PORT": ..., ...}. The set of
        users (DIR/dovecot/users/) is replaced by users; mail already in the
        store is kept. restart() keeps users added since."""
        if directory:
            self.dir = os.path.abspath(directory)
        specs = [u if isinstance(u, str) else "%s:%s" % tuple(u) for u in users]
        out = self._run([os.path.join(TOOLS, "mail-servers-start"), self.dir, " ".join(specs)])
        self.ports = {k: int(v) for k, v in re.findall(r"^(\w+_PORT)=(\d+)$", out, re.M)}
        return self.ports

    def stop(self, which="all"):
        if self.dir:
            subprocess.run([os.path.join(TOOLS, "mail-servers-stop"), self.dir, which], timeout=30)

    def restart(self, which="all"):
        """Restart dovecot, postfix or all on the same ports (users and mail kept)."""
        self._run([os.path.join(TOOLS, "mail-servers-start"), "--restart", which, self.dir])

    def stop_dovecot(self):
        self.stop("dovecot")

    def start_dovecot(self):
        self.restart("dovecot")

    def stop_postfix(self):
        self.stop("postfix")

    def start_postfix(self):
        self.restart("postfix")

    def log_tail(self, which="dovecot", lines=40):
        try:
            with open(os.path.join(self.dir, which, which + ".log"), errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    # -- accounts ----------------------------------------------------------------
    def add_user(self, addr, password):
        """Add a user, or change a password, while everything runs: one
        passwd-file per user, DIR/dovecot/users/ADDRESS, read by Dovecot on
        lookup; Postfix accepts any address in the two domains anyway.
        Dovecot stats each file at most once a second, so a CHANGED password
        may take up to 1 s to count; this waits for that second to pass."""
        local, _, dom = addr.partition("@")
        if not re.fullmatch(r"[A-Za-z0-9._+-]+", local) or dom not in DOMAINS:
            raise ValueError("want user@%s, got %r" % ("|".join(DOMAINS), addr))
        if re.search(r"[:\s]", password) or not password:
            raise ValueError("passwords may not be empty or contain ':' or white space")
        path = os.path.join(self.users_dir, addr)
        existed = os.path.exists(path)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write("%s:{PLAIN}%s::::::\n" % (addr, password))
        os.replace(tmp, path)
        if existed:
            time.sleep(1.05)

    def new_user(self, domain="site-a.test", password="secret", prefix="u"):
        """A fresh unique account -> (addr, password)."""
        addr = "%s%d-%d@%s" % (prefix, os.getpid(), next(self._serial), domain)
        self.add_user(addr, password)
        return addr, password

    # -- temporary failures on demand ------------------------------------------------
    def _set_map(self, name, key, reply, probe, want):
        """Set (reply) or remove (None) key in the Postfix map DIR/postfix/NAME,
        reload, and poll probe() until it returns want (~2 s)."""
        path = os.path.join(self.dir, "postfix", name)
        with open(path) as f:
            lines = [l for l in f if l.split()[:1] != [key]]
        if reply:
            lines.append("%s %s\n" % (key, reply))
        with open(path + ".tmp", "w") as f:
            f.writelines(lines)
        old = time.time() - 10          # Postfix naps on just-written files
        os.utime(path + ".tmp", (old, old))
        os.replace(path + ".tmp", path)
        self._run(["/usr/sbin/postfix", "-c", os.path.join(self.dir, "postfix"), "reload"])
        # Reload takes ~2 s to reach new smtpd processes: wait until they say so.
        deadline = time.monotonic() + 15
        while True:
            got = probe()
            if got == want:
                return
            if time.monotonic() > deadline:
                raise AssertionError("%s %s: still %r, want %r" % (name, key, got, want))
            time.sleep(0.1)

    def _access(self, address, reply):
        def rcpt():
            with smtplib.SMTP(self.host, self.ports["SMTP_PORT"], timeout=10) as s:
                s.ehlo("tempfail.probe")
                s.mail("probe@site-a.test")
                code = s.rcpt(address)[0]
                if code != 421:          # 421: the server has closed the connection
                    s.rset()
                return code
        want = int(reply.split()[0]) if reply else 250
        self._set_map("access", address.lower(), reply, rcpt, want)

    def greeting(self, source=None, port=None):
        """The first reply line Postfix sends a client connecting from source
        (a loopback address) to port (default SMTP_PORT), as text."""
        src = (source, 0) if source else None
        with socket.create_connection((self.host, port or self.ports["SMTP_PORT"]), timeout=10,
                                      source_address=src) as s:
            data = b""
            while b"\n" not in data:
                try:
                    chunk = s.recv(512)
                except OSError:      # reset after a refusal
                    break
                if not chunk:
                    break
                data += chunk
            try:
                s.sendall(b"QUIT\r\n")
            except OSError:
                pass
        return data.decode("ascii", "replace").strip()

    def refuse_client(self, source, reply="421 4.3.2 Service shutting down"):
        """Postfix greets every connection from source (a loopback address,
        e.g. bad_source()) on all its SMTP ports with reply and hangs up
        (access(5): "421 text" replies and disconnects), until
        clear_refuse_client(source). A cidr client map, DIR/postfix/clients,
        checked before the greeting; returns once in effect (~2 s)."""
        if not re.fullmatch(r"[45]\d\d [^\n]*", reply):
            raise ValueError("want a 4xx or 5xx reply, got %r" % reply)
        code = reply.split()[0]
        self._set_map("clients", source, reply, lambda: self.greeting(source)[:3], code)

    def clear_refuse_client(self, source):
        """Undo refuse_client(source); returns once its greeting is 220 again."""
        self._set_map("clients", source, None, lambda: self.greeting(source)[:3], "220")

    def tempfail(self, address, reply="451 4.3.0 Try again later"):
        """Postfix answers RCPT TO:<address> with reply (on both SMTP ports)
        until clear_tempfail(address): an entry in DIR/postfix/access plus a
        reload; returns once it is in effect (~2 s)."""
        if not re.fullmatch(r"4\d\d [^\n]*", reply):
            raise ValueError("want a 4xx reply, got %r" % reply)
        self._access(address, reply)

    def clear_tempfail(self, address):
        """Undo tempfail(address); returns once RCPT is accepted again."""
        self._access(address, None)

    # -- bound helpers ---------------------------------------------------------------
    def send(self, from_addr, to_addrs, msg, auth=None, submission=None, **kw):
        """Plain SMTP port without auth; the submission port when auth is given
        (or submission=True)."""
        if submission is None:
            submission = auth is not None
        port = self.ports["SUBMISSION_PORT" if submission else "SMTP_PORT"]
        return send(from_addr, to_addrs, msg, port, auth=auth, host=self.host, **kw)

    def fetch_all(self, user, password, folder="INBOX", **kw):
        return fetch_all(user, password, folder, port=self.ports["IMAP_PORT"], host=self.host, **kw)

    def uidvalidity(self, user, password, folder="INBOX", **kw):
        return uidvalidity(user, password, folder, port=self.ports["IMAP_PORT"], host=self.host, **kw)

    def imap(self, user, password, **kw):
        return imap_login(user, password, port=self.ports["IMAP_PORT"], host=self.host, **kw)

    def wait_for_mail(self, user, password, count=1, folder="INBOX", timeout=10):
        """Poll until folder holds at least count messages; returns fetch_all()."""
        deadline = time.monotonic() + timeout
        while True:
            mails = self.fetch_all(user, password, folder)
            if len(mails) >= count:
                return mails
            if time.monotonic() > deadline:
                raise AssertionError("%s has %d of %d messages after %ss\n-- postfix:\n%s\n-- dovecot:\n%s"
                                     % (user, len(mails), count, timeout,
                                        self.log_tail("postfix"), self.log_tail("dovecot")))
            time.sleep(0.05)


@pytest.fixture(scope="session")
def mail_servers(tmp_path_factory):
    """One Dovecot + Postfix pair for the whole session, stopped at the end.
    Starts with no users: make them with mail_servers.new_user(domain)."""
    if os.geteuid() != 0:
        pytest.skip("the private mail servers need root (Postfix's master, Dovecot)")
    servers = MailServers()
    servers.start(str(tmp_path_factory.mktemp("mail")))
    try:
        yield servers
    finally:
        servers.stop()
