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

Fix: open the file in Excel or LibreOffice, save it again as .xlsx, and check it again.

På dansk:
Hvad den gør: melder en fil, der ikke er en arbejdsbog, er afkortet eller beskadiget, eller er
i et format, som kontrollen ikke kan læse (xlsx, xlsm, xls, xlsb og ods understøttes).

Hvorfor: intet i filen kan kontrolleres, så ansøgningen kan ikke vurderes, som den er.

Sådan retter du: åbn filen i Excel eller LibreOffice, gem den igen som .xlsx, og kontrollér den
igen.""",
)

KL002 = declare(
    "KL002",
    E,
    "Filen er beskyttet med adgangskode",
    "The file is protected with a password",
    """What it does: reports a workbook that is encrypted or protected with a password to open.

Why: the checker (and the caseworker) cannot read an encrypted file.

Fix: remove the password (File > Info > Protect Workbook in Excel), save, and check again.

På dansk:
Hvad den gør: melder en arbejdsbog, der er krypteret eller kræver en adgangskode for at blive
åbnet.

Hvorfor: hverken kontrollen eller sagsbehandleren kan læse en krypteret fil.

Sådan retter du: fjern adgangskoden (i Excel: Filer > Oplysninger > Beskyt projektmappe), gem,
og kontrollér igen.""",
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

Fix: name the sheets as in `klynge template`, and delete or rename the extra sheet.

På dansk:
Hvad den gør: finder arkene Ansøger, Budget og Finansiering (og SMV-samarbejder ved en
innovationsbevilling) ud fra navn eller synonym; melder et ark, der mangler, og to ark, der
passer til samme rolle (kontrollen gætter aldrig på, hvilket af dem der menes).

Hvorfor: budgettet kan ikke kontrolleres uden dem.

Eksempel: arkene `Budget` og `Costs` i samme arbejdsbog gør begge krav på rollen som Budget.

Sådan retter du: navngiv arkene som i `klynge template`, og slet eller omdøb det overskydende
ark.""",
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

Fix: use the headers of `klynge template` (synonyms and English labels also work).

På dansk:
Hvad den gør: leder i de første 30 rækker af Budget og Finansiering efter overskriftsrækken med
`Kategori` (eller `Kilde`) og mindst én årskolonne, og i SMV-samarbejder efter kolonnerne
`Samarbejde`, `FoU-omkostninger` og `Tilskud`.

Hvorfor: uden overskriften kan beløbene ikke skelnes fra hinanden.

Sådan retter du: brug overskrifterne fra `klynge template` (synonymer og engelske betegnelser
virker også).""",
)

KL005 = declare(
    "KL005",
    E,
    "Et påkrævet felt på arket Ansøger mangler eller er tomt",
    "A required field of the Ansøger sheet is missing or empty",
    """What it does: requires Ansøger, CVR-nummer, Bevillingstype, Projektstart and Projektslut on
the Ansøger sheet, with the label in one column and the value in the column to its right.

Why: the applicant, the grant type and the project period decide which rules apply.

Fix: fill in the value next to the label.

På dansk:
Hvad den gør: kræver Ansøger, CVR-nummer, Bevillingstype, Projektstart og Projektslut på arket
Ansøger, med feltnavnet i én kolonne og værdien i kolonnen til højre for det.

Hvorfor: ansøgeren, bevillingstypen og projektperioden afgør, hvilke regler der gælder.

Sådan retter du: udfyld værdien ud for feltnavnet.""",
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

Fix: type the number as a number (without text), or the date as a date.

På dansk:
Hvad den gør: melder et beløb, en dato, en bevillingstype, en enhed, en udpegning eller en
årsoverskrift, der ikke kan læses. Tal, der er skrevet som tekst, læses kun, når de er
entydige: et skilletegn efterfulgt af præcis tre cifre adskiller tusinder, et skilletegn
efterfulgt af ét eller to cifre er decimaltegnet.

Hvorfor: kontrollen gætter aldrig: `12,3456` eller `1.2.3` kan betyde flere forskellige beløb.

Eksempel: `1.234,5` læses som 1234,5; `12,3456` giver KL006.

Sådan retter du: skriv tallet som et tal (uden tekst) og datoen som en dato.""",
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

Fix: open the workbook in Excel or LibreOffice, save it, and check it again.

På dansk:
Hvad den gør: melder en formelcelle, som kontrollen har brug for (et beløb eller en dato), men
hvis resultat aldrig er blevet gemt, fx når et program har skrevet arbejdsbogen, og intet
regnearksprogram har åbnet og gemt den siden. En sådan celle læses aldrig som 0.

Hvorfor: den værdi, ansøgeren ser i Excel, findes ikke i filen.

