"""The HTML report (`--format html`): unit tests on a hand-built report, read back with the
standard library's HTML parser; then the real CLI's page of `sample_budgets/` in Debian's
headless Chromium, driven over the DevTools protocol (scripts/chromium.py)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import struct
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from klyngecli.findings import Finding, Fix, Severity
from klyngecli.report import (
    CallInfo,
    Figures,
    FileResult,
    PoolUse,
    Report,
    SkippedPath,
    ToolInfo,
    Verdict,
    summarise,
)
from klyngecli.reporters import FORMATS, Style, reporter
from klyngecli.reporters.html import content_security_policy
from scripts.chromium import Browser, Page, find_chromium
from tests.test_reporters_ci import Once

REPO = Path(__file__).resolve().parent.parent
ASSETS = REPO / "klyngecli" / "reporters"
SCRIPT = "<script>alert(1)</script>"
HOSTILE_NAME = f"{SCRIPT}\x1b[2J Klynge & Co"
HOSTILE_PATH = 'indbakke/<img src=x onerror="alert(2)">\x1b[31m.xlsx'
HOSTILE_SHEET = "Ark<style>*{display:none}</style>"


# --- a hand-built report ----------------------------------------------------------------------


def _finding(code: str, severity: Severity, da: str, en: str, **kw: object) -> Finding:
    return Finding(code=code, severity=severity, message_da=da, message_en=en, **kw)  # type: ignore[arg-type]


FIGURES = Figures(
    deb_request=24_500_000,
    deb_cap=23_000_000,
    total_costs=27_129_000,
    total_financing=27_129_000,
    financing_by_source={
        "regionalfonden": 12_800_000,
        "decentrale": 11_700_000,
        "privat_kontant": 1_400_000,
        "egenfinansiering": 0,
        "<b>ny kilde</b>": 829_000,
    },
    largest_sme_share=0.75,
    largest_sme_share_at="SMV-samarbejder!H3",
    sme_ceiling=0.7,
)
RESULTS = [
    FileResult(
        path="indbakke/b-over-loftet.xlsx",
        verdict=Verdict.FAILED,
        applicant="Klyngen for Cirkulært Byggeri",
        cvr="42305804",
        grant="innovation",
        figures=FIGURES,
        findings=[
            _finding(
                "KL201",
                Severity.ERROR,
                "DEB-ansøgningen er over loftet",
                "The DEB request is over the cap",
                sheet="Finansiering",
                cell="C2:G3",
                fix=Fix(da="nedsæt den med 1.500.000 kr.", en="reduce it by 1.500.000 kr."),
            ),
            _finding("KL303", Severity.INFO, "Ingen privat kontant", "No private cash"),
        ],
    ),
    FileResult(
        path="indbakke/a-godkendt.xlsx",
        verdict=Verdict.PASSED,
        applicant="Midtjysk Fødevareklynge",
        cvr="85684507",
        grant="basis",
        figures=Figures(deb_request=9_200_000, deb_cap=13_000_000, sme_ceiling=0.7),
    ),
    FileResult(
        path=HOSTILE_PATH,
        verdict=Verdict.PASSED_WITH_WARNINGS,
        applicant=HOSTILE_NAME,
        cvr='"><script>x</script>',
        grant="<i>grant</i>",
        findings=[
            _finding(
                "KL603",
                Severity.WARNING,
                f"Ansøgeren {HOSTILE_NAME} angiver ikke udpegning",
                f"The applicant {HOSTILE_NAME} gives no designation",
                sheet=HOSTILE_SHEET,
                cell="B2",
                fix=Fix(da=f"skriv {SCRIPT}", en=f"write {SCRIPT}"),
            )
        ],
    ),
    FileResult(
        path="indbakke/c-beskadiget.xlsx",
        verdict=Verdict.UNREADABLE,
        findings=[_finding("KL001", Severity.ERROR, "Kan ikke åbnes", "Cannot be opened")],
    ),
]
SKIPPED = [SkippedPath(path="indbakke/~$a.xlsx\x07", reason="lock-file")]
POOLS = [PoolUse(grant="innovation", files=1, requested=24_500_000, pool=230_000_000)]


def report(lang: str = "da", results: list[FileResult] = RESULTS) -> Report:
    summary = summarise(results, skipped=SKIPPED).model_copy(update={"pools": POOLS})
    return Report(
        tool=ToolInfo(version="0.1.0"),
        call=CallInfo(id="klyngeprogram-2025-2028", title="Klyngeprogram", deadline="2024-08-13"),
        lang=lang,
        fail_on="error",
        files=Once(results),
        summary=summary,
    )


def render(rep: Report) -> str:
    out = io.StringIO()
    reporter("html")(rep, Style(lang=rep.lang), out)
    page = out.getvalue()
    page.encode("utf-8")  # strict: nothing unencodable got through
    return page


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parents: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All the text inside the element."""
        return "".join(self.parts)


