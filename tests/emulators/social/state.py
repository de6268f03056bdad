"""In-memory state of the social emulator: Mastodon, Viva Engage and feeds.

Everything is plain dicts and lists so the whole state can be written to and
read back from one JSON file (--state DIR keeps it across emulator restarts).
All access goes through State.lock; the HTTP handlers run in threads.
"""
import json
import os
import threading
import time

from ratelimit import Limiter

# Mastodon ids are large numbers sent as strings; Viva Engage ids are integers.
MASTODON_ID_BASE = 110000000000000000
VIVA_ID_BASE = 1000000000


class State:
    def __init__(self, state_dir=None):
        self.lock = threading.RLock()
        self.state_dir = state_dir
        self.clock_offset = 0.0      # seconds added to time.time()
        self.frozen = None           # fixed epoch when the clock is frozen
        self.heartbeat = 5.0         # seconds between SSE heartbeat comments
        self.public_base = "http://127.0.0.1"   # set to the real URL once the port is known
        self.limits = {
            "mastodon": {"limit": 300, "period": 300},       # per token
            "viva_messages": {"limit": 10, "period": 30},    # per token
            "viva_other": {"limit": 10, "period": 10},       # per token
        }
        self.limiters = {}
        self.reset(save=False)
        self.load()

    # -- clock -------------------------------------------------------------
    def now(self):
        if self.frozen is not None:
            return self.frozen
        return time.time() + self.clock_offset

    def set_clock(self, advance=None, set_to=None, freeze=None, real=False):
        with self.lock:
            if real:
                self.clock_offset, self.frozen = 0.0, None
            if set_to is not None:
                if self.frozen is not None:
                    self.frozen = float(set_to)
                else:
                    self.clock_offset = float(set_to) - time.time()
            if advance is not None:
                if self.frozen is not None:
                    self.frozen += float(advance)
                else:
                    self.clock_offset += float(advance)
            if freeze is True and self.frozen is None:
                self.frozen = self.now()
            elif freeze is False and self.frozen is not None:
                self.clock_offset = self.frozen - time.time()
                self.frozen = None
            return self.now()

    # -- rate limits -------------------------------------------------------
    def limiter(self, name):
        with self.lock:
            cfg = self.limits[name]
            lim = self.limiters.get(name)
            if lim is None or (lim.limit, lim.period) != (cfg["limit"], cfg["period"]):
                lim = Limiter(cfg["limit"], cfg["period"])
                self.limiters[name] = lim
            return lim

    def set_limits(self, **kw):
        with self.lock:
            for name, cfg in kw.items():
                if name not in self.limits:
                    raise KeyError(name)
                self.limits[name] = {"limit": int(cfg["limit"]), "period": float(cfg["period"])}
                self.limiters.pop(name, None)

    # -- data --------------------------------------------------------------
    def reset(self, save=True):
        with self.lock:
            self.data = {
                "next_mastodon_id": MASTODON_ID_BASE,
                "next_viva_id": VIVA_ID_BASE,
                "next_internal_id": 1,
                # Mastodon
                "accounts": {},          # id -> account dict
                "tokens": {},            # token -> account id
                "follows": [],           # {id, account_id, target_id}
                "lists": {},             # id -> {id, account_id, title, members, ...}
                "statuses": {},          # id -> status dict
                "notifications": {},     # id -> notification dict
                "idempotency": {},       # "account_id:key" -> status id
                "posted": [],            # statuses created by clients (POST)
                # Viva Engage
                "viva_network": {"id": 7654, "name": "Example Corp", "permalink": "example.com"},
                "viva_users": {},        # id(str) -> user dict
                "viva_tokens": {},       # token -> user id
                "viva_groups": {},       # id(str) -> group dict
                "viva_messages": {},     # id(str) -> message dict
                "viva_posted": [],
                # feeds
                "feeds": {},             # name -> {title, link, description, items}
            }
            self.limiters = {}
            self.request_log = []        # not persisted: {t, method, path, status, api}
        if save:
            self.save()

    def mastodon_id(self):
        with self.lock:
            self.data["next_mastodon_id"] += 1000
            return str(self.data["next_mastodon_id"])

    def viva_id(self):
        with self.lock:
            self.data["next_viva_id"] += 1
            return self.data["next_viva_id"]

    def internal_id(self):
        with self.lock:
            self.data["next_internal_id"] += 1
            return self.data["next_internal_id"]

    def log_request(self, entry):
        with self.lock:
            self.request_log.append(entry)
            if len(self.request_log) > 10000:
                del self.request_log[:5000]

    # -- persistence (only with a state directory) --------------------------
    def _path(self):
        return os.path.join(self.state_dir, "state.json") if self.state_dir else None

    def save(self):
        path = self._path()
        if not path:
            return
        with self.lock:
            blob = json.dumps({"data": self.data, "limits": self.limits,
                               "heartbeat": self.heartbeat})
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(blob)
        os.replace(tmp, path)

    def load(self):
        path = self._path()
        if not path or not os.path.exists(path):
            return
        with open(path, encoding="utf-8") as f:
            blob = json.load(f)
        with self.lock:
            self.data = blob["data"]
            self.limits = blob.get("limits", self.limits)
            self.heartbeat = blob.get("heartbeat", self.heartbeat)
