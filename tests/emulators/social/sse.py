"""Server-sent events, framed as Mastodon's streaming server documents them.

https://docs.joinmastodon.org/methods/streaming/#http : the response is
chunked, events are "event: NAME" then "data: PAYLOAD" lines and a blank line,
and heartbeat comments are lines starting with ':' (the docs show ":thump").
A payload with newlines is split over several data: lines, as the SSE format
requires; Mastodon's own payloads are single-line JSON.
"""
import queue
import socket
import threading

HEARTBEAT = b":thump\n"


def frame(event, data):
    lines = ["event: " + event] + ["data: " + line for line in data.split("\n")]
    return ("\n".join(lines) + "\n\n").encode("utf-8")


class Subscriber:
    def __init__(self, key):
        self.key = key                 # e.g. ("user", "110...") or ("hashtag", "cats")
        self.q = queue.Queue()
        self.drop_after = None         # close abruptly after this many events


class Hub:
    def __init__(self):
        self._lock = threading.Lock()
        self._subs = []
        self.closed = False

    def subscribe(self, key):
        sub = Subscriber(key)
        with self._lock:
            self._subs.append(sub)
        return sub

    def unsubscribe(self, sub):
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    def publish(self, keys, event, data):
        """Queue one event for every subscriber whose key is in keys.
        Returns how many subscribers got it."""
        keys = set(keys)
        with self._lock:
            targets = [s for s in self._subs if s.key in keys]
        for s in targets:
            s.q.put((event, data))
        return len(targets)

    def count(self, kind=None):
        with self._lock:
            return sum(1 for s in self._subs if kind is None or s.key[0] == kind)

    def keys(self):
        with self._lock:
            return [list(s.key) for s in self._subs]

    def close_all(self):
        self.closed = True
        with self._lock:
            subs = list(self._subs)
        for s in subs:
            s.q.put(None)


def _chunk(wfile, payload):
    wfile.write(b"%x\r\n%s\r\n" % (len(payload), payload))
    wfile.flush()


def serve(handler, hub, sub, heartbeat):
    """Write the SSE stream for sub until the client goes, the hub closes or
    an injected drop fires. Runs in the request's thread."""
    sent = 0
    try:
        _chunk(handler.wfile, HEARTBEAT)        # like Mastodon: something at once
        while not hub.closed:
            try:
                item = sub.q.get(timeout=heartbeat)
            except queue.Empty:
                _chunk(handler.wfile, HEARTBEAT)
                continue
            if item is None:
                break
            event, data = item
            _chunk(handler.wfile, frame(event, data))
            sent += 1
            if sub.drop_after is not None and sent >= sub.drop_after:
                # A dropped stream: no terminating chunk, the socket just closes.
                handler.close_connection = True
                try:
                    handler.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
        if not hub.closed:
            handler.wfile.write(b"0\r\n\r\n")
            handler.wfile.flush()
    except (BrokenPipeError, ConnectionResetError, OSError):
        pass
    finally:
        hub.unsubscribe(sub)
        handler.close_connection = True
