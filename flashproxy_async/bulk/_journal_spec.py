"""open_journal(): a journal from how a command line names it (a path or a Redis URL)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ._journal_base import JournalError
from ._redis_journal import RedisJournal

__all__ = ["open_journal"]

_REDIS_SCHEMES = ("redis", "rediss", "unix")


def open_journal(spec: str) -> str | RedisJournal:
    """The journal ``spec`` names: a file path, or a :class:`RedisJournal` for a Redis URL.

    ``redis://HOST:PORT/DB?job=NAME`` (also ``rediss://`` and ``unix://``) names the
    job ``NAME`` in that Redis; ``&lease=SECONDS`` sets the lease. Any other
    parameter is passed on to Redis. Anything else is a journal file's path.

    Raises:
        JournalError: a Redis URL without ``job``, or with a ``lease`` that is not a
            positive number; nothing was sent.
    """
    parts = urlsplit(spec)
    if parts.scheme not in _REDIS_SCHEMES:
        return spec
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    job = params.pop("job", "")
    shown = urlunsplit(parts._replace(netloc=parts.hostname or "", query=""))
    if not job:
        raise JournalError(f"journal {shown}: name the job, as in {shown}?job=NAME")
    lease_text = params.pop("lease", None)
    url = urlunsplit(parts._replace(query=urlencode(params)))
    if lease_text is None:
        return RedisJournal(url, job)
    try:
        return RedisJournal(url, job, lease=float(lease_text))
    except ValueError:
        raise JournalError(
            f"journal {shown}?job={job}: lease must be a positive number of seconds, "
            f"got {lease_text!r}"
        ) from None
