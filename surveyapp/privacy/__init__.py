"""Data-subject rights and retention: erasure of a contact, the per-contact data export, retention per study.

See docs/privacy.md for what is stored where, for how long, and how each right is honoured.
"""
