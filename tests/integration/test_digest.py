"""Digests and mention mails from the core plugin, on a real Prosody and real
Dovecot + Postfix: lines said in a linked room while email-only members are
not live arrive as one digest per member at 08:00 in each member's time zone
(the hub's clock moved with the test pref clock_offset_s), in the member's
language, with List-Id, List-Unsubscribe, Auto-Submitted, a Reply-To token
and a stable Message-ID; each slot is mailed once, also across restarts, and
a slot missed while the hub was down is mailed once on start. A mention of a
member who is not live is mailed after the (shortened) delay, unless the
member comes online first. docs/digests.md, "Wiring"."""
import datetime
import os
import re
import time
from zoneinfo import ZoneInfo

import pytest

from hub import BUILD, MAIL_PLUGIN_DIR, start_hub
from mailhub import PRPL, collect, mail_options, mail_parts
from wslib import muc_user, ok, unique, wait_reach

PREF = "/plugins/core/roundtable/"
ALWAYS = "--hours 00:00-24:00 --days Mon-Sun"
UTC = datetime.timezone.utc
FRENCH_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
ENGLISH_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@pytest.fixture
def digest_hub(prosody, mail_servers, tmp_path):
    # The build tree's catalogues; no LANGUAGE (it would override every
    # member's language, see rt-lang.h).
    env = {"RT_EXTRA_PLUGIN_DIRS": MAIL_PLUGIN_DIR, "RT_HEADLESS_VERBOSE": "1", "RT_DEBUG": "1",
           "RT_LOCALEDIR": os.path.join(BUILD, "po"), "LANGUAGE": ""}
    h = start_hub(prosody, str(tmp_path / "hub"), env=env)
    assert os.path.dirname(h.protocols[PRPL]) == MAIL_PLUGIN_DIR, h.protocols
    try:
        yield h
    finally:
        if h.proc is not None:
            h.stop()


def set_clock(h, at):
    """Move the hub's clock so that it reads about `at` (aware datetime) now."""
    offset = int(at.timestamp() - time.time())
    h.pref("int", PREF + "clock_offset_s", offset)
    return offset


