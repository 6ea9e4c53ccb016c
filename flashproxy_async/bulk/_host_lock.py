"""Locks held by a provisioning run on this host: one per account, one per journal.

Each is a small file in a per-user runtime directory, held with ``flock`` (released
by the kernel when the process dies, even by SIGKILL) and holding the pid and the
journal of its holder, so that a second run can say who holds it. Accounts are keyed
by base URL and a fingerprint of the key, never the key itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from ._journal_base import JournalInUseError

__all__ = ["HostLock", "key_fingerprint", "runtime_dir"]


def runtime_dir() -> Path:
    """The per-user directory for lock files: ``$XDG_RUNTIME_DIR`` or the temp dir."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if not base or not os.access(base, os.W_OK):
        base = tempfile.gettempdir()
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = Path(base) / f"flashproxy-{uid}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def key_fingerprint(api_key: str) -> str:
    """A short, one-way name for an API key."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


class HostLock:
    """An exclusive, non-blocking lock on this host, named by ``what`` in messages."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        self.what = what
        self._fd: int | None = None

    @classmethod
    def for_account(cls, base_url: str, api_key: str) -> HostLock:
        fingerprint = key_fingerprint(api_key)
        path = runtime_dir() / f"account-{_digest(base_url, fingerprint)}.lock"
        return cls(path, f"the account at {base_url} (key {fingerprint[:8]}...)")

    @classmethod
    def for_journal(cls, journal: Path) -> HostLock:
        path = runtime_dir() / f"journal-{_digest(str(journal.resolve()))}.lock"
        return cls(path, f"journal {journal}")

    def acquire(self, *, journal: str) -> None:
        """Take the lock, or fail at once naming its holder.

        Raises:
            JournalInUseError: another run holds it.
        """
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory lock
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise JournalInUseError(
                f"{self.what} is in use by another provisioning run ({holder}); "
                "wait for it to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "journal": journal}).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.ftruncate(fd, 0)
            os.close(fd)


def _read_holder(fd: int) -> str:
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {holder['pid']}, journal {holder['journal']}"
    except (ValueError, KeyError, TypeError, OSError):
        return "holder unknown"
