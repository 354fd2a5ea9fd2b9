"""HTML to PDF with WeasyPrint, behind a locked-down URL fetcher. No Flask: it runs in the renderer child.

What a report may load, and nothing else:
- its own bundled assets, from `reports/<kind>/` and `reports/common/`, addressed as `report-asset:NAME`
  (NAME a plain file name, or `common/NAME`); only stylesheets and images;
- `data:` URLs of images (the charts and the supplier's logo are embedded this way).

Everything else is refused before any I/O: `file:`, `http(s):`, `ftp:`, relative URLs (there is no base
URL), and therefore redirects too. Refused URLs are kept on the fetcher (`refused`) and logged. PDF
attachments are removed after layout as well (`<link rel=attachment>` and `<a rel=attachment>`), so that even
an allowed `data:` URL can never end up embedded as a file.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_to_bytes

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

REPORTS_DIR = Path(__file__).resolve().parent.parent.parent / "reports"
ASSET_SCHEME = "report-asset:"
COMMON = "common"
ASSET_NAME = re.compile(r"^(?:common/)?[a-z0-9][a-z0-9_-]*\.(css|svg|png|jpg)$")
ASSET_TYPES = {"css": "text/css", "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg"}
DATA_TYPES = frozenset({"image/png", "image/jpeg", "image/svg+xml"})


class RefusedURL(ValueError):
    """A URL the report may not load; WeasyPrint logs it and renders on without the resource."""


@dataclass(frozen=True, slots=True)
class AssetBundle:
    """The files a report kind may load: its own folder and the shared `common` folder under `reports/`."""

    kind: str
    root: Path = REPORTS_DIR

    def path(self, name: str) -> Path:
        """The file behind an asset name; RefusedURL for any name that is not a bundled asset."""
        match = ASSET_NAME.match(name)
        if match is None:
            raise RefusedURL(f"not a bundled asset name: {name!r}")
        folder = (self.root / (COMMON if name.startswith(COMMON + "/") else self.kind)).resolve()
        candidate = (folder / name.rpartition("/")[2]).resolve()
        if not candidate.is_relative_to(folder) or not candidate.is_file():
            raise RefusedURL(f"no bundled asset {name!r} for {self.kind} reports")
        return candidate

    def url(self, name: str) -> str:
        self.path(name)
        return ASSET_SCHEME + name


def _data_url(url: str) -> tuple[bytes, str]:
    header, comma, payload = url[len("data:") :].partition(",")
    if not comma:
        raise RefusedURL("malformed data: URL")
    is_base64 = header.endswith(";base64")
    mime_type = (header.removesuffix(";base64").split(";", 1)[0] or "text/plain").strip().lower()
    if mime_type not in DATA_TYPES:
        raise RefusedURL(f"data: URL of type {mime_type!r} (only images are allowed)")
    try:
        body = base64.b64decode(payload, validate=True) if is_base64 else unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        raise RefusedURL("data: URL with invalid base64") from None
    return body, mime_type


class LockedFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, reduced to bundled assets and image `data:` URLs (see the module doc)."""

    def __init__(self, assets: AssetBundle) -> None:
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.assets = assets
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        try:
            if url.startswith("data:"):
                body, mime_type = _data_url(url)
            elif url.startswith(ASSET_SCHEME):
                path = self.assets.path(url[len(ASSET_SCHEME) :])
                body, mime_type = path.read_bytes(), ASSET_TYPES[path.suffix.lstrip(".")]
            else:
                raise RefusedURL("only bundled assets and data: URLs may be loaded")
        except RefusedURL as exc:
            self.refused.append(url[:200])
            log.warning("report renderer refused %.200s: %s", url, exc)
            raise
        return URLFetcherResponse(url, body, {"Content-Type": mime_type})

    def open(self, url: object, data: object = None, timeout: object = None) -> URLFetcherResponse:
        # Never urllib's opener (it would follow redirects and speak file:, http: and ftp:).
        return self.fetch(str(getattr(url, "full_url", url)))


@dataclass
class RenderedPdf:
    data: bytes
    pages: int
    refused: list[str] = field(default_factory=list)


def render_pdf(html: str, *, assets: AssetBundle, fetcher: LockedFetcher | None = None) -> RenderedPdf:
    """Lay out `html` and write the PDF, loading only what `fetcher` (default: a LockedFetcher) allows."""
    fetcher = fetcher or LockedFetcher(assets)
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=None, url_fetcher=fetcher).render(font_config=fonts)
    # No file may be embedded, whatever the markup asked for.
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]
    data = document.write_pdf()
    return RenderedPdf(data=data, pages=len(document.pages), refused=list(fetcher.refused))


__all__ = ["AssetBundle", "LockedFetcher", "RefusedURL", "RenderedPdf", "render_pdf"]
