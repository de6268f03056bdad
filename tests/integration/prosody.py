"""Private Prosody instances for tests: wraps tools/prosody-start and -stop.

    p = Prosody().start("/tmp/x")             # -> p.port; vhosts site-a.test, site-b.test
    p.register_many([("alice", "site-a.test", "pw"), ...])  # fast, works while running
    jid, pw = p.new_user("site-b.test")       # a fresh, unique account
    room = p.new_room("site-a.test")          # a fresh room JID on conference.site-a.test
    p.stop()
"""
import hashlib, hmac, itertools, os, re, subprocess, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = os.path.join(ROOT, "tools")
HOSTS = ("site-a.test", "site-b.test")
MUC = {h: "conference." + h for h in HOSTS}
ITERATIONS = 10000    # Prosody 0.12's default_iteration_count; cost is per login too


def _encode(s):
    """util.datamanager's path encoding: every non-alphanumeric byte -> %xx."""
    return "".join(c if c.isascii() and c.isalnum() else "".join(
        "%%%02x" % b for b in c.encode()) for c in s)


class Prosody:
    _serial = itertools.count(1)

    def __init__(self, directory=None):
        self.dir = directory and os.path.abspath(directory)
        self.port = None
        self.host = "127.0.0.1"

    @property
    def config(self):
        return os.path.join(self.dir, "prosody.cfg.lua")

    @property
    def log(self):
        return os.path.join(self.dir, "prosody.log")

    def start(self, directory=None, port=None, log_level=None):
        """Start (or restart) the server; returns the c2s port. Accounts persist."""
        if directory:
            self.dir = os.path.abspath(directory)
        env = dict(os.environ)
        if log_level:
            env["PROSODY_LOG_LEVEL"] = log_level
        args = [os.path.join(TOOLS, "prosody-start"), self.dir] + ([str(port)] if port else [])
        r = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("prosody-start failed:\n" + r.stdout + r.stderr)
        self.port = int(r.stdout.split()[-1])
        return self.port

    def stop(self):
        if self.dir:
            subprocess.run([os.path.join(TOOLS, "prosody-stop"), self.dir], timeout=30)
        self.port = None

    def log_tail(self, lines=40):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    # -- accounts ----------------------------------------------------------------
    def register(self, user, host, password):
        """The safe way: prosodyctl register (~50 ms each)."""
        subprocess.run(["prosodyctl", "--config", self.config, "register", user, host, password],
                       check=True, capture_output=True, timeout=30)

    def register_many(self, users, iterations=ITERATIONS):
        """Fast: write internal_hashed account files as prosodyctl would (~5 ms each,
        mostly PBKDF2). users: iterable of (user, host, password). Usable while the
        server runs: Prosody's internal storage re-reads the file at each login.
        Passwords must be SASLprep-invariant (plain ASCII is)."""
        for user, host, password in users:
            if not re.fullmatch(r"[a-z0-9._-]+", user) or host not in HOSTS:
                raise ValueError("use lowercase [a-z0-9._-] users on %s: %r@%r" % (HOSTS, user, host))
            salt = str(uuid.uuid4())
            salted = hashlib.pbkdf2_hmac("sha1", password.encode(), salt.encode(), iterations)
            client_key = hmac.new(salted, b"Client Key", "sha1").digest()
            server_key = hmac.new(salted, b"Server Key", "sha1").hexdigest()
            stored_key = hashlib.sha1(client_key).hexdigest()
            folder = os.path.join(self.dir, "data", _encode(host), "accounts")
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, _encode(user) + ".dat")
            with open(path + ".tmp", "w") as f:
                f.write('return {\n\t["iteration_count"] = %d;\n\t["salt"] = "%s";\n'
                        '\t["stored_key"] = "%s";\n\t["server_key"] = "%s";\n};\n'
                        % (iterations, salt, stored_key, server_key))
            os.replace(path + ".tmp", path)          # atomic for a running server

    def new_user(self, host="site-a.test", prefix="u", password="secret"):
        """Register a never-used account; returns (bare JID, password)."""
        user = "%s%d" % (prefix, next(self._serial))
        self.register_many([(user, host, password)])
        return "%s@%s" % (user, host), password

    def new_users(self, n, host="site-a.test", prefix="u", password="secret"):
        users = ["%s%d" % (prefix, next(self._serial)) for _ in range(n)]
        self.register_many([(u, host, password) for u in users])
        return ["%s@%s" % (u, host) for u in users]

    def new_room(self, host="site-a.test", prefix="room"):
        """A room JID nobody has used yet (rooms are created on first join)."""
        return "%s%d@%s" % (prefix, next(self._serial), MUC[host])
