"""Invitations: personal links, their lifecycle, reminders and opting out."""
