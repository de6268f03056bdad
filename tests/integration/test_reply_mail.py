"""Replies by email flow back into the workspace (issue 4, incoming side), on
a real Prosody and real Dovecot + Postfix: the mail plugin's
"roundtable-mail-received" signal, the core's decisions (plugin/core/rt-mailin.c)
and its glue (plugin/glue/rt-mail-in.c).

Tokens: the digests that carry them may not exist yet, so the test makes the
reply addresses itself with the same HMAC as plugin/core/rt-token.c
(docs/reply-tokens.md), from the key in the hub's SQLite store (meta
"token_key"; inserted by the test when the hub has none yet, which the hub
then uses as its own). Mails are sent with Python through the private
Postfix, as a mail client would."""
import base64
import contextlib
import hashlib
import hmac
import html
import os
import re
import sqlite3
import struct
import time
import uuid

import pytest

from email.message import EmailMessage

import positions
from mailhub import PRPL, mail_options, make_msg, start_mail_hub
from wslib import muc_user, ok, unique, wait_who, who_line


@pytest.fixture
def mail_hub(prosody, mail_servers, tmp_path):
    h = start_mail_hub(prosody, str(tmp_path / "hub"))
    try:
        yield h
    finally:
        if h.proc is not None:
            h.stop()


# -- the hub's store and its tokens -------------------------------------------------
def db(h):
    return contextlib.closing(sqlite3.connect(os.path.join(h.userdir, "roundtable.db"), timeout=10))


def query(h, sql, *args):
    with db(h) as c:
        return c.execute(sql, args).fetchall()


def token_key(h):
    with db(h) as c, c:
        c.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('token_key', randomblob(32))")
        return c.execute("SELECT value FROM meta WHERE key = 'token_key'").fetchone()[0]


def b36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out


def token(key, purpose, member_id, ws_id):
    """rt_token_make: HMAC-SHA256 over the versioned canonical string, 80 bits
    in lowercase base32."""
    canonical = b"roundtable/reply-token/v1\0" + purpose.encode() + struct.pack(">qq", member_id, ws_id)
    mac = base64.b32encode(hmac.new(key, canonical, hashlib.sha256).digest()[:10]).decode().lower()
    return "%s-%s-%s-%s" % (purpose, b36(member_id), b36(ws_id), mac)


def address(hub_addr, tok):
    local, domain = hub_addr.split("@")
    return "%s+%s@%s" % (local, tok, domain)


def ids(h, ws, handle):
    (row,) = query(h, "SELECT m.id, m.ws_id FROM members m JOIN workspaces w ON w.id = m.ws_id "
                      "WHERE w.name = ? AND m.handle = ?", ws, handle)
    return row


def outcome(h, message_id, timeout=15):
    """mail_in's outcome for a Message-ID, once the hub has taken it in."""
    deadline = time.monotonic() + timeout
    while True:
        rows = query(h, "SELECT outcome FROM mail_in WHERE message_id = ?", message_id)
        if rows:
            return rows[0][0]
        if time.monotonic() > deadline:
            raise AssertionError("mail %s never taken in" % message_id)
        time.sleep(0.1)


# -- mails as clients write them --------------------------------------------------
def new_id(domain):
    return "%s@%s" % (uuid.uuid4().hex, domain)


