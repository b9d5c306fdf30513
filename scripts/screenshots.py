"""Regenerate the README's pictures from the real program, never by hand:

- docs/img/html-report.png: `klynge check sample_budgets/*.xlsx --format html` opened in
  Debian's headless Chromium (scripts/chromium.py), the top of the page;
- docs/img/terminal.svg: the colour terminal report of two samples, recorded by rich.

Run `.venv/bin/python scripts/screenshots.py` after a change that shows in either.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from rich._export_format import CONSOLE_SVG_FORMAT  # rich's own SVG template
from rich.console import Console
from rich.terminal_theme import MONOKAI
from rich.text import Text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.chromium import Browser, find_chromium  # noqa: E402

IMAGES = REPO / "docs" / "img"
VIEWPORT = (1200, 1500)  # the overview and the first file's charts
TERMINAL_FILES = (
    "sample_budgets/innovation-korrekt.xlsx",
    "sample_budgets/smv-tilskud-over-70-procent.xlsx",
)
TERMINAL_WIDTH = 100  # what the CLI uses when standard output is not a terminal
# rich's SVG would fetch its font from a CDN when opened on its own: keep only local() fonts.
SVG_FORMAT = re.sub(r',\s*url\("https://[^"]*"\) format\("[^"]*"\)', "", CONSOLE_SVG_FORMAT)


def klynge(*args: str, env: dict[str, str] | None = None) -> str:
    """Run the real CLI; exit code 1 (findings) is expected of the samples, 2 is not."""
    done = subprocess.run(
        [sys.executable, "-m", "klyngecli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode > 1:
        raise SystemExit(f"klynge {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def html_report(out: Path) -> None:
    binary = find_chromium()
    if binary is None:
        raise SystemExit("Chromium not found: apt-get install chromium (or set CHROMIUM)")
    samples = sorted(str(p.relative_to(REPO)) for p in (REPO / "sample_budgets").glob("*.xlsx"))
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "report.html"
        klynge("check", *samples, "--format", "html", "-o", str(page_file), "--no-progress")
        with Browser(binary, Path(tmp) / "chromium") as browser:
            page = browser.new_page(*VIEWPORT)
            page.navigate(page_file.as_uri())
            page.screenshot(out)


def terminal(out: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(FORCE_COLOR="1", KLYNGE_LANG="da")
    report = klynge("check", *TERMINAL_FILES, env=env)
    prompt = f"$ klynge check {' '.join(TERMINAL_FILES)}"
    width = max(TERMINAL_WIDTH, len(prompt))  # the report as the CLI wrote it, at 100 columns
    console = Console(record=True, width=width, file=io.StringIO(), force_terminal=True)
    console.print(Text(prompt, style="bold"))
    console.print(Text.from_ansi(report.rstrip("\n")), soft_wrap=True)
    console.save_svg(str(out), title="klynge check", theme=MONOKAI, code_format=SVG_FORMAT)


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    html_report(IMAGES / "html-report.png")
    terminal(IMAGES / "terminal.svg")
    for name in ("html-report.png", "terminal.svg"):
        print(f"{IMAGES / name} ({(IMAGES / name).stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
