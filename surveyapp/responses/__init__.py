"""Responses and their answers: the respondent journey, and what interviews and imports store."""
