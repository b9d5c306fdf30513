"""Shared test helpers: run the real `klynge` CLI on real workbooks and read its JSON report."""

from __future__ import annotations

import atexit
import gc
import json
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.cli_server import command_built_once
from tests.workbooks import App, Built

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _no_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test reads or fills the user's result cache (module fixtures that run klynge too)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KLYNGE_CACHE_DIR", str(tmp_path_factory.mktemp("klynge-cache-session")))
        yield


# The modules that hold a test worker longest, first: they wait for the product's time limits
# and quiet periods (batch, watch) or run many end-to-end checks. Started last, one of them
# would be a worker's lone tail (make test passes --no-loadscope-reorder, so that pytest-xdist
# deals the modules out in this order rather than by their number of tests).
LONGEST_FIRST = (
    "test_batch.py",
    "test_watch.py",
    "test_rules_file.py",
    "test_annotate.py",
    "test_reporter_html.py",
    "test_output_safety.py",
    "test_cache.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: each module's tests keep their order


def pytest_collection_finish(session: pytest.Session) -> None:
    """The objects of collection (every test item, the modules, hypothesis) live to the end:
    frozen, Python's garbage collector stops walking them again and again in every test (a
    check in the tests' process took a third longer without)."""
    gc.freeze()


@pytest.fixture(scope="session", autouse=True)
def _command_built_once() -> Iterator[None]:
    """The CliRunners of the tests' own process build the command once (as run_check's klynge
    process does: `cli_server.command_built_once`). `klynge` itself builds it once per run."""
    import typer.testing

    built = command_built_once()
    if built is None:  # another typer: each invoke builds it, as before
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", built)
        yield


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with an empty cache: no test sees another's results or change marks."""
    monkeypatch.setenv("KLYNGE_CACHE_DIR", str(tmp_path_factory.mktemp("klynge-cache")))


SAMPLES = REPO / "sample_budgets"
EXPECTED = REPO / "tests" / "expected"  # NAME.expected: the findings sample NAME.xlsx must give


@dataclass
class Checked:
    """The outcome of one `klynge check --format json` run."""

    exit_code: int
    report: dict[str, Any]
    stderr: str

    @property
    def findings(self) -> list[dict[str, Any]]:
        return [f for file in self.report["files"] for f in file["findings"]]

    @property
    def codes(self) -> list[str]:
        return sorted(f["code"] for f in self.findings)

    def at(self, code: str) -> list[str]:
        """The locations (Sheet!Cell) of the findings with this code."""
        return sorted(f["location"] for f in self.findings if f["code"] == code)

    def only(self, code: str) -> dict[str, Any]:
        """The single finding with this code (fails when there are none or several)."""
        found = [f for f in self.findings if f["code"] == code]
        assert len(found) == 1, f"expected one {code}, got {self.codes}"
        return found[0]


_SERVERS: list[subprocess.Popen[bytes]] = []  # this test worker's klynge (tests/cli_server.py)


def _cli_server() -> subprocess.Popen[bytes]:
    if _SERVERS and _SERVERS[0].poll() is None:
        return _SERVERS[0]
    _SERVERS[:] = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.cli_server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=REPO,
        )
    ]
    return _SERVERS[0]


@atexit.register
def _stop_cli_server() -> None:
    for server in _SERVERS:
        assert server.stdin is not None and server.stdout is not None
        server.stdin.close()  # the server ends at the end of its requests
        server.wait(timeout=30)
        server.stdout.close()


def run_check(*args: str | Path) -> Checked:
    """`klynge check ARGS --format json` through the real CLI (typer's CliRunner), in this test
    worker's klynge process (tests/cli_server.py), with the test's environment and folder."""
    server = _cli_server()
    assert server.stdin is not None and server.stdout is not None
    request = (["check", *map(str, args), "--format", "json"], dict(os.environ), os.getcwd())
    try:
        pickle.dump(request, server.stdin)
        server.stdin.flush()
        exit_code, stdout, stderr, error = pickle.load(server.stdout)
    except (OSError, EOFError, pickle.UnpicklingError) as exc:
        raise RuntimeError(f"run_check's klynge process ended ({server.poll()}): {exc}") from exc
    if error is not None:
        raise AssertionError(f"klynge raised an exception:\n{error}")
    report = json.loads(stdout) if stdout.strip() else {}
    return Checked(exit_code, report, stderr)


def check(tmp_path: Path, app: App | Built, *args: str | Path) -> Checked:
    """Write `app` (or an already built workbook) and check it with the real CLI."""
    built = app.build() if isinstance(app, App) else app
    return run_check(built.write(tmp_path / "application.xlsx"), *args)


def ctrl_c_default() -> None:
    """For `Popen(preexec_fn=…)` in a test that sends SIGINT: a child of a shell that ignores
    Ctrl-C (a background job, nohup, some CI runners) inherits the ignoring, and Python then
    installs no KeyboardInterrupt; the default is what a terminal's foreground process has."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def address_space() -> int:
    """This process's address space (VmSize), which a forked child starts with."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmSize:")[1].split()[0]) << 10


def running(pid: int) -> bool:
    """A process is running (a zombie, ended but not yet reaped by init, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def money(value: object) -> Decimal:
    """An amount of the JSON report as a Decimal: report/3 writes it as an exact decimal string
    (`"1234.50"`), never a JSON number."""
    assert isinstance(value, str), f"an amount is a decimal string, not {value!r}"
    return Decimal(value)


def assert_messages(finding: dict[str, Any]) -> None:
    """Both languages are there, and they are not the same text."""
    da, en = finding["message"]["da"], finding["message"]["en"]
    assert da.strip() and en.strip()
    assert da != en
