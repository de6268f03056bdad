"""The Workspaces dialog (plugin actions, libpurple request API), driven
through the headless host's request UI as Pidgin or Finch would show it."""
from wslib import ok, unique


def test_dialog_creates_workspace_and_edits_members(hub):
    ws = unique("Dialog")
    hub.action("New workspace…", input=ws)
    assert ws in ok(hub.cmd(hub.a, "console@site-a.test", "/ws list"))

    events = hub.action("Workspaces and members…", workspace=0, handle="zoe",
                        name="Zoë Faure", site="Lyon", country="fr", tz="Europe/Paris", lang="fr",
                        hours="08:00-16:00", days="Mon-Thu", im="xmpp:zoe@site-a.test, irc:zoe",
                        offhours="true")
    assert [e["primary"] for e in events if e["ev"] == "request"] == ["Workspaces", "New member zoe"]
    shown = ok(hub.cmd(hub.a, "console@site-a.test", '/ws member show "%s" zoe' % ws))
    for part in ("Zoë Faure", "Lyon", "FR", "Europe/Paris", "08:00-16:00", "Mon-Thu",
                 "xmpp:zoe@site-a.test", "irc:zoe", "IM off-hours: yes"):
        assert part in shown, (part, shown)

    # A bad value is refused with a notification, and nothing changes.
    events = hub.action("Workspaces and members…", workspace=0, handle="zoe",
                        name="Someone Else", tz="Mars/Olympus", im="xmpp:zoe@site-a.test")
    notes = [e for e in events if e["ev"] == "notify"]
    assert notes and "Mars/Olympus" in notes[0]["secondary"]
    assert ok(hub.cmd(hub.a, "console@site-a.test", '/ws member show "%s" zoe' % ws)) == shown

    # Editing drops an endpoint that is no longer listed.
    hub.action("Workspaces and members…", workspace=0, handle="zoe", im="xmpp:zoe@site-a.test")
    edited = ok(hub.cmd(hub.a, "console@site-a.test", '/ws member show "%s" zoe' % ws))
    assert "irc:zoe" not in edited and "xmpp:zoe@site-a.test" in edited and "Zoë Faure" in edited

    hub.action("Workspaces and members…", workspace=0, handle="zoe", remove="true")
    assert "zoe" not in ok(hub.cmd(hub.a, "console@site-a.test", '/ws who "%s"' % ws))
