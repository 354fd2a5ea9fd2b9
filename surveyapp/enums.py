"""Every enumeration of the domain, in one place (the bottom layer: imports nothing of ours)."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    RESEARCHER = "researcher"
    ACCOUNT_TEAM = "account_team"
    SALES = "sales"


class Language(StrEnum):
    NL = "nl"
    EN = "en"


class Phase(StrEnum):
    """The four phases of a study, in order; also where in a study a questionnaire is used."""

    PREPARE = "prepare"
    INTERVIEW = "interview"
    ANALYSE = "analyse"
    ACT = "act"


class Purpose(StrEnum):
    SURVEY = "survey"
    INTERVIEW = "interview"
    BRIEF = "brief"
    DEAL_CHECK = "deal_check"


class Perspective(StrEnum):
    CLIENT = "client"
    SUPPLIER = "supplier"
    SUPPLIER_PREDICTS_CLIENT = "supplier_predicts_client"
    NONE = "none"


class Side(StrEnum):
    CLIENT = "client"
    SUPPLIER = "supplier"


class QuestionType(StrEnum):
    SCALE = "scale"
    NPS = "nps"
    SINGLE = "single"
    MULTI = "multi"
    TEXT = "text"
    LONGTEXT = "longtext"
    NUMBER = "number"
    DATE = "date"
    MATRIX = "matrix"


class Quadrant(StrEnum):
    MATCH = "match"
    CUSTOMER_SWAYED = "customer_swayed"
    BLIND_SPOT = "blind_spot"
    MISFIT = "misfit"
    INCOMPLETE = "incomplete"


class SignalGroup(StrEnum):
    """How the article names the warning signals (issue 24): a dimension of scoring.yaml says which group its
    signal items belong to; a signal item of a dimension without one is `other`."""

    SMALL_ERRORS = "small_errors"
    WORKAROUNDS = "workarounds"
    FEAR_AND_RELUCTANCE = "fear_and_reluctance"
    COST_TO_SERVE = "cost_to_serve"
    OTHER = "other"


class ResponseMode(StrEnum):
    SURVEY = "survey"
    INTERVIEW = "interview"
    IMPORT = "import"


class DealAdvice(StrEnum):
    GO = "go"
    GO_WITH_CONDITIONS = "go_with_conditions"
    NO_GO = "no_go"


class DealRater(StrEnum):
    """Who answers a deal fit check: the seller, or the people who will deliver the work."""

    SALES = "sales"
    DELIVERY = "delivery"


class InvitationStatus(StrEnum):
    """Where an invitation stands; its history keeps every step with its time."""

    CREATED = "created"
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    OPENED = "opened"
    STARTED = "started"
    COMPLETED = "completed"
    EXPIRED = "expired"
    OPTED_OUT = "opted_out"


class DecisionKind(StrEnum):
    """What a supplier decides per account in the act phase."""

    CONTINUE = "continue"
    REALIGN = "realign"
    EXIT = "exit"


class ActionStatus(StrEnum):
    OPEN = "open"
    DOING = "doing"
    DONE = "done"
    DROPPED = "dropped"


class ProspectStage(StrEnum):
    """Where a prospect stands in the sales process."""

    LEAD = "lead"
    QUALIFYING = "qualifying"
    PROPOSAL = "proposal"
    WON = "won"
    LOST = "lost"


class OfferDecision(StrEnum):
    """What was decided about an offer after a deal fit check."""

    OFFER_MADE = "offer_made"
    OFFER_DECLINED = "offer_declined"


class DealPdfStatus(StrEnum):
    QUEUED = "queued"
    RENDERING = "rendering"
    READY = "ready"
    FAILED = "failed"
