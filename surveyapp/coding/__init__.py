"""Coding of open answers: themes per study, tags on free-text answers and interview quotes, quotes for the report."""
