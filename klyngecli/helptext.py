"""`--help` in the user's language. The English help stays where each option is declared
(cli.py); this module holds the Danish, and a group class that picks the language from the
command line (`--lang`) or `KLYNGE_LANG` before click reads the arguments, so `klynge check
--help` follows the same language as the report (Danish by default).

Typer builds the click commands afresh for every run, so they are changed in place. What typer
itself prints (`Usage:`, `[required]`, `[default: …]`) stays English.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from typer.core import TyperGroup

# command (the group is "klynge") or "command.parameter" → Danish; a bare parameter name is
# the text of that parameter in every command that has no text of its own.
DANISH: dict[str, str] = {
    "klynge": "Kontrollerer budgetark til Det danske klyngeprogram 2025-2028.",
    "klynge.version": "Vis versionen.",
    "help": "Vis denne hjælp og afslut.",
    "lang": "da eller en (KLYNGE_LANG).",
    "call_id": "Opslagets id eller en regelfil (TOML).",
    "select": "Koder eller præfikser, der skal køre (KL4,KL501).",
    "ignore": "Koder eller præfikser, der udelades.",
    "submitted_at": "Indsendelsestidspunkt (ISO-dato og -tid) eller 'now'.",
    "check": "Kontrollér budgetark; slutkode 0, når intet har et fund på eller over --fail-on.",
    "check.paths": "Filer, mapper eller glob-mønstre; - er standard input.",
    "check.fmt": "Rapportens format: {formats}.",
    "check.output": "Skriv rapporten til FIL (- er standard output).",
    "check.fail_on": "De fund, der giver slutkode 1.",
    "check.jobs": "Filer, der kontrolleres samtidig (standard: antal CPU'er).",
    "check.timeout": "Sekunder pr. fil (standard 60).",
    "check.max_memory": "Hukommelse pr. fil, fx 2GiB (standard).",
    "check.no_progress": "Ingen statuslinje.",
    "check.no_cache": "Hverken brug eller gem resultater i cachen.",
    "check.cache_dir": "Cachens mappe (standard: brugerens cachemappe; KLYNGE_CACHE_DIR).",
    "check.changed": "Vis kun filer, der er nye eller ændrede siden forrige kørsel over samme "
    "mappe (-v: opsummeringen tæller alle filer).",
    "check.annotate_dir": "Skriv også en kopi NAVN.kontrol.xlsx af hver fil med fundene "
    "markeret i MAPPE.",
    "check.statistics": "Antal fund pr. kode.",
    "check.quiet": "Kun opsummeringen.",
    "check.verbose": "Også de beståede kontroller.",
    "watch": "Kontrollér budgetark og igen, hver gang et gemmes, med hvad det ændrede; Ctrl-C "
    "stopper (slutkode 0).",
    "watch.paths": "Budgetark eller mapper, der skal overvåges.",
    "watch.submitted_at": "Indsendelsestidspunkt (ISO-dato og -tid) eller 'now' (standard).",
    "template": "Skriv et tomt budgetark i format 1 med rullelister.",
    "template.out": "Budgetarket, der skal skrives (.xlsx).",
    "template.grant": "innovation eller basis.",
    "template.force": "Overskriv en fil, der findes.",
    "template.lang": "da eller en: sproget i vejledningen (arknavne og etiketter er danske).",
    "rules": "Vis alle regler: kode, alvor, titel.",
    "explain": "Én regel i sin helhed: hvad, hvorfor, det aktive opslags tal, og hvordan man "
    "retter.",
    "explain.code": "En regelkode, fx KL401.",
    "calls": "Vis de indbyggede opslag med frister og lofter.",
}

# parameter → (Danish, English) placeholder shown after an option instead of its Python type.
METAVARS: dict[str, tuple[str, str]] = {
    "call_id": ("ID|FIL", "ID|FILE"),
    "submitted_at": ("TID|now", "TIME|now"),
    "fmt": ("FORMAT", "FORMAT"),
    "output": ("FIL", "FILE"),
    "select": ("KODER", "CODES"),
    "ignore": ("KODER", "CODES"),
    "jobs": ("N", "N"),
    "timeout": ("SEK", "SECONDS"),
    "max_memory": ("STØRRELSE", "SIZE"),
    "cache_dir": ("MAPPE", "DIR"),
    "annotate_dir": ("MAPPE", "DIR"),
}

# rich's panels: (Danish, English)
PANELS = {
    "argument": ("Argumenter", "Arguments"),
    "option": ("Tilvalg", "Options"),
    "command": ("Kommandoer", "Commands"),
}


def language(args: Sequence[str], env: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """`--lang X` or `--lang=X` on the command line, else KLYNGE_LANG, else Danish. A wrong
    value is left to the command to refuse; help then stays Danish."""
    chosen = env.get("KLYNGE_LANG", "")
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            chosen = args[i + 1]
        elif arg.startswith("--lang="):
            chosen = arg.partition("=")[2]
    return "en" if chosen.strip().lower() == "en" else "da"


def danish(command: str, param: str | None = None) -> str | None:
    """The Danish text of a command, or of one of its parameters."""
    if param is None:
        return DANISH.get(command)
    return DANISH.get(f"{command}.{param}", DANISH.get(param))


def _params(command: Any, ctx: Any) -> Iterable[Any]:
    # The help option is made on demand (and cached on the command): make it now to word it.
    helper = command.get_help_option(ctx)
    return [*command.params, *([helper] if helper is not None else [])]


def localise(group: Any, ctx: Any, lang: str) -> None:
    """Word the group and its commands in `lang`: help texts, placeholders, panel titles; no
    type after a flag (`--quiet`, not `--quiet <bool>`)."""
    index = 1 if lang == "en" else 0
    for name, command in [("klynge", group), *group.commands.items()]:
        command.help = _worded(command, danish(name) if lang == "da" else None)
        command.rich_help_panel = PANELS["command"][index]
        for param in _params(command, ctx):
            text = danish(name, param.name) if lang == "da" else None
            param.help = _worded(param, text and text.replace("{formats}", _formats()))
            if getattr(param, "is_flag", False):
                param.metavar = ""
            elif param.name in METAVARS:
                param.metavar = METAVARS[param.name][index]
            kind = "argument" if param.param_type_name == "argument" else "option"
            param.rich_help_panel = PANELS[kind][index]


def _worded(item: Any, danish_text: str | None) -> str | None:
    """The help of a command or parameter: the Danish text when there is one, else the English
    of the code, kept on first use, so the same command can be worded again in either language
    (a program that calls klynge twice in one process, such as the tests)."""
    if not hasattr(item, "klynge_english_help"):
        item.klynge_english_help = item.help
    return danish_text or item.klynge_english_help


def _formats() -> str:
    from klyngecli.reporters import FORMATS  # the one list of formats

    return ", ".join(FORMATS)


class LocalisedGroup(TyperGroup):
    """klynge's command group: `--help` in the language of `--lang`/`KLYNGE_LANG`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        localise(self, ctx, language(args))
        return super().parse_args(ctx, args)
