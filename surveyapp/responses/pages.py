"""What the respondent pages share, for the real survey and the researcher's preview alike: the `Journey`
(everything a template needs about where a respondent is) and the handling of a submitted page.

View layer: builds URLs and renders templates, but stores nothing itself. The caller saves what
`evaluate` decides (the survey through `services.save_page`, the preview in the browser session).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as HttpResponse

from surveyapp.questionnaires.schema import Questionnaire, Section, Text
from surveyapp.responses import forms, journey
from surveyapp.responses.display import ShownSection, readable_answers

LANGUAGES = ("nl", "en")
NEXT, BACK, LATER = "next", "back", "later"
LANGUAGE_PREFIX = "lang-"
# Short keys for the notices shown at the top of a page; the templates hold the words.
NOTICE_REVEALED = "revealed"
NOTICE_INCOMPLETE = "incomplete"
NOTICE_EXPIRED = "expired"
NOTICE_REOPENED = "reopened"
NOTICE_KEPT = "kept"
NOTICE_UNAVAILABLE = "unavailable"
NOTICE_CATEGORY = "survey"


@dataclass
class Journey:
    """A respondent's (or a previewing researcher's) way through one questionnaire."""

    questionnaire: Questionnaire
    lang: str
    placeholders: dict[str, str]
    answers: dict[str, str]
    current: str | None
    prefix: str
    url_args: dict[str, Any]
    supplier: str
    account: str | None = None
    deadline: date | None = None
    time_zone: str = "Europe/Amsterdam"
    closed: bool = False
    # Closed because the study's answers are being analysed (rather than by its deadline).
    analysing: bool = False
    # Closed because the contact was interviewed about this account (rule 19): the link thanks them for it.
    interviewed: bool = False
    # Whether the study keeps a respondent's closed-question answers, anonymous, after erasing them.
    keeps_scores: bool = True
    # Whether the emails that brought the respondent here have a Reply-To (the pages say "reply" only then).
    can_reply: bool = False
    completed: bool = False
    # Changing a completed survey: the answers shown are the draft's, and those sent before still count.
    revising: bool = False
    started: bool = False
    submitted_at: datetime | None = None
    preview: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def url(self, page: str, **kwargs: Any) -> str:
        return url_for(f"responses.{self.prefix}_{page}", **self.url_args, **kwargs)

    def page_url(self, section_key: str, **kwargs: Any) -> str:
        return self.url("page", section_key=section_key, **kwargs)

    def text(self, text: Text | None) -> str:
        return "" if text is None else text.render(self.lang, **self.placeholders)

    @property
    def title(self) -> str:
        return self.text(self.questionnaire.title)

    @property
    def sections(self) -> list[Section]:
        return journey.visible_sections(self.questionnaire, self.answers)

    def position(self, section_key: str) -> tuple[int, int]:
        return journey.position(self.questionnaire, self.answers, section_key)

    @property
    def resume_url(self) -> str:
        target = journey.resume_point(self.questionnaire, self.answers, self.current)
        return self.url("review") if target == journey.REVIEW else self.page_url(target)

    @property
    def first_url(self) -> str:
        return self.page_url(journey.first_section(self.questionnaire, self.answers))

    @property
    def submitted_label(self) -> str:
        """When the answers were received, in the study's time zone and the respondent's language."""
        if self.submitted_at is None:
            return ""
        local = self.submitted_at.astimezone(ZoneInfo(self.time_zone))
        return (
            f"{format_date(local, 'long', locale=self.lang)}, {format_time(local, 'short', locale=self.lang)}"
        )

    def readable(self) -> list[ShownSection]:
        return readable_answers(
            self.questionnaire, self.answers, lang=self.lang, placeholders=self.placeholders
        )


def render(journey_: Journey, template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """A respondent template (call inside `force_locale(journey.lang)`)."""
    return render_template(template, journey=journey_, lang=journey_.lang, **context), status


def build_form(journey_: Journey, section_key: str, formdata: Any = None) -> Any:
    return forms.section_form(
        journey_.questionnaire,
        section_key,
        lang=journey_.lang,
        placeholders=journey_.placeholders,
        answers=journey_.answers,
        formdata=formdata,
    )


def render_page(
    journey_: Journey,
    section_key: str,
    form: Any,
    *,
    status: int = 200,
    return_to: str | None = None,
    notice: str | None = None,
) -> tuple[str, int]:
    number, total = journey_.position(section_key)
    previous = journey.previous_section(journey_.questionnaire, journey_.answers, section_key)
    return render(
        journey_,
        "respondent/page.html",
        status,
        form=form,
        section=journey_.questionnaire.section(section_key),
        number=number,
        total=total,
        has_previous=previous is not None,
        return_to=return_to if return_to == "review" else None,
        notice=notice,
    )


def closed_page(journey_: Journey) -> tuple[str, int]:
    """The page of a survey that takes no answers: thanks for the interview (rule 19), or closed (410)."""
    if journey_.interviewed:
        return render(journey_, "respondent/interviewed.html", 200)
    return render(journey_, "respondent/closed.html", 410)


def guard_page(journey_: Journey, section_key: str) -> HttpResponse | tuple[str, int] | None:
    """The answer for a page that cannot be shown or saved: done, closed, unknown or hidden; else None."""
    if journey_.interviewed:
        return closed_page(journey_)
    if journey_.completed:
        return redirect(journey_.url("done"), 303)
    if journey_.closed:
        return closed_page(journey_)
    if not journey.has_section(journey_.questionnaire, section_key):
        return None
    if not journey.is_visible_section(journey_.questionnaire, journey_.answers, section_key):
        return redirect(journey_.resume_url, 303)
    return None


@dataclass
class PageResult:
    """What a submitted page leads to: shown again with its errors (`blocked`), or saved and moved on."""

    form: Any
    blocked: bool
    answers: dict[str, str | None] = field(default_factory=dict)
    target: str = "page"
    target_section: str | None = None
    resume_at: str = journey.REVIEW
    notice: str | None = None
    language: str | None = None


def parse_action(formdata: Mapping[str, Any]) -> tuple[str, str | None]:
    """The button pressed: next (also the default for Enter and for anything unknown), back, later or a
    language switch (`lang-nl`, `lang-en`)."""
    action = str(formdata.get("action") or NEXT)
    if action.startswith(LANGUAGE_PREFIX) and action[len(LANGUAGE_PREFIX) :] in LANGUAGES:
        return "language", action[len(LANGUAGE_PREFIX) :]
    return (action if action in (BACK, LATER) else NEXT), None


def evaluate(journey_: Journey, section_key: str, formdata: Any) -> PageResult:
    """Validate a submitted page and decide where it leads (call inside `force_locale(journey.lang)`).

    Next needs every shown required question answered; a question this submission revealed makes the page
    come back instead (without an error: the respondent has not seen it yet). Back, "finish later" and the
    language switch save what is valid without requiring answers. Invalid or unstorable input always blocks.
    """
    action, language = parse_action(formdata)
    form = build_form(journey_, section_key, formdata)
    form.validate()
    forms.refuse_unstorable(form, formdata)
    revealed = form.revealed() if action == NEXT else []
    forms.forget_required(form, revealed)
    if forms.has_errors(form, required_blocks=action == NEXT):
        forms.clip_echo(form)
        return PageResult(form, True)
    page = form.answers()
    merged = {**journey_.answers, **page}
    questionnaire = journey_.questionnaire
    result = PageResult(form, False, page, "page", section_key, section_key, language=language)
    if action == NEXT and revealed:
        result.notice = NOTICE_REVEALED
    elif action == NEXT and formdata.get("return_to") == "review":
        result.target, result.resume_at = "review", journey.REVIEW
    elif action == NEXT:
        following = journey.next_section(questionnaire, merged, section_key)
        result.target = "page" if following else "review"
        result.target_section = following
        result.resume_at = following or journey.REVIEW
    elif action == BACK:
        before = journey.previous_section(questionnaire, merged, section_key)
        result.target = "page" if before else "start"
        result.target_section = before
        result.resume_at = before or section_key
    elif action == LATER:
        result.target = "saved"
    return result


def after_save(journey_: Journey, result: PageResult) -> HttpResponse:
    """The redirect after a saved page, with its notice."""
    if result.notice:
        flash(result.notice, NOTICE_CATEGORY)
    if result.target == "page" and result.target_section:
        return redirect(journey_.page_url(result.target_section), 303)
    return redirect(journey_.url(result.target), 303)
