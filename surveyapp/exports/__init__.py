"""Exports of a study: the answers (the responses-import format), the analysis tables and the coded themes."""
