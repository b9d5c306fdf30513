"""klyngecli: checks grant application budget workbooks against the rules of a Danish call.

The Python API is `klyngecli.check(paths, ...)` and `klyngecli.check_file(path, ...)` (see
`klyngecli.api`); they are imported on first use, so `import klyngecli` stays cheap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "check", "check_file"]

if TYPE_CHECKING:
    from klyngecli.api import check, check_file


def __getattr__(name: str) -> Any:
    if name in ("check", "check_file"):
        from klyngecli import api

        return getattr(api, name)
    raise AttributeError(f"module 'klyngecli' has no attribute {name!r}")
