"""The everyday worksheet part screened by regular expressions (`ooxml_plain`) gives exactly
what the element-by-element screen gives, or steps aside (None) for it.

Differential: every generated part goes through both screens on fresh tallies; where the plain
screen answers, its formula cells, error cells and every count of the tally are the other's.
The generator mixes everyday cells with what must send a part the long way (a comment, a
prefixed name, a cell without `r`, rich text, an entity in a value, a limit reached)."""

from __future__ import annotations

import io
import itertools
import zipfile
from array import array
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from klyngecli.reader import ooxml
from klyngecli.reader.limits import Limits, Refused, Tally
from klyngecli.reader.ooxml_plain import screen_plain
from klyngecli.reader.xmlscan import CHUNK
from tests.test_corpus import CORPUS
from tests.workbooks import App

ROOT = Path(__file__).resolve().parent.parent
STRINGS = array("q", [3, 0, 12, 7, 1, 40])
Outcome = tuple[object, tuple[int, int, int, int]]


def _state(tally: Tally) -> tuple[int, int, int, int]:
    return tally.records, tally.cells, tally.book_cells, tally.text_chars


def _tally(limits: Limits, used: int) -> Tally:
    """A tally as after the parts screened before: `used` of each count taken."""
    tally = Tally(limits)
    tally.records = tally.cells = tally.text_chars = tally.book_cells = used
    return tally


def element_by_element(data: bytes, limits: Limits, used: int = 0) -> Outcome:
    tally = _tally(limits, used)
    try:
        found: object = ooxml._screen_sheet(io.BytesIO(data), "p.xml", "Budget", STRINGS, tally)
    except Refused as refused:
        found = ("refused", refused.finding.message_en)
    return found, _state(tally)


def plain(data: bytes, limits: Limits, used: int = 0) -> Outcome | None:
    tally = _tally(limits, used)
    found = screen_plain(data, "p.xml", "Budget", STRINGS, tally, ooxml._column)
    return None if found is None else (found, _state(tally))


# --- the generator ------------------------------------------------------------------------------

refs = st.builds(
    lambda letters, row: f"{letters}{row}",
    st.sampled_from(["A", "B", "C", "AA", "b", "XFD"]),
    st.sampled_from(["1", "2", "7", "40", "1048576"]),
)
kinds = st.sampled_from(
    [
        "",
        ' t="n"',
        ' t="s"',
        ' t="str"',
        ' t="inlineStr"',
        ' t="e"',
        ' t="b"',
        ' t=""',
        ' t="d"',
        " t='s'",
    ]
)
values = st.sampled_from(
    [
        "0",
        "1",
        "2",
        "5",
        "17",
        "3.25",
        "nan",
        "NaN",
        "-nan",
        "+NAN",
        "nan ",
        " ",
        "",
        "#N/A",
        "#DIV/0!",
        " 2",
        "1]2",
        "x" * 70,
        "7" * 25,
        "١",
        "a&amp;b",
        "2\n",
        "\u00e6\u00f8",
    ]
)
formulas = st.sampled_from(
    [
        "",
        "<f>SUM(A1:A2)</f>",
        '<f t="shared" si="0"/>',
        "<f>A1&amp;&quot;x&quot;</f>",
        "<f/>",
        "<f>\r\nA1</f>",
    ]
)
inlines = st.sampled_from(
    [
        "",
        "<is><t>Løn</t></is>",
        '<is><t xml:space="preserve"> R&amp;D\ni alt </t></is>',
        "<is><t/></is>",
        "<is><r><t>x</t></r></is>",
        "<is>\n<t>x</t></is>",
        "<is><t>a&#233;&#x1F600;b</t></is>",
    ]
)
extras = st.sampled_from(["", ' s="3"', ' cm="1"', " s='2'", ' s="1"\n', ' x:y="a b"'])
gaps = st.sampled_from(["", "", "\n", "\r\n  ", " "])


