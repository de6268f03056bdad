"""Client helpers for tests that drive the social emulator.

  from control import Control, request, SSEStream, parse_link
  ctl = Control(emu.url)
  alice = ctl.mastodon_account("alice")            # {"id", "token", "account"}
  ctl.status(alice["id"], text="hello #acme")
  r = request(emu.url + "/api/v1/timelines/home", token=alice["token"])
  r.status, r.headers["Link"], r.json()
"""
import http.client
import json
import re
import time
import urllib.parse


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers      # http.client.HTTPMessage: case-insensitive get
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def text(self):
        return self.body.decode("utf-8")


def request(url, method="GET", token=None, json_body=None, form=None, headers=None, timeout=30):
    """One HTTP request; a fresh connection each time. Raises on network errors
    (including a connection closed by an injected fault)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    h = dict(headers or {})
    body = None
    if token:
        h["Authorization"] = "Bearer " + token
    if json_body is not None:
        body = json.dumps(json_body).encode("utf-8")
        h["Content-Type"] = "application/json"
    elif form is not None:
        body = urllib.parse.urlencode(form, doseq=True).encode("utf-8")
        h["Content-Type"] = "application/x-www-form-urlencoded"
    path = parts.path + ("?" + parts.query if parts.query else "")
    try:
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, r.headers, data)
    finally:
        conn.close()


def parse_link(value):
    """{"next": url, "prev": url} from a Link header (RFC 8288, the simple form Mastodon sends)."""
    out = {}
    for m in re.finditer(r'<([^>]*)>\s*;\s*rel="([^"]+)"', value or ""):
        out[m.group(2)] = m.group(1)
    return out


class Control:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def call(self, method, path, body=None):
        r = request(self.url + "/_control/" + path, method,
                    json_body=body if method == "POST" else None)
        if r.status != 200:
            raise RuntimeError("control %s %s: %d %s" % (method, path, r.status, r.text()))
        return r.json()

    # general
    def reset(self):
        return self.call("POST", "reset", {})

    def limits(self, **kw):
        return self.call("POST", "limits", kw)

    def clock(self, **kw):
        return self.call("POST", "clock", kw)

    def fault(self, kind, path="/", **opts):
        return self.call("POST", "faults", dict(opts, kind=kind, path=path))

    def faults(self):
        return self.call("GET", "faults")

    def clear_faults(self):
        return self.call("POST", "faults/clear", {})

    def requests(self):
        return self.call("GET", "requests")

    def streams(self):
        return self.call("GET", "streams")

    def wait_streams(self, n=1, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.streams()["count"] >= n:
                return True
            time.sleep(0.05)
        raise TimeoutError("fewer than %d streams connected" % n)

    def push(self, stream, event, data, **kw):
        return self.call("POST", "stream/push", dict(kw, stream=stream, event=event, data=data))

    # Mastodon
    def mastodon_account(self, username, **kw):
        return self.call("POST", "mastodon/accounts", dict(kw, username=username))

    def follow(self, account_id, target_id):
        return self.call("POST", "mastodon/follow", {"account_id": account_id, "target_id": target_id})

    def mastodon_list(self, account_id, title, members=(), **kw):
        return self.call("POST", "mastodon/lists", dict(kw, account_id=account_id, title=title,
                                                         members=list(members)))

    def tag(self, name):
        return self.call("POST", "mastodon/tags", {"name": name})

    def status(self, account_id, **kw):
        return self.call("POST", "mastodon/statuses", dict(kw, account_id=account_id))

    def statuses_bulk(self, account_id, count, text="post {n}", **kw):
        return self.call("POST", "mastodon/statuses/bulk",
                         dict(kw, account_id=account_id, count=count, text=text))["ids"]

    def delete(self, status_id):
        return self.call("POST", "mastodon/delete", {"status_id": status_id})

    def notify(self, account_id, from_account_id, type="mention", status_id=None):
        return self.call("POST", "mastodon/notifications", {
            "account_id": account_id, "from_account_id": from_account_id, "type": type,
            "status_id": status_id})

    def posted(self):
        return self.call("GET", "mastodon/posted")

    # Viva Engage
    def viva_user(self, name, **kw):
        return self.call("POST", "viva/users", dict(kw, name=name))

    def viva_group(self, name, members=(), **kw):
        return self.call("POST", "viva/groups", dict(kw, name=name, members=list(members)))

    def viva_message(self, sender_id, **kw):
        return self.call("POST", "viva/messages", dict(kw, sender_id=sender_id))

    def viva_posted(self):
        return self.call("GET", "viva/posted")

    # feeds
    def feed(self, name, items=(), **kw):
        return self.call("POST", "feeds", dict(kw, name=name, items=list(items)))


class SSEStream:
    """A server-sent events reader (https://html.spec.whatwg.org/#event-stream-interpretation,
    the subset Mastodon uses: event:, data:, comments). Use as a context manager."""

    def __init__(self, url, token=None, timeout=30):
        parts = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        h = {"Accept": "text/event-stream"}
        if token:
            h["Authorization"] = "Bearer " + token
        self.conn.request("GET", parts.path + ("?" + parts.query if parts.query else ""), headers=h)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = self.resp.headers
        self.comments = []
        self.closed = False
        self.parser = SSEParser()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.conn.close()
        except OSError:
            pass

    def _line(self):
        try:
            raw = self.resp.readline()
        except (http.client.IncompleteRead, ConnectionError, OSError, ValueError):
            raw = b""
        if not raw:
            self.closed = True
            return None
        return raw.decode("utf-8").rstrip("\r\n")

    def next(self, skip_comments=True):
        """The next event as (name, data), or ("comment", text) when
        skip_comments is False; None when the stream ended. socket.timeout
        propagates when nothing arrives within the timeout."""
        while True:
            line = self._line()
            if line is None:
                return None
            ev = self.parser.feed(line)
            if ev is None:
                continue
            if ev[0] == "comment":
                self.comments.append(ev[1])
                if skip_comments:
                    continue
            return ev


class SSEParser:
    """Line-by-line event-stream parsing (the subset Mastodon uses: event:,
    data: (several lines joined with newlines), comments)."""

    def __init__(self):
        self.name, self.data = None, []

    def feed(self, line):
        if line == "":
            if self.data or self.name:
                ev = (self.name or "message", "\n".join(self.data))
                self.name, self.data = None, []
                return ev
            return None
        if line.startswith(":"):
            return ("comment", line[1:])
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            self.name = value
        elif field == "data":
            self.data.append(value)
        return None


def parse_sse_text(text):
    """All events and comments of a complete event-stream text."""
    p, out = SSEParser(), []
    for line in text.split("\n"):
        ev = p.feed(line.rstrip("\r"))
        if ev:
            out.append(ev)
    return out


__all__ = ["Control", "Response", "request", "parse_link", "SSEStream", "SSEParser", "parse_sse_text"]
