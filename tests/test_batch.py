"""The caseworker's inbox: a batch of real workbooks through the real CLI and through
`run_batch`: stable order whatever the scheduling, KL204 across files, the per-file summary,
and worker isolation (a worker that aborts, runs out of memory or hangs costs only its file)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from klyngecli.batch import (
    STUCK_SECONDS,
    BatchOptions,
    MemoryWatch,
    Task,
    _Worker,
    limit_memory,
    process_context,
    run_batch,
)
from klyngecli.callspec import load_call
from klyngecli.cli import FailOn, exit_code
from klyngecli.engine import Options, check_file
from klyngecli.reader.prescreen import Limits
from klyngecli.report import FileResult
from tests.conftest import REPO, SAMPLES, address_space, ctrl_c_default, money, running
from tests.workbooks import App, basis_app, innovation_app, valid_cvr

CORPUS = REPO.parent / "shared" / "corpus" / "realworld"
ENCRYPTED = CORPUS / "PhpSpreadsheet" / "pwtest.xls"

CLEAN_INNOVATION = 59  # 80 workbooks in all: a morning's inbox, and a batch that takes a while
CLEAN_BASIS = 10
SAME_APPLICANT = 3  # one CVR, three innovation applications of 18.000.000 kr. each
BROKEN = 5
ENCRYPTED_COPIES = 2
SKIPPED = {"~$lock-1.xlsx": "lock-file", "~$lock-2.xlsx": "lock-file",
           "~$lock-3.xlsx": "lock-file", ".hidden.xlsx": "hidden",
           "notes.txt": "not-a-workbook", "README.md": "not-a-workbook"}  # fmt: skip


def klynge(
    *args: str | Path, cwd: Path | None = None, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """The real console entry point in a fresh process, without a terminal."""
    return subprocess.run(
        [sys.executable, "-m", "klyngecli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """80 workbooks and 6 other paths, as a caseworker's inbox has them."""
    folder = tmp_path_factory.mktemp("inbox")
    for seed in range(1, CLEAN_INNOVATION + 1):
        innovation_app(seed).write(folder / f"innovation-{seed:03d}.xlsx")
    for seed in range(1, CLEAN_BASIS + 1):
        basis_app(500 + seed).write(folder / f"basis-{seed:02d}.xlsx")
    same = valid_cvr(424_242)  # no innovation_app(seed) or basis_app(seed) has it
    for k in range(SAME_APPLICANT):
        app = innovation_app(900 + k)
        app.cvr = same
        app.contact = f"Kontakt {k}"  # another application, not a copy
        app.write(folder / f"samme-ansoeger-{k}.xlsx")
    # A byte copy of an earlier file: the same application twice.
    shutil.copy(folder / "innovation-001.xlsx", folder / "zz-kopi-af-001.xlsx")
    whole = (folder / "innovation-002.xlsx").read_bytes()
    for k in range(BROKEN):
        (folder / f"broken-{k}.xlsx").write_bytes(whole[: 400 + 100 * k])
    for k in range(ENCRYPTED_COPIES):
        shutil.copy(ENCRYPTED, folder / f"encrypted-{k}.xls")
    for name in SKIPPED:
        (folder / name).write_bytes(b"not a workbook")
    return folder


