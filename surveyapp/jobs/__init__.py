"""Background work: one idempotent function per job, run by `surveyapp tick`, the CLI or the web app."""
