"""The demo a newcomer runs (tools/demo) prepares a working Finch hub: XMPP,
mail and stream accounts enabled for Finch, the three plugins where Finch finds
them, the workspace with its members; its check proves a mail from Bob and a
post on the hashtag reach the rooms. Everything it started stops when it exits,
and a second run works."""
import os
import subprocess

from hub import BUILD, ROOT

FINCH = os.path.join(ROOT, ".demo", "finch")
PLUGINS = {"roundtable.so": "plugin", "roundtable-mail.so": "protocols/mail",
           "roundtable-stream.so": "protocols/stream/plugin"}


def run_check():
    out = subprocess.run([os.path.join(ROOT, "tools", "demo"), "--check"], cwd=ROOT,
                         env=dict(os.environ, RT_BUILD_DIR=BUILD), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def demo_processes():
    """Processes still running with a command line in .demo (servers, bots)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open("/proc/%s/stat" % pid) as f:
                zombie = f.read().rsplit(")", 1)[1].split()[0] == "Z"
        except OSError:
            continue
        if not zombie and (os.path.join(ROOT, ".demo") in cmd or "demo_bots.py" in cmd):
            found.append(cmd)
    return found


def test_demo_prepares_a_finch_hub_and_checks_mail_and_stream():
    out = run_check()
    assert "demo ready" in out
    assert "RFP Acme 2027: 6 members, mailbox hub@site-a.test (immediate mail)" in out
    assert "dmitri: Dmitri Tan, Singapore" in out
    # Bob is reached by email only: mailed at once, with his digest schedule.
    bob = out[out.index("bob: Bob Silva, São Paulo"):]
    assert "mail now" in bob.split("\n")[0] and "email bob@site-a.test" in bob.split("\n")[0], bob
    assert bob.split("\n")[1].strip().startswith("digest daily 08:00"), bob
    assert "email chloe@site-a.test" in out
    assert "check: the hub signed in to hub@site-a.test (mail) and hub@social.test (stream)" in out
    assert "check: Bob's mail reached rfp@conference.site-a.test: Bob Silva (São Paulo): " \
           "Brazil rollout plan confirmed (check " in out
    post = out[out.index("check: a #acmerfp post reached rfp@conference.site-a.test: "):].split("\n")[0]
    assert "nadia@social.test" in post and "asks for 99.95% uptime" in post, post
    # The hashtag only comes in (nothing the team says is posted to it), and
    # the watchlist term "uptime" in that post raises an alert.
    assert "    tag:acmerfp (hub@social.test): in, internal" in out
    alert = out[out.index("check: a watchlist alert reached rfp@conference.site-a.test: "):].split("\n")[0]
    assert "“uptime” in a post by @nadia@social.test" in alert, alert
    # The company's public timeline: the operator's line waits, approved it is
    # posted publicly, once; the hashtag's posts never go there.
    assert "    home (hub@social.test): out, public" in out, out
    assert "check: a line for the public timeline home is held as #" in out
    assert "approved by operator (hub@site-a.test): it is posted to home now." in out, out
    posted = out[out.index("check: posted publicly (public): "):].split("\n")[0]
    assert "We will answer the Acme RFP by Friday (check " in posted, posted

    accounts = open(os.path.join(FINCH, "accounts.xml")).read()
    assert accounts.count("<settings ui='gnt-purple'>") == 4
    for name in ("hub@site-a.test/finch", "hub@site-b.test/finch"):
        assert "<name>%s</name>" % name in accounts
    assert "<protocol>prpl-roundtable-mail</protocol>" in accounts
    assert "<protocol>prpl-roundtable-stream</protocol>" in accounts
    prefs = open(os.path.join(FINCH, "prefs.xml")).read()
    assert os.path.join(FINCH, "plugins", "roundtable.so") in prefs
    for name, subdir in PLUGINS.items():
        target = os.path.realpath(os.path.join(FINCH, "plugins", name))
        assert target == os.path.realpath(os.path.join(BUILD, subdir, name)), target
    assert demo_processes() == []

    # Again: same accounts and members, nothing duplicated, nothing left running.
    again = run_check()
    assert "RFP Acme 2027: 6 members" in again and "check: a #acmerfp post reached" in again
    assert open(os.path.join(FINCH, "accounts.xml")).read().count("<settings ui='gnt-purple'>") == 4
    assert demo_processes() == []
