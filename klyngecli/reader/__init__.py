"""Reading workbooks: raw cells → the typed application, or KL0xx findings."""
