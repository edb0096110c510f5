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


def hub_env(server: HubServer, home: Path, **extra: str) -> dict[str, str]:
    """What a child needs to use ``server`` as its Hub, with its own huggingface_hub home.

    ``HF_ENDPOINT`` is read when huggingface_hub is imported: children get it from birth.
    """
    return {
        "HF_ENDPOINT": server.endpoint,
        "HF_HOME": str(home),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "HF_TOKEN": "hf_test_token_for_the_local_server",
        **extra,
    }
