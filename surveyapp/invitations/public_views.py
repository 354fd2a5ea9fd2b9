"""The two routes a respondent reaches from an email, without logging in: the personal link and the opt-out.

`GET /s/<token>`: a valid link records `opened` the first time (the only state change this app makes on a
GET), lets this browser session answer the invitation, and redirects to the survey, so the token leaves the
address bar and never reaches a Referer. Unknown links get 404; expired, revoked and opted-out ones 410; both
pages say nothing about the study. From the analyse phase on a valid link still leads to the survey, which
says that answers are closed (rule 19), and nothing is recorded. Misses are rate-limited per IP (separately
from logins) and logged.

`/opt-out/<token>`: GET shows a confirmation page; POST opts out. The POST is exempt from CSRF (the token is
the proof) so that RFC 8058 one-click unsubscribe works: mail providers POST `List-Unsubscribe=One-Click`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import force_locale, get_locale
from werkzeug.wrappers import Response

from surveyapp.db import utcnow
from surveyapp.extensions import csrf, db, limiter
from surveyapp.invitations import access, optout
from surveyapp.invitations.emails import reply_address
from surveyapp.invitations.lifecycle import mark_opened
from surveyapp.invitations.tokens import LinkState, closed_for_analysis, find_token, resolve
from surveyapp.privacy.forms import ErasureRequestForm
from surveyapp.privacy.requests import ErasureRequestError, has_open_request, request_erasure

bp = Blueprint("links", __name__)

# The respondent pages (responses) live at this path; the landing hands over to them.
SURVEY_PATH = "/survey/{invitation_id}"


def _missed(response: Response) -> bool:
    # Only misses count: a respondent following a valid link is never locked out by other people's guessing.
    return response.status_code in (404, 410)


personal_link_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_LINK_PER_IP"], scope="personal-links", deduct_when=_missed
)


#: Links that no longer open the survey but still let their contact ask for erasure (the email promises it).
ERASABLE_STATES = (LinkState.VALID, LinkState.EXPIRED, LinkState.OPTED_OUT)


def _can_reply(study: Any) -> bool:
    """Whether the emails of this study (None: unknown) carry a Reply-To, so that the page may say "reply"."""
    default = current_app.config.get("MAIL_REPLY_TO")
    if study is None:
        return bool(default)
    return reply_address(session=db.session, study=study, default=default) is not None


def _miss(state: LinkState, token: str | None = None, study: Any = None) -> tuple[str, int]:
    code = 404 if state == LinkState.UNKNOWN else 410
    current_app.logger.info(
        "personal link %s (%s) from %s", state.value, request.endpoint, request.remote_addr
    )
    language = str(get_locale() or "en")
    erasure = url_for("links.erasure", token=token) if token and state in ERASABLE_STATES else None
    page = render_template(
        "respondent/link_error.html",
        code=code,
        state=state.value,
        lang=language,
        erasure_url=erasure,
        can_reply=_can_reply(study),
    )
    return page, code


@bp.get("/s/<token>")
@personal_link_limit
def landing(token: str) -> Response | tuple[str, int]:
    now = utcnow()
    resolved = resolve(session=db.session, token=token, now=now)
    invitation = resolved.invitation
    if resolved.state != LinkState.VALID or invitation is None:
        study = invitation.study if invitation is not None else None
        page = _miss(resolved.state, token, study)
        db.session.rollback()
        return page
    # In analyse and act the link still leads to the survey, which says it has closed (in the respondent's
    # language); nothing about the invitation changes once its answers are being analysed.
    if not closed_for_analysis(invitation.study):
        mark_opened(session=db.session, invitation=invitation, at=now)
    db.session.commit()
    access.grant(session, invitation.id)
    session["lang"] = invitation.contact.language.value
    return redirect(SURVEY_PATH.format(invitation_id=invitation.id), 302)


@bp.route("/opt-out/<token>", methods=["GET", "POST"])
@csrf.exempt
@personal_link_limit
def opt_out(token: str) -> Response | tuple[str, int] | str:
    # Any token the contact received works here, also an expired or revoked one: unsubscribing always works.
    found = find_token(session=db.session, token=token)
    if found is None:
        return _miss(LinkState.UNKNOWN)
    contact = found.invitation.contact
    supplier = found.invitation.study.supplier.name
    can_reply = _can_reply(found.invitation.study)
    language = contact.language.value
    # An erased contact's links are revoked: nothing left to ask for.
    erasure_url = url_for("links.erasure", token=token) if contact.erased_at is None else None
    with force_locale(language):
        if request.method == "GET":
            if contact.opted_out_at is not None:
                return render_template(
                    "respondent/opted_out.html",
                    supplier=supplier,
                    already=True,
                    lang=language,
                    can_reply=can_reply,
                    erasure_url=erasure_url,
                )
            return render_template("respondent/opt_out.html", supplier=supplier, lang=language)
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        changed = optout.opt_out(
            session=db.session,
            token=found,
            via=optout.VIA_ONE_CLICK if one_click else optout.VIA_PAGE,
            now=utcnow(),
        )
        db.session.commit()
        return render_template(
            "respondent/opted_out.html",
            supplier=supplier,
            already=not changed,
            lang=language,
            can_reply=can_reply,
            erasure_url=erasure_url,
        )


@bp.route("/s/<token>/erasure", methods=["GET", "POST"])
@personal_link_limit
def erasure(token: str) -> Response | tuple[str, int]:
    """Ask for erasure with a link that no longer opens the survey (the deadline passed, the contact opted out):
    what the survey's own erasure page does, for the contact the link was sent to. A revoked link (replaced,
    perhaps because it went to a wrong address) or an unknown one gets the link error page."""
    resolved = resolve(session=db.session, token=token, now=utcnow())
    invitation = resolved.invitation
    if resolved.state not in ERASABLE_STATES or invitation is None:
        db.session.rollback()
        return _miss(resolved.state)
    language = invitation.contact.language.value
    form = ErasureRequestForm()
    page = {
        "action": url_for("links.erasure", token=token),
        "keeps_scores": invitation.study.keep_anonymous_scores,
        "lang": language,
    }
    with force_locale(language):
        if form.validate_on_submit():
            try:
                request_erasure(
                    session=db.session, invitation=invitation, note=form.note.data or "", now=utcnow()
                )
            except ErasureRequestError as exc:
                db.session.rollback()
                form.note.errors = [str(exc)]
                return render_template("respondent/erasure.html", form=form, requested=False, **page), 422
            db.session.commit()
            return render_template("respondent/erasure.html", form=None, requested=True, **page)
        requested = has_open_request(session=db.session, contact_id=invitation.contact_id)
        status = 422 if form.errors else 200
        return render_template("respondent/erasure.html", form=form, requested=requested, **page), status