def local_8am(day, zone):
    """08:00 on date `day` in zone, as an aware UTC datetime."""
    return datetime.datetime(day.year, day.month, day.day, 8, 0, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def log_lines(h, pattern):
    with open(os.path.join(h.userdir, "stderr.log"), errors="replace") as f:
        return [l for l in f if re.search(pattern, l)]


def wait_pending(h, room, ws, handle, count, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        out = ok(h.cmd(h.a, room, '/ws pending "%s" %s' % (ws, handle)))
        if re.search(r"has %d messages? kept" % count, out):
            return out
        assert time.monotonic() < deadline, out
        time.sleep(0.2)


def check_headers(mail, hub_addr, rcpt):
    hub_local, hub_domain = hub_addr.split("@")
    assert mail["To"].addresses[0].addr_spec == rcpt
    assert mail["From"].addresses[0].addr_spec == hub_addr
    assert mail["Auto-Submitted"] == "auto-generated"
    assert re.fullmatch(r"<ws-\d+\.roundtable\.%s>" % re.escape(hub_domain), mail["List-Id"]), mail["List-Id"]
    assert re.fullmatch(r"<mailto:%s\+u-[0-9a-z]+-[0-9a-z]+-[a-z2-7]{16}@%s>"
                        % (re.escape(hub_local), re.escape(hub_domain)), mail["List-Unsubscribe"]), \
        mail["List-Unsubscribe"]
    reply_to = mail["Reply-To"].addresses[0].addr_spec
    assert re.fullmatch(r"%s\+r-[0-9a-z]+-[0-9a-z]+-[a-z2-7]{16}@%s" % (re.escape(hub_local), re.escape(hub_domain)),
                        reply_to), reply_to
    return reply_to


def test_digests_at_local_eight_in_each_language_once(digest_hub, prosody, mail_servers, xmpp_client):
    h = digest_hub
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    bob, bob_pw = mail_servers.new_user("site-b.test", prefix="bob")
    chloe, chloe_pw = mail_servers.new_user("site-b.test", prefix="chloe")
    erin, erin_pw = mail_servers.new_user("site-b.test", prefix="erin")
    h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers))

    # The clock first: tomorrow 04:00 UTC (night in Paris and Sao Paulo).
    day = (datetime.datetime.now(UTC) + datetime.timedelta(days=1)).date()
    set_clock(h, datetime.datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC))

    ws = unique("Digest WS")
    room = prosody.new_room("site-a.test")
    h.join(h.a, room)
    ok(h.cmd(h.a, room, '/ws create "%s"' % ws))
    ok(h.cmd(h.a, room, '/ws link "%s"' % ws))
    ok(h.cmd(h.a, room, '/ws mailbox "%s" %s --immediate no' % (ws, hub_addr)))
    ok(h.cmd(h.a, room, '/ws member add "%s" bob --name Bob --site "São Paulo" --tz America/Sao_Paulo '
             '--lang en --digest "daily 08:00" --days Mon-Sun --email %s' % (ws, bob)))
    ok(h.cmd(h.a, room, '/ws member add "%s" chloe --name Chloé --site Paris --tz Europe/Paris '
             '--lang fr --digest "DAILY 8:00" --days Mon-Sun --email %s' % (ws, chloe)))
    # (c) Digest off: nothing is mailed, items stay pending.
    ok(h.cmd(h.a, room, '/ws member add "%s" erin --name Erin --tz Europe/Paris --digest off '
             '--email %s' % (ws, erin)))
    shown = ok(h.cmd(h.a, room, '/ws member show "%s" chloe' % ws))
    assert "digest: daily 08:00, quiet hours 22:00-07:00" in shown, shown
    who = ok(h.cmd(h.a, room, '/ws who "%s"' % ws))
    # Chloé's next digest is tomorrow's 08:00 Paris time.
    assert re.search(r"^chloe: .*\n    digest daily 08:00, next digest \S+ 08:00$", who, re.M), who
    assert re.search(r"^erin: .*\n    digest off$", who, re.M), who

    # Bad schedules and quiet hours: clear errors, nothing changed.
    for bad in ('--digest "daily 25:00"', '--digest sometimes', '--quiet 22:00', '--quiet 00:00-24:00'):
        writes = h.cmd(h.a, room, '/ws member set "%s" chloe --name X %s' % (ws, bad))
        assert [w for w in writes if w["kind"] == "error"], (bad, writes)
    assert ok(h.cmd(h.a, room, '/ws member show "%s" chloe' % ws)) == shown

    carol = muc_user(xmpp_client, room, "carol", "site-a.test")
    lines = ["Les chiffres de la logistique sont prêts", "Decision: we bid on lot 2",
             "Zoë checks the São Paulo figures"]
    for line in lines:
        carol.send_groupchat(room, line)
    for handle in ("bob", "chloe", "erin"):
        wait_pending(h, room, ws, handle, 3)
    time.sleep(1.5)
    assert mail_servers.fetch_all(chloe, chloe_pw) == [] and mail_servers.fetch_all(bob, bob_pw) == []

    # Just after 08:00 in Paris: Chloé's digest, in French; not Bob's yet.
    set_clock(h, local_8am(day, "Europe/Paris") + datetime.timedelta(minutes=1))
    mails = mail_servers.wait_for_mail(chloe, chloe_pw, 1, timeout=20)
    time.sleep(2)
    mails = mail_servers.fetch_all(chloe, chloe_pw)
    assert len(mails) == 1, [m.message["Subject"] for m in mails]
    mail = mails[0].message
    check_headers(mail, hub_addr, chloe)
    assert re.fullmatch(r"<rt-digest-\d+-\d+@site-a\.test>", mail["Message-ID"]), mail["Message-ID"]
    assert mail.get_content_type() == "multipart/alternative"
    parts = mail_parts(mail)
    assert '<html lang="fr">' in parts["text/html"], parts["text/html"][:300]
    assert any(d in parts["text/plain"] for d in FRENCH_DAYS), parts["text/plain"]
    assert "Europe/Paris" in parts["text/plain"]
    for line in lines:
        assert line in parts["text/plain"], (line, parts["text/plain"])
    assert ws in mail["Subject"]
    assert mail_servers.fetch_all(bob, bob_pw) == []
    assert "0 messages kept" in ok(h.cmd(h.a, room, '/ws pending "%s" chloe' % ws))
    wait_pending(h, room, ws, "bob", 3)

    # After 08:00 in Sao Paulo: Bob's, in English.
    set_clock(h, local_8am(day, "America/Sao_Paulo") + datetime.timedelta(minutes=1))
    mail_servers.wait_for_mail(bob, bob_pw, 1, timeout=20)
    time.sleep(2)
    mails = mail_servers.fetch_all(bob, bob_pw)
    assert len(mails) == 1
    bob_mail = mails[0].message
    check_headers(bob_mail, hub_addr, bob)
    bob_parts = mail_parts(bob_mail)
    assert '<html lang="en">' in bob_parts["text/html"]
    assert any(d in bob_parts["text/plain"] for d in ENGLISH_DAYS), bob_parts["text/plain"]
    assert "America/Sao_Paulo" in bob_parts["text/plain"]
    assert bob_mail["Message-ID"] != mail["Message-ID"]
    assert bob_mail["Reply-To"] != mail["Reply-To"]
    assert len(mail_servers.fetch_all(chloe, chloe_pw)) == 1
    # (c) Erin (digest off): nothing mailed, her items still pending.
    assert mail_servers.fetch_all(erin, erin_pw) == []
    wait_pending(h, room, ws, "erin", 3)

    # A restart at the same time: no second digest for the same slots.
    offset = set_clock(h, local_8am(day, "America/Sao_Paulo") + datetime.timedelta(minutes=2))
    h.stop()
    h.restart()
    h.join(h.a, room)
    h.pref("int", PREF + "clock_offset_s", offset)
    time.sleep(4)
    assert len(mail_servers.fetch_all(chloe, chloe_pw)) == 1
    assert len(mail_servers.fetch_all(bob, bob_pw)) == 1
    assert mail_servers.fetch_all(erin, erin_pw) == []

    # The hub is down over Chloé's next 08:00: it mails it once on start.
    carol.send_groupchat(room, "ligne du soir")
    wait_pending(h, room, ws, "chloe", 1)
    h.stop()
    next_day = day + datetime.timedelta(days=1)
    target = local_8am(next_day, "Europe/Paris") + datetime.timedelta(minutes=30)
    prefs = os.path.join(h.userdir, "prefs.xml")
    with open(prefs, encoding="utf-8") as f:
        xml = f.read()
    pattern = r"(<pref name='clock_offset_s' type='int' value=')(-?\d+)(')"
    assert re.search(pattern, xml), "clock_offset_s not saved in prefs.xml"
    with open(prefs, "w", encoding="utf-8") as f:
        f.write(re.sub(pattern, lambda m: m.group(1) + str(int(target.timestamp() - time.time())) + m.group(3), xml))
    h.restart()
    mail_servers.wait_for_mail(chloe, chloe_pw, 2, timeout=30)
    time.sleep(2)
    mails = mail_servers.fetch_all(chloe, chloe_pw)
    assert len(mails) == 2
    second = mails[1].message
    assert second["Message-ID"] != mail["Message-ID"]
    assert "ligne du soir" in mail_parts(second)["text/plain"]
    assert "Les chiffres" not in mail_parts(second)["text/plain"]   # already sent
    # Once: another restart sends nothing more.
    h.stop()
    h.restart()
    time.sleep(4)
    assert len(mail_servers.fetch_all(chloe, chloe_pw)) == 2
    assert len(mail_servers.fetch_all(bob, bob_pw)) == 1
    assert mail_servers.fetch_all(erin, erin_pw) == []
    # The log (kept across restarts) names three digests mailed, no more.
    assert len(log_lines(h, r"digest <rt-digest-\d+-\d+@site-a\.test> of member \d+ mailed")) == 3
    assert not [l for l in open(os.path.join(h.userdir, "stderr.log"), errors="replace")
                if re.search(r"\+r-|\+u-", l)], "a token in the log"


