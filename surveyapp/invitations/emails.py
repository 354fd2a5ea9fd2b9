"""The wording of invitation emails: per audience and language, with the study's own texts where it has them.

Audiences: `client` (one link, about the client's own account), `staff` (one link per account the staff
member rates, in one email) and `brief` (the study lead's intake questionnaire). The study's email settings
change the client invitation (subject and intro) and every email's sender name; staff and brief emails use
the built-in wording. `{supplier}` in a subject or intro is replaced by the supplier's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel.dates import format_date

from surveyapp.invitations.models import StudyEmailSettings
from surveyapp.mail.outbox import Draft
from surveyapp.mail.render import absolute_url, render_body
from surveyapp.mail.settings import MailSettings
from surveyapp.studies.models import Contact, Study

CLIENT, STAFF, BRIEF = "client", "staff", "brief"
AUDIENCES = (CLIENT, STAFF, BRIEF)

DEFAULTS: dict[str, dict[str, str]] = {
    "en": {
        "client_subject": "Your view on working with {supplier}",
        "client_intro": (
            "{supplier} would like to know how well its services fit your organisation, and where they do "
            "not. "
            "Would you share your view? It takes about ten minutes."
        ),
        "staff_subject": "How well do our clients fit us? Your view per account",
        "staff_intro": (
            "Before we ask our clients, we would like your own view of how well each of them fits us. "
            "Please answer one short questionnaire for each account below."
        ),
        "brief_subject": "The brief for our client-fit study {study}",
        "brief_intro": (
            "You lead this study on our side. Please fill in the brief: the goals, your hypotheses and the "
            "accounts you believe are at risk. It helps the researchers ask the right questions."
        ),
        "reminder": "Reminder: ",
        "test": "[TEST] ",
    },
    "nl": {
        "client_subject": "Uw mening over de samenwerking met {supplier}",
        "client_intro": (
            "{supplier} wil graag weten hoe goed haar dienstverlening past bij uw organisatie, en waar niet. "
            "Wilt u uw mening geven? Het kost ongeveer tien minuten."
        ),
        # Colleagues address each other with "je", as the staff questionnaires do.
        "staff_subject": "Hoe goed passen onze klanten bij ons? Jouw beeld per klant",
        "staff_intro": (
            "Voordat we onze klanten bevragen, horen we graag jouw eigen beeld van hoe goed elke klant bij ons "
            "past. Vul voor elke klant hieronder een korte vragenlijst in."
        ),
        "brief_subject": "De briefing voor ons klantfit-onderzoek {study}",
        "brief_intro": (
            "U bent aan onze kant de trekker van dit onderzoek. Wilt u de briefing invullen: de doelen, uw "
            "hypothesen en de klanten waarover u zich zorgen maakt? Zo stellen de onderzoekers de juiste "
            "vragen."
        ),
        "reminder": "Herinnering: ",
        "test": "[TEST] ",
    },
}


@dataclass(frozen=True, slots=True)
class LinkItem:
    """One personal link in an email; `label` names the account it is about (None for a single link)."""

    token: str
    label: str | None = None
    #: The minutes its questionnaire says it takes (`estimated_minutes`), when it says so.
    minutes: int | None = None


def language_of(contact: Contact) -> str:
    return contact.language.value if contact.language is not None else "nl"


def _fill(template: str, study: Study) -> str:
    # Plain replacement, not str.format: a researcher's braces must never reach into Python objects.
    return template.replace("{supplier}", study.supplier.name).replace("{study}", study.name)


def wording(
    study: Study, settings: StudyEmailSettings | None, audience: str, language: str
) -> tuple[str, str]:
    """The subject and intro for an audience in a language: the study's own text, else the default."""
    defaults = DEFAULTS[language]
    subject = defaults[f"{audience}_subject"]
    intro = defaults[f"{audience}_intro"]
    if audience == CLIENT and settings is not None:
        subject = settings.value("subject", language) or subject
        intro = settings.value("intro", language) or intro
    return _fill(subject, study), _fill(intro, study)


