"""`python -m klyngecli`."""

from klyngecli.cli import main

main()
