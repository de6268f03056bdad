#!/usr/bin/python3
"""Emulator of the Mastodon client API, the Viva Engage (Yammer) REST API v1
and RSS/Atom feeds, for tests. Standard library only; binds 127.0.0.1.

  /usr/bin/python3 tests/emulators/social/emulator.py --port 0 --state DIR
      prints the chosen port on stdout (and writes DIR/port); the state is
      kept in DIR/state.json across restarts.

  from emulator import Emulator
  with Emulator() as emu:          # started in a thread
      emu.url                      # http://127.0.0.1:PORT

See docs/emulators.md.
"""
import argparse
import os
import re
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import controlapi  # noqa: E402
import faults as faultlib  # noqa: E402
import feeds  # noqa: E402
import mastodon  # noqa: E402
import sse  # noqa: E402
import viva  # noqa: E402
from state import State  # noqa: E402
from wire import Request, error, http_date  # noqa: E402


def _compile(routes):
    return [(m, re.compile(p + r"\Z"), fn) for m, p, fn in routes]


ROUTES = _compile(controlapi.routes() + mastodon.routes() + viva.routes() + feeds.routes())


def _api_of(path):
    if path.startswith("/_control/"):
        return "control"
    if path.startswith("/feeds/"):
        return "feeds"
    if re.match(r"/api/v1/(messages|users|groups)\b", path):
        return "viva"
    return "mastodon"


def _is_stream(path):
    return path.startswith("/api/v1/streaming") and not path.startswith("/api/v1/streaming/health")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "social-emulator/1"

    def log_message(self, fmt, *args):      # quiet; the control API has the request log
        pass

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    # -- dispatch --------------------------------------------------------------
    def _dispatch(self):
        emu = self.server.emu
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        host = self.headers.get("Host") or "127.0.0.1:%d" % emu.port
        req = Request(self.command, self.path, self.headers, body, "http://" + host, emu.state, emu.hub)
        req.faults = emu.faults
        api = _api_of(req.path)
        fault = None if api == "control" else emu.faults.take(self.command, req.path, _is_stream(req.path))
        if fault and fault["kind"] == "delay":
            time.sleep(float(fault.get("seconds", 2)))
        if fault and fault["kind"] == "disconnect":
            self._log(req, api, 0)
            return self._abort()
        if fault and fault["kind"] == "status":
            status = int(fault.get("status", 500))
            return self._send(req, api, error(status, fault.get("message", "Internal Server Error")))
        if fault and fault["kind"] == "429":
            secs = int(fault.get("retry_after", 5))
            value = http_date(time.time() + secs) if fault.get("http_date") else str(secs)
            return self._send(req, api, error(429, "Too many requests", {"Retry-After": value}))
        resp = self._route(req)
        if resp.stream is not None:
            return self._stream(req, api, resp, fault)
        self._send(req, api, resp, fault)

    def _route(self, req):
        path_known = False
        for method, rx, fn in ROUTES:
            m = rx.match(req.path)
            if not m:
                continue
            path_known = True
            if method == self.command:
                req.match = m
                return fn(req)
        if path_known:
            return error(405, "Method not allowed")
        return error(404, "Record not found")

    # -- writing ---------------------------------------------------------------
    def _log(self, req, api, status):
        if api != "control":
            # The query's first values (newer_than, since_id...), never a token.
            query = {k: v[0] for k, v in req.query.items() if k != "access_token" and v}
            self.server.emu.state.log_request({"t": time.time(), "method": self.command,
                                               "path": req.path, "query": query, "api": api,
                                               "status": status})

    def _abort(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _transform(self, resp, fault):
        kind = fault["kind"] if fault else None
        if resp.obj is not None and resp.status < 300:
            if kind == "wrong_types":
                resp.obj = faultlib.wrong_types(resp.obj)
            elif kind == "nasty_html":
                resp.obj = faultlib.nasty_html(resp.obj)
            elif kind == "huge_page":
                template = self._sample_entry(resp.obj)
                resp.obj = faultlib.huge_page(resp.obj, template, int(fault.get("items", 40)),
                                              int(fault.get("item_bytes", 100000)))
        payload = resp.encode()
        full = len(payload)
        if kind == "malformed":
            payload = faultlib.malformed(payload)
            full = len(payload)
        elif kind == "truncated":
            payload = faultlib.truncate(payload, fault.get("fraction", 0.5))
            full = full if fault.get("short_read") else len(payload)
        return payload, full

    def _sample_entry(self, obj):
        """An entry to copy when a huge page is asked of an empty one."""
        if isinstance(obj, dict) and "messages" in obj:
            return {"id": 1000, "body": {"parsed": "", "plain": "", "rich": ""}, "sender_id": 1}
        return {"id": "1000", "content": "", "created_at": "2019-12-08T03:48:33.901Z"}

    def _send(self, req, api, resp, fault=None):
        payload, announced = self._transform(resp, fault)
        try:
            self.send_response(resp.status)
            for k, v in resp.headers.items():
                self.send_header(k, v)
            if resp.status != 304:
                self.send_header("Content-Type", resp.ctype)
            self.send_header("Content-Length", str(announced))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        self._log(req, api, resp.status)
        if announced != len(payload):
            self._abort()

    def _stream(self, req, api, resp, fault):
        emu = self.server.emu
        sub = emu.hub.subscribe(resp.stream)       # before the headers: nothing is missed
        if fault and fault["kind"] == "drop":
            sub.drop_after = int(fault.get("after_events", 1))
        self._log(req, api, 200)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.flush()
        except OSError:
            emu.hub.unsubscribe(sub)
            self.close_connection = True
            return
        sse.serve(self, emu.hub, sub, emu.state.heartbeat)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Emulator:
    """The emulator in a background thread. Binds 127.0.0.1 only."""

    def __init__(self, port=0, state_dir=None, heartbeat=None):
        if state_dir:
            os.makedirs(state_dir, exist_ok=True)
        self.state = State(state_dir)
        if heartbeat is not None:
            self.state.heartbeat = float(heartbeat)
        self.hub = sse.Hub()
        self.faults = faultlib.Faults()
        self._requested_port = port
        self._server = None
        self._thread = None
        self.port = None

    def start(self):
        self._server = _Server(("127.0.0.1", self._requested_port), Handler)
        self._server.emu = self
        self.port = self._server.server_address[1]
        self.state.public_base = self.url
        # A short poll interval so that stop() (and each test) is quick.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="social-emulator", daemon=True)
        self._thread.start()
        return self

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def stop(self):
        if self._server is None:
            return
        self.hub.close_all()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None):
    ap = argparse.ArgumentParser(description="Mastodon / Viva Engage / feed emulator (127.0.0.1 only)")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--state", metavar="DIR", help="keep state.json and the port file here")
    ap.add_argument("--heartbeat", type=float, default=None, help="SSE heartbeat seconds (5)")
    args = ap.parse_args(argv)
    emu = Emulator(args.port, args.state, args.heartbeat).start()
    if args.state:
        with open(os.path.join(args.state, "port"), "w") as f:
            f.write("%d\n" % emu.port)
    print(emu.port, flush=True)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
