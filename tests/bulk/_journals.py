"""Journals written by hand, as a killed or older run would have left them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flashproxy_async.bulk import PlanOrder
from flashproxy_async.bulk._journal_base import job_id


def header(orders: Sequence[PlanOrder], base_url: str) -> str:
    record = {
        "flashproxy_journal": "provision",
        "format": 2,
        "job": job_id(orders),
        "base_url": base_url,
    }
    return json.dumps(record) + "\n"


def intent(order: PlanOrder, sent_at: float = 0.0) -> str:
    record = {"v": 2, "event": "intent", "reference": order.reference, "sent_at": sent_at}
    return json.dumps(record) + "\n"


def line(**record: Any) -> str:
    return json.dumps({"v": 2, **record}) + "\n"


def write(path: Path, orders: Sequence[PlanOrder], base_url: str, *lines: str) -> None:
    path.write_text(header(orders, base_url) + "".join(lines))


def events(path: Path) -> list[str]:
    """The events of a journal, header left out; a torn line ends the list."""
    found = []
    for text in path.read_text().splitlines()[1:]:
        try:
            found.append(json.loads(text)["event"])
        except ValueError:
            break
    return found
