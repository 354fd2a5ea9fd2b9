"""The analysis inputs of one study, aggregated by SQL in the database (DESIGN rule 16).

Every query reads the counted responses (rule 2: `responses.storage.counted_select`, a window function) and
aggregates their answers where they are stored. Only aggregates leave the database, never a row per answer:

- `answer_aggregates`: rule 4's n, Σx and Σx² per account, perspective and dimension (SQLite has no standard
  deviation), the listwise sums Cronbach's alpha needs per (perspective, dimension) (rule 13), and each signal
  item's n and mean (rule 9). They come from two summaries that database triggers keep equal to the answers:
  `response_dimension_sums`, one row per (response, dimension), for the respondents' dimension scores (rule 3;
  `responses.unit_sums`), and `account_item_sums`, one row per (account, perspective, item), for alpha's item
  sums and the signal items (`summed_item_rows`, `responses.item_sums`); only an account with a response that
  does not count has its item sums read from its counted answers;
- `account_aggregates`: rule 4's aggregates alone (for the previous wave's overall fits);
- `scored_respondents` (rule 17's n behind each overall), `advice_answers` (rule 20, one row per staff
  rater), `signal_agreement` (how many agreed with a possibly raised signal's statement);
- `nps_answers` (rule 8, one row per client respondent), `response_tally` (the counts, and the accounts
  with a response that does not count), `account_figures`.

Which items are signals and which one is the NPS question comes from the questionnaire version a response is
*scored* on: the study's pinned version of that questionnaire (`scoring_questionnaires`), the same version
`analysis rescore` rebuilds the stored scores from.

The package: `common` (questionnaires, item sets), `tally` (counted responses, NPS answers, figures),
`items` (item sums and signals), `units` (account aggregates and `answer_aggregates`)."""

from surveyapp.analysis.queries.common import MODE_FIELDS, WORK_MEM, ItemSets, scoring_questionnaires
from surveyapp.analysis.queries.headline import advice_answers, scored_respondents, signal_agreement
from surveyapp.analysis.queries.items import SIGNAL_MARGIN, summed_item_rows
from surveyapp.analysis.queries.tally import (
    ResponseTally,
    account_figures,
    nps_answers,
    response_counts,
    response_tally,
)
from surveyapp.analysis.queries.units import AnswerAggregates, account_aggregates, answer_aggregates

__all__ = [
    "MODE_FIELDS",
    "SIGNAL_MARGIN",
    "WORK_MEM",
    "AnswerAggregates",
    "ItemSets",
    "ResponseTally",
    "account_aggregates",
    "account_figures",
    "advice_answers",
    "answer_aggregates",
    "nps_answers",
    "response_counts",
    "response_tally",
    "scored_respondents",
    "scoring_questionnaires",
    "signal_agreement",
    "summed_item_rows",
]
