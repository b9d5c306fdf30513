"""The result cache and the change memory: one SQLite file (stdlib `sqlite3`, WAL mode) in the
user's cache folder (`platformdirs`), `$KLYNGE_CACHE_DIR`, or `--cache-dir`.

A file's check is skipped when its bytes, the call's rules, the tool (version and code) and every
option that changes findings are those of a stored result. The path is not part of the key: the
same bytes under another name are the same application, and a hit is re-labelled by the batch.
A result that depended on the clock (`--submitted-at now`, KL506's "the call is open now") is
never stored, nor one the checker could not finish (a worker's time or memory limit, KL900), so
neither is ever served stale.

The change memory remembers, per folder argument of `klynge check`, the identity (SHA-256) of
each file it held in the previous completed run: `new`, `changed` or `unchanged` in the report.

The cache is only ever an optimisation. Any trouble with it (a corrupt or foreign file, another
process holding it too long, a full disk, a folder that cannot be written) is one warning line
on standard error, and the run goes on: with the file rebuilt, or without the cache.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from klyngecli import __version__
from klyngecli.engine import Options
from klyngecli.report import FileResult, result_from_json, result_json
from klyngecli.safetext import shown

Change = Literal["new", "changed", "unchanged"]

SCHEMA_ID = "klyngecli-cache/2"  # a file with another id is foreign: rebuilt
# Earlier forms of this cache: their results are dropped without a warning (an upgrade is no
# trouble), the change memory is kept. /1 stored amounts as JSON numbers, /2 as exact decimals.
OLDER_SCHEMAS = frozenset({"klyngecli-cache/1"})
FILE_NAME = "cache.sqlite3"
ENV_DIR = "KLYNGE_CACHE_DIR"
BUSY_SECONDS = 10.0  # how long a run waits for another run's write before giving up the cache
FLUSH_EVERY = 200  # results per write transaction (short, so a concurrent run never waits long)
KEEP_SECONDS = 90 * 24 * 3600  # a result not stored again for 90 days is dropped
CHUNK = 1 << 20

# The rules whose findings depend on the clock (they read `ctx.now`); tests/test_cache.py fails
# when a rule reads the clock and is not listed here.
CLOCK_CODES = frozenset({"KL506"})
# What the batch reports for a file whose worker hit its time or memory limit (KL011 `found`):
# the machine's load, not the file, decided it.
UNFINISHED = frozenset({"timeout", "max-memory"})

_TABLES = {
    "meta": "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "results": "CREATE TABLE results (key TEXT PRIMARY KEY, result TEXT NOT NULL, "
    "stored REAL NOT NULL)",
    "runs": "CREATE TABLE runs (scope BLOB PRIMARY KEY, at REAL NOT NULL)",
    "seen": "CREATE TABLE seen (scope BLOB NOT NULL, path BLOB NOT NULL, identity TEXT NOT NULL, "
    "PRIMARY KEY (scope, path))",
}


def default_dir() -> Path:
    """`$KLYNGE_CACHE_DIR` when set (the tests point it at a temporary folder), else the user's
    cache folder for klyngecli."""
    env = os.environ.get(ENV_DIR, "").strip()
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("klyngecli", appauthor=False))


# --- the key ----------------------------------------------------------------------------------


_OWN_FILES = (".py", ".toml", ".json")


@cache
def tool_version() -> str:
    """The version and a digest of the package's own files: a rule changed in a working copy
    is a new tool even before the version number moves. The digest is of each file's name,
    size and modification time (a fraction of a millisecond, where reading them all takes
    several); a package that is not a folder on disk is read instead."""
    digest = hashlib.sha256()
    try:
        for name, size, mtime in _stat_walk(Path(__file__).parent):
            digest.update(f"{name}\0{size}\0{mtime}\0".encode("utf-8", "surrogateescape"))
    except OSError:
        digest = hashlib.sha256(b"read")
        for name, data in _read_walk(resources.files("klyngecli")):
            digest.update(name.encode() + b"\0" + data + b"\0")
    return f"{__version__}+{digest.hexdigest()[:16]}"


def _stat_walk(folder: Path, prefix: str = "") -> Iterator[tuple[str, int, int]]:
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_dir():
                if entry.name != "__pycache__":
                    yield from _stat_walk(Path(entry.path), f"{prefix}{entry.name}/")
            elif entry.name.endswith(_OWN_FILES):
                info = entry.stat()
                yield f"{prefix}{entry.name}", info.st_size, info.st_mtime_ns


def _read_walk(folder: Traversable) -> Iterator[tuple[str, bytes]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _read_walk(entry)
        elif entry.name.endswith(_OWN_FILES):
            yield entry.name, entry.read_bytes()


def _plain(value: object) -> object:
    """A JSON-ready form of an option, whatever kind of value it is."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def options_digest(options: Options) -> str:
    """Every option that can change a finding: all of `Options` but the clock (a result that
    read the clock is not stored), with the call dumped canonically and the tool's version. A
    field added to `Options` is part of the key without a change here."""
    parts = {
        f.name: _plain(getattr(options, f.name))
        for f in dataclasses.fields(options)
        if f.name != "now"
    }
    parts["tool"] = tool_version()
    text = json.dumps(parts, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def file_sha256(path: Path, limit: int) -> str | None:
    """The SHA-256 of the file's bytes, streamed; None when it cannot be read or is larger than
    `limit` (such a file goes to a worker, which reports it as KL011 without reading it)."""
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size > limit:
                return None
            while block := handle.read(CHUNK):
                size += len(block)
                if size > limit:
                    return None
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def depends_on_clock(result: FileResult, options: Options) -> bool:
    """The result would differ at another moment: `--submitted-at now`, or a finding of a rule
    that reads the clock."""
    if options.submitted_at is not None and options.submitted_at == options.now:
        return True
    return any(f.code in CLOCK_CODES for f in result.findings)


def storable(result: FileResult, options: Options) -> bool:
    """A result the same bytes and options give again, at any moment, on any machine."""
    if depends_on_clock(result, options):
        return False
    for finding in result.findings:
        if finding.code == "KL900":
            return False  # retried next time: the failure may be the machine's, or fixed
        if finding.code == "KL011" and finding.found in UNFINISHED:
            return False
    return True


# --- change scopes ----------------------------------------------------------------------------


def _folders(arguments: Sequence[str]) -> dict[bytes, Path]:
    """The folder arguments, by identity: resolved, so `Indbakke`, `./Indbakke` and its absolute
    path are one folder. A file or a glob named on the command line is no folder: its files get
    no mark (the memory is of the inbox)."""
    folders: dict[bytes, Path] = {}
    for argument in arguments:
        given = Path(argument)  # as paths.select_files reads an argument
        if argument != "-" and given.is_dir():
            folders.setdefault(os.fsencode(given.resolve()), given)
    return folders


def _within(path: Path, folder: Path) -> bytes | None:
    """The file's name relative to the folder argument that it was found in (so the memory
    holds when the command runs from another folder), or None when it is not in it."""
    try:
        return os.fsencode(path.relative_to(folder))
    except ValueError:
        return None


def _mark(before: str | None, now: str) -> Change:
    if before is None:
        return "new"
    return "unchanged" if before == now else "changed"


# --- the cache --------------------------------------------------------------------------------


def _busy(exc: BaseException) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED, with any extended code: another run holds the file."""
    return isinstance(exc, sqlite3.OperationalError) and exc.sqlite_errorcode & 0xFF in (
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    )


class ResultCache:
    """One run's view of the cache file. Never raises: trouble disables it for the run."""

    def __init__(self, folder: Path, lang: str = "da", warn: Callable[[str], None] | None = None):
        self.file = folder / FILE_NAME
        self.lang = lang
        self._warn_to = warn or (lambda line: print(line, file=sys.stderr))
        self._warned = False
        self._db: sqlite3.Connection | None = None
        self._identities: dict[Path, str | None] = {}
        self._digests: dict[int, tuple[object, str]] = {}
        self._pending: list[tuple[str, str, float]] = []
        self._memory: dict[bytes, list[tuple[bytes, str]]] = {}
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._db = self._open()
        except sqlite3.Error as exc:
            self._trouble(exc)
        except OSError as exc:
            self._give_up(exc)

    # --- opening ----------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # timeout: the busy timeout, how long a statement waits for another run's lock.
        deadline = time.monotonic() + BUSY_SECONDS
        while True:
            db = sqlite3.connect(self.file, timeout=BUSY_SECONDS, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")  # WAL: durable enough for a cache
                return db
            except BaseException as exc:
                db.close()
                # Switching to WAL while another run opens or closes the same new file can be
                # refused at once, without the busy timeout: it is tried again, not given up.
                if not _busy(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(0.01)

    def _open(self) -> sqlite3.Connection:
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            tables = {
                name: sql
                for name, sql in db.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type='table'"
                )
            }
            if not tables:
                for sql in _TABLES.values():
                    db.execute(sql)
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_ID,))
                tables = dict(_TABLES)
            if tables != _TABLES:
                raise sqlite3.DatabaseError("not a klyngecli cache (other tables)")
            row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if row is not None and row[0] in OLDER_SCHEMAS:
                db.execute("DELETE FROM results")
                db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (SCHEMA_ID,))
                row = (SCHEMA_ID,)
            if row is None or row[0] != SCHEMA_ID:
                raise sqlite3.DatabaseError(f"another cache schema ({row[0] if row else None})")
            db.execute("DELETE FROM results WHERE stored < ?", (time.time() - KEEP_SECONDS,))
            db.execute("COMMIT")
        except BaseException:
            db.close()
            raise
        return db

    def _rebuild(self, why: BaseException) -> None:
        self._close_db()
        self._warn(
            f"resultat-cachen {self.file} kunne ikke bruges ({why}) og bygges op på ny",
            f"the result cache {self.file} could not be used ({why}) and is rebuilt",
        )
        try:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.file}{suffix}").unlink(missing_ok=True)
            self._db = self._open()
        except (OSError, sqlite3.Error) as exc:
            self._give_up(exc)

    def _give_up(self, why: BaseException) -> None:
        self._close_db()
        self._warn(
            f"resultat-cachen {self.file} kan ikke bruges ({why}); der kontrolleres uden den",
            f"the result cache {self.file} cannot be used ({why}); checking without it",
        )

    def _trouble(self, exc: sqlite3.Error) -> None:
        """A damaged or foreign file (not a database, malformed, another schema) is rebuilt;
        anything else (another run holding a lock too long, a full disk, no permission) ends the
        cache's use for this run, and leaves the file to the runs that can use it."""
        self._pending.clear()
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            self._rebuild(exc)
        else:
            self._give_up(exc)

    def _warn(self, da: str, en: str) -> None:
        if not self._warned:
            self._warned = True
            label = "warning" if self.lang == "en" else "advarsel"
            # The line quotes a path and a library's message: escaped (decided item 4).
            self._warn_to(f"klynge: {label}: {shown(en if self.lang == 'en' else da)}")

    def _close_db(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    # --- results ----------------------------------------------------------------------------

    def identity(self, path: Path, limit: int) -> str | None:
        """The file's SHA-256 (computed once per run), or None when it cannot be hashed."""
        if path not in self._identities:
            self._identities[path] = file_sha256(path, limit)
        return self._identities[path]

    def _key(self, path: Path, options: Options) -> str | None:
        sha = self.identity(path, options.limits.max_file_bytes)
        if sha is None:
            return None
        known = self._digests.get(id(options))
        if known is None or known[0] is not options:  # `options` kept alive: its id stays its own
            known = (options, options_digest(options))
            self._digests[id(options)] = known
        return f"{sha}:{known[1]}"

    def get(self, path: Path, options: Options) -> FileResult | None:
        """The stored result for these bytes and options, or None."""
        if self._db is None:
            return None
        key = self._key(path, options)
        if key is None:
            return None
        try:
            row = self._db.execute("SELECT result FROM results WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            self._trouble(exc)
            return None
        if row is None:
            return None
        try:
            result = result_from_json(row[0])
        except ValueError:
            return None  # a row this version cannot read: checked again, and overwritten
        if result.sha256 != key.partition(":")[0]:
            return None
        return result

    def put(self, path: Path, options: Options, result: FileResult) -> None:
        """Store a worker's result, unless it depends on the clock, was not finished, or the
        file changed while it was checked."""
        if self._db is None or not storable(result, options):
            return
        key = self._key(path, options)
        if key is None or result.sha256 != key.partition(":")[0]:
            return
        # The path is not part of the key (a hit gets this run's name), and a name that is not
        # UTF-8 could not be stored as JSON text anyway.
        stored = result.model_copy(update={"change": None, "path": ""})
        try:
            value = result_json(stored)
            exact = result_from_json(value) == stored
        except (TypeError, ValueError):
            exact = False
        if not exact:
            return  # a value JSON cannot carry exactly (NaN): never served different
        self._pending.append((key, value, time.time()))
        if len(self._pending) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if self._db is None or not self._pending:
            return
        rows, self._pending = self._pending, []
        try:
            with self._transaction() as db:
                db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", rows)
        except sqlite3.Error as exc:
            self._trouble(exc)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction (BEGIN IMMEDIATE: it waits for another run's, up to
        BUSY_SECONDS, instead of failing half-way)."""
        assert self._db is not None
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- the change memory ------------------------------------------------------------------

    def changes(
        self, arguments: Sequence[str], files: Sequence[Path], limit: int
    ) -> dict[Path, Change]:
        """Each file's mark against the previous completed run over the folder argument that
        holds it (the first, when several do); no mark in a folder never run over before.
        `remember()` then makes this run the previous one."""
        if self._db is None:
            return {}
        scopes = _folders(arguments)
        try:
            ran = {row[0] for row in self._db.execute("SELECT scope FROM runs")}
            previous = {
                scope: dict(
                    self._db.execute("SELECT path, identity FROM seen WHERE scope = ?", (scope,))
                )
                for scope in scopes
                if scope in ran
            }
        except sqlite3.Error as exc:
            self._trouble(exc)
            return {}
        marks: dict[Path, Change] = {}
        self._memory = {scope: [] for scope in scopes}
        for path in files:
            for scope, folder in scopes.items():
                name = _within(path, folder)
                if name is None:
                    continue
                identity = self._change_identity(path, limit)
                self._memory[scope].append((name, identity))
                if path not in marks and scope in previous:
                    marks[path] = _mark(previous[scope].get(name), identity)
        return marks

    def _change_identity(self, path: Path, limit: int) -> str:
        sha = self.identity(path, limit)
        if sha is not None:
            return sha
        try:  # too large to hash (it is KL011 anyway) or unreadable: its size and time
            info = path.stat()
        except OSError:
            return "unreadable"
        return f"stat:{info.st_size}:{info.st_mtime_ns}"

    def remember(self) -> None:
        """Make this run the previous one for the folder arguments that `changes()` saw."""
        if self._db is None or not self._memory:
            return
        try:
            with self._transaction() as db:
                for scope, entries in self._memory.items():
                    db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?)", (scope, time.time()))
                    db.execute("DELETE FROM seen WHERE scope = ?", (scope,))
                    db.executemany(
                        "INSERT OR REPLACE INTO seen VALUES (?, ?, ?)",
                        [(scope, name, identity) for name, identity in entries],
                    )
        except sqlite3.Error as exc:
            self._trouble(exc)

    # --- closing ----------------------------------------------------------------------------

    def close(self) -> None:
        self.flush()
        self._close_db()

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