class Parsed(HTMLParser):
    """Every element with its attributes and the text inside it, as a browser parses them."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        # The open elements, each with where its text starts in `data`: an element's text is
        # the run of `data` from its start to its end tag, taken once when it closes (a 6 MB
        # page took seconds when every piece of text was added to every open element).
        self.open: list[tuple[Element, int]] = []
        self.data: list[str] = []
        self.feed(page)
        self.close()
        while self.open:  # never closed: its text runs to the end of the page
            self._end()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        parents = [e.tag for e, _ in self.open]
        element = Element(tag, {k: v or "" for k, v in attrs}, parents=parents)
        self.elements.append(element)
        if tag not in ("meta", "br", "hr", "input", "link", "img", "base", "col", "wbr"):
            self.open.append((element, len(self.data)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))

    def _end(self) -> str:
        element, start = self.open.pop()
        element.parts = self.data[start:]
        return element.tag

    def handle_endtag(self, tag: str) -> None:
        while self.open and self._end() != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.data.append(data)

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    @property
    def shown(self) -> str:
        return "".join(self.data)


def policy(page: Parsed) -> dict[str, list[str]]:
    (meta,) = page.all("meta", **{"http-equiv": "Content-Security-Policy"})
    directives = [d.split() for d in meta.attrs["content"].split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# --- unit tests -------------------------------------------------------------------------------


def test_format_is_registered_and_reads_report_files_once() -> None:
    assert FORMATS["html"][0] == "klyngecli.reporters.html"
    rep = report()
    render(rep)
    assert isinstance(rep.files, Once) and rep.files.used


def test_text_from_files_is_shown_as_text_never_as_markup() -> None:
    raw = render(report())
    page = Parsed(raw)
    (script,) = page.all("script")  # ours only: none came from the data
    assert script.text == (ASSETS / "html.js").read_text(encoding="utf-8")
    assert len(page.all("style")) == 1
    assert not page.all("img") and not page.all("i") and not page.all("b")
    assert not [e for e in page.elements for a in e.attrs if a.startswith("on")]
    assert "\x1b" not in raw and "\x07" not in raw
    shown = page.shown
    assert f"{SCRIPT}\\x1b[2J Klynge & Co" in shown  # the name as text, its ESC made visible
    assert 'indbakke/<img src=x onerror="alert(2)">\\x1b[31m.xlsx' in shown
    assert '"><script>x</script>' in shown
    assert f"{HOSTILE_SHEET}!B2" in shown
    assert f"skriv {SCRIPT}" in shown
    assert "<b>ny kilde</b> 3,1 %" in shown.replace("\u00a0", " ")
    assert "indbakke/~$a.xlsx\\x07" in shown


def test_content_security_policy_allows_only_the_page_own_script_and_style() -> None:
    page = Parsed(render(report()))
    csp = policy(page)
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == [sha256(e.text) for e in page.all("script")]
    assert csp["style-src"] == [sha256(e.text) for e in page.all("style")]
    assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'none'"]
    # a hash-only style-src blocks style attributes: the page must not rely on any
    assert not [e.tag for e in page.elements if "style" in e.attrs]
    # the meta tag comes before anything it governs
    assert page.elements.index(page.all("meta", **{"http-equiv": "Content-Security-Policy"})[0]) < (
        page.elements.index(page.all("style")[0])
    )
    assert content_security_policy() in render(report("en"))


def test_the_page_refers_to_nothing_outside_itself() -> None:
    raw = render(report())
    page = Parsed(raw)
    ids = {e.attrs["id"] for e in page.elements if "id" in e.attrs}
    links = [v for e in page.elements for k, v in e.attrs.items() if k in ("src", "href")]
    assert links and all(link.startswith("#") and link[1:] in ids for link in links)
    fills = re.findall(r"url\(#([\w-]+)\)", raw)
    assert fills and set(fills) <= ids
    for tag in ("link", "img", "iframe", "object", "embed", "base", "form"):
        assert not page.all(tag), tag
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:|//|data:|javascript:)", raw, re.I)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        pytest.param("da", ["IKKE GODKENDT", "Alle filer", "Ansøger", "Rettelse", "fejl"], id="da"),
        pytest.param("en", ["FAILED", "All files", "Applicant", "Fix", "error"], id="en"),
    ],
)
def test_the_page_is_in_the_report_language(lang: str, words: list[str]) -> None:
    page = Parsed(render(report(lang)))
    assert page.all("html")[0].attrs["lang"] == lang
    for word in words:
        assert word in page.shown, word
    other = {"da": "All files", "en": "Alle filer"}[lang]
    assert other not in page.shown
    messages = {"da": "DEB-ansøgningen er over loftet", "en": "The DEB request is over the cap"}
    assert messages[lang] in page.shown


def test_the_table_of_all_files_has_a_row_per_file_linking_to_its_section() -> None:
    page = Parsed(render(report()))
    (table,) = page.all("table", id="files")
    rows = [e for e in page.all("tr") if "data-codes" in e.attrs]
    assert all(e.parents[-2:] == ["table", "tbody"] for e in rows)
    assert "All files" in table.text or "Alle filer" in table.text
    assert len(rows) == len(RESULTS)
    sections = page.all("section", class_="file")
    assert [s.attrs["data-codes"] for s in sections] == [r.attrs["data-codes"] for r in rows]
    assert [s.attrs["data-codes"] for s in sections] == ["KL201 KL303", "", "KL603", "KL001"]
    links = [e.attrs["href"] for e in page.elements if e.tag == "a" and "tr" in e.parents]
    assert links == [f"#{s.attrs['id']}" for s in sections]
    h2 = [e.text for e in page.all("h2")][1:]
    assert h2 == ["indbakke/b-over-loftet.xlsx", "indbakke/a-godkendt.xlsx", *h2[2:]]
    # the sort keys the script reads: verdict rank, DEB request (empty when there is none)
    sort_keys = [e.attrs["data-sort"] for e in page.all("td") if "data-sort" in e.attrs]
    assert sort_keys == ["2", "24500000", "0", "9200000", "1", "", "3", ""]
    # a filter entry per code present, most frequent first
    options = [e.attrs["value"] for e in page.all("option")]
    assert options == ["", "KL001", "KL201", "KL303", "KL603"]


def test_tables_are_accessible() -> None:
    page = Parsed(render(report()))
    tables = page.all("table")
    assert len(tables) == 4 + 3  # counts, files, pools, skipped; three files' findings
    assert len(page.all("caption")) == len(tables)
    assert all(th.attrs.get("scope") in ("col", "row") for th in page.all("th"))
    assert page.all("h1") and len(page.all("h2")) == 1 + len(RESULTS)
    # every chart has a text alternative
    charts = [e for e in page.all("svg") if e.attrs.get("role") == "img"]
    titles = {e.attrs["id"]: e.text for e in page.all("title") if "id" in e.attrs}
    assert charts and all(titles[c.attrs["aria-labelledby"]] for c in charts)


def test_figures_are_charts_with_their_numbers_in_words() -> None:
    page = Parsed(render(report()))
    charts = [e for e in page.all("svg") if e.attrs.get("role") == "img"]
    # the failing file: mix, DEB against the cap, SME share; the passed one: DEB only
    assert [c.attrs["aria-labelledby"] for c in charts] == ["f1-mix", "f1-deb", "f1-sme", "f2-deb"]
    shown = page.shown.replace("\u00a0", " ")
    assert "24.500.000 kr. af højst 23.000.000 kr. (106,5 %) over loftet" in shown
    assert "75 % (højst 70 %) over loftet · SMV-samarbejder!H3" in shown
    assert "9.200.000 kr. af højst 13.000.000 kr. (70,8 %)" in shown
    # the stacked bar: a segment per source with money, the legend in the same order
    segments = [e.text for e in page.all("rect") if e.text]
    assert segments == [
        "Regionalfonden 47,9 % (12.800.000 kr.)",
        "Decentrale midler 43,8 % (11.700.000 kr.)",
        "Privat kontant 5,2 % (1.400.000 kr.)",
        "<b>ny kilde</b> 3,1 % (829.000 kr.)",
    ]
    legend = [e.text.replace("\u00a0", " ") for e in page.all("li")]
    assert legend == segments
    assert "Omkostninger i alt" in shown and "27.129.000 kr." in shown


def test_each_finding_is_a_row_with_code_severity_cell_message_and_fix() -> None:
    page = Parsed(render(report("en")))
    rows = [e for e in page.all("tr") if "tbody" in e.parents and "table" in e.parents]
    texts = [" | ".join(x.strip() for x in e.text.split("\n")) for e in rows]
    assert any(t.startswith("KL201") and "error" in t and "Finansiering!C2:G3" in t for t in texts)
    cells = [e.text for e in page.all("td")]
    i = cells.index("KL201")
    assert cells[i : i + 5] == [
        "KL201",
        "✗ error",
        "Finansiering!C2:G3",
        "The DEB request is over the cap",
        "reduce it by 1.500.000 kr.",
    ]
    i = cells.index("KL303")
    assert cells[i : i + 5] == ["KL303", "i info", "–", "No private cash", ""]


def test_verdicts_are_words_as_well_as_colours() -> None:
    page = Parsed(render(report("en")))
    badges = [e for e in page.all("span") if e.attrs.get("class", "").startswith("verdict")]
    words = [re.sub(r"\s+", " ", b.text).strip() for b in badges]
    assert words[:4] == ["✗ FAILED", "✓ PASSED", "! PASSED WITH WARNINGS", "✗ FAILED (unreadable)"]


def test_summary_counts_pools_skipped_paths_and_interruption() -> None:
    rep = report("en")
    rep.summary = rep.summary.model_copy(update={"interrupted": True})
    page = Parsed(render(rep))
    (counts,) = page.all("table", class_="counts")
    cells = [e.text for e in page.all("td") if "table" in e.parents][:6]
    assert cells == ["4", "1", "1", "1", "1", "1"]  # files, passed, warnings, failed, ...
    assert "Files checked" in counts.text
    assert "Interrupted (Ctrl-C)" in page.shown
    assert "Office lock file" in page.shown
    assert "DKK\u00a024,500,000" in page.shown and "DKK 230,000,000" in page.shown


def test_print_style_puts_each_file_on_a_page_and_hides_the_controls() -> None:
    css = (ASSETS / "html.css").read_text(encoding="utf-8")
    printing = css[css.index("@media print") :]
    assert re.search(r"\.file\s*\{[^}]*break-before:\s*page", printing)
    assert re.search(r"\.filter[^{]*\{[^}]*display:\s*none", printing)
    # without the script the filter stays hidden and the headers are plain text
    page = Parsed(render(report()))
    (filter_,) = page.all("p", class_="filter")
    assert "hidden" in filter_.attrs
    assert not page.all("button")


def test_a_large_batch_streams_through_the_spool() -> None:
    many = [RESULTS[0].model_copy(update={"path": f"indbakke/{i:05d}.xlsx"}) for i in range(1500)]
    page = Parsed(render(report(results=many)))
    assert len([e for e in page.all("tr") if "data-codes" in e.attrs]) == 1500
    assert len(page.all("section", class_="file")) == 1500


# --- the real page in headless Chromium -------------------------------------------------------


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    binary = find_chromium()
    if binary is None:
        message = "Chromium is not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with Browser(binary, tmp_path_factory.mktemp("chromium")) as browser:
        yield browser


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`klynge check sample_budgets/ --format html -o report.html`, through the real CLI."""
    out = tmp_path_factory.mktemp("html") / "report.html"
    command = ["check", "sample_budgets/", "--format", "html", "-o", str(out), "--no-progress"]
    done = subprocess.run(
        [sys.executable, "-m", "klyngecli", *command],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr  # the samples hold mistakes on purpose
    return out


SAMPLES = sorted(p.name for p in (REPO / "sample_budgets").glob("*.xlsx"))


@pytest.fixture
def loaded(chromium: Browser, sample_page: Path) -> Page:
    page = chromium.new_page(width=1200, height=900)
    page.navigate(sample_page.as_uri())
    return page


def problems(page: Page) -> list[str]:
    """Console errors and warnings, log entries (CSP violations among them), exceptions."""
    found = [
        f"console.{e['type']}: {e['args']}"
        for e in page.events("Runtime.consoleAPICalled")
        if e["type"] in ("error", "warning", "assert")
    ]
    found += [
        f"log {e['entry']['level']} {e['entry']['source']}: {e['entry']['text']}"
        for e in page.events("Log.entryAdded")
        if e["entry"]["level"] in ("error", "warning")
    ]
    found += [f"exception: {e['exceptionDetails']}" for e in page.events("Runtime.exceptionThrown")]
    return found


def test_browser_loads_the_page_with_no_other_request_and_no_error(
    loaded: Page, sample_page: Path
) -> None:
    requests = [e["request"]["url"] for e in loaded.events("Network.requestWillBeSent")]
    assert requests == [sample_page.as_uri()]
    assert loaded.events("Network.loadingFailed") == []
    assert problems(loaded) == []
    assert loaded.evaluate("document.readyState") == "complete"


def test_browser_shows_a_section_and_charts_for_every_sample(loaded: Page) -> None:
    headings = loaded.evaluate(
        "[...document.querySelectorAll('section.file h2')].map(h => h.textContent)"
    )
    assert [h.removeprefix("sample_budgets/") for h in headings] == SAMPLES
    assert loaded.evaluate("document.querySelectorAll('#files tbody tr').length") == len(SAMPLES)
    # every sample is readable: a drawn financing bar and DEB bar each; an SME bar where it
    # has SME collaborations (the innovation samples)
    charts = loaded.evaluate(
        "[...document.querySelectorAll('section.file')].map(s => [...s.querySelectorAll("
        "'svg[role=img]')].map(c => [c.id || c.getAttribute('aria-labelledby').split('-')[1],"
        " c.getBoundingClientRect().width, c.querySelectorAll('rect').length]))"
    )
    assert len(charts) == len(SAMPLES)
    for sample, drawn in zip(SAMPLES, charts, strict=True):
        kinds = [kind for kind, _, _ in drawn]
        assert kinds[:2] == ["mix", "deb"], sample
        assert kinds[2:] in ([], ["sme"]), sample
        assert all(width > 100 and rects >= 2 for _, width, rects in drawn), sample
    assert sum(len(drawn) == 3 for drawn in charts) >= 6
    assert loaded.evaluate("document.querySelector('#filter-status').parentElement.hidden") is False


def _column(page: Page, index: int) -> list[str]:
    """The sort keys of column `index`, top to bottom."""
    keys: list[str] = page.evaluate(
        "[...document.querySelectorAll('#files tbody tr')]"
        f".map(r => r.cells[{index}].getAttribute('data-sort'))"
    )
    return keys


def test_clicking_a_header_sorts_the_table(loaded: Page) -> None:
    deb = "#files thead th:nth-child(5) button"
    loaded.click(deb)
    amounts = [float(x) for x in _column(loaded, 4)]
    assert amounts == sorted(amounts) and amounts[0] < amounts[-1]
    assert loaded.evaluate(f"document.querySelector('{deb}').parentElement.ariaSort") == "ascending"
    loaded.click(deb)
    assert [float(x) for x in _column(loaded, 4)] == sorted(amounts, reverse=True)
    assert loaded.evaluate(f"document.querySelector('{deb}').parentElement.ariaSort") == (
        "descending"
    )
    loaded.click("#files thead th:nth-child(3) button")  # applicant: alphabetical
    names = loaded.evaluate(
        "[...document.querySelectorAll('#files tbody tr')].map(r => r.cells[2].textContent)"
    )
    assert names == sorted(names, key=str.casefold) and len(set(names)) == len(SAMPLES)
    loaded.click("#files thead th:nth-child(2) button")  # verdict: passed first
    ranks = [int(x) for x in _column(loaded, 1)]
    assert ranks == sorted(ranks) and ranks[0] < ranks[-1]
    assert loaded.evaluate("document.querySelectorAll('#files th[aria-sort]').length") == 1
    assert problems(loaded) == []


def test_choosing_a_code_filters_the_files(loaded: Page) -> None:
    visible = loaded.evaluate(
        "(() => { const s = document.querySelector('#code-filter'); s.value = 'KL401';"
        " s.dispatchEvent(new Event('change'));"
        " return [...document.querySelectorAll('#files tbody tr:not([hidden]) th')]"
        ".map(th => th.textContent); })()"
    )
    assert visible == ["sample_budgets/smv-tilskud-over-70-procent.xlsx"]
    assert loaded.evaluate("document.querySelectorAll('section.file:not([hidden])').length") == 1
    assert f"1 af {len(SAMPLES)}" in loaded.evaluate(
        "document.querySelector('#filter-status').textContent"
    )


def test_screenshot_of_the_page(loaded: Page, tmp_path: Path) -> None:
    png = loaded.screenshot(tmp_path / "report.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1200, 900)
    assert len(png) > 20_000 and (tmp_path / "report.png").read_bytes() == png


def test_the_harness_sees_violations_and_outside_requests(
    chromium: Browser, sample_page: Path, tmp_path: Path
) -> None:
    """The checks above would fail on a page that broke its promises (not vacuous)."""
    raw = sample_page.read_text(encoding="utf-8")
    injected = tmp_path / "injected.html"
    injected.write_text(raw.replace("</body>", "<script>console.log(1)</script></body>"))
    page = chromium.new_page()
    page.navigate(injected.as_uri())
    assert any("Content Security Policy" in p for p in problems(page)), problems(page)
    # without the policy, a request to a closed loopback port is seen and seen to fail
    outside = tmp_path / "outside.html"
    outside.write_text(
        re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", raw).replace(
            "</body>", '<img src="http://127.0.0.1:9/x.png" alt=""></body>'
        )
    )
    page.navigate(outside.as_uri())
    urls = [e["request"]["url"] for e in page.events("Network.requestWillBeSent")]
    assert "http://127.0.0.1:9/x.png" in urls
    assert page.events("Network.loadingFailed")