def test_inbox_summary_counts_and_kl204(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = klynge("check", inbox, "--format", "json", "-o", out, "-j", "2")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(out.read_text("utf-8"))
    summary = report["summary"]
    workbooks = CLEAN_INNOVATION + CLEAN_BASIS + SAME_APPLICANT + 1 + BROKEN + ENCRYPTED_COPIES
    assert workbooks == 80
    assert (summary["files"], summary["passed"], summary["failed"], summary["unreadable"]) == (
        workbooks,
        CLEAN_INNOVATION + CLEAN_BASIS,
        SAME_APPLICANT + 1,
        BROKEN + ENCRYPTED_COPIES,
    )
    assert summary["skipped"] == len(SKIPPED)
    assert {(Path(s["path"]).name, s["reason"]) for s in summary["skipped_paths"]} == set(
        SKIPPED.items()
    )
    assert summary["codes"]["KL204"] == SAME_APPLICANT + 1
    assert summary["codes"]["KL001"] == BROKEN
    assert summary["codes"]["KL002"] == ENCRYPTED_COPIES
    # The summary names every file that did not pass, in path order.
    not_passed = [Path(line["path"]).name for line in summary["not_passed"]]
    assert not_passed == sorted(not_passed)
    assert len(not_passed) == SAME_APPLICANT + 1 + BROKEN + ENCRYPTED_COPIES
    # The batch's DEB request against the pools: the copy counts once.
    pools = {p["grant"]: p for p in summary["pools"]}
    assert pools["innovation"]["files"] == CLEAN_INNOVATION + SAME_APPLICANT
    assert money(pools["innovation"]["requested"]) == 18_000_000 * (
        CLEAN_INNOVATION + SAME_APPLICANT
    )
    assert money(pools["basis"]["requested"]) == 9_200_000 * CLEAN_BASIS

    files = {Path(f["path"]).name: f for f in report["files"]}
    for k in range(SAME_APPLICANT):
        (finding,) = [f for f in files[f"samme-ansoeger-{k}.xlsx"]["findings"]]
        assert finding["code"] == "KL204"
        assert finding["location"] == "Ansøger!B2"  # the CVR cell
        assert money(finding["found"]) == 54_000_000 and money(finding["limit"]) == 23_000_000
        assert money(finding["fix"]["amount"]) == 31_000_000
        others = [f"samme-ansoeger-{j}.xlsx" for j in range(SAME_APPLICANT) if j != k]
        assert all(name in finding["message"]["en"] for name in others)
        assert f"samme-ansoeger-{k}.xlsx" not in finding["message"]["en"]
    (copy,) = files["zz-kopi-af-001.xlsx"]["findings"]
    assert copy["code"] == "KL204" and "innovation-001.xlsx" in copy["message"]["da"]
    assert files["innovation-001.xlsx"]["findings"] == []  # the earlier file is not blamed


def test_one_and_two_workers_give_the_same_bytes(inbox: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "j1.json", tmp_path / "j2.json"
    # --no-cache: both runs really check every file (a cache would serve the second).
    klynge("check", inbox, "--format", "json", "-o", one, "-j", "1", "--no-cache")
    klynge("check", inbox, "--format", "json", "-o", two, "-j", "2", "--no-cache")
    assert one.read_bytes() == two.read_bytes()
    paths = [f["path"] for f in json.loads(one.read_text("utf-8"))["files"]]
    assert paths == sorted(paths)


def test_inbox_text_summary_names_the_files(inbox: Path) -> None:
    done = klynge("check", inbox, "-q", "--lang", "en", env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 1
    for name in ("samme-ansoeger-0.xlsx", "broken-3.xlsx", "encrypted-1.xls", "~$lock-2.xlsx"):
        assert name in done.stdout, name
    assert "innovation-007.xlsx" not in done.stdout  # passed files are counted, not listed


def test_kl204_follows_select_and_ignore(inbox: Path, tmp_path: Path) -> None:
    ignored = klynge("check", inbox, "--format", "json", "--ignore", "KL204")
    assert "KL204" not in json.loads(ignored.stdout)["summary"]["codes"]
    (tmp_path / "klynge.toml").write_text(
        '[per-file-ignores]\n"samme-ansoeger-*.xlsx" = ["KL204"]\n', encoding="utf-8"
    )
    acknowledged = klynge("check", inbox, "--format", "json", cwd=tmp_path)
    codes = json.loads(acknowledged.stdout)["summary"]["codes"]
    assert codes["KL204"] == 1  # only the duplicate is left


def test_statistics_count_every_code(inbox: Path) -> None:
    done = klynge("check", inbox, "-q", "--statistics", env={**os.environ, "NO_COLOR": "1"})
    lines = [line.split() for line in done.stdout.splitlines()]
    counts = {words[1]: int(words[0]) for words in lines if len(words) > 1 and words[0].isdigit()
              and words[1].startswith("KL")}  # fmt: skip
    assert counts == {"KL204": 4, "KL001": BROKEN, "KL002": ENCRYPTED_COPIES}


# --- Worker isolation ------------------------------------------------------------------------


def _faulty(path: Path, options: Options, label: str) -> FileResult:
    """A checker that misbehaves on purpose for some file names, like a native reader can."""
    if "abort" in path.name:
        os.abort()
    if "hog" in path.name:
        hoard = bytearray(64 << 30)  # over any limit, refused at once (no time to fill it)
        return FileResult(path=label, verdict="passed", findings=[], rules_run=[str(len(hoard))])
    if "hang" in path.name:
        time.sleep(600)
    if "exit" in path.name:
        os._exit(3)
    return check_file(path, options, label)


@pytest.fixture(scope="module")
def faulty_folder(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("faulty")
    names = ["a-ok.xlsx", "b-abort.xlsx", "c-ok.xlsx", "d-hog.xlsx", "e-hang.xlsx",
             "f-ok.xlsx", "g-exit.xlsx", "h-fail.xlsx"]  # fmt: skip
    for k, name in enumerate(names):
        app = innovation_app(k + 1)
        if name == "h-fail.xlsx":
            app.submitted = datetime(2024, 8, 13, 12, 0, 1)  # KL501: one real error
        app.write(folder / name)
    return sorted(folder.iterdir())


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_dying_worker_costs_only_its_file(faulty_folder: list[Path], jobs: int) -> None:
    call = load_call()
    options = BatchOptions(
        check=Options(call=call, now=datetime.now(call.zone)),
        jobs=jobs,
        timeout=6,  # the hanging file's limit; every other file takes well under it
        max_memory=1 << 30,
        checker=_faulty,
    )
    report = run_batch([Task(p, p.name) for p in faulty_folder], options)
    results = {r.path: r for r in report.files}
    assert list(results) == [p.name for p in faulty_folder]  # every file, in path order
    for ok in ("a-ok.xlsx", "c-ok.xlsx", "f-ok.xlsx"):
        assert results[ok].verdict == "passed", results[ok].findings
    assert [f.code for f in results["h-fail.xlsx"].findings] == ["KL501"]

    def only(name: str) -> tuple[str, str]:
        (finding,) = results[name].findings
        return finding.code, finding.message_en

    code, message = only("b-abort.xlsx")
    assert code == "KL900" and "SIGABRT" in message
    code, message = only("d-hog.xlsx")
    assert code == "KL011" and "1,024 MiB" in message and "memory" in message  # English
    code, message = only("e-hang.xlsx")
    assert code == "KL011" and "6 s" in message
    code, message = only("g-exit.xlsx")
    assert code == "KL900" and "code 3" in message
    assert report.summary.files == len(faulty_folder)
    assert report.summary.unreadable == 2  # the KL011s
    assert exit_code(report, FailOn.error) == 1


def test_workers_dying_file_after_file_cost_only_their_files(tmp_path: Path) -> None:
    """Every other file ends its worker: the parent, feeding the next file to a worker that has
    just died, must give that file to a new worker (once a BrokenPipeError stopped the batch)."""
    names = [f"{k:02d}-{'exit' if k % 2 else 'ok'}.xlsx" for k in range(12)]
    for k, name in enumerate(names):
        innovation_app(k + 1).write(tmp_path / name)
    call = load_call()
    options = BatchOptions(
        check=Options(call=call, now=datetime.now(call.zone)),
        jobs=1,
        timeout=30,
        max_memory=1 << 30,
        checker=_faulty,
    )
    report = run_batch([Task(tmp_path / n, n) for n in names], options)
    results = {r.path: r for r in report.files}
    assert list(results) == names
    for name in names:
        codes = [f.code for f in results[name].findings]
        assert codes == (["KL900"] if "exit" in name else []), (name, codes)


def _children(pid: int) -> set[str]:
    """The processes `pid` has started and not yet reaped (Linux)."""
    return set(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())


def _who_checks(path: Path, options: Options, label: str) -> FileResult:
    """A checker that says which worker checked the file and which processes the batch's
    process had started by then (rules_run carries them back)."""
    parent = os.getppid()
    return FileResult(
        path=label,
        verdict="passed",
        findings=[],
        rules_run=[str(os.getpid()), *sorted(_children(parent))],
    )


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads Linux's /proc")
@pytest.mark.parametrize(("files", "jobs", "workers"), [(1, 4, 1), (2, 2, 2), (3, 2, 2)])
def test_no_more_workers_than_files_and_each_gets_a_file(
    tmp_path: Path, files: int, jobs: int, workers: int
) -> None:
    """A worker forked for nothing cost a one-file check (an applicant's, every test's) a fifth
    of its time; with PREFETCH, two files on -j 2 once went to one worker and waited."""
    names = [f"{k}.xlsx" for k in range(files)]
    for name in names:
        (tmp_path / name).write_bytes(b"")  # never read: the checker only looks around
    call = load_call()
    options = BatchOptions(
        check=Options(call=call, now=datetime.now(call.zone)), jobs=jobs, checker=_who_checks
    )
    before = _children(os.getpid())
    report = run_batch([Task(tmp_path / n, n) for n in names], options)
    checked_by = {r.rules_run[0] for r in report.files}
    started = set().union(*(set(r.rules_run[1:]) for r in report.files)) - before
    assert len(started) == workers
    assert checked_by == started  # every worker started got a file


def test_a_dead_worker_takes_no_task(tmp_path: Path) -> None:
    call = load_call()
    options = BatchOptions(check=Options(call=call, now=datetime.now(call.zone)), jobs=1)
    worker = _Worker(process_context(), options)
    worker.process.kill()
    worker.process.join(timeout=10)
    assert not worker.give(0, Task(tmp_path / "a.xlsx", "a.xlsx"))
    assert not worker.tasks  # the task stays with the parent, for another worker
    worker.stop()


def test_workers_that_cannot_start_end_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers that end as soon as they start (a process limit, say) are not forked again
    forever: a worker that took a file costs that file (KL900); workers that die before they
    can take one stop the batch as the tool's own failure. Which of the two happens depends on
    how fast the worker dies; either way the batch ends."""
    import klyngecli.batch

    names = [f"{k}.xlsx" for k in range(4)]
    for k, name in enumerate(names):
        innovation_app(k + 1).write(tmp_path / name)
    monkeypatch.setattr(klyngecli.batch, "_work", lambda *_: os._exit(1))  # forked: inherited
    call = load_call()
    options = BatchOptions(check=Options(call=call, now=datetime.now(call.zone)), jobs=2)
    try:
        report = run_batch([Task(tmp_path / n, n) for n in names], options)
    except RuntimeError as stop:
        assert "before they take a file" in str(stop)
        return
    for result in report.files:
        (finding,) = result.findings
        assert finding.code == "KL900" and "code 1" in finding.message_en


def test_a_native_reader_over_the_memory_limit_is_kl011(tmp_path: Path) -> None:
    """A real file: one far cell (XFD1048576) makes the native reader allocate the whole
    extent. With the sheet screen raised out of the way (klynge.toml), the reader's allocation
    fails under the worker's address-space limit: KL011 naming the memory limit, and the other
    file of the batch is still checked."""
    far = tmp_path / "far.xlsx"
    App().write(far)
    _put_far_cell(far)
    innovation_app(3).write(tmp_path / "ok.xlsx")
    # Every cell-count limit of the screen out of the way: only the worker's memory limit is left.
    raised = [name for name in Limits.model_fields if name.endswith("cells")]
    (tmp_path / "klynge.toml").write_text(
        "[limits]\n" + "".join(f"{name} = 100000000000000\n" for name in raised),
        encoding="utf-8",
    )
    done = klynge("check", ".", "--format", "json", "--max-memory", "1GiB", cwd=tmp_path)
    report = json.loads(done.stdout)
    files = {Path(f["path"]).name: f for f in report["files"]}
    assert files["ok.xlsx"]["verdict"] == "passed"
    codes = [f["code"] for f in files["far.xlsx"]["findings"]]
    assert codes == ["KL011"], files["far.xlsx"]["findings"]
    assert "1.024 MiB" in files["far.xlsx"]["findings"][0]["message"]["da"]
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "memory allocation" not in done.stderr


def _put_far_cell(path: Path) -> None:
    """Add a value cell at XFD1048576 to the Budget sheet's XML."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    name = "xl/worksheets/sheet2.xml"
    parts[name] = parts[name].replace(
        b"</sheetData>",
        b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>',
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)


# --- Ctrl-C, output and input ------------------------------------------------------------------


def test_ctrl_c_stops_the_batch_prints_a_partial_summary_and_writes_nothing(
    inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "klyngecli", "check", str(inbox), "-j", "1", "--timeout", "30",
         "--format", "json", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ctrl_c_default,
    )  # fmt: skip
    _wait_for_workers(process)  # the batch is under way: there is a partial summary to print
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".report.json.*"))  # no temporary file left either
    assert "Traceback" not in stderr
    assert "afbrudt" in stderr.lower()  # the partial summary says it was interrupted


def _wait_for_workers(process: subprocess.Popen[str]) -> None:
    """Until the process has forked its first worker (Linux: /proc lists its children)."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    if not children.exists():
        time.sleep(3.0)  # no /proc: long enough for imports and the listing on a slow machine
        return
    for _ in range(6000):
        if children.read_text().strip() or process.poll() is not None:
            return
        time.sleep(0.01)


def test_no_worker_outlives_a_killed_batch(inbox: Path) -> None:
    """A batch killed outright (SIGKILL: no finally, no cleanup) takes its workers with it:
    none is left running, holding memory and the terminal's pipes."""
    process = subprocess.Popen(
        [sys.executable, "-m", "klyngecli", "check", str(inbox), "-j", "2", "--no-cache"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    if not children.exists():
        process.kill()
        process.wait()
        pytest.skip("this system has no /proc to list a process's children")
    for _ in range(6000):
        if children.read_text().split() or process.poll() is not None:
            break
        time.sleep(0.01)
    workers = [int(pid) for pid in children.read_text().split()]
    assert workers, "the batch ended before a worker was seen"
    process.kill()
    process.wait()
    for _ in range(500):
        if not any(running(pid) for pid in workers):
            break
        time.sleep(0.01)
    assert not any(running(pid) for pid in workers)


def test_ctrl_c_while_the_files_are_listed_is_one_plain_line(tmp_path: Path) -> None:
    """Ctrl-C before the batch starts (here: while klynge waits for a workbook on standard
    input) is exit 130 with one line, not typer's silent exit."""
    process = subprocess.Popen(
        [sys.executable, "-m", "klyngecli", "check", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ctrl_c_default,
    )
    assert process.stdin is not None
    process.stdin.write("x")  # read once klynge is in the command: then it waits for the rest
    process.stdin.flush()
    _wait_for_read(process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr == "klynge: afbrudt\n"


def _wait_for_read(process: subprocess.Popen[str]) -> None:
    """Until the process blocks reading its standard input (Linux: /proc/PID/wchan names the
    kernel function it waits in)."""
    wchan = Path(f"/proc/{process.pid}/wchan")
    if not wchan.exists():
        time.sleep(3.0)  # no /proc: long enough for imports on a slow machine
        return
    for _ in range(6000):  # a minute at most
        if process.poll() is not None or "pipe_read" in wchan.read_text():
            return
        time.sleep(0.01)


def test_output_never_names_an_input(tmp_path: Path) -> None:
    workbook = tmp_path / "ok.xlsx"
    innovation_app(1).write(workbook)
    before = workbook.read_bytes()
    done = klynge("check", workbook, "-o", workbook)
    assert done.returncode == 2
    assert "ok.xlsx" in done.stderr
    assert workbook.read_bytes() == before


def test_output_dash_is_standard_output() -> None:
    done = klynge("check", SAMPLES / "innovation-korrekt.xlsx", "--format", "json", "-o", "-")
    assert done.returncode == 0
    assert json.loads(done.stdout)["files"][0]["verdict"] == "passed"


def test_dash_reads_one_workbook_from_standard_input() -> None:
    data = (SAMPLES / "deb-loft-overskredet.xlsx").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "klyngecli", "check", "-", "--format", "json"],
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    (result,) = json.loads(done.stdout)["files"]
    assert result["path"] == "-"
    assert [f["code"] for f in result["findings"]] == ["KL201"]


def test_an_empty_path_is_a_usage_error() -> None:
    done = klynge("check", "")
    assert done.returncode == 2
    assert "tom sti" in done.stderr


def test_progress_bar_only_in_a_terminal(inbox: Path) -> None:
    piped = klynge("check", inbox, "-j", "2")
    assert "Kontrollerer" not in piped.stderr
    script = shutil.which("script")
    if script is None:
        pytest.fail("the `script` command (util-linux) is needed to give klynge a terminal")
    command = f"{sys.executable} -m klyngecli check {inbox} -j 2 > /dev/null"
    done = subprocess.run(
        [script, "-qec", command, "/dev/null"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Kontrollerer" in done.stdout  # the terminal shows standard error
    no_bar = subprocess.run(
        [script, "-qec", command.replace("check", "check --no-progress"), "/dev/null"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Kontrollerer" not in no_bar.stdout


def test_an_xlsx_and_its_ods_resave_are_the_same_application(tmp_path: Path) -> None:
    from tests.libreoffice import resave_one

    original = innovation_app(7).write(tmp_path / "a-original.xlsx")
    resaved = resave_one(original, "ods", tmp_path / "resave")
    copy = tmp_path / "b-resaved.ods"
    shutil.move(resaved, copy)
    changed = innovation_app(7)
    changed.budget_line("Løn").amounts[2025] = 1  # one amount differs: another application
    changed.cvr = valid_cvr(777_777)  # of another applicant, so no KL204 for the CVR either
    changed.write(tmp_path / "c-changed.xlsx")
    done = klynge("check", tmp_path, "--format", "json")
    files = {Path(f["path"]).name: f for f in json.loads(done.stdout)["files"]}
    assert files["a-original.xlsx"]["content_hash"] == files["b-resaved.ods"]["content_hash"]
    (finding,) = [f for f in files["b-resaved.ods"]["findings"] if f["code"] == "KL204"]
    assert "a-original.xlsx" in finding["message"]["en"] and finding["location"] is None
    assert files["c-changed.xlsx"]["content_hash"] != files["a-original.xlsx"]["content_hash"]
    assert not [f for f in files["a-original.xlsx"]["findings"] if f["code"] == "KL204"]


def test_workbooks_without_an_application_are_never_duplicates(tmp_path: Path) -> None:
    for name in ("x.xlsx", "y.xlsx"):
        App(name=None, cvr=None).write(tmp_path / name)  # the same, but nobody applies
    done = klynge("check", tmp_path, "--format", "json")
    report = json.loads(done.stdout)
    assert "KL204" not in report["summary"]["codes"]
    assert all(f["content_hash"] is None for f in report["files"])


_HOARD: list[bytearray] = []  # what `_filling` keeps: the worker's memory stays at its limit


def _filling(path: Path, options: Options, label: str) -> FileResult:
    """A checker that fills its worker's memory up to the limit, for some file names: `stuck`
    then waits there, as a worker in CPython's out-of-memory loop does; `full` keeps the memory
    and returns a result, as a file whose check just fitted; `slow` takes longer than the
    watch's STUCK_SECONDS."""
    if "stuck" in path.name or "full" in path.name:
        try:
            while True:
                _HOARD.append(bytearray(64 << 10))
        except MemoryError:
            del _HOARD[:16]  # room to send the result, below the top: the address space stays
        if "stuck" in path.name:
            time.sleep(600)
        return FileResult(path=label, verdict="passed", findings=[])
    if "slow" in path.name:
        time.sleep(STUCK_SECONDS + 1)
    return check_file(path, options, label)


def test_a_worker_held_at_its_memory_limit_is_over_it_and_a_full_one_is_replaced(
    tmp_path: Path,
) -> None:
    """Decided item 69 in a batch: a worker stuck at its memory limit costs its file a KL011
    that names the memory (not, after --timeout, the time); a worker that ends a file at the
    limit is replaced, so that the next file, however long it takes, is not taken for stuck."""
    for k, name in enumerate(["a-stuck.xlsx", "b-full.xlsx", "c-slow.xlsx"]):
        innovation_app(k + 1).write(tmp_path / name)
    space = address_space()
    call = load_call()
    options = BatchOptions(
        check=Options(call=call, now=datetime.now(call.zone)),
        jobs=1,
        timeout=30,  # a stuck worker would be stopped here, and its finding name the time
        max_memory=space + (64 << 20),
        checker=_filling,
    )
    report = run_batch([Task(p, p.name) for p in sorted(tmp_path.iterdir())], options)
    results = {r.path: r for r in report.files}
    (stuck,) = results["a-stuck.xlsx"].findings
    assert stuck.code == "KL011" and "memory" in stuck.message_en, stuck.message_en
    assert results["b-full.xlsx"].verdict == "passed", results["b-full.xlsx"].findings
    assert results["c-slow.xlsx"].verdict == "passed", results["c-slow.xlsx"].findings


def _held(conn: Connection, limit: int, fill: bool) -> None:
    """A child under `limit`: with `fill`, it allocates until the limit refuses more (as a
    child stuck in CPython's out-of-memory loop stays), else a little; then it waits."""
    limit_memory(limit)
    hoard = [bytearray(64 << 10) for _ in range(16)]
    try:
        while fill:
            hoard.append(bytearray(64 << 10))
    except MemoryError:
        hoard.pop()  # room to say so
    conn.send(len(hoard))
    time.sleep(60)


def test_a_child_held_at_its_memory_limit_is_seen_as_over_it() -> None:
    """The watch that stops a worker or an annotated copy stuck at its memory limit (decided
    item 69): it sees a child that stays at its limit, after STUCK_SECONDS, and never one
    below it."""
    context = process_context()
    limit = address_space() + (32 << 20)
    children = {}
    for fill in (True, False):
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_held, args=(sender, limit, fill), daemon=True)
        child.start()
        assert receiver.poll(60) and receiver.recv() > 0
        children[fill] = (child, MemoryWatch(child.pid, limit))
    started = time.monotonic()
    seen: dict[bool, float] = {}
    # Until the full child is seen (a generous bound for a busy machine), and the other one
    # has been watched for longer than it would take.
    while time.monotonic() - started < 60 and (
        True not in seen or time.monotonic() - started < STUCK_SECONDS + 1
    ):
        for fill, (_child, watch) in children.items():
            if fill not in seen and watch.stuck():
                seen[fill] = time.monotonic() - started
        time.sleep(0.1)
    for child, _watch in children.values():
        child.kill()
        child.join()
    assert list(seen) == [True]
    assert seen[True] >= STUCK_SECONDS  # not at the first sample at the limit
