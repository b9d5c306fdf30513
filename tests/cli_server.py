"""The `klynge` that `run_check` talks to: the real CLI (typer's CliRunner, as before) in a small
process of its own, one per test worker, started on first use.

Why not in the test process itself: klynge checks each file in a forked worker, and a fork
costs in proportion to the memory of the process that forks (its page tables, and the
copy-on-write faults of both processes after it). A test worker holds every test module,
hypothesis and openpyxl (about 100 MiB); this process holds klyngecli and typer (about
35 MiB), as a user's `klynge` does.

Each request is the command's arguments, and the environment and working folder of the test at
that moment (so that `monkeypatch.setenv`/`chdir` apply as before); the reply is the exit code,
standard output, standard error and, when the CLI raised something other than SystemExit, its
traceback. Requests and replies are pickles on the process's own pipes.
"""

from __future__ import annotations

import functools
import gc
import os
import pickle
import sys
import traceback
from collections.abc import Callable
from typing import IO, Any


def command_built_once() -> Callable[..., Any] | None:
    """typer's CliRunner builds the click command from the app's signatures on every invoke
    (about 3 ms); the command is the same each time, so it is built once per app: the builder
    to put in `typer.testing._get_command`, or None for a typer without it."""
    import typer.testing

    build = getattr(typer.testing, "_get_command", None)
    return functools.cache(build) if build is not None else None


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    import typer.testing
    from typer.testing import CliRunner

    from klyngecli.cli import app

    built = command_built_once()
    if built is not None:
        typer.testing._get_command = built  # type: ignore[attr-defined]
    gc.freeze()  # what is imported stays: the collector need not walk it after each check
    while True:
        try:
            args, environ, cwd = pickle.load(requests)
        except EOFError:  # the test worker has ended
            return
        os.environ.clear()
        os.environ.update(environ)
        os.chdir(cwd)
        result = CliRunner().invoke(app, args)
        error: str | None = None
        if result.exception and not isinstance(result.exception, SystemExit):
            assert result.exc_info is not None
            error = "".join(traceback.format_exception(*result.exc_info))
        reply: tuple[Any, ...] = (result.exit_code, result.stdout, result.stderr, error)
        pickle.dump(reply, replies)
        replies.flush()


if __name__ == "__main__":
    # The protocol has pipes of its own; the CLI and the workers it forks see /dev/null as
    # standard input and output, never the protocol.
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    quiet = os.open(os.devnull, os.O_RDWR)
    os.dup2(quiet, 0)
    os.dup2(quiet, 1)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
    serve(requests, replies)