@st.composite
def cells(draw: st.DrawFn, everyday: bool) -> str:
    ref, kind, extra, gap = draw(refs), draw(kinds), draw(extras), draw(gaps)
    shape = draw(st.sampled_from([0, 4, 5, 6, 7, 8, 9] if everyday else range(10)))
    if shape == 0:
        return f'<c r="{ref}"{kind}{extra}/>'
    if shape == 1:
        return f'<c{extra} r="{ref}"{kind}><v>{draw(values)}</v></c>'  # `r` not first
    if shape == 2:
        return f"<c{kind}><v>{draw(values)}</v></c>"  # no reference: the cell after the last
    if shape == 3:
        return f'<x:c r="{ref}"{kind}><x:v>{draw(values)}</x:v></x:c>'
    if shape == 4:
        return f'<c r="{ref}"{kind}{extra}>{gap}</c>'
    value = draw(st.sampled_from(["", "<v/>", f"<v>{draw(values)}</v>", "<v></v>"]))
    inline = draw(inlines) if shape == 5 else ""
    if everyday:
        value = value.replace("&amp;", "").replace("\n", "")
        inline = inline if "<r>" not in inline and "<is>\n" not in inline else ""
    return f'<c r="{ref}"{kind}{extra}>{gap}{draw(formulas)}{gap}{value}{gap}{inline}</c>'


HEADS = [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n',
    "",
    '<?xml version="1.0"?>',
    "\ufeff",
    '<?xml version="1.0" encoding="ISO-8859-1"?>',
    '<!DOCTYPE w [<!ENTITY e "x">]>',
]
row_tags = st.sampled_from(
    [
        '<row r="{n}">',
        "<row>",
        '<row r="{n}" spans="1:7">',
        '<row r="x">',
        '<row r="0">',
        "<row r='{n}'>",
        '<row r="A{n}">',
    ]
)


@st.composite
def parts(draw: st.DrawFn) -> bytes:
    """A worksheet part: half of them everyday (what the plain screen should take), half with
    at least the chance of something that sends it the long way."""
    everyday = draw(st.booleans())
    rows = []
    for n in range(1, draw(st.integers(0, 4)) + 1):
        row_cells = "".join(draw(st.lists(cells(everyday), max_size=5)))
        tag = draw(row_tags.filter(lambda t: not everyday or ("x" not in t and "0" not in t)))
        rows.append(tag.format(n=n) + row_cells + draw(gaps) + "</row>")
    data = "".join(rows)
    if everyday:
        wrap = draw(st.sampled_from(["<sheetData>{}</sheetData>", "<sheetData/>{}"]))
        head = draw(st.sampled_from(HEADS[:4]))
        return (
            f'{head}<worksheet xmlns="s"><dimension ref="A1"/>{wrap.format(data)}</worksheet>'
        ).encode()
    data = draw(
        st.sampled_from(
            [
                "<sheetData>{}</sheetData>",
                "<x:sheetData>{}</x:sheetData>",
                '<sheetData a="1>2">{}</sheetData>',
                "<sheetData/>{}",
                "<sheetData>{}</sheetData><sheetData><row><c r='A1'><v>1</v></c></row></sheetData>",
                "<sheetData><!-- x -->{}</sheetData>",
                "<sheetData>{}<?pi x?></sheetData>",
                "<sheetData>{}<extLst/></sheetData>",
            ]
        )
    ).format(data)
    head = draw(st.sampled_from(HEADS))
    before = draw(st.sampled_from(["", '<dimension ref="A1:C4"/>', "<sheetPr><x:p/></sheetPr>"]))
    text = (
        f'{head}<worksheet xmlns="s" xmlns:x="s">{before}{data}<pageMargins left="0.7"/>'
        "</worksheet>"
    )
    if draw(st.integers(0, 15)) == 0:
        text = text[: draw(st.integers(0, len(text)))]  # cut short: not well-formed
    encoding = "latin-1" if "ISO-8859-1" in head else "utf-8"
    return text.encode(encoding, "xmlcharrefreplace")


