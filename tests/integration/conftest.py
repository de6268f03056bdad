"""pytest fixtures for the integration tests.

Prosody / raw XMPP (logic in prosody.py and xmpp.py):
  prosody      session: a running private Prosody (see prosody.Prosody)
  xmpp_client  function: factory making logged-in xmpp.Client objects,
               disconnected at teardown
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from prosody import Prosody  # noqa: E402
from xmpp import Client      # noqa: E402


# -- Prosody and raw XMPP clients ------------------------------------------------
@pytest.fixture(scope="session")
def prosody(tmp_path_factory):
    """One Prosody for the whole session; stopped at the end even on failure.
    State (accounts, rosters, rooms) is shared: use prosody.new_user()/new_room().
    Its files (prosody.log!) stay in pytest's basetemp, /tmp/pytest-of-$USER/."""
    server = Prosody()
    server.start(str(tmp_path_factory.mktemp("prosody")),
                 log_level=os.environ.get("PROSODY_LOG_LEVEL"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def xmpp_client(prosody):
    """make(jid=None, password=None, *, host="site-a.test", resource="test",
    show=None, register=True, mechanism="PLAIN", **Client_kwargs) -> Client.
    jid=None registers a fresh user on host; register=True (re)creates the
    account with that password, so any jid works."""
    clients = []

    def make(jid=None, password=None, *, host="site-a.test", resource="test",
             show=None, register=True, mechanism="PLAIN", **kwargs):
        if jid is None:
            jid, password = prosody.new_user(host, password=password or "secret")
        else:
            password = password or "secret"
            if register:
                user, h = jid.split("@", 1)
                prosody.register_many([(user, h, password)])
        client = Client(**kwargs)
        clients.append(client)
        return client.connect(prosody.host, prosody.port, jid, password,
                              resource=resource, show=show, mechanism=mechanism)

    yield make
    for c in clients:
        try:
            c.disconnect()
        except Exception:
            pass


# -- The Roundtable hub (logic in hub.py) ----------------------------------------
from hub import start_hub  # noqa: E402
# The private Dovecot + Postfix, shared by the mail tests (session scope).
from mailservers import mail_servers  # noqa: E402,F401


@pytest.fixture
def hub(prosody, tmp_path):
    h = start_hub(prosody, str(tmp_path / "hub"))
    try:
        yield h
    finally:
        if h.proc is not None:
            h.stop()


# -- The social API emulator (tests/emulators/social), for the stream tests --------
from streamhub import Control, Emulator  # noqa: E402


@pytest.fixture
def emu():
    server = Emulator(heartbeat=0.3).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ctl(emu):
    return Control(emu.url)
