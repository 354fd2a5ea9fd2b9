"""The interview screen's view layer: one topic (section) at a time, built by the questionnaire engine in the
interview's language, with the bookkeeping the screen adds — base tokens per field, notes, quotes, probes, the
scale to read out, the side list of topics — and the reading of a submitted topic or question into changes.

Field names: answers use the engine's (`q-<item>`, `na-<question>`); notes are `note-<question>`; every
answer field and note has a hidden `base-<name>` holding the version and fingerprint the page showed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale

from surveyapp.enums import QuestionType
from surveyapp.i18n import _, _l
from surveyapp.interviews.answers import AnswerChange, Base, Conflict, NoteChange, Stored, base_token
from surveyapp.interviews.models import Interview, InterviewQuote
from surveyapp.questionnaires import messages
from surveyapp.questionnaires.forms import QuestionView
from surveyapp.questionnaires.schema import Question, Questionnaire, items_of
from surveyapp.questionnaires.types import field_name, handler_for
from surveyapp.questionnaires.visibility import visibility
from surveyapp.responses import forms as survey_forms
from surveyapp.responses.display import answer_text
from surveyapp.responses.queries import placeholders_for

STATE_LABELS = {
    "done": _l("done"),
    "partly": _l("partly done"),
    "todo": _l("to do"),
    "skipped": _l("does not apply"),
}


def note_field(question_key: str) -> str:
    return f"note-{question_key}"


def base_field(name: str) -> str:
    return f"base-{name}"


def placeholders(interview: Interview) -> dict[str, str]:
    return placeholders_for(interview.study, interview.account)


@dataclass(frozen=True, slots=True)
class TopicState:
    key: str
    title: str
    state: str
    answered: int
    total: int

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])


def topic_states(
    questionnaire: Questionnaire, answers: Mapping[str, str | None], *, lang: str, values: Mapping[str, str]
) -> list[TopicState]:
    """Every topic with how far it is answered (visible items with an answer; "not applicable" counts)."""
    seen = visibility(questionnaire, answers)
    states = []
    for section in questionnaire.sections:
        title = section.title.render(lang, **values)
        if section.key not in seen.sections:
            states.append(TopicState(section.key, title, "skipped", 0, 0))
            continue
        keys = [item.key for q in section.questions if q.key in seen.questions for item in items_of(q)]
        answered = sum(1 for key in keys if key in seen.answers)
        state = "done" if keys and answered == len(keys) else ("partly" if answered else "todo")
        states.append(TopicState(section.key, title, state, answered, len(keys)))
    return states


@dataclass
class ConflictView:
    """A conflict as the screen shows it: both versions in words."""

    field: str
    label: str
    yours: str
    theirs: str
    theirs_value: str | None
    token: str
    by: str | None
    at: Any


@dataclass
class QuestionBlock:
    view: QuestionView
    probes: list[str]
    scale: list[tuple[str, str]]
    bases: dict[str, str]
    note: str
    note_base: str
    quotes: list[InterviewQuote]
    conflicts: list[ConflictView] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.view.key

    @property
    def note_name(self) -> str:
        return note_field(self.view.key)

    @property
    def fields(self) -> list[str]:
        return list(self.bases)


def read_out_scale(question: Question, lang: str, values: Mapping[str, str]) -> list[tuple[str, str]]:
    """The values and anchors of a numbered scale, as the interviewer reads them out."""
    if question.type is QuestionType.NPS:
        with force_locale(lang):
            return [
                (str(v), str(messages.NPS_LOW) if v == 0 else str(messages.NPS_HIGH) if v == 10 else "")
                for v in range(11)
            ]
    if question.type in (QuestionType.SCALE, QuestionType.MATRIX) and question.scale is not None:
        anchors = question.scale.anchors
        return [
            (str(v), anchors[v].render(lang, **values) if v in anchors else "")
            for v in range(1, question.scale.points + 1)
        ]
    return []


def conflict_view(
    conflict: Conflict, questionnaire: Questionnaire, lang: str, values: Mapping[str, str]
) -> tuple[str, ConflictView]:
    """(question key, view) of a conflict."""
    if conflict.kind == "note":
        question_key = conflict.key
        label = str(_("Notes"))
        name = note_field(conflict.key)
        yours, theirs = conflict.yours or "", conflict.theirs.value or ""
    else:
        item = questionnaire.item(conflict.key)
        question_key = item.question.key
        label = (item.row.text if item.row is not None else item.question.text).render(lang, **values)
        name = field_name(conflict.key)
        yours = answer_text(item, conflict.yours, lang=lang, placeholders=values) or str(_("no answer"))
        theirs = answer_text(item, conflict.theirs.value, lang=lang, placeholders=values) or str(
            _("no answer")
        )
    view = ConflictView(
        name,
        label,
        yours,
        theirs,
        conflict.theirs.value,
        conflict.theirs.token,
        conflict.theirs.updated_by,
        conflict.theirs.updated_at,
    )
    return question_key, view


def build_blocks(
    *,
    form: Any,
    questionnaire: Questionnaire,
    lang: str,
    values: Mapping[str, str],
    stored: Mapping[str, Stored],
    notes: Mapping[str, Stored],
    quotes: Mapping[str, list[InterviewQuote]],
    conflicts: list[Conflict] = (),  # type: ignore[assignment]
    problems: Mapping[str, Any] | None = None,
    bases: Mapping[str, str] | None = None,
    note_texts: Mapping[str, str] | None = None,
) -> list[QuestionBlock]:
    """The topic's questions for the template: the engine's views plus what the interview screen adds.

    `bases` and `note_texts` override the stored state (a page shown again with the person's own input)."""
    with force_locale(lang):
        views = form.views
    by_question: dict[str, list[ConflictView]] = {}
    for conflict in conflicts:
        question_key, view = conflict_view(conflict, questionnaire, lang, values)
        by_question.setdefault(question_key, []).append(view)
    blocks = []
    for view in views:
        question = view.question
        block_bases = {}
        for item in items_of(question):
            name = field_name(item.key)
            held = stored.get(item.key)
            block_bases[name] = (bases or {}).get(name) or base_token(
                held.version if held else 0, held.value if held else None
            )
        note = notes.get(question.key)
        name = note_field(question.key)
        note_text = (note_texts or {}).get(name, note.value if note else "") or ""
        note_base = (bases or {}).get(name) or base_token(
            note.version if note else 0, note.value if note else None
        )
        found = [
            message
            for key, message in (problems or {}).items()
            if key == f"note:{question.key}" or key.split(".")[0] == question.key
        ]
        blocks.append(
            QuestionBlock(
                view=view,
                probes=[probe.render(lang, **values) for probe in question.probe],
                scale=read_out_scale(question, lang, values),
                bases=block_bases,
                note=note_text,
                note_base=note_base,
                quotes=quotes.get(question.key, []),
                conflicts=by_question.get(question.key, []),
                problems=found,
            )
        )
    return blocks


def _base(formdata: Any, name: str) -> Base:
    try:
        return Base.parse(formdata.get(base_field(name)))
    except ValueError:
        return Base(-1, "")  # a damaged token can only conflict, never overwrite


def clean_note(text: str) -> str:
    """Notes as the browser's text box holds them: forms send line breaks as CRLF, scripts as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def note_changes(questions: list[Question], formdata: Any) -> list[NoteChange]:
    changes = []
    for question in questions:
        name = note_field(question.key)
        if name not in formdata:
            continue
        text = clean_note(str(formdata.get(name) or ""))
        base = _base(formdata, name)
        if not base.shows(text):
            changes.append(NoteChange(question.key, text, base.version))
    return changes


def answer_changes(
    questions: list[Question], values: Mapping[str, str | None], formdata: Any
) -> list[AnswerChange]:
    """The answers the person changed on this page (what differs from what the page showed)."""
    changes = []
    for question in questions:
        for item in items_of(question):
            raw = values.get(item.key)
            base = _base(formdata, field_name(item.key))
            if not base.shows(raw):
                changes.append(AnswerChange(item.key, raw, base.version))
    return changes


def read_question(
    form: Any, question: Question, formdata: Any
) -> tuple[dict[str, str | None], dict[str, Any]]:
    """One question's submitted answers (raw value per item, None for none) and its problems by item key."""
    reading = handler_for(question).read(question, form)
    problems: dict[str, Any] = {}
    for item in items_of(question):
        name = field_name(item.key)
        found = [*(reading.errors.get(name) or []), *(reading.errors.get(f"na-{question.key}") or [])]
        if any("\x00" in str(value) for value in formdata.getlist(name)):
            problems[item.key] = survey_forms.HAS_NUL
        elif found:
            problems[item.key] = _scale_problem(question) or found[0]
    return dict(reading.values), problems


def _scale_problem(question: Question) -> Any | None:
    if question.type is QuestionType.NPS:
        return _l("A score on this scale runs from %(low)d to %(high)d.", low=0, high=10)
    if question.type in (QuestionType.SCALE, QuestionType.MATRIX) and question.scale is not None:
        return _l("A score on this scale runs from %(low)d to %(high)d.", low=1, high=question.scale.points)
    return None


def display_answers(stored: Mapping[str, Stored], conflicts: list[Conflict]) -> dict[str, str | None]:
    """What a page shown again after conflicts holds: the stored answers, with the person's own version in the
    fields that conflict (so saving again replaces the other version on purpose)."""
    values: dict[str, str | None] = {key: held.value for key, held in stored.items()}
    values.update({c.key: c.yours for c in conflicts if c.kind == "answer"})
    return values