def test_mention_mailed_after_delay_unless_live(digest_hub, prosody, mail_servers, xmpp_client):
    h = digest_hub
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    bob, bob_pw = mail_servers.new_user("site-b.test", prefix="bob")
    dana_mail, dana_pw = mail_servers.new_user("site-b.test", prefix="dana")
    h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers))
    h.pref("int", PREF + "mention_delay_s", 6)

    ws = unique("Mention WS")
    room = prosody.new_room("site-a.test")
    h.join(h.a, room)
    ok(h.cmd(h.a, room, '/ws create "%s"' % ws))
    ok(h.cmd(h.a, room, '/ws link "%s"' % ws))
    ok(h.cmd(h.a, room, '/ws mailbox "%s" %s' % (ws, hub_addr)))
    ok(h.cmd(h.a, room, '/ws member add "%s" bob --name "Bob Silva" --tz America/Sao_Paulo --lang en '
             '--email %s' % (ws, bob)))
    dana_jid, dana_xmpp_pw = prosody.new_user("site-a.test", prefix="dana")
    dana = xmpp_client(dana_jid, dana_xmpp_pw, register=False)
    ok(h.cmd(h.a, room, '/ws member add "%s" dana --name Dana --tz Europe/Paris %s --quiet none '
             '--im xmpp:%s --email %s' % (ws, ALWAYS, dana_jid, dana_mail)))
    wait_reach(h, h.a, room, ws, "dana", "live")
    dana.disconnect()
    wait_reach(h, h.a, room, ws, "dana", "async-only")

    carol = muc_user(xmpp_client, room, "carol", "site-a.test")
    carol.send_groupchat(room, "@bob can you check the price sheet?")
    carol.send_groupchat(room, "Dana, the contract is ready")
    wait_pending(h, room, ws, "dana", 2)
    # Dana comes back before the delay: her mention is not mailed.
    dana = xmpp_client(dana_jid, dana_xmpp_pw, register=False)
    wait_reach(h, h.a, room, ws, "dana", "live")

    mails = mail_servers.wait_for_mail(bob, bob_pw, 1, timeout=25)
    time.sleep(8)   # past Dana's delay too, and any second mail to Bob
    mails = mail_servers.fetch_all(bob, bob_pw)
    assert len(mails) == 1, [m.message["Subject"] for m in mails]
    mail = mails[0].message
    assert mail["Subject"] == "[%s] carol (guest) mentioned you" % ws
    check_headers(mail, hub_addr, bob)
    assert re.fullmatch(r"<rt-mention-\d+-\d+@site-a\.test>", mail["Message-ID"]), mail["Message-ID"]
    text = mail_parts(mail)["text/plain"]
    assert "@bob can you check the price sheet?" in text and "Reply to this mail" in text, text
    assert "contract" not in text
    assert mail_servers.fetch_all(dana_mail, dana_pw) == []
    assert log_lines(h, r"mention \d+/\d+ dropped \(seen live since\)")
    # The mention stays in the digest (still pending for Bob).
    wait_pending(h, room, ws, "bob", 2)
    assert [e for e in collect(h, 0.5) if e["ev"] == "write" and e.get("kind") == "error"] == []