small_limits = st.one_of(
    st.just(Limits()),
    st.builds(
        Limits,
        max_records=st.sampled_from([10, 25, 2_000_000]),
        max_cells=st.sampled_from([2, 6, 200_000]),
        max_text_chars=st.sampled_from([10, 50, 50_000_000]),
        max_sheet_cells=st.sampled_from([20, 100, 2_000_000, 10**12]),
        max_book_cells=st.sampled_from([30, 8_000_000, 10**13]),
    ),
)


EVERYDAY = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet xmlns="s"><sheetData>'
    b'<row r="1" spans="1:3"><c r="A1" s="1" t="s"><v>2</v></c><c r="B1"><f>1/0</f><v>#DIV/0!</v>'
    b'</c><c r="C1" t="e"><v>#N/A</v></c></row><row r="3"><c r="A3"><f>SUM(A1:A2)</f></c>'
    b'<c r="B3"><v>nan</v></c><c r="C3" t="inlineStr"><is><t>R&amp;D</t></is></c></row>'
    b"</sheetData></worksheet>"
)


@settings(max_examples=600, deadline=None)
@given(parts(), small_limits, st.sampled_from([0, 0, 0, 5]))
@example(EVERYDAY, Limits(), 0)
def test_the_plain_screen_finds_what_the_element_by_element_screen_finds(
    data: bytes, limits: Limits, used: int
) -> None:
    found = plain(data, limits, used)
    if found is not None:
        assert found == element_by_element(data, limits, used)


def test_an_everyday_part_is_screened_plainly_and_exactly() -> None:
    found = plain(EVERYDAY, Limits())
    assert found is not None  # the plain screen takes it: it is what Excel writes
    pending, errors = found[0]  # type: ignore[misc]
    assert pending == {(2, 0)}
    assert errors == {(0, 2): "#N/A", (2, 1): "NaN"}  # B1's <v> without t="e" is text, not error
    assert found == element_by_element(EVERYDAY, Limits())


@pytest.mark.parametrize(
    "why, data",
    [
        ("a comment", EVERYDAY.replace(b'<row r="3">', b'<!-- --><row r="3">')),
        (
            "a prefixed cell",
            EVERYDAY.replace(b'<c r="B3">', b'<x:c r="B3">').replace(
                b"nan</v></c>", b"nan</v></x:c>"
            ),
        ),
        ("a cell without r", EVERYDAY.replace(b'<c r="B3">', b"<c>")),
        ("an entity in a value", EVERYDAY.replace(b"<v>nan</v>", b"<v>n&#97;n</v>")),
        ("rich inline text", EVERYDAY.replace(b"<t>R&amp;D</t>", b"<r><t>R</t></r>")),
        ("a row that is no row", EVERYDAY.replace(b'<row r="3">', b'<row r="x">')),
        ("not well-formed", EVERYDAY[:-3]),
        ("another encoding", EVERYDAY.replace(b"UTF-8", b"ISO-8859-1")),
    ],
)
def test_what_only_expat_reads_right_goes_the_long_way(why: str, data: bytes) -> None:
    assert plain(data, Limits()) is None, why


@pytest.mark.parametrize(
    "limits",
    [
        Limits(max_records=12),
        Limits(max_cells=5),
        Limits(max_text_chars=9),
        Limits(max_sheet_cells=8),
        Limits(max_book_cells=8),
    ],
)
def test_a_part_reaching_a_limit_is_left_to_the_screen_that_names_it(limits: Limits) -> None:
    assert plain(EVERYDAY, limits) is None
    refused, _ = element_by_element(EVERYDAY, limits)
    assert isinstance(refused, tuple) and refused[0] == "refused"


def _sheet_parts(paths: list[Path]) -> list[tuple[str, bytes]]:
    parts: list[tuple[str, bytes]] = []
    for path in paths:
        try:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    name = info.filename
                    plain_size = info.file_size <= CHUNK  # one chunk: text never cut
                    if "worksheets/" in name and name.endswith(".xml") and plain_size:
                        parts.append((f"{path.name}:{name}", archive.read(info)))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            continue  # the corpus's damaged archives: the prescreen's tests read them
    return parts


