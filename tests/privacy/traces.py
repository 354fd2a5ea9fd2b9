"""Searching for a person everywhere: every text, JSON and binary column of every table (by reflection), the
files under the instance folder (PDFs by their text, emails by their decoded parts and attachments) and the
bytes of export files (zip members unpacked). Written independently of the erasure code it checks."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Iterator
from email import message_from_bytes, policy
from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from sqlalchemy import MetaData, select
from sqlalchemy.engine import Engine


def pdf_text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def readable(data: bytes) -> str:
    """Everything a person could read in these bytes: PDF text, decoded email parts, zip members, raw text."""
    if data.startswith(b"%PDF"):
        return pdf_text(data)
    if data.startswith(b"PK"):
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return " ".join(readable(archive.read(name)) for name in archive.namelist())
    texts = [data.decode("utf-8", errors="replace")]
    head = data[:4000]
    if b"Message-ID:" in head or b"MIME-Version:" in head:
        message = message_from_bytes(data, policy=policy.default)
        texts.extend(str(value) for value in message.values())
        for part in message.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True) or b""
            texts.append(
                readable(payload)
                if payload[:4] in (b"%PDF", b"PK\x03\x04")
                else payload.decode(part.get_content_charset() or "utf-8", errors="replace")
            )
    return " ".join(texts)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | memoryview):
        return readable(bytes(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def found_in(text: str, needles: Iterable[str]) -> list[str]:
    lowered = " ".join(text.split()).lower()
    return [needle for needle in needles if needle.lower() in lowered]


def database_traces(engine: Engine, needles: list[str]) -> list[str]:
    """`table.column: needle` for every column value of every table that mentions a needle."""
    metadata = MetaData()
    metadata.reflect(bind=engine)
    traces = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for column in table.columns:
                for (value,) in connection.execute(select(column)):
                    for needle in found_in(_as_text(value), needles):
                        traces.append(f"{table.name}.{column.name}: {needle}")
    return sorted(set(traces))


def _files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from (path for path in sorted(folder.rglob("*")) if path.is_file())


def file_traces(folder: Path, needles: list[str]) -> list[str]:
    """`relative path: needle` for every file under `folder` whose readable content mentions a needle."""
    traces = []
    for path in _files(folder):
        for needle in found_in(readable(path.read_bytes()), needles):
            traces.append(f"{path.relative_to(folder)}: {needle}")
    return sorted(traces)


def bytes_traces(label: str, data: bytes, needles: list[str]) -> list[str]:
    return [f"{label}: {needle}" for needle in found_in(readable(data), needles)]
