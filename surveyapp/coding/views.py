"""Coding pages for researchers: themes with their counts, the keyboard-friendly coding queue, deleting a theme.

Everything works without JavaScript (`static/js/coding.js` only adds keyboard shortcuts). Account teams and
users who may not see the supplier get 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from surveyapp.auth.decorators import staff_required
from surveyapp.coding import queries, services
from surveyapp.coding.forms import (
    DeleteThemeForm,
    EditThemeForm,
    QueueFilters,
    QueueForm,
    ThemeForm,
    read_queue_page,
)
from surveyapp.coding.models import Theme
from surveyapp.db import shown_version
from surveyapp.enums import Quadrant
from surveyapp.extensions import db
from surveyapp.i18n import _, ngettext
from surveyapp.reporting.labels import QUADRANT_NAMES
from surveyapp.studies.models import Study
from surveyapp.studies.queries import get_visible_study

bp = Blueprint("coding", __name__)


def _study_or_404(slug: str) -> Study:
    return get_visible_study(session=db.session, user=current_user, slug=slug) or abort(404)


def _theme_or_404(study: Study, theme_id: int) -> Theme:
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.study_id != study.id:
        abort(404)
    return theme


def _themes_page(study: Study, form: ThemeForm) -> tuple[str, int]:
    counts = queries.theme_counts(session=db.session, study=study)
    status = 422 if form.errors or form.form_errors else 200
    names = {quadrant.value: QUADRANT_NAMES[quadrant] for quadrant in Quadrant}
    return render_template(
        "coding/themes.html", study=study, counts=counts, form=form, quadrant_names=names
    ), status


@bp.get("/studies/<slug>/coding")
@staff_required
def study_themes(slug: str) -> tuple[str, int]:
    return _themes_page(_study_or_404(slug), ThemeForm())


@bp.post("/studies/<slug>/coding/themes")
@staff_required
def create_theme(slug: str) -> Response | tuple[str, int]:
    study = _study_or_404(slug)
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            theme = services.create_theme(
                session=db.session,
                study=study,
                name=form.name.data or "",
                description=form.description.data or "",
                colour=form.colour.data or "",
                actor=current_user,
            )
        except services.CodingError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Theme %(name)s added.", name=theme.name), "success")
            return redirect(url_for("coding.study_themes", slug=study.slug))
    return _themes_page(study, form)


@bp.route("/studies/<slug>/coding/themes/<int:theme_id>", methods=["GET", "POST"])
@staff_required
def edit_theme(slug: str, theme_id: int) -> Response | tuple[str, int]:
    study = _study_or_404(slug)
    theme = _theme_or_404(study, theme_id)
    form = EditThemeForm(obj=theme)
    if not form.is_submitted():
        form.position.data = theme.position + 1  # shown from 1, stored from 0
    if form.validate_on_submit():
        try:
            services.update_theme(
                session=db.session,
                study=study,
                theme=theme,
                name=form.name.data or "",
                description=form.description.data or "",
                colour=form.colour.data or "",
                position=form.position.data or 0,
                actor=current_user,
                expected_version=shown_version(form.edit_version.data),
            )
        except services.CodingError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            if isinstance(exc, services.ThemeEditConflict):
                # A second save now knowingly replaces the other person's version.
                form.edit_version.data = str(theme.edit_version)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("coding.study_themes", slug=study.slug))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("coding/theme_form.html", study=study, theme=theme, form=form), status


@bp.route("/studies/<slug>/coding/themes/<int:theme_id>/delete", methods=["GET", "POST"])
@staff_required
def delete_theme(slug: str, theme_id: int) -> Response | tuple[str, int]:
    study = _study_or_404(slug)
    theme = _theme_or_404(study, theme_id)
    form = DeleteThemeForm()
    if form.validate_on_submit():
        try:
            name = theme.name
            tags = services.delete_theme(
                session=db.session,
                study=study,
                theme=theme,
                confirmed=bool(form.confirm.data),
                actor=current_user,
            )
        except services.CodingError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                ngettext(
                    "Theme %(name)s deleted, with %(num)d tag.",
                    "Theme %(name)s deleted, with %(num)d tags.",
                    tags,
                    name=name,
                ),
                "success",
            )
            return redirect(url_for("coding.study_themes", slug=study.slug))
    tags = len(theme.tags)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("coding/delete.html", study=study, theme=theme, form=form, tags=tags), status


# The query-string names of the queue's filters (see `_queue_args`).
QUEUE_FILTERS = ("page", "question", "perspective", "uncoded")


def _queue_args(filters: QueueFilters) -> dict[str, Any]:
    args: dict[str, Any] = {"page": filters.page.data or 1}
    if filters.question.data:
        args["question"] = filters.question.data
    if filters.perspective.data:
        args["perspective"] = filters.perspective.data
    if filters.uncoded.data:
        args["uncoded"] = "y"
    return args


def _language() -> str:
    return str(get_locale() or "en")


def _queue_page(
    study: Study, filters: QueueFilters, submitted: Any = None, error: str | None = None
) -> tuple[str, int]:
    filters.question.choices = [SelectChoice("", _("All questions"))] + [
        SelectChoice(key, f"{key}: {text}" if text else key)
        for key, text in queries.queue_questions(session=db.session, study=study, language=_language())
    ]
    valid = filters.validate()
    wanted = queries.QueueFilters(
        question=filters.question.data or None,
        perspective=filters.perspective.data or None,
        uncoded_only=bool(filters.uncoded.data),
    )
    found = queries.coding_queue(
        session=db.session,
        study=study,
        filters=wanted if valid else queries.QueueFilters(),
        page=(filters.page.data or 1) if valid else 1,
    )
    page = render_template(
        "coding/queue.html",
        study=study,
        filters=filters,
        found=found,
        themes=queries.themes_of(session=db.session, study=study),
        form=QueueForm(),
        args=_queue_args(filters) if valid else {},
        consent_label=services.consent_label,
        submitted=submitted,
        error=error,
    )
    return page, 422 if error else (200 if valid else 400)


@bp.get("/studies/<slug>/coding/queue")
@staff_required
def queue(slug: str) -> tuple[str, int]:
    return _queue_page(_study_or_404(slug), QueueFilters(request.args))


@bp.post("/studies/<slug>/coding/queue")
@staff_required
def save_queue(slug: str) -> Response | tuple[str, int]:
    study = _study_or_404(slug)
    parsed = read_queue_page(request.form)
    if not QueueForm().validate_on_submit() or parsed is None:
        abort(400)
    try:
        changed = services.save_page(
            session=db.session, study=study, tags=parsed[0], selection=parsed[1], actor=current_user
        )
    except services.CodingError as exc:
        db.session.rollback()
        return _queue_page(study, QueueFilters(request.args), submitted=parsed, error=str(exc))
    db.session.commit()
    flash(ngettext("Saved: %(num)d change.", "Saved: %(num)d changes.", changed), "success")
    # Back to the filtered page that was saved: only the filters, never url_for's own options (`_external`,
    # `_scheme`, `_anchor`) that a crafted query string could pass to send the coder to another host.
    filters = {name: value for name, value in request.args.items() if name in QUEUE_FILTERS}
    return redirect(url_for("coding.queue", slug=study.slug, **filters))
