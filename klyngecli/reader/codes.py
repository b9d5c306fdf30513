"""The file and format codes (KL0xx) the reader emits, with the docs `klynge explain` shows."""

from klyngecli.findings import Severity, declare

E, W = Severity.ERROR, Severity.WARNING

KL001 = declare(
    "KL001",
    E,
    "Filen kan ikke åbnes som regneark",
    "The file cannot be opened as a spreadsheet",
    """What it does: reports a file that is not a workbook, is truncated or corrupt, or is in a
format the reader does not support (xlsx, xlsm, xls, xlsb and ods are supported).

Why: nothing in the file can be checked, so the application cannot be assessed as it stands.

Fix: open the file in Excel or LibreOffice, save it again as .xlsx, and check it again.""",
)

KL002 = declare(
    "KL002",
    E,
    "Filen er beskyttet med adgangskode",
    "The file is protected with a password",
    """What it does: reports a workbook that is encrypted or protected with a password to open.

Why: the checker (and the caseworker) cannot read an encrypted file.

Fix: remove the password (File > Info > Protect Workbook in Excel), save, and check again.""",
)

KL003 = declare(
    "KL003",
    E,
    "Et påkrævet ark mangler, eller to ark har samme rolle",
    "A required sheet is missing, or two sheets claim the same role",
    """What it does: finds the sheets Ansøger, Budget and Finansiering (and SMV-samarbejder for an
innovation grant) by name or synonym; reports a missing one, and two sheets that match the same
role (the checker never guesses which one is meant).

Why: the budget cannot be checked without them.

Example: sheets `Budget` and `Costs` in one workbook both claim the Budget role.

Fix: name the sheets as in `klynge template`, and delete or rename the extra sheet.""",
)

KL004 = declare(
    "KL004",
    E,
    "En påkrævet kolonne mangler, eller der er ingen overskriftsrække",
    "A required column is missing, or no header row was found",
    """What it does: looks in the first 30 rows of Budget and Finansiering for the header row with
`Kategori` (or `Kilde`) and at least one year column, and in SMV-samarbejder for the columns
`Samarbejde`, `FoU-omkostninger` and `Tilskud`.

Why: without the header the amounts cannot be told apart.

Fix: use the headers of `klynge template` (synonyms and English labels also work).""",
)

KL005 = declare(
    "KL005",
    E,
    "Et påkrævet felt på arket Ansøger mangler eller er tomt",
    "A required field of the Ansøger sheet is missing or empty",
    """What it does: requires Ansøger, CVR-nummer, Bevillingstype, Projektstart and Projektslut on
the Ansøger sheet, with the label in one column and the value in the column to its right.

Why: the applicant, the grant type and the project period decide which rules apply.

Fix: fill in the value next to the label.""",
)

KL006 = declare(
    "KL006",
    E,
    "En værdi kan ikke læses",
    "A value cannot be read",
    """What it does: reports an amount, date, grant type, unit, designation or year header that
cannot be read. Text numbers are read only when unambiguous: a separator followed by exactly
three digits groups thousands, one followed by one or two digits is the decimal separator.

Why: the checker never guesses: `12,3456` or `1.2.3` could mean several amounts.

Example: `1.234,5` reads as 1234,5; `12,3456` is KL006.

Fix: type the number as a number (without text), or the date as a date.""",
)

KL007 = declare(
    "KL007",
    E,
    "En formel har intet gemt resultat",
    "A formula has no stored result",
    """What it does: reports a formula cell that the checks need (an amount or a date) whose result
was never stored, as when a program wrote the workbook and no spreadsheet application has opened
and saved it since. Such a cell is never read as 0.

Why: the value the applicant sees in Excel is not in the file.

Fix: open the workbook in Excel or LibreOffice, save it, and check it again.""",
)

KL008 = declare(
    "KL008",
    E,
    "Ukendt omkostningskategori eller finansieringskilde",
    "Unknown cost category or financing source",
    """What it does: every Budget row with amounts must name one of the call's cost categories,
and every Finansiering row one of its sources; the message lists the nearest known names.

Why: caps, ceilings and the funding mix depend on which category or source an amount is.

Fix: use the drop-down list of `klynge template`, or one of the names `klynge explain KL008`
shows in the message.""",
)

KL009 = declare(
    "KL009",
    W,
    "Et beløb er gemt som tekst",
    "An amount is stored as text",
    """What it does: reports an amount stored as a text string that had to be parsed, such as
`1.234.567` typed with a leading apostrophe or exported from another system.

Why: Excel does not add text, so totals in the workbook may silently leave the amount out.

Fix: convert the cell to a number (Data > Text to Columns, or retype it).""",
)

KL010 = declare(
    "KL010",
    E,
    "Negativt beløb",
    "Negative amount",
    """What it does: reports an amount below zero in Budget, Finansiering or SMV-samarbejder.

Why: costs and financing are never negative; a negative amount usually hides a correction that
belongs in another row.

Fix: enter the amount as a positive number in the right row.""",
)

KL011 = declare(
    "KL011",
    E,
    "Filen overskrider en sikkerhedsgrænse",
    "The file exceeds a safety limit",
    """What it does: before any reader touches the file, checks its size, the number of entries
and the uncompressed size of the zip, the compression ratio of each entry, and the extent and
number of cells of each sheet. Nothing else of a file over a limit is read.

Why: a budget workbook is small; a file over these limits is broken or made to hurt the reader.

Fix: remove what does not belong in a budget (images, stray cells far down or right), save the
workbook again, and check it again.""",
)
