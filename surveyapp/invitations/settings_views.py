"""The study's email settings page with a preview in both languages, and the test send to oneself."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from surveyapp.auth.decorators import staff_required
from surveyapp.enums import Language, Side
from surveyapp.extensions import db
from surveyapp.i18n import _
from surveyapp.invitations.email_settings import EmailTexts, preview, send_test, update_email_settings
from surveyapp.invitations.forms import EmailSettingsForm, PreviewForm, TestSendForm
from surveyapp.invitations.planning import InvitationError
from surveyapp.invitations.sending import email_settings
from surveyapp.invitations.views import bp, study_or_404
from surveyapp.jobs.runner import enqueue
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.render import body_template
from surveyapp.mail.settings import mail_settings
from surveyapp.studies.models import Contact, Study, StudyAccount

MAX_PREVIEW_CONTACTS = 500


def _client_contacts(study: Study) -> list[Contact]:
    return list(
        db.session.scalars(
            select(Contact)
            .join(
                StudyAccount,
                (StudyAccount.account_id == Contact.account_id) & (StudyAccount.study_id == study.id),
            )
            .where(Contact.side == Side.CLIENT, Contact.erased_at.is_(None))
            .order_by(func.lower(Contact.name), Contact.id)
            .limit(MAX_PREVIEW_CONTACTS)
        )
    )


def _chosen(contacts: list[Contact], contact_id: int | None) -> Contact:
    found = next((c for c in contacts if c.id == contact_id), None)
    if found is not None:
        return found
    # Without client contacts yet, the preview is written for an example person.
    return contacts[0] if contacts else Contact(name="Alex Example", language=Language.NL, side=Side.CLIENT)


def _choices(contacts: list[Contact]) -> list[SelectChoice]:
    return [
        SelectChoice(c.id, f"{c.label} ({c.account.name if c.account else ''}, {c.language.value.upper()})")
        for c in contacts
    ]


@bp.route("/email", methods=["GET", "POST"])
@staff_required
def email(slug: str) -> Response | tuple[str, int]:
    study = study_or_404(slug)
    settings = email_settings(db.session, study)
    form = EmailSettingsForm(obj=settings)
    if form.validate_on_submit():
        texts = EmailTexts(
            **{name: getattr(form, name).data or "" for name in EmailTexts.__dataclass_fields__}
        )
        try:
            update_email_settings(session=db.session, study=study, texts=texts, actor=current_user)
        except InvitationError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc.message))
        else:
            db.session.commit()
            flash(_("Email settings saved."), "success")
            return redirect(url_for("invitations.email", slug=study.slug))
    contacts = _client_contacts(study)
    chooser = PreviewForm(request.args)
    chooser.contact.choices = _choices(contacts)
    contact = _chosen(contacts, request.args.get("contact", type=int))
    chooser.contact.data = contact.id
    test_form = TestSendForm(contact=contact.id, language=contact.language.value)
    test_form.contact.choices = chooser.contact.choices
    previews = preview(
        study=study, settings=settings, contact=contact, mail=mail_settings(current_app.config)
    )
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "invitations/email_settings.html",
        study=study,
        form=form,
        chooser=chooser,
        test_form=test_form,
        previews=previews,
        body_template=body_template,
        has_contacts=bool(contacts),
    ), status


@bp.post("/email/test")
@staff_required
def test_send(slug: str) -> Response:
    study = study_or_404(slug)
    contacts = _client_contacts(study)
    form = TestSendForm()
    form.contact.choices = _choices(contacts) or [SelectChoice(0, "")]
    if not form.validate_on_submit():
        abort(400)
    try:
        send_test(
            session=db.session,
            study=study,
            settings=email_settings(db.session, study),
            contact=_chosen(contacts, form.contact.data),
            language=form.language.data or "en",
            recipient=current_user.email,
            recipient_name=current_user.name,
            mail=mail_settings(current_app.config),
        )
    except InvitationError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        enqueue(deliver_outbox)
        flash(_("A test email is on its way to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("invitations.email", slug=study.slug))
