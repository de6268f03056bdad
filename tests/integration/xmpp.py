"""A small synchronous XMPP client for tests (stdlib only).

Plain TCP (no TLS), SASL PLAIN or SCRAM-SHA-1, resource bind; one reader thread
parses the stream with XMLPullParser and files messages and presences into
inboxes that the wait_*/collect helpers take from. Every received stanza carries
ts = time.perf_counter_ns() of the recv() that completed it. Sending is
thread-safe. Meant for a loopback Prosody started by tools/prosody-start.

    c = Client(); c.connect("127.0.0.1", port, "alice@site-a.test", "pw")
    c.send_chat("bob@site-a.test", "hi")
    m = c.wait_message(lambda m: m["body"] == "hello", timeout=5)
"""
import base64, hashlib, hmac, itertools, os, socket, struct, threading, time
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape as _esc, quoteattr as _attr

NS_CLIENT, NS_STREAM = "jabber:client", "http://etherx.jabber.org/streams"
NS_SASL, NS_BIND = "urn:ietf:params:xml:ns:xmpp-sasl", "urn:ietf:params:xml:ns:xmpp-bind"
NS_MUC, NS_MUC_USER = "http://jabber.org/protocol/muc", "http://jabber.org/protocol/muc#user"
NS_DELAY = "urn:xmpp:delay"


class XMPPError(Exception): pass
class AuthError(XMPPError): pass
class StanzaError(XMPPError): pass


def escape(text):
    """Escape character data; \\r as a reference, else XML parsers turn it into \\n."""
    return _esc(text).replace("\r", "&#13;")


def bare(jid):
    return jid.split("/", 1)[0]


def _q(ns, name):
    return "{%s}%s" % (ns, name)


