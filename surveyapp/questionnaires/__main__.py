"""`python -m surveyapp.questionnaires [PATH...]`: check questionnaire files without the app or a database."""

from surveyapp.questionnaires.cli import check

if __name__ == "__main__":
    check.main(prog_name="python -m surveyapp.questionnaires")