Sådan retter du: åbn arbejdsbogen i Excel eller LibreOffice, gem den, og kontrollér den igen.""",
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
shows in the message.

På dansk:
Hvad den gør: kræver, at hver række med beløb i Budget angiver en af opslagets
omkostningskategorier, og at hver række i Finansiering angiver en af dets finansieringskilder;
meddelelsen viser de nærmeste kendte navne.

Hvorfor: lofter, grænser og sammensætningen af finansieringen afhænger af, hvilken kategori
eller kilde et beløb hører til.

Sådan retter du: brug rullelisten i `klynge template` eller et af de navne, som
`klynge explain KL008` og meddelelsen viser.""",
)

KL009 = declare(
    "KL009",
    W,
    "Et beløb er gemt som tekst",
    "An amount is stored as text",
    """What it does: reports an amount stored as a text string that had to be parsed, such as
`1.234.567` typed with a leading apostrophe or exported from another system.

Why: Excel does not add text, so totals in the workbook may silently leave the amount out.

Fix: convert the cell to a number (Data > Text to Columns, or retype it).

På dansk:
Hvad den gør: melder et beløb, der er gemt som tekst og derfor måtte fortolkes, fx `1.234.567`
skrevet med en apostrof foran eller eksporteret fra et andet system.

Hvorfor: Excel lægger ikke tekst sammen, så summerne i arbejdsbogen kan i det stille udelade
beløbet.

Sådan retter du: konvertér cellen til et tal (Data > Tekst til kolonner, eller skriv tallet
igen).""",
)

KL010 = declare(
    "KL010",
    E,
    "Negativt beløb",
    "Negative amount",
    """What it does: reports an amount below zero in Budget, Finansiering or SMV-samarbejder.

Why: costs and financing are never negative; a negative amount usually hides a correction that
belongs in another row.

Fix: enter the amount as a positive number in the right row.

På dansk:
Hvad den gør: melder et beløb under nul i Budget, Finansiering eller SMV-samarbejder.

Hvorfor: omkostninger og finansiering er aldrig negative; et negativt beløb dækker som regel
over en rettelse, der hører hjemme i en anden række.

Sådan retter du: indtast beløbet som et positivt tal i den rigtige række.""",
)

KL011 = declare(
    "KL011",
    E,
    "Filen overskrider en sikkerhedsgrænse",
    "The file exceeds a safety limit",
    """What it does: before any reader touches the file, screens it as the reader would read it
(xlsx/xlsm, xlsb, xls and ods alike) against these limits, each settable in klynge.toml under
[limits]:

  max-file-bytes           52.428.800  the file's size (50 MiB)
  max-zip-entries              10.000  entries in a zip package
  max-uncompressed-bytes  524.288.000  the package's entries together, as declared (500 MiB)
  max-compression-ratio           200  uncompressed / compressed size of an entry over 1 MiB
  max-part-bytes          104.857.600  one part the screen reads (100 MiB)
  max-sheets                      256  sheets in the workbook
  max-sheet-cells           2.000.000  rows x columns from A1 to the last value of one sheet
  max-book-cells            8.000.000  the same, summed over the sheets the reader builds
  max-cells                   200.000  cells holding a value in the sheets read
  max-shared-strings        1.000.000  the shared string table, and the count it declares
  max-text-chars           50.000.000  the text of the shared strings and of every cell built
  max-records               2.000.000  XML elements and binary records the screen reads
  max-continue-records         10.000  xls CONTINUE records after one record

It is also the finding of a file whose check used more than --max-memory (default 2 GiB) or
took longer than --timeout (default 60 s). Nothing else of a file over a limit is read.

Why: a budget workbook is small; a file over these limits is broken or made to hurt the reader.

Fix: remove what does not belong in a budget (images, stray cells far down or right, other
sheets of data), save the workbook again, and check it again.

På dansk:
Hvad den gør: gennemgår filen, før den overhovedet bliver læst, sådan som læseren ville læse
den (xlsx/xlsm, xlsb, xls og ods ens), mod grænserne ovenfor; hver kan sættes i klynge.toml
under [limits]: filens størrelse, antal poster og udpakket størrelse i zip-filen,
komprimeringsgraden, størrelsen af en del, antal ark, arkenes udstrækning og antal celler,
delte tekster og tekstens længde, antal XML-elementer og binære poster. Det er også fundet for
en fil, hvis kontrol brugte mere hukommelse end --max-memory (2 GiB) eller tog længere tid end
--timeout (60 s). Af en fil, der overskrider en grænse, læses intet andet.

Hvorfor: en budgetarbejdsbog er lille; en fil over disse grænser er enten i stykker eller lavet
for at skade det program, der læser den.

Sådan retter du: fjern det, der ikke hører hjemme i et budget (billeder, løse celler langt nede
eller langt til højre, andre ark med data), gem arbejdsbogen igen, og kontrollér den igen.""",
)
