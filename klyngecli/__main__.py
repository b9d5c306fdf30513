"""`python -m klyngecli` and the `klynge` console script.

Ctrl-C at any moment, even while the modules load, ends klynge with exit code 130 and one
plain line on standard error, never a traceback; a batch under way prints its partial summary
first (cli.py)."""

import sys

INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def main() -> None:
    try:
        from klyngecli.cli import main as run

        run()
    except KeyboardInterrupt:
        sys.stderr.write("klynge: afbrudt / interrupted\n")
        sys.exit(INTERRUPTED)


if __name__ == "__main__":
    main()
