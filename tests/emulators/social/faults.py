"""Fault injection: queued faults consumed by the next matching requests.

A fault is a dict {"kind": ..., "path": prefix, "method": M or None,
"count": N, ...options}. Kinds:

  status      answer with "status" (500, 502, 503 ...) and a JSON error body
  429         answer 429 with Retry-After: "retry_after" seconds, or an HTTP
              date when "http_date" is true
  delay       sleep "seconds", then answer normally
  disconnect  close the connection without any response
  drop        SSE only: close the stream abruptly after "after_events" events
  malformed   replace the JSON body with something that is not JSON
  truncated   cut the JSON body at "fraction" (0.5); Content-Length matches the
              cut body unless "short_read" is true (then the full length is
              announced and the connection closes early)
  wrong_types ids become numbers, content/body become objects, created_at a
              number, account a string
  huge_page   the page holds "items" (40) entries of "item_bytes" (100000)
              bytes of content each
  nasty_html  every content / body.rich becomes NASTY_HTML
"""
import copy
import threading

NASTY_HTML = (
    '<p>Quarterly &amp; &quot;results&quot; &#60;b&#62; &#x1F600; &nbsp;&copy; &bogus; &#xZZ;'
    '<script>alert("xss")</script><img src=x onerror="alert(1)">'
    '<a href="javascript:alert(2)">click</a> <a href="https://ok.example/x?a=1&b=2">ok</a>'
    '<b><i>unclosed <span class="h-card"</p><style>body{display:none}</style>'
    '<iframe src="https://evil.example/"></iframe><!-- comment --><![CDATA[ x ]]>'
    '</div></div><p onclick="steal()">tail &lt;script&gt;'
)

KINDS = {"status", "429", "delay", "disconnect", "drop", "malformed", "truncated",
         "wrong_types", "huge_page", "nasty_html"}


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._queue = []
        self.fired = []      # log of {"kind", "path"} for tests

    def add(self, spec):
        kind = str(spec.get("kind"))
        if kind not in KINDS:
            raise ValueError("unknown fault kind %r" % kind)
        fault = dict(spec)
        fault["kind"] = kind
        fault["count"] = int(spec.get("count", 1))
        fault.setdefault("path", "/")
        with self._lock:
            self._queue.append(fault)
        return fault

    def clear(self):
        with self._lock:
            self._queue.clear()
            self.fired.clear()

    def pending(self):
        with self._lock:
            return [dict(f) for f in self._queue]

    def take(self, method, path, sse=False):
        """The first queued fault matching this request, its count decremented.
        drop faults only match SSE requests; the others only non-SSE ones
        except status/429/delay/disconnect, which match both."""
        with self._lock:
            for f in self._queue:
                if not path.startswith(f["path"]):
                    continue
                if f.get("method") and f["method"].upper() != method:
                    continue
                if f["kind"] == "drop" and not sse:
                    continue
                if sse and f["kind"] not in ("drop", "status", "429", "delay", "disconnect"):
                    continue
                f["count"] -= 1
                if f["count"] <= 0:
                    self._queue.remove(f)
                self.fired.append({"kind": f["kind"], "path": path})
                return dict(f)
        return None


# -- body transformations ------------------------------------------------------
def _items(obj):
    """The list of entries in a page: a Mastodon array, or Viva's messages."""
    if isinstance(obj, list):
        return obj
    if isinstance(obj, dict) and isinstance(obj.get("messages"), list):
        return obj["messages"]
    return None


def wrong_types(obj):
    def fix(entry):
        if not isinstance(entry, dict):
            return entry
        e = dict(entry)
        if "id" in e:
            e["id"] = int(e["id"]) if str(e["id"]).isdigit() else 12345
            if isinstance(entry["id"], int):
                e["id"] = str(entry["id"])     # Viva ids are numbers: make a string
        if "content" in e:
            e["content"] = {"html": e["content"]}
        if "body" in e:
            e["body"] = "plain string instead of an object"
        if "created_at" in e:
            e["created_at"] = 1575776913
        if "account" in e:
            e["account"] = "not an object"
        if "sender_id" in e:
            e["sender_id"] = "%s" % e["sender_id"]
        return e
    items = _items(obj)
    if items is None:
        return fix(obj)
    fixed = [fix(e) for e in items]
    if isinstance(obj, list):
        return fixed
    out = dict(obj)
    out["messages"] = fixed
    return out


def nasty_html(obj):
    def fix(entry):
        if not isinstance(entry, dict):
            return entry
        e = copy.deepcopy(entry)
        if "content" in e:
            e["content"] = NASTY_HTML
        if isinstance(e.get("body"), dict):
            e["body"]["rich"] = NASTY_HTML
            e["body"]["parsed"] = e["body"]["plain"] = 'Quarterly & "results" <b> <script>alert(1)</script>'
        if isinstance(e.get("spoiler_text"), str):
            e["spoiler_text"] = '<b>CW</b> &amp; <script>x</script>'
        return e
    items = _items(obj)
    if items is None:
        return fix(obj)
    fixed = [fix(e) for e in items]
    if isinstance(obj, list):
        return fixed
    out = dict(obj)
    out["messages"] = fixed
    return out


def huge_page(obj, template, n=40, item_bytes=100000):
    """n copies of template (an entry of the page, or a sample) with distinct
    ids, descending, each carrying item_bytes of content."""
    items = _items(obj)
    base = copy.deepcopy(items[0]) if items else template
    filler = ("<p>" + "lorem ipsum dolor sit amet " * (item_bytes // 27 + 1))[: item_bytes - 4] + "</p>"
    out = []
    numeric = isinstance(base.get("id"), int)
    start = int(base.get("id", 1000)) + n * 10
    for i in range(n):
        e = copy.deepcopy(base)
        e["id"] = start - i if numeric else str(start - i)
        if "content" in e:
            e["content"] = filler
        if isinstance(e.get("body"), dict):
            e["body"] = {"parsed": filler, "plain": filler, "rich": filler}
        out.append(e)
    if isinstance(obj, list) or items is None:
        return out
    res = dict(obj)
    res["messages"] = out
    return res


def malformed(body):
    return b'{"id": "1", "content": <p>not json</p>, ' + body[:40] + b" }}]"


def truncate(body, fraction=0.5):
    cut = max(1, int(len(body) * float(fraction)))
    return body[:cut]
