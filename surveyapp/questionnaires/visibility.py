"""Which sections and questions a set of answers shows, evaluated on the server.

The one function every caller uses (the survey, the interview screen, the importer, the analysis): a question
is hidden when its section is hidden or its own show_if is false, and the answers of hidden questions do not
count — not for scoring, and not for the show_if of later questions. Because a show_if may only name earlier
questions, one pass in file order decides everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from surveyapp.questionnaires.schema import Question, Questionnaire, Section, items_of

RawAnswers = Mapping[str, str | None]


@dataclass(frozen=True)
class Visibility:
    """The outcome for one set of answers."""

    sections: frozenset[str]
    questions: frozenset[str]
    #: The answers that count: visible items only, unanswered ones left out.
    answers: Mapping[str, str]

    def shows(self, node: Section | Question) -> bool:
        """Whether a section or question is shown."""
        if isinstance(node, Section):
            return node.key in self.sections
        return node.key in self.questions


def visibility(questionnaire: Questionnaire, answers: RawAnswers) -> Visibility:
    """Decide visibility in file order; answers to keys the questionnaire does not have are ignored."""
    counted: dict[str, str] = {}
    sections: set[str] = set()
    questions: set[str] = set()
    for section in questionnaire.sections:
        condition = section.show_if_condition
        if condition is not None and not condition.evaluate(counted):
            continue
        sections.add(section.key)
        for question in section.questions:
            condition = question.show_if_condition
            if condition is not None and not condition.evaluate(counted):
                continue
            questions.add(question.key)
            for item in items_of(question):
                raw = answers.get(item.key)
                if raw is not None and raw != "":
                    counted[item.key] = raw
    return Visibility(frozenset(sections), frozenset(questions), counted)


def visible_questions(questionnaire: Questionnaire, answers: RawAnswers) -> list[Question]:
    """The questions these answers show, in order."""
    shown = visibility(questionnaire, answers).questions
    return [question for question in questionnaire.questions if question.key in shown]


def visible_answers(questionnaire: Questionnaire, answers: RawAnswers) -> dict[str, str]:
    """Only the answers that count: those of visible items, without empty ones."""
    return dict(visibility(questionnaire, answers).answers)


def is_visible(questionnaire: Questionnaire, node: Section | Question, answers: RawAnswers) -> bool:
    """Whether a section or question (of this questionnaire) is shown for these answers."""
    return visibility(questionnaire, answers).shows(node)