class Client:
    def __init__(self, auto_approve=True, subscribe_back=False,
                 ignore_history=True, ignore_own_echo=True):
        self.auto_approve = auto_approve          # answer subscribe with subscribed
        self.subscribe_back = subscribe_back      # ... and subscribe to them too
        self.ignore_history = ignore_history      # drop delayed groupchat (MUC history)
        self.ignore_own_echo = ignore_own_echo    # drop groupchat sent under our own nick
        self.jid = None                           # full JID once bound
        self.rooms = {}                           # room JID -> {"nick", "occupants": {nick: presence}}
        self.messages = []                        # every message ever received (debugging)
        self._inbox, self._presences, self._iq_results = [], [], []
        self._cond = threading.Condition()
        self._send_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._sock = self._thread = None
        self.closed = False
        self.error = None                         # why the stream ended, if abnormally

    # -- connection ----------------------------------------------------------
    def connect(self, host, port, jid, password, resource="test", show=None,
                timeout=10.0, mechanism="PLAIN", roster=True):
        """Log in and send initial presence (show: None, 'away', 'xa', 'dnd', 'chat').
        Raises AuthError on bad credentials, TimeoutError if the server is silent."""
        user, self._domain = jid.split("@", 1)
        self._sock = socket.create_connection((host, port), timeout=timeout)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._pending, self._buffer_ts = [], 0
        try:
            self._login(user, password, resource, mechanism, roster)
        except BaseException:
            self._sock.close()
            self.closed = True
            raise
        self._sock.settimeout(None)
        self._thread = threading.Thread(target=self._reader, daemon=True, name="xmpp-" + self.jid)
        self._thread.start()
        self.set_presence(show)
        # Wait for the server's reflection of our initial presence: until it has
        # processed it, messages to our bare JID go to offline storage (and come
        # back later with <delay/>).
        self.wait_presence(lambda p: p["from"] == self.jid, timeout)
        return self

    def _login(self, user, password, resource, mechanism, roster):
        features = self._open_stream()
        self.features = ET.tostring(features, "unicode")    # pre-auth, for tests
        mechs = [m.text for m in features.iter(_q(NS_SASL, "mechanism"))]
        if mechanism not in mechs:
            raise AuthError("server offers %s, not %s" % (mechs, mechanism))
        if mechanism == "PLAIN":
            token = base64.b64encode(("\0%s\0%s" % (user, password)).encode()).decode()
            self.send("<auth xmlns='%s' mechanism='PLAIN'>%s</auth>" % (NS_SASL, token))
            self._sasl_result()
        else:
            self._sasl_scram(user, password)
        features = self._open_stream()                     # stream restart after SASL
        if features.find(_q(NS_BIND, "bind")) is None:
            raise XMPPError("no resource binding offered")
        res = self._iq_sync("set", "<bind xmlns='%s'><resource>%s</resource></bind>"
                            % (NS_BIND, escape(resource)))
        self.jid = res.find(".//" + _q(NS_BIND, "jid")).text
        if features.find("{urn:ietf:params:xml:ns:xmpp-session}session") is not None:
            self._iq_sync("set", "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>")
        if roster:   # makes us an "interested" resource: we get subscribed/roster pushes
            self._iq_sync("get", "<query xmlns='jabber:iq:roster'/>")

    def disconnect(self, timeout=2.0):
        """Send unavailable presence, close the stream, wait for the server to close."""
        if self._sock is None:
            return
        if not self.closed:
            try:
                self.send("<presence type='unavailable'/></stream:stream>")
            except OSError:
                pass
            if self._thread:
                self._thread.join(timeout)
        try:
            self._sock.shutdown(socket.SHUT_RDWR)   # wakes the reader if still blocked
        except OSError:
            pass
        self._sock.close()
        self.closed = True

    def drop(self):
        """Vanish without a goodbye, like a lost network (server sees a reset)."""
        if self._sock is not None:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self._sock.shutdown(socket.SHUT_RD)     # wakes the reader; close() sends RST
            self._sock.close()
            self.closed = True

    def send(self, xml):
        with self._send_lock:
            self._sock.sendall(xml.encode("utf-8"))

    def _open_stream(self):
        """Send a stream header with a fresh parser; return <stream:features>."""
        self._parser = ET.XMLPullParser(events=("start", "end"))
        self._depth, self._root = 0, None
        self.send("<?xml version='1.0'?><stream:stream to=%s version='1.0' xmlns='%s' "
                  "xmlns:stream='%s'>" % (_attr(self._domain), NS_CLIENT, NS_STREAM))
        return self._expect(_q(NS_STREAM, "features"))

    def _sasl_scram(self, user, password):
        nonce = base64.b64encode(os.urandom(18)).decode()
        first_bare = "n=%s,r=%s" % (user, nonce)
        self.send("<auth xmlns='%s' mechanism='SCRAM-SHA-1'>%s</auth>"
                  % (NS_SASL, base64.b64encode(("n,," + first_bare).encode()).decode()))
        server_first = base64.b64decode(self._sasl_result(challenge=True)).decode()
        f = dict(kv.split("=", 1) for kv in server_first.split(","))
        salted = hashlib.pbkdf2_hmac("sha1", password.encode(), base64.b64decode(f["s"]), int(f["i"]))
        client_key = hmac.new(salted, b"Client Key", "sha1").digest()
        final_bare = "c=biws,r=" + f["r"]
        auth_msg = ",".join((first_bare, server_first, final_bare)).encode()
        sig = hmac.new(hashlib.sha1(client_key).digest(), auth_msg, "sha1").digest()
        proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, sig))).decode()
        self.send("<response xmlns='%s'>%s</response>"
                  % (NS_SASL, base64.b64encode((final_bare + ",p=" + proof).encode()).decode()))
        self._sasl_result()

    def _sasl_result(self, challenge=False):
        el = self._expect(None)
        if el.tag == _q(NS_SASL, "challenge" if challenge else "success"):
            return el.text or ""
        cond = [c.tag.split("}")[1] for c in el if not c.tag.endswith("text")]
        raise AuthError("SASL %s for %s: %s" % (el.tag.split("}")[1], self._domain, cond))

    def _iq_sync(self, typ, payload):
        """Pre-reader-thread IQ round trip (login only)."""
        iq_id = "login%d" % next(self._ids)
        self.send("<iq type='%s' id='%s'>%s</iq>" % (typ, iq_id, payload))
        el = self._expect(_q(NS_CLIENT, "iq"))
        if el.get("type") != "result" or el.get("id") != iq_id:
            raise XMPPError("login IQ failed: " + ET.tostring(el, "unicode"))
        return el

    def _expect(self, tag):
        el = self._next_element()
        if el is None:
            raise XMPPError("server closed the stream during login")
        if tag and el.tag != tag:
            raise XMPPError("expected %s, got %s" % (tag, ET.tostring(el, "unicode")[:500]))
        return el

    # -- parsing ---------------------------------------------------------------
    def _next_element(self):
        """Block until the next complete top-level stanza; None at end of stream."""
        while not self._pending:
            try:
                data = self._sock.recv(65536)
            except socket.timeout:
                raise TimeoutError("no answer from the XMPP server") from None
            if not data:
                return None
            self._buffer_ts = time.perf_counter_ns()
            self._parser.feed(data)
            if hasattr(self._parser, "flush"):  # expat >= 2.6 may defer big tokens
                self._parser.flush()
            for event, el in self._parser.read_events():
                if event == "start":
                    self._depth += 1
                    if self._depth == 1:
                        self._root = el
                    continue
                self._depth -= 1
                if self._depth == 1:            # a stanza (child of <stream:stream>) ends
                    self._pending.append((el, self._buffer_ts))
                    self._root.remove(el)
                elif self._depth == 0:          # </stream:stream>
                    return None
        el, self._ts = self._pending.pop(0)     # _ts: when el's last byte arrived
        return el

    def _reader(self):
        try:
            while True:
                el = self._next_element()
                if el is None:
                    break
                self._dispatch(el)
        except (OSError, ET.ParseError) as e:
            self.error = self.error or repr(e)
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def _dispatch(self, el):
        kind, frm = el.tag, el.get("from", "")
        if kind == _q(NS_CLIENT, "iq"):
            if el.get("type") in ("result", "error"):
                with self._cond:
                    self._iq_results.append(el)
                    self._cond.notify_all()
            elif el.get("type") == "set" or el.find("{urn:xmpp:ping}ping") is not None:
                self.send("<iq type='result' id=%s to=%s/>" % (_attr(el.get("id", "")), _attr(frm)))
            else:                                  # unknown get: we implement nothing
                self.send("<iq type='error' id=%s to=%s><error type='cancel'><service-unavailable "
                          "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
                          % (_attr(el.get("id", "")), _attr(frm)))
        elif kind == _q(NS_CLIENT, "message"):
            self._on_message(el, frm)
        elif kind == _q(NS_CLIENT, "presence"):
            self._on_presence(el, frm)
        elif kind == _q(NS_STREAM, "error"):
            self.error = "stream error: " + ET.tostring(el, "unicode")

    def _on_message(self, el, frm):
        body = el.find(_q(NS_CLIENT, "body"))
        if body is None:                            # chat states, subjects, receipts...
            return
        thread = el.find(_q(NS_CLIENT, "thread"))
        room, nick = bare(frm), frm.split("/", 1)[1] if "/" in frm else None
        m = {"type": el.get("type", "normal"), "from": frm, "to": el.get("to"),
             "body": body.text or "", "id": el.get("id"), "ts": self._ts,
             "thread": thread.text if thread is not None else None,
             "delayed": el.find(_q(NS_DELAY, "delay")) is not None, "stanza": el}
        with self._cond:
            m["nick"] = nick if room in self.rooms else None
            self.messages.append(m)
            if m["type"] == "groupchat":
                if self.ignore_history and m["delayed"]:
                    return
                if self.ignore_own_echo and nick == self.rooms.get(room, {}).get("nick"):
                    return
            self._inbox.append(m)
            self._cond.notify_all()

    def _on_presence(self, el, frm):
        typ = el.get("type", "available")
        show = el.find(_q(NS_CLIENT, "show"))
        codes = {int(s.get("code")) for s in el.iter(_q(NS_MUC_USER, "status"))}
        p = {"type": typ, "from": frm, "show": show.text if show is not None else None,
             "codes": codes, "ts": self._ts, "stanza": el}
        if typ == "subscribe" and self.auto_approve:
            self.send("<presence to=%s type='subscribed'/>" % _attr(bare(frm)))
            if self.subscribe_back:
                self.send("<presence to=%s type='subscribe'/>" % _attr(bare(frm)))
        with self._cond:
            room = self.rooms.get(bare(frm))
            if room is not None and "/" in frm:     # MUC occupant list upkeep
                nick = frm.split("/", 1)[1]
                if typ == "unavailable":
                    room["occupants"].pop(nick, None)
                elif typ != "error":
                    room["occupants"][nick] = p
            self._presences.append(p)
            self._cond.notify_all()

    # -- waiting ---------------------------------------------------------------
    def _wait(self, box, pred, timeout, what):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i, item in enumerate(box):
                    if pred(item):
                        return box.pop(i)
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise TimeoutError("%s: no matching %s within %.1fs%s" % (
                        self.jid, what, timeout,
                        " (stream closed: %s)" % self.error if self.closed else ""))
                self._cond.wait(left)

    def wait_message(self, pred=lambda m: True, timeout=5.0):
        """Take the first unconsumed message with a body matching pred."""
        return self._wait(self._inbox, pred, timeout, "message")

    def wait_presence(self, pred=lambda p: True, timeout=5.0):
        return self._wait(self._presences, pred, timeout, "presence")

    def collect(self, pred=lambda m: True, window=1.0):
        """Take every matching message that is or arrives in the inbox within window s."""
        end, out = time.monotonic() + window, []
        with self._cond:
            while True:
                out += [m for m in self._inbox if pred(m)]
                self._inbox[:] = [m for m in self._inbox if not pred(m)]
                left = end - time.monotonic()
                if left <= 0:
                    return out
                self._cond.wait(left)

    def drain(self):
        """Forget all unconsumed messages and presences."""
        with self._cond:
            self._inbox.clear(); self._presences.clear()

    def iq(self, typ, to, payload, timeout=5.0):
        """IQ round trip; returns the result element, raises StanzaError on error."""
        iq_id = "iq%d" % next(self._ids)
        self.send("<iq type='%s' id='%s' to=%s>%s</iq>" % (typ, iq_id, _attr(to), payload))
        res = self._wait(self._iq_results, lambda e: e.get("id") == iq_id, timeout, "IQ answer")
        if res.get("type") == "error":
            raise StanzaError(ET.tostring(res, "unicode"))
        return res

    # -- stanzas ---------------------------------------------------------------
    def set_presence(self, show=None, status=None):
        """show: None (available), 'away', 'xa', 'dnd' or 'chat'."""
        self.send("<presence>%s%s</presence>" % ("<show>%s</show>" % show if show else "",
                  "<status>%s</status>" % escape(status) if status else ""))

    def subscribe(self, jid):
        self.send("<presence to=%s type='subscribe'/>" % _attr(bare(jid)))

    def send_chat(self, to, body, msg_type="chat", thread=None):
        msg_id = "m%d" % next(self._ids)
        self.send("<message to=%s type='%s' id='%s'><body>%s</body>%s</message>" % (
            _attr(to), msg_type, msg_id, escape(body),
            "<thread>%s</thread>" % escape(thread) if thread else ""))
        return msg_id

    def send_groupchat(self, room_jid, body):
        return self.send_chat(room_jid, body, msg_type="groupchat")

    def join_muc(self, room_jid, nick, history=None, password=None, timeout=5.0):
        """Join (creating if needed) and wait for our self-presence (status 110).
        history=0 asks for no history. Returns the other occupants' nicks."""
        with self._cond:
            self.rooms[room_jid] = {"nick": nick, "occupants": {}}
        extra = ("<history maxstanzas='%d'/>" % history if history is not None else "") + \
                ("<password>%s</password>" % escape(password) if password else "")
        self.send("<presence to=%s><x xmlns='%s'>%s</x></presence>"
                  % (_attr(room_jid + "/" + nick), NS_MUC, extra))
        p = self.wait_presence(lambda p: bare(p["from"]) == room_jid and (
            110 in p["codes"] or p["type"] == "error"), timeout)
        if p["type"] == "error":
            del self.rooms[room_jid]
            raise StanzaError("join %s failed: %s" % (room_jid, ET.tostring(p["stanza"], "unicode")))
        with self._cond:
            self.rooms[room_jid]["nick"] = p["from"].split("/", 1)[1]   # server may rename us
            return sorted(n for n in self.rooms[room_jid]["occupants"]
                          if n != self.rooms[room_jid]["nick"])

    def leave_muc(self, room_jid, timeout=5.0):
        nick = self.rooms[room_jid]["nick"]
        self.send("<presence to=%s type='unavailable'/>" % _attr(room_jid + "/" + nick))
        self.wait_presence(lambda p: p["from"] == room_jid + "/" + nick
                           and p["type"] == "unavailable", timeout)
        with self._cond:
            del self.rooms[room_jid]

    def occupants(self, room_jid):
        with self._cond:
            return sorted(self.rooms[room_jid]["occupants"])