def thunderbird_fr(frm, to, subject, new_text, quoted, message_id, in_reply_to=None):
    """A French Thunderbird reply: the answer above, a signature, then
    "Le ... a écrit :" and the quoted mail."""
    body = (new_text + "\n\n-- \nChloé Martin\nAcme Paris\n\n"
            "Le 09/03/2026 à 10:15, Hub Zoë a écrit :\n"
            + "".join("> " + line + "\n" for line in quoted.split("\n")))
    m = make_msg(frm, to, subject, body)
    m.replace_header("Content-Type", 'text/plain; charset="UTF-8"; format=flowed')
    m["Message-ID"] = "<%s>" % message_id
    m["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.8.0"
    m["Content-Language"] = "fr"
    if in_reply_to:
        m["In-Reply-To"] = "<%s>" % in_reply_to
        m["References"] = "<%s>" % in_reply_to
    return m


OWA_DIV = ('<div class="elementToProof" style="font-family: Aptos, Aptos_EmbeddedFont, '
           'Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">\n%s</div>\n')


def owa_html_only(frm, to, subject, paragraphs, quoted_from, quoted, message_id):
    """An HTML-only reply as Outlook on the web writes it (French UI): one
    div per line, then the appendonsend marker, a rule and the
    divRplyFwdMsg header block (De/Envoyé/À/Objet) above the quoted mail;
    no text/plain part, base64."""
    lines = []
    for i, p in enumerate(paragraphs):
        if i:
            lines.append(OWA_DIV % "<br>")
        lines.append(OWA_DIV % html.escape(p))
    body = ('<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            '<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>\n'
            '</head>\n<body dir="ltr">\n' + "".join(lines) +
            '<div id="appendonsend"></div>\n<hr style="display:inline-block;width:98%%" tabindex="-1">\n'
            '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" '
            'color="#000000"><b>De&nbsp;:</b> %s<br>\n<b>Envoyé&nbsp;:</b> mardi 10 mars 2026 09:10<br>\n'
            '<b>À&nbsp;:</b> %s<br>\n<b>Objet&nbsp;:</b> %s</font>\n<div>&nbsp;</div>\n</div>\n'
            '<div style="font-size: 11pt;">\n%s</div>\n</body>\n</html>\n'
            % (html.escape(quoted_from), html.escape(frm), html.escape(subject), html.escape(quoted)))
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = frm, to, "RE: " + subject
    m["Message-ID"] = "<%s>" % message_id
    m["Thread-Topic"] = subject
    m["Accept-Language"] = "fr-FR, en-US"
    m["Content-Language"] = "fr-FR"
    m["X-MS-Has-Attach"] = ""
    m.set_content(body, subtype="html", charset="utf-8", cte="base64")
    return m


def plain(frm, to, subject, body, message_id, **headers):
    m = make_msg(frm, to, subject, body)
    m["Message-ID"] = "<%s>" % message_id
    for k, v in headers.items():
        m[k.replace("_", "-")] = v
    return m


def from_hub(h):
    nick = h.a.split("@", 1)[0]
    return lambda m: m["type"] == "groupchat" and m["nick"] == nick


def log_count(h, pattern):
    with open(os.path.join(h.userdir, "stderr.log"), errors="replace") as f:
        return sum(1 for line in f if re.search(pattern, line))


def setup_workspace(h, prosody, mail_servers, xmpp_client, immediate=False, bob_exists=True):
    """A workspace with a room (carol, a guest, sits in it) and a hub mailbox;
    members Chloé (fr, Paris), Bob and Dave with email addresses only."""
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers))
    chloe, chloe_pw = mail_servers.new_user("site-b.test", prefix="chloe")
    if bob_exists:
        bob, bob_pw = mail_servers.new_user("site-b.test", prefix="bob")
    else:
        # An address Dovecot does not know: Postfix accepts it, LMTP refuses it, Postfix bounces.
        bob, bob_pw = "ghost%d-%s@site-b.test" % (os.getpid(), uuid.uuid4().hex[:6]), None
    dave, dave_pw = mail_servers.new_user("site-b.test", prefix="dave")
    ws = unique("Reply WS")
    room = prosody.new_room("site-a.test")
    h.join(h.a, room)
    ok(h.cmd(h.a, room, '/ws create "%s"' % ws))
    ok(h.cmd(h.a, room, '/ws link "%s"' % ws))
    ok(h.cmd(h.a, room, '/ws mailbox "%s" %s --immediate %s' % (ws, hub_addr, "yes" if immediate else "no")))
    ok(h.cmd(h.a, room, '/ws member add "%s" chloe --name "Chloé Martin" --site Paris --lang fr '
                        '--tz Europe/Paris --email %s' % (ws, chloe)))
    ok(h.cmd(h.a, room, '/ws member add "%s" bob --name "Bob Silva" --site "São Paulo" '
                        '--tz America/Sao_Paulo --email %s' % (ws, bob)))
    ok(h.cmd(h.a, room, '/ws member add "%s" dave --name Dave --email %s' % (ws, dave)))
    carol = muc_user(xmpp_client, room, "carol", "site-a.test")
    key = token_key(h)
    return dict(ws=ws, room=room, hub=hub_addr, hub_pw=hub_pw, chloe=chloe, chloe_pw=chloe_pw,
                bob=bob, bob_pw=bob_pw, dave=dave, dave_pw=dave_pw, carol=carol, key=key)


def reply_to(h, s, handle, purpose="r"):
    member_id, ws_id = ids(h, s["ws"], handle)
    return address(s["hub"], token(s["key"], purpose, member_id, ws_id))


