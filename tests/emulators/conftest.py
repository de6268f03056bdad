"""pytest fixtures for the emulator's own tests (and for tests of other
helpers that want an emulator):

  emu   function: a fresh social emulator (Mastodon, Viva Engage, feeds) on
        127.0.0.1 in a background thread, heartbeat 0.3 s; stopped at teardown
  ctl   function: control.Control for emu
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "social"))

from control import Control  # noqa: E402
from emulator import Emulator  # noqa: E402


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
