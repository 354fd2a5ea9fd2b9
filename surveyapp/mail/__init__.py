"""Outgoing email: a transactional outbox, message building, the file and SMTP backends, and the sender."""
