"""The act phase: decisions per account, action items, reminders and the next wave."""
