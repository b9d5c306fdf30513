"""klyngecli: checks grant application budget workbooks against the rules of a Danish call."""

__version__ = "0.1.0"