def test_digest_given_up_by_mail_plugin_is_sent_again_once(digest_hub, prosody, mail_servers, xmpp_client):
    """A digest the mail plugin accepted but gave up (Postfix answers 451 for
    now, then the mailbox account goes offline) is kept: its rows go back
    to the digest, its slot is not used up, and once the account is back the
    same digest (same Message-ID) arrives, once."""
    h = digest_hub
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    chloe, chloe_pw = mail_servers.new_user("site-b.test", prefix="chloe")
    h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers))
    day = (datetime.datetime.now(UTC) + datetime.timedelta(days=1)).date()
    set_clock(h, datetime.datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC))
    ws = unique("Flight WS")
    room = prosody.new_room("site-a.test")
    h.join(h.a, room)
    ok(h.cmd(h.a, room, '/ws create "%s"' % ws))
    ok(h.cmd(h.a, room, '/ws link "%s"' % ws))
    ok(h.cmd(h.a, room, '/ws mailbox "%s" %s --immediate no' % (ws, hub_addr)))
    ok(h.cmd(h.a, room, '/ws member add "%s" chloe --name Chloé --tz Europe/Paris --lang fr '
             '--digest "daily 08:00" --days Mon-Sun --email %s' % (ws, chloe)))
    carol = muc_user(xmpp_client, room, "carol", "site-a.test")
    carol.send_groupchat(room, "Le devis part demain")
    wait_pending(h, room, ws, "chloe", 1)

    mail_servers.tempfail(chloe)
    try:
        set_clock(h, local_8am(day, "Europe/Paris") + datetime.timedelta(minutes=1))
        deadline = time.monotonic() + 20
        while not log_lines(h, r"mail to %s: temporary failure" % re.escape(chloe)):
            assert time.monotonic() < deadline, "the digest was never tried"
            time.sleep(0.1)
        (queued,) = log_lines(h, r"digest <rt-digest-\d+-\d+@site-a\.test> of member \d+ queued")
        message_id = re.search(r"<rt-digest-\d+-\d+@site-a\.test>", queued).group(0)
        # In flight: neither kept nor sent.
        assert "0 messages kept" in ok(h.cmd(h.a, room, '/ws pending "%s" chloe' % ws))
        h.account_off(hub_addr)
        deadline = time.monotonic() + 10
        while not log_lines(h, r"digest %s of member \d+ failed \(.*\), will retry" % re.escape(message_id)):
            assert time.monotonic() < deadline, "the failure was not seen"
            time.sleep(0.1)
    finally:
        mail_servers.clear_tempfail(chloe)
    # Kept again for her digest; nothing mailed while the account is off.
    wait_pending(h, room, ws, "chloe", 1)
    time.sleep(2)
    assert mail_servers.fetch_all(chloe, chloe_pw) == []

    h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers), remember=False)
    mail_servers.wait_for_mail(chloe, chloe_pw, 1, timeout=30)
    time.sleep(4)
    mails = mail_servers.fetch_all(chloe, chloe_pw)
    assert len(mails) == 1, [m.message["Subject"] for m in mails]
    assert mails[0].message["Message-ID"] == message_id
    assert "Le devis part demain" in mail_parts(mails[0].message)["text/plain"]
    wait_pending(h, room, ws, "chloe", 0)
    assert len(log_lines(h, r"digest %s of member \d+ mailed" % re.escape(message_id))) == 1
    # Once: a restart at the same time sends nothing more (the slot is used).
    offset = set_clock(h, local_8am(day, "Europe/Paris") + datetime.timedelta(minutes=3))
    h.stop()
    h.restart()
    h.pref("int", PREF + "clock_offset_s", offset)
    time.sleep(4)
    assert len(mail_servers.fetch_all(chloe, chloe_pw)) == 1
