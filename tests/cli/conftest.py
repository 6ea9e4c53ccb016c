from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def flashproxy_fake_options() -> dict[str, Any]:
    return {"time_scale": 0.001}