def sender_name(study: Study, settings: StudyEmailSettings | None, language: str) -> str:
    own = settings.value("sender_name", language) if settings is not None else ""
    return own or study.supplier.name


def paragraphs(text: str) -> list[list[str]]:
    """Text as paragraphs (split on blank lines) of lines: the HTML version, without markup from users."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [[line.strip() for line in block.split("\n")] for block in blocks if block]


@dataclass(frozen=True, slots=True)
class Composed:
    """An invitation email's parts before rendering (the preview page shows them)."""

    language: str
    subject: str
    sender_name: str
    reply_to: str | None
    opt_out_url: str
    context: dict[str, Any]


def compose(
    *,
    study: Study,
    settings: StudyEmailSettings | None,
    contact: Contact,
    audience: str,
    links: list[LinkItem],
    reminder: int,
    mail: MailSettings,
    test: bool = False,
    language: str | None = None,
) -> Composed:
    """Subject, sender, Reply-To and the template context for one contact (in their language unless given)."""
    language = language or language_of(contact)
    subject, intro = wording(study, settings, audience, language)
    if reminder:
        subject = DEFAULTS[language]["reminder"] + subject
    if test:
        subject = DEFAULTS[language]["test"] + subject
    opt_out = absolute_url(mail.base_url, "links.opt_out", token=links[0].token)
    sender = sender_name(study, settings, language)
    # As `reply_address`: the study's, the supplier's research contact, the operator's default; without any the
    # email does not tell the recipient to reply.
    reply_to = (
        (settings.reply_to if settings is not None else None)
        or study.supplier.research_contact_email
        or mail.sender.reply_to
    )
    context: dict[str, Any] = {
        "subject": subject,
        "sender": sender,
        "can_reply": bool(reply_to),
        "audience": audience,
        "name": contact.name,
        "supplier": study.supplier.name,
        "study": study.name,
        "intro": intro,
        "intro_paragraphs": paragraphs(intro),
        "deadline": format_date(study.deadline, "long", locale=language) if study.deadline else None,
        "links": [
            {
                "label": link.label,
                "url": absolute_url(mail.base_url, "links.landing", token=link.token),
                "minutes": link.minutes,
            }
            for link in links
        ],
        # Staff rate each account apart: what one takes, and all of them together (when every link says).
        "minutes_each": _same_minutes(links),
        "minutes_total": (
            sum(link.minutes for link in links if link.minutes is not None)
            if links and all(link.minutes is not None for link in links)
            else None
        ),
        "opt_out_url": opt_out,
        "reminder": reminder,
        "test": test,
    }
    return Composed(language, subject, sender, reply_to, opt_out, context)


def _same_minutes(links: list[LinkItem]) -> int | None:
    """The minutes every link takes, when they all take the same (stated) time."""
    minutes = {link.minutes for link in links}
    if len(minutes) != 1:
        return None
    return next(iter(minutes))


def invitation_draft(**kwargs: Any) -> Draft:
    """The email for one contact (see `compose`): subject, bodies, sender, Reply-To, opt-out headers."""
    composed = compose(**kwargs)
    body = render_body("invitation", composed.language, composed.context)
    return Draft(
        subject=composed.subject,
        text_body=body.text,
        html_body=body.html,
        sender_name=composed.sender_name,
        reply_to=composed.reply_to,
        headers={
            "List-Unsubscribe": f"<{composed.opt_out_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        language=composed.language,
    )


def reply_address(*, session: Any, study: Study, default: str | None) -> str | None:
    """Where a reply to the study's emails goes: the study's reply address (its lead: set in the study's email
    settings, else the researcher who first sent), else the supplier's research contact, else the operator's
    `default` (SURVEYAPP_MAIL_REPLY_TO); None when there is none, and nothing may then tell people to reply."""
    settings = session.get(StudyEmailSettings, study.id)
    return (
        (settings.reply_to if settings is not None else None)
        or study.supplier.research_contact_email
        or default
        or None
    )
