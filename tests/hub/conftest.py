"""The Hub-compatible server, shared by the session, and the environment children use it by."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from hub_server import HubServer


@pytest.fixture(scope="session")
def hub() -> Iterator[HubServer]:
    server = HubServer().start()
    yield server
    server.stop()
    # every call the client made is one the server implements: no Xet, LFS or other path
    # was taken that the tests do not know about
    assert server.unserved == []
