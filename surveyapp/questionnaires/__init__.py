"""Questionnaires: the file format, loading and checking, show_if, the question-type registry and forms."""

from surveyapp.questionnaires.errors import QuestionnaireError
from surveyapp.questionnaires.loader import (
    Catalogue,
    CheckResult,
    check_paths,
    load_directory,
    load_questionnaire,
    load_scoring,
    questionnaire_from_content,
    scoring_from_content,
)
from surveyapp.questionnaires.schema import (
    Dimension,
    Item,
    MatrixRow,
    Option,
    Question,
    Questionnaire,
    ScaleSpec,
    ScoringModel,
    Section,
    Text,
    Thresholds,
)
from surveyapp.questionnaires.show_if import Condition, ShowIfError, parse
from surveyapp.questionnaires.visibility import (
    Visibility,
    is_visible,
    visibility,
    visible_answers,
    visible_questions,
)

__all__ = [
    "Catalogue",
    "CheckResult",
    "Condition",
    "Dimension",
    "Item",
    "MatrixRow",
    "Option",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "ScaleSpec",
    "ScoringModel",
    "Section",
    "ShowIfError",
    "Text",
    "Thresholds",
    "Visibility",
    "check_paths",
    "is_visible",
    "load_directory",
    "load_questionnaire",
    "load_scoring",
    "parse",
    "questionnaire_from_content",
    "scoring_from_content",
    "visibility",
    "visible_answers",
    "visible_questions",
]
