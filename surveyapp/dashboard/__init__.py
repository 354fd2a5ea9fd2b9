"""The analysis dashboard in the browser: the study's portfolio and each account's results (issue 11)."""
