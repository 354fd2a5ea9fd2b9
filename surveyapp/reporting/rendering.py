"""Report HTML from `reports/<kind>/report.html` (Jinja, autoescaped) and its PDF, in the report's language.

The templates run in an overlay of the app's Jinja environment (so `_()` is Flask-Babel's), with their own
loader rooted at `reports/` and autoescaping forced on for every template: nothing a respondent, a researcher
or an import wrote is ever markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader

from surveyapp.reporting.context import ReportInputs, account_context
from surveyapp.reporting.models import ReportKind
from surveyapp.reporting.pdf import REPORTS_DIR, AssetBundle, LockedFetcher, RenderedPdf, render_pdf
from surveyapp.reporting.portfolio_context import portfolio_context

EXTENSION_KEY = "surveyapp.report_templates"


def report_environment(app: Flask) -> Environment:
    """The app's Jinja environment with the `reports/` folder as its only template source.

    Compiled templates are kept in the instance folder (`jinja-reports/`): every renderer is a fresh process,
    and compiling the report templates would otherwise be a good part of its start-up.
    """
    environment = app.extensions.get(EXTENSION_KEY)
    if environment is None:
        cache = Path(app.instance_path) / "jinja-reports"
        cache.mkdir(exist_ok=True)
        environment = app.jinja_env.overlay(
            loader=FileSystemLoader(str(REPORTS_DIR)),
            autoescape=True,
            bytecode_cache=FileSystemBytecodeCache(str(cache)),
        )
        app.extensions[EXTENSION_KEY] = environment
    return environment


def report_html(inputs: ReportInputs, kind: ReportKind, account: str | None = None) -> str:
    """The complete HTML of a report, every label and number in `inputs.language`."""
    assets = AssetBundle(kind.value)
    with force_locale(inputs.language):
        if kind is ReportKind.ACCOUNT:
            if account is None:
                raise ValueError("an account report needs an account")
            context: dict[str, Any] = account_context(inputs, account)
        else:
            context = portfolio_context(inputs)
        template = report_environment(current_app).get_template(f"{kind.value}/report.html")
        return template.render(asset=assets.url, **context)


def report_pdf(
    inputs: ReportInputs,
    kind: ReportKind,
    account: str | None = None,
    *,
    fetcher: LockedFetcher | None = None,
) -> RenderedPdf:
    """The PDF of a report (in this process: callers run it in the renderer child, see jobs/render.py)."""
    html = report_html(inputs, kind, account)
    return render_pdf(html, assets=AssetBundle(kind.value), fetcher=fetcher)
