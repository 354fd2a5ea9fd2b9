"""The common way benchmarks report repeated measurements: median and spread (min–max), and ratios."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def spread(values: Sequence[float], digits: int = 2) -> str:
    """`median (min–max)` of repeated measurements, e.g. `1.23 (1.10–1.41)`."""
    if not values:
        return "-"
    median = statistics.median(values)
    return f"{median:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def ratios(product: Sequence[float], bare: Sequence[float]) -> list[float]:
    """Per-run ratios product/bare: the two sides of one repetition ran back to back, under the same load."""
    return [ours / theirs for ours, theirs in zip(product, bare, strict=True)]


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table, ready to paste into bench/README.md."""
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
