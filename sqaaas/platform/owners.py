"""Who owns a container or volume: a process identity that a reused pid cannot impersonate.

Containers run under the engine's monitor, outside the process tree of the sqaaas process
that started them, so they outlive it when it is killed. Each carries the label
``sqaaas.owner=<pid>-<start time>`` of the process responsible for it: ``sqaaas serve``
passes its own identity to its job processes (``SQAAAS_OWNER``), so that everything its jobs
start can be found, and removed, once the server is gone (``sqaaas.platform.reaper``). The
start time
(clock ticks since boot, from /proc) tells a dead owner from a new process given its pid.
"""

from __future__ import annotations

import os
import re
import uuid

OWNER_LABEL = "sqaaas.owner"
OWNER_ENV = "SQAAAS_OWNER"
_IDENTITY = re.compile(r"^[1-9][0-9]{0,9}-[0-9a-f]{1,32}$")


def process_identity(pid: int) -> str | None:
    """``<pid>-<start time>`` of a live process, None when there is none (or no /proc)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if len(fields) < 20 or fields[0] in ("Z", "X"):  # a zombie has finished
        return None
    return f"{pid}-{fields[19]}"  # field 22 of stat: starttime


_own = process_identity(os.getpid()) or f"{os.getpid()}-{uuid.uuid4().hex}"


def current_owner() -> str:
    """The owner of what this process starts: the inherited server's, else this process'."""
    inherited = os.environ.get(OWNER_ENV, "")
    return inherited if _IDENTITY.match(inherited) else own_identity()


def own_identity() -> str:
    """This process' identity (what ``sqaaas serve`` hands down to its jobs); computed
    again in a forked child, which inherits the module but not the pid."""
    global _own
    if not _own.startswith(f"{os.getpid()}-"):
        _own = process_identity(os.getpid()) or f"{os.getpid()}-{uuid.uuid4().hex}"
    return _own


def owner_alive(owner: str) -> bool | None:
    """Whether the owner process still runs; None for a label this module did not write
    (or an identity /proc cannot check): such an owner is never judged dead."""
    if not _IDENTITY.match(owner):
        return None
    pid, start = owner.split("-")
    if not start.isdigit() or not os.path.isdir("/proc/self"):
        return None  # a random identity (no /proc): cannot be checked
    return process_identity(int(pid)) == owner
