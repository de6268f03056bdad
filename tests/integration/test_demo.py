"""The demo a newcomer runs (tools/demo) prepares a working Finch hub: accounts
enabled for Finch, the plugin set to load, the workspace with its members."""
import os
import subprocess

from hub import ROOT


def test_demo_prepares_a_finch_hub():
    out = subprocess.run([os.path.join(ROOT, "tools", "demo"), "--check"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "demo ready" in out.stdout
    assert "RFP Acme 2027: 6 members" in out.stdout
    assert "dmitri: Dmitri Tan, Singapore" in out.stdout
    finch = os.path.join(ROOT, ".demo", "finch")
    accounts = open(os.path.join(finch, "accounts.xml")).read()
    assert accounts.count("<settings ui='gnt-purple'>") == 2
    assert "hub@site-a.test/finch" in accounts and "hub@site-b.test/finch" in accounts
    prefs = open(os.path.join(finch, "prefs.xml")).read()
    assert os.path.join(finch, "plugins", "roundtable.so") in prefs
    assert os.path.realpath(os.path.join(finch, "plugins", "roundtable.so")).startswith(os.path.join(ROOT, "build"))
