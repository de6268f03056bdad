"""The command-line entry: prints its port, keeps state in --state DIR across
restarts, binds loopback only, stops on SIGTERM."""
import os
import signal
import subprocess
import sys

from control import Control, request

HERE = os.path.dirname(os.path.abspath(__file__))


def start(state_dir):
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "emulator.py"), "--port", "0",
                             "--state", str(state_dir)], stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    return proc, port


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0


def test_cli_port_state_and_restart(tmp_path):
    proc, port = start(tmp_path)
    try:
        assert (tmp_path / "port").read_text().strip() == str(port)
        url = "http://127.0.0.1:%d" % port
        ctl = Control(url)
        alice = ctl.mastodon_account("alice", token="tok-alice")
        st = ctl.status(alice["id"], text="before the restart")
    finally:
        stop(proc)
    proc, port2 = start(tmp_path)
    try:
        r = request("http://127.0.0.1:%d/api/v1/statuses/%s" % (port2, st["id"]), token="tok-alice")
        assert r.status == 200 and "before the restart" in r.json()["content"]
        # New ids continue after the old ones.
        new = Control("http://127.0.0.1:%d" % port2).status(alice["id"], text="after")
        assert int(new["id"]) > int(st["id"])
    finally:
        stop(proc)


def test_binds_loopback_only(emu):
    assert emu._server.server_address[0] == "127.0.0.1"
