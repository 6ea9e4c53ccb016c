"""Which failures may be retried, and how long to wait before the next attempt.

Two rule sets, one per kind of call:

* a call that changes nothing (every GET) is retried on a connection error, a
  timeout, and 408, 429, 500, 502, 503 and 504;
* a call that changes state (buying, extending, rotating, restarting) is retried only
  when the server provably did not act on it: the connection was refused before the
  request was sent, or the answer was 429. Anything else that leaves the outcome open
  (a timeout, a dropped connection, a 5xx) is raised, flagged ``outcome_unknown``.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Callable
from datetime import timezone
from typing import Final

from ._config import INITIAL_BACKOFF, MAX_BACKOFF

__all__ = [
    "RETRYABLE_STATUSES",
    "backoff_delay",
    "parse_retry_after",
]

RETRYABLE_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})
#: Statuses after which a state-changing request may be sent again: only 429 says the
#: server turned the request away without acting on it.
STATE_CHANGING_RETRYABLE_STATUSES: Final = frozenset({429})


def backoff_delay(retry_number: int, random: Callable[[], float]) -> float:
    """Exponential backoff with full jitter, for retry ``retry_number`` (1-based).

    ``random`` returns a float in [0, 1); full jitter spreads clients that failed
    together so they do not come back together.
    """
    ceiling = min(MAX_BACKOFF, INITIAL_BACKOFF * 2.0 ** (retry_number - 1))
    return random() * ceiling


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait, from a Retry-After header in seconds or as an HTTP date.

    Args:
        value: the header value, or None when absent.
        now: the current wall-clock time as a Unix timestamp, for the date form.

    Returns:
        The wait in seconds (0 or more), or None when the header is absent or unreadable.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # RFC 9110 dates are always GMT; a zone-less parse means "-0000".
        when = when.replace(tzinfo=timezone.utc)
    return max(when.timestamp() - now, 0.0)
