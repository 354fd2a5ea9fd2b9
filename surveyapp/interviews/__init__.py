"""Guided interviews: planning, the interview screen, autosave with optimistic locking, completion."""
