"""The whole retry policy: what may be retried, how long to wait, and what is in doubt.

The transport reports what became of an attempt and asks :meth:`RetryPolicy.decide`
what to do next. Two rule sets, one per kind of call:

* a call that changes nothing (every GET) is retried on a connection error, a
  timeout, and 408, 429, 500, 502, 503 and 504;
* a call that changes state (buying, extending, rotating, restarting) is retried only
  when the server provably did not act on it: the connection was refused before the
  request was sent, or the answer was 429. Anything else that leaves the outcome open
  (a timeout, a dropped connection, a 5xx, a 2xx whose body is not a well-formed
  success) is raised, flagged ``outcome_unknown``.

Waits: a Retry-After header is obeyed up to :attr:`RetryPolicy.max_retry_after`
(the API's rate window is one minute, so a longer wait signals something else, and
the error is raised instead); otherwise exponential backoff with full jitter. A 429
also pauses the limiter, so that no other task draws its own 429 meanwhile. No retry
starts that the call's deadline would cut off.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random as _random
from collections.abc import Callable
from datetime import timezone
from typing import Final

import attrs

__all__ = [
    "RETRYABLE_STATUSES",
    "STATE_CHANGING_RETRYABLE_STATUSES",
    "RetryDecision",
    "RetryPolicy",
    "parse_retry_after",
]

logger = logging.getLogger("flashproxy_async")

RETRYABLE_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})
#: Statuses after which a state-changing request may be sent again: only 429 says the
#: server turned the request away without acting on it.
STATE_CHANGING_RETRYABLE_STATUSES: Final = frozenset({429})


@attrs.frozen
class RetryDecision:
    """What the transport does after a failed attempt.

    Attributes:
        retry_in: seconds to wait before the next attempt, or None to raise now.
        outcome_unknown: the server may have acted on the request (state changes only).
        pause_limiter: seconds every request on the limiter must wait (after a 429).
    """

    retry_in: float | None
    outcome_unknown: bool
    pause_limiter: float | None = None


@attrs.define
class RetryPolicy:
    """The retry rules and their numbers; one per transport, injectable in tests.

    Attributes:
        initial_backoff: the ceiling of the first backoff, in seconds; it doubles per
            retry up to ``max_backoff``. Each wait is uniform below its ceiling.
        max_backoff: the largest backoff ceiling, in seconds.
        max_retry_after: the longest Retry-After that is waited out, in seconds.
        random: a float in [0, 1) per call, for the jitter.
    """

    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    random: Callable[[], float] = _random.random

    def backoff(self, retry_number: int) -> float:
        """Exponential backoff with full jitter, for retry ``retry_number`` (1-based).

        Full jitter spreads clients that failed together so they do not come back
        together.
        """
        ceiling = min(self.max_backoff, self.initial_backoff * 2.0 ** (retry_number - 1))
        return self.random() * ceiling

    def decide(
        self,
        *,
        status: int | None,
        sent: bool,
        state_changing: bool,
        attempt: int,
        max_retries: int,
        retry_after: float | None = None,
        time_left: float | None = None,
    ) -> RetryDecision:
        """Decide what follows a failed attempt.

        Args:
            status: the HTTP status of an answer that is an error (a 2xx whose body
                says it failed included), or None when no answer came.
            sent: the request may have reached the server (False only when provably
                unsent, as for a refused connection).
            state_changing: the call buys or changes something.
            attempt: the attempt that failed, 1-based.
            max_retries: retries allowed after the first attempt.
            retry_after: the server's Retry-After, in seconds, if it sent one.
            time_left: seconds left before the call's deadline, or None.
        """
        if status is not None and 200 <= status < 300:
            # A 2xx whose body says "not done" (success false, no data): for a state
            # change that is done or unknown, never "surely not done"; never retried.
            return RetryDecision(retry_in=None, outcome_unknown=state_changing)
        if status is None:
            retryable = not state_changing or not sent
            unknown = state_changing and sent
            pause = None
        else:
            allowed = STATE_CHANGING_RETRYABLE_STATUSES if state_changing else RETRYABLE_STATUSES
            retryable = status in allowed
            unknown = state_changing and status >= 500
            pause = None
            if status == 429:
                pause = retry_after if retry_after is not None else self.backoff(attempt)
        delay = self._delay(retryable, attempt, max_retries, retry_after, time_left)
        return RetryDecision(retry_in=delay, outcome_unknown=unknown, pause_limiter=pause)

    def _delay(
        self,
        retryable: bool,
        attempt: int,
        max_retries: int,
        retry_after: float | None,
        time_left: float | None,
    ) -> float | None:
        if not retryable or attempt > max_retries:
            return None
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                logger.info(
                    "not retrying: server asked to wait %.1fs, over the %.1fs cap",
                    retry_after,
                    self.max_retry_after,
                )
                return None
            delay = retry_after
        else:
            delay = self.backoff(attempt)
        if time_left is not None and delay >= time_left:
            return None
        return delay


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