def test_a_part_of_many_mib_is_screened_plainly_a_piece_at_a_time() -> None:
    """Over 1 MiB the part is cut after a row's end about every MiB (bounded memory); on a part
    whose values no chunk boundary can read differently (no shared-string index), both screens
    agree, and a formula cell near the end is found."""
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Løn &amp; rejser {n}</t></is></c>'
        f'<c r="B{n}"><v>{n * 1000}</v></c><c r="C{n}" t="e"><v>#N/A</v></c></row>'
        for n in range(1, 40_001)
    )
    last = '<row r="40001"><c r="D40001"><f>SUM(B1:B40000)</f></c></row>'
    data = f"<worksheet><sheetData>{rows}{last}</sheetData></worksheet>".encode()
    assert len(data) > 4 * CHUNK
    found = plain(data, Limits())
    assert found is not None
    pending, errors = found[0]  # type: ignore[misc]
    assert pending == {(40_000, 3)} and len(errors) == 40_000
    assert found == element_by_element(data, Limits())


def test_on_real_workbooks_the_two_screens_agree(tmp_path: Path) -> None:
    built = [App().write(tmp_path / "built.xlsx")]
    corpus = sorted(CORPUS.rglob("*.xlsx"))
    samples = sorted((ROOT / "sample_budgets").glob("*.xlsx"))
    parts = _sheet_parts(built + samples + corpus)
    plainly = 0
    for name, data in parts:
        found = plain(data, Limits())
        if found is not None:
            plainly += 1
            assert found == element_by_element(data, Limits()), name
    assert plainly >= len(parts) // 2  # the everyday form is everyday


def test_a_long_stretch_without_a_rows_end_is_still_cut_into_pieces() -> None:
    """Cells straight in <sheetData> (no row), or one long row: the pieces stay near a MiB, each
    cut before a cell's tag, and together they are the region."""
    from klyngecli.reader import ooxml_plain

    cells = b"".join(b'<c r="A%d"><v>%d</v></c>' % (n, n) for n in range(1, 150_001))
    data = b"<worksheet><sheetData>" + cells + b"</sheetData></worksheet>"
    start, end = data.index(b"<c "), data.index(b"</sheetData>")
    pieces = list(ooxml_plain._pieces(data, start, end))
    assert len(pieces) >= 3
    assert pieces[0][0] == start and pieces[-1][1] == end
    assert all(a[1] == b[0] for a, b in itertools.pairwise(pieces))
    assert all(e - s < ooxml_plain._PIECE + 64 for s, e in pieces)
    assert all(data.startswith(b"<c ", s) for s, _ in pieces)
    found = plain(data, Limits())
    assert found is not None and found[1][1] == 150_000  # every cell counted once
    assert found == element_by_element(data, Limits())


def _sheets_screened_element_by_element(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sheets of the workbook at `path` that the prescreen sent the long way."""
    from klyngecli.reader.prescreen import Screened, prescreen

    long_way: list[str] = []
    element_by_element_screen = ooxml._screen_sheet

    def counted(stream: object, part: str, sheet: str, *rest: object) -> object:
        long_way.append(sheet)
        return element_by_element_screen(stream, part, sheet, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(ooxml, "_screen_sheet", counted)
    assert isinstance(prescreen(path, Limits(), lambda name: True), Screened)
    return long_way


def test_a_workbook_as_people_write_it_is_screened_plainly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = App().write(tmp_path / "app.xlsx")
    assert _sheets_screened_element_by_element(path, monkeypatch) == []
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tmp_path / "note.xlsx", "w") as copy:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"<sheetData>", b"<sheetData><!-- a note -->", 1)
            copy.writestr(info, data)
    assert len(_sheets_screened_element_by_element(tmp_path / "note.xlsx", monkeypatch)) == 1
