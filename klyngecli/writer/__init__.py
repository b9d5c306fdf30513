"""Writing workbooks: the empty template and, later, annotated copies of checked files."""
