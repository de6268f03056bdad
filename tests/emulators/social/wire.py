"""Request and response objects shared by the API modules, and time formats."""
import datetime
import email.utils
import json
import urllib.parse


class Request:
    def __init__(self, method, raw_path, headers, body, base_url, state, hub):
        self.method = method
        parts = urllib.parse.urlsplit(raw_path)
        self.path = parts.path
        self.query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        self.headers = headers
        self.body = body
        self.base_url = base_url
        self.state = state
        self.hub = hub
        self.match = None
        self.form = self._parse_body()

    def _parse_body(self):
        if not self.body:
            return {}
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype == "application/json":
            try:
                obj = json.loads(self.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return None      # handlers answer 400/422 for an unreadable body
            if not isinstance(obj, dict):
                return None
            return {k: v if isinstance(v, list) else [v] for k, v in obj.items()}
        try:
            return urllib.parse.parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            return None

    def param(self, name, default=None):
        """First value of a query or body parameter."""
        for source in (self.query, self.form or {}):
            if name in source and source[name]:
                return source[name][0]
        return default

    def params(self, name):
        """All values of a list parameter (name[] or name, comma lists allowed)."""
        out = []
        for source in (self.query, self.form or {}):
            for key in (name + "[]", name):
                for v in source.get(key, []):
                    if isinstance(v, list):
                        out.extend(v)
                    elif isinstance(v, str) and "," in v:
                        out.extend(x for x in v.split(",") if x)
                    else:
                        out.append(v)
        return out

    def bearer(self):
        auth = self.headers.get("Authorization") or ""
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip()
        return None


class Resp:
    """A response before it is written. obj is JSON-encoded late so that
    fault injection can still change it."""

    def __init__(self, status=200, obj=None, body=None, ctype=None, headers=None):
        self.status = status
        self.obj = obj
        self.body = body
        self.ctype = ctype or ("application/json; charset=utf-8" if body is None else "text/plain; charset=utf-8")
        self.headers = dict(headers or {})
        self.stream = None       # callable(handler) for SSE responses

    def encode(self):
        if self.body is not None:
            return self.body if isinstance(self.body, bytes) else self.body.encode("utf-8")
        return json.dumps(self.obj, ensure_ascii=False).encode("utf-8")


def error(status, message, headers=None):
    """Mastodon's documented error entity: {"error": "..."}."""
    return Resp(status, {"error": message}, headers=headers)


def iso(epoch):
    """Mastodon datetime: 2019-12-08T03:48:33.901Z"""
    dt = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def iso_date(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%d")


def yammer_time(epoch):
    """Viva Engage (Yammer) timestamps: 2013/06/25 18:14:45 +0000"""
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y/%m/%d %H:%M:%S +0000")


def http_date(epoch):
    return email.utils.formatdate(epoch, usegmt=True)


def rfc3339(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
