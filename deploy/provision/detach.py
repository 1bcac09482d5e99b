"""Run a command as a detached server: ``python detach.py PID_FILE COMMAND...``.

The supervisor starts this in a session of its own. It forks once: the child execs COMMAND,
the parent records the child's pid in PID_FILE and exits at once. The server is therefore not
the supervisor's child: it outlives the caller and never lingers as the caller's zombie.
It is run by path, so it needs nothing importable besides the standard library.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    """Fork, exec the command in the child, record the child's pid; the exit status is 0."""
    if len(sys.argv) < 3:
        print("usage: detach.py PID_FILE COMMAND...", file=sys.stderr)
        return 2
    pid_file, command = sys.argv[1], sys.argv[2:]
    child = os.fork()
    if child == 0:
        try:
            os.execvp(command[0], command)
        except OSError as exc:
            print(f"cannot run {command[0]}: {exc}", file=sys.stderr)
            os._exit(127)
    # Written whole and renamed, so a reader never sees half a pid.
    partial = f"{pid_file}.partial"
    with open(partial, "w") as handle:
        handle.write(f"{child}\n")
    os.replace(partial, pid_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
