"""The raw test client (xmpp.py) and the private Prosody (prosody.py) themselves."""
import socket
import subprocess
import time

import pytest

from prosody import Prosody, TOOLS
from xmpp import AuthError, Client

HOSTILE = "<b>x</b> <script>alert(1)</script> &amp; <a href=\"javascript:alert(1)\">y</a>"


def test_im_between_two_users(xmpp_client):
    a, b = xmpp_client(), xmpp_client()
    a.send_chat(b.jid.split("/")[0], "hello b")
    m = b.wait_message(lambda m: m["body"] == "hello b")
    assert m["type"] == "chat" and m["from"] == a.jid and not m["delayed"]
    assert m["ts"] > 0


def test_login_is_loopback_plaintext_with_tcp_nodelay(prosody, xmpp_client):
    c = xmpp_client()
    assert c._sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    assert c._sock.getpeername()[0] == "127.0.0.1"
    assert "starttls" not in c.features and ">PLAIN<" in c.features
    with open(prosody.config) as f:
        cfg = f.read()
    assert 'interfaces = { "127.0.0.1" }' in cfg and "s2s_ports = { }" in cfg


def test_muc_groupchat_with_nicks(prosody, xmpp_client):
    room = prosody.new_room("site-a.test")
    a, b = xmpp_client(), xmpp_client()
    assert a.join_muc(room, "Alice") == []
    assert b.join_muc(room, "Bob") == ["Alice"]
    a.wait_presence(lambda p: p["from"] == room + "/Bob")
    assert a.occupants(room) == ["Alice", "Bob"]
    b.send_groupchat(room, "hi all")
    m = a.wait_message(lambda m: m["body"] == "hi all")
    assert m["type"] == "groupchat" and m["nick"] == "Bob" and m["from"] == room + "/Bob"
    # own echo is filtered by default, and is there in .messages
    with pytest.raises(TimeoutError):
        b.wait_message(lambda m: m["body"] == "hi all", timeout=0.3)
    assert any(m["body"] == "hi all" for m in b.messages)
    b.leave_muc(room)
    a.wait_presence(lambda p: p["from"] == room + "/Bob" and p["type"] == "unavailable")
    assert a.occupants(room) == ["Alice"]


def test_muc_history_is_delayed_and_optional(prosody, xmpp_client):
    room = prosody.new_room("site-b.test")
    a = xmpp_client(host="site-b.test")
    a.join_muc(room, "A")
    a.send_groupchat(room, "before")
    time.sleep(0.1)
    keep = xmpp_client(ignore_history=False)
    keep.join_muc(room, "K")
    m = keep.wait_message(lambda m: m["body"] == "before")
    assert m["delayed"] and m["nick"] == "A"
    drop = xmpp_client()
    drop.join_muc(room, "D")
    assert drop.collect(window=0.3) == []


@pytest.mark.parametrize("body", [HOSTILE, "x" * 65536, ("<&>\"' é€😀\n\t" * 5000)[:65536]],
                         ids=["hostile", "64KiB", "64KiB-escapes"])
def test_bodies_round_trip_exactly(prosody, xmpp_client, body):
    a, b = xmpp_client(), xmpp_client()
    a.send_chat(b.jid.split("/")[0], body)
    assert b.wait_message()["body"] == body
    room = prosody.new_room()
    a.join_muc(room, "a")
    b.join_muc(room, "b")
    a.send_groupchat(room, body)
    assert b.wait_message(lambda m: m["type"] == "groupchat")["body"] == body


def test_subscription_auto_approve(xmpp_client):
    a, b = xmpp_client(), xmpp_client(show="away")
    b_bare = b.jid.split("/")[0]
    a.subscribe(b_bare)
    a.wait_presence(lambda p: p["from"] == b_bare and p["type"] == "subscribed")
    p = a.wait_presence(lambda p: p["from"] == b.jid and p["type"] == "available")
    assert p["show"] == "away"
    b.set_presence("dnd")
    assert a.wait_presence(lambda p: p["from"] == b.jid)["show"] == "dnd"


def test_two_virtual_hosts(xmpp_client):
    a = xmpp_client(host="site-a.test")
    b = xmpp_client(host="site-b.test")
    assert a.jid.split("/")[0].endswith("@site-a.test")
    assert b.jid.split("/")[0].endswith("@site-b.test")
    b.send_chat(a.jid, "cross-host, same server")
    assert a.wait_message()["from"] == b.jid


def test_auth_failure_and_scram(prosody, xmpp_client):
    jid, pw = prosody.new_user()
    with pytest.raises(AuthError):
        Client().connect(prosody.host, prosody.port, jid, "wrong")
    c = xmpp_client(jid, pw, register=False, mechanism="SCRAM-SHA-1")
    assert c.jid.startswith(jid + "/")


def test_prosodyctl_register_while_running(prosody):
    prosody.register("viactl", "site-b.test", "pw ctl")
    c = Client().connect(prosody.host, prosody.port, "viactl@site-b.test", "pw ctl")
    c.disconnect()


def test_second_instance_and_idempotent_stop(tmp_path):
    p = Prosody()
    port = p.start(str(tmp_path / "second"))
    try:
        assert (tmp_path / "second" / "port").read_text().strip() == str(port)
        p.register_many([("solo", "site-a.test", "pw")])
        Client().connect(p.host, port, "solo@site-a.test", "pw").disconnect()
    finally:
        p.stop()
        p.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    assert not (tmp_path / "second" / "pid").exists()


def test_start_fails_clearly_on_a_taken_port(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    r = subprocess.run([TOOLS + "/prosody-start", str(tmp_path / "busy"), str(s.getsockname()[1])],
                       capture_output=True, text=True, timeout=30)
    s.close()
    assert r.returncode != 0 and "already in use" in r.stderr
    assert not (tmp_path / "busy" / "pid").exists()
