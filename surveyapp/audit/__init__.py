"""Who did what, when, to which object, and why."""