# -- (a) a French Thunderbird reply, in a thread; (e) unsubscribe by mail ----------
def test_reply_new_text_thread_and_unsubscribe(mail_hub, prosody, mail_servers, xmpp_client):
    h = mail_hub
    s = setup_workspace(h, prosody, mail_servers, xmpp_client)
    carol, chloe = s["carol"], s["chloe"]
    to = reply_to(h, s, "chloe")

    mid = new_id("site-b.test")
    new_text = "Bonjour,\n\nOui, jeudi me convient. Je prépare les chiffres pour Łódź."
    mail_servers.send(chloe, to, thunderbird_fr(chloe, to, "Re: [%s] Planning" % s["ws"], new_text,
                                                "Qui peut vérifier les chiffres ?\n\n-- \nRoundtable", mid))
    body = carol.wait_message(from_hub(h), 20)["body"]
    assert body == "Chloé Martin (Paris): " + new_text, body
    assert outcome(h, mid) == "posted"
    (row,) = query(h, "SELECT author_member, text, thread_id, origin FROM messages WHERE origin = ?", "mail:" + mid)
    assert row[0] == ids(h, s["ws"], "chloe")[0] and row[1] == new_text and row[2] == 0, row

    # A line in the room, mailed to Chloé as a mention (its Message-ID in
    # mail_out, as the mention sender records it): her answer lands in its thread.
    alice = muc_user(xmpp_client, s["room"], "alice", "site-a.test")
    alice.send_groupchat(s["room"], "Chloé, peux-tu vérifier les chiffres ?")
    deadline = time.monotonic() + 10
    while not query(h, "SELECT id FROM messages WHERE text LIKE 'Chloé, peux-tu%'"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    ((parent,),) = query(h, "SELECT id FROM messages WHERE text LIKE 'Chloé, peux-tu%'")
    mention = new_id("site-a.test")
    member_id, ws_id = ids(h, s["ws"], "chloe")
    with db(h) as c, c:
        c.execute("INSERT INTO mail_out (message_id, kind, ws_id, member_id, msg_id, sent_us) "
                  "VALUES (?, 'mention', ?, ?, ?, ?)", (mention, ws_id, member_id, parent, int(time.time() * 1e6)))
    mid2 = new_id("site-b.test")
    mail_servers.send(chloe, to, thunderbird_fr(chloe, to, "Re: [%s] alice (guest): Chloé, peux-tu…" % s["ws"],
                                                "C'est vérifié, les chiffres sont bons.",
                                                "Chloé, peux-tu vérifier les chiffres ?", mid2, in_reply_to=mention))
    body = carol.wait_message(lambda m: from_hub(h)(m) and "vérifié" in m["body"], 20)["body"]
    assert body == "Chloé Martin (Paris) ↪ alice: C'est vérifié, les chiffres sont bons.", body
    (row,) = query(h, "SELECT thread_id FROM messages WHERE origin = ?", "mail:" + mid2)
    assert row[0] == parent

    # (e) Unsubscribe by mail (the List-Unsubscribe address): the room sees a
    # notice, the member is marked, and nothing is mailed to her.
    unsub = new_id("site-b.test")
    mail_servers.send(chloe, reply_to(h, s, "chloe", "u"),
                      plain(chloe, reply_to(h, s, "chloe", "u"), "unsubscribe", "unsubscribe\n", unsub))
    body = carol.wait_message(lambda m: from_hub(h)(m) and "unsubscribed" in m["body"], 20)["body"]
    assert body == "Roundtable: Chloé Martin (Paris) unsubscribed from email digests (by mail).", body
    assert outcome(h, unsub) == "unsubscribed"
    ((since,),) = query(h, "SELECT unsubscribed_us FROM members WHERE id = ?", member_id)
    assert since > 0
    time.sleep(2)
    assert mail_servers.fetch_all(chloe, s["chloe_pw"]) == []
    # None of these mails was shown as an IM: the core took them.
    assert not [e for e in h.drain() if e["ev"] == "write" and e.get("kind") == "msg" and e.get("who") == chloe]


# -- an HTML-only reply (Outlook on the web): only its new text is posted ----------
def test_html_only_reply_posts_new_text(mail_hub, prosody, mail_servers, xmpp_client):
    h = mail_hub
    s = setup_workspace(h, prosody, mail_servers, xmpp_client)
    to = reply_to(h, s, "chloe")
    mid = new_id("site-b.test")
    paragraphs = ["Bonjour Zoë,", "Parfait, je réserve la salle à São Paulo pour le 21.", "Chloé"]
    msg = owa_html_only(s["chloe"], to, "[%s] Salle São Paulo" % s["ws"], paragraphs,
                        "Hub Zoë <%s>" % s["hub"], "Chloé, peux-tu réserver une salle ? <b>Zoë</b>", mid)
    assert [p.get_content_type() for p in msg.walk()] == ["text/html"]
    mail_servers.send(s["chloe"], to, msg)
    body = s["carol"].wait_message(from_hub(h), 20)["body"]
    assert body == "Chloé Martin (Paris): " + "\n\n".join(paragraphs), body
    assert outcome(h, mid) == "posted"
    (row,) = query(h, "SELECT text FROM messages WHERE origin = ?", "mail:" + mid)
    assert row[0] == "\n\n".join(paragraphs), row
    # Nothing of the quoted mail, its header block or the markup.
    for gone in ("peux-tu", "Envoyé", "Objet", "<", "&"):
        assert gone not in body, (gone, body)
    assert s["carol"].collect(from_hub(h), 1.0) == []


# -- (b) refused tokens: one explanation per sender; (c) an auto-reply ------------
def test_refused_tokens_and_auto_reply(mail_hub, prosody, mail_servers, xmpp_client):
    h = mail_hub
    s = setup_workspace(h, prosody, mail_servers, xmpp_client)
    good = reply_to(h, s, "chloe")
    dave_to = reply_to(h, s, "dave")
    ok(h.cmd(h.a, s["room"], '/ws member remove "%s" dave' % s["ws"]))
    forged_tok = good.split("+", 1)[1].split("@")[0]
    forged = address(s["hub"], forged_tok[:-1] + ("a" if forged_tok[-1] != "a" else "b"))
    eve, eve_pw = mail_servers.new_user("site-a.test", prefix="eve")
    mallory, mallory_pw = mail_servers.new_user("site-a.test", prefix="mallory")
    nobody, nobody_pw = mail_servers.new_user("site-a.test", prefix="nullsender")

    sent = []
    for attempt in range(2):
        for frm, to, envelope in ((eve, forged, eve),          # forged token
                                  (mallory, good, mallory),     # Chloé's token, another sender
                                  (s["dave"], dave_to, s["dave"]),  # a removed member's token
                                  (nobody, forged, "")):        # the null sender
            mid = new_id("site-a.test")
            mail_servers.send(envelope, to, plain(frm, to, "Re: planning", "Je réponds %d.\n" % attempt, mid))
            sent.append(mid)
    outcomes = [outcome(h, mid) for mid in sent]
    assert outcomes[:3] == ["reply address not valid", "reply address used from another address",
                            "reply address of a removed member"], outcomes
    assert outcomes[3] == "automatic", outcomes   # Return-Path: <> is never a person
    assert outcomes[4:] == outcomes[:4]

    # (c) Chloé's out-of-office with her valid token: nothing posted, no answer.
    auto = new_id("site-b.test")
    mail_servers.send(s["chloe"], good, plain(s["chloe"], good, "Réponse automatique : absente jusqu'au 20 mars",
                                              "Je suis absente.\n", auto, Auto_Submitted="auto-replied"))
    assert outcome(h, auto) == "automatic"

    for user, pw in ((eve, eve_pw), (mallory, mallory_pw), (s["dave"], s["dave_pw"])):
        mails = mail_servers.wait_for_mail(user, pw, 1, timeout=15)
    time.sleep(3)
    for user, pw in ((eve, eve_pw), (mallory, mallory_pw), (s["dave"], s["dave_pw"])):
        mails = mail_servers.fetch_all(user, pw)
        assert len(mails) == 1, (user, [m.message["Subject"] for m in mails])
        m = mails[0].message
        assert m["From"].addresses[0].addr_spec == s["hub"]
        assert m["Auto-Submitted"] == "auto-replied"
        assert m["Subject"].startswith("Your mail was not posted")
        text = m.get_content()
        assert "was not posted to the workspace" in text and s["hub"] in text
        # Never the token, nor any tagged hub address.
        assert "+" not in mails[0].raw.decode(errors="replace").split("\r\n\r\n", 1)[1]
        assert forged_tok not in mails[0].raw.decode(errors="replace")
    assert mail_servers.fetch_all(nobody, nobody_pw) == []
    assert mail_servers.fetch_all(s["chloe"], s["chloe_pw"]) == []
    # Nothing reached the room.
    assert s["carol"].collect(from_hub(h), 1.5) == []
    assert query(h, "SELECT COUNT(*) FROM messages")[0][0] == 0


# -- (d) a Postfix bounce marks Bob's address failing ------------------------------
def test_bounce_marks_address_failing(mail_hub, prosody, mail_servers, xmpp_client):
    h = mail_hub
    s = setup_workspace(h, prosody, mail_servers, xmpp_client, immediate=True, bob_exists=False)
    ws, room, bob = s["ws"], s["room"], s["bob"]
    assert "failing" not in who_line(h, h.a, room, ws, "bob")
    # A room line is mailed at once to the members; Bob's mailbox does not
    # exist, so Postfix returns a delivery status notification to the hub.
    s["carol"].send_groupchat(room, "Le devis part demain.")
    line = wait_who(h, h.a, room, ws, "bob", r"failing", timeout=30)
    assert re.search(r"email %s \(failing: 5\.1\.1 .*\)" % re.escape(bob), line) \
        or re.search(r"email %s \(failing: 550 5\.1\.1.*\)" % re.escape(bob), line), line
    assert "failing" not in who_line(h, h.a, room, ws, "chloe")
    assert query(h, "SELECT COUNT(*) FROM mail_in WHERE outcome = 'bounce'")[0][0] >= 1
    # The bounce was not posted.
    bodies = [m["body"] for m in s["carol"].collect(from_hub(h), 1.0)]
    assert not [b for b in bodies if "Undelivered" in b or "MAILER" in b.upper()], bodies

    # A later mail from that address clears it (and is posted as Bob).
    mid = new_id("site-b.test")
    mail_servers.send(bob, s["hub"], plain(bob, s["hub"], "Re: devis", "Mon adresse remarche.\n", mid))
    body = s["carol"].wait_message(lambda m: from_hub(h)(m) and "remarche" in m["body"], 20)["body"]
    assert body == "Bob Silva (São Paulo): Mon adresse remarche.", body
    assert "failing" not in who_line(h, h.a, room, ws, "bob")


# -- (f) the same mail seen twice, also across a restart ---------------------------
def test_same_mail_posted_once(mail_hub, prosody, mail_servers, xmpp_client):
    h = mail_hub
    s = setup_workspace(h, prosody, mail_servers, xmpp_client)
    to = reply_to(h, s, "chloe")
    mid = new_id("site-b.test")
    msg = thunderbird_fr(s["chloe"], to, "Re: budget", "Une seule fois, s'il vous plaît.", "Budget ?", mid)
    mail_servers.send(s["chloe"], to, msg)
    mail_servers.send(s["chloe"], to, msg)   # delivered twice (an SMTP retry, a forward)
    body = s["carol"].wait_message(from_hub(h), 20)["body"]
    assert body.endswith("Une seule fois, s'il vous plaît."), body
    deadline = time.monotonic() + 15
    while log_count(h, r"mail <?%s>? from .*: seen before" % re.escape(mid)) < 1:
        assert time.monotonic() < deadline, "second copy never polled"
        time.sleep(0.2)
    assert s["carol"].collect(from_hub(h), 1.5) == []

    # The hub stops and forgets where it was in the folder (as after a crash
    # before its positions file was written): both copies are fetched again.
    h.stop()
    assert int(positions.read(h.userdir, PRPL, s["hub"])["imap_last_uid:INBOX"]) > 0
    positions.update(h.userdir, PRPL, s["hub"], {"imap_last_uid:INBOX": "0"})
    seen_before = log_count(h, r"seen before")
    h.start()
    for user, password, protocol, options in sorted(h.accounts, key=lambda a: a[0] == h.a):
        h.add_account(user, password, protocol, options, remember=False)
    h.wait(lambda e: e["ev"] == "chat-joined" and e["room"] == s["room"], 15)
    deadline = time.monotonic() + 15
    while log_count(h, r"seen before") < seen_before + 2:
        assert time.monotonic() < deadline, "the copies were not fetched again"
        time.sleep(0.2)
    assert s["carol"].collect(from_hub(h), 2) == []
    assert query(h, "SELECT COUNT(*) FROM messages WHERE origin = ?", "mail:" + mid)[0][0] == 1
    assert query(h, "SELECT COUNT(*) FROM mail_in WHERE message_id = ?", mid)[0][0] == 1


# -- send-mail: the caller's Message-ID and References ------------------------------
def test_ipc_message_id_and_references(mail_hub, mail_servers):
    h = mail_hub
    hub_addr, hub_pw = mail_servers.new_user("site-a.test", prefix="hub")
    h.add_account(hub_addr, hub_pw, PRPL, mail_options(mail_servers))
    bob, bob_pw = mail_servers.new_user("site-b.test", prefix="bob")
    # Not a msg-id, or References without In-Reply-To: refused, nothing sent.
    for bad in ("no-at-sign", "two@@site-a.test", "a b@site-a.test", "x@", "<x@y>z@w", "é@site-a.test"):
        assert not h.ipc_mail(hub_addr, bob, text="t", message_id=bad), bad
    assert not h.ipc_mail(hub_addr, bob, text="t", references="<a@b>")
    mid = "digest.42.7@site-a.test"
    assert h.ipc_mail(hub_addr, bob, text="Digest", subject="Digest", message_id="<%s>" % mid,
                      in_reply_to="third@x.test", references="<first@x.test>\n second@x.test")
    (mail,) = mail_servers.wait_for_mail(bob, bob_pw, 1, timeout=15)
    assert mail.message["Message-ID"] == "<%s>" % mid
    assert mail.message["In-Reply-To"] == "<third@x.test>"
    assert mail.message["References"].split() == ["<first@x.test>", "<second@x.test>", "<third@x.test>"]
    time.sleep(1)
    assert len(mail_servers.fetch_all(bob, bob_pw)) == 1


# -- a spokesperson decides about a held message by mail ------------------------------
def test_spokesperson_approves_by_mail(mail_hub, prosody, mail_servers, xmpp_client):
    """Chloé has mail only: the held-message notice reaches her like any
    message, and she answers it from her mailbox: "/ws approve N" as the
    first line of a mail to her reply address (her Thunderbird signature
    and the quote below). Done with her roles, answered by mail, never
    posted into the workspace."""
    h = mail_hub
    s = setup_workspace(h, prosody, mail_servers, xmpp_client)
    carol, chloe = s["carol"], s["chloe"]
    # A second room speaks for the company: out only, public.
    public = prosody.new_room("site-a.test")
    h.join(h.a, public)
    ok(h.cmd(h.a, public, '/ws link "%s" --direction out --audience public' % s["ws"]))
    reader = muc_user(xmpp_client, public, "reader", "site-a.test")
    ok(h.cmd(h.a, s["room"], '/ws member set "%s" chloe --role spokesperson' % s["ws"]))

    carol.send_groupchat(s["room"], "Our tender price is final")
    notice = carol.wait_message(lambda m: from_hub(h)(m) and "is held for" in m["body"], 20)["body"]
    held_id = re.search(r"Message #(\d+) from carol \(guest\) is held for", notice).group(1)
    to = reply_to(h, s, "chloe")

    # Dave (no role) tries first: refused, answered by mail, nothing posted.
    dave_mid = new_id("site-b.test")
    mail_servers.send(s["dave"], reply_to(h, s, "dave"),
                      plain(s["dave"], reply_to(h, s, "dave"), "Re: held", "/ws approve %s\n" % held_id, dave_mid))
    assert outcome(h, dave_mid) == "command"
    (answer,) = mail_servers.wait_for_mail(s["dave"], s["dave_pw"], count=1, timeout=20)
    assert "Only a spokesperson or an owner" in answer.message.get_body(("plain",)).get_content(), answer.raw

    mid = new_id("site-b.test")
    mail_servers.send(chloe, to, thunderbird_fr(chloe, to, "Re: [%s] Roundtable: Message #%s" % (s["ws"], held_id),
                                                "/ws approve %s" % held_id, notice, mid))
    assert outcome(h, mid) == "command"
    line = reader.wait_message(lambda m: from_hub(h)(m) and "tender price" in m["body"], 20)["body"]
    assert line.endswith("Our tender price is final"), line
    (answer,) = mail_servers.wait_for_mail(chloe, s["chloe_pw"], count=1, timeout=20)
    text = answer.message.get_body(("plain",)).get_content()
    assert "Held message #%s approved by chloe" % held_id in text, answer.raw
    assert answer.message["Subject"].startswith("Re: ") and answer.message["Auto-Submitted"] == "auto-replied"
    # The command is nobody's message: not in the room, not stored as one.
    assert not [m for m in carol.collect(from_hub(h), 1) if "/ws approve" in m["body"] and "Chloé" in m["body"]]
    assert query(h, "SELECT count(*) FROM messages WHERE origin = ?", "mail:" + mid) == [(0,)]
    listing = ok(h.cmd(h.a, s["room"], '/ws held "%s"' % s["ws"]))
    assert "approved by chloe" in listing and "approve by dave refused" in listing, listing
