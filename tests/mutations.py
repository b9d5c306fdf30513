"""Mutated copies of the sample workbooks: flipped bytes, truncation, dropped zip entries and
damaged XML, with a fixed seed. Run as `python -m tests.mutations SEED COUNT FOLDER`: checks each
case with the engine and prints one JSON line per case (the test runs it in a child process, so
that even a native crash in a reader could not take the test runner down)."""

from __future__ import annotations

import io
import json
import random
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from klyngecli.callspec import load_call
from klyngecli.engine import Options, check_file

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "sample_budgets").glob("*.xlsx"))
KINDS = ("flip", "truncate", "drop", "damage-xml")


def mutate(data: bytes, kind: str, rng: random.Random) -> bytes:
    if kind == "flip":
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        return bytes(flipped)
    if kind == "truncate":
        return data[: rng.randrange(len(data))]
    source = zipfile.ZipFile(io.BytesIO(data))
    victim = rng.choice(source.infolist()).filename
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == victim:
                if kind == "drop":
                    continue
                damaged = bytearray(part)
                for _ in range(rng.randint(1, 5)):
                    if damaged:
                        damaged[rng.randrange(len(damaged))] = rng.choice(b'<>"/=&;x0 ')
                part = bytes(damaged)
            target.writestr(info, part)
    return buffer.getvalue()


def main(seed: int, count: int, folder: Path) -> None:
    rng = random.Random(seed)
    call = load_call()
    options = Options(call=call, now=datetime(2026, 1, 1, tzinfo=call.zone))
    for index in range(count):
        kind = KINDS[index % len(KINDS)]
        path = folder / f"case{index:04d}-{kind}.xlsx"
        path.write_bytes(mutate(rng.choice(SAMPLES).read_bytes(), kind, rng))
        result = check_file(path, options)
        codes = [f.code for f in result.findings]
        print(json.dumps({"case": path.name, "kind": kind, "codes": codes}), flush=True)
        path.unlink()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
