"""caretui: a terminal caseload organizer for a care coordinator."""

__version__ = "0.1.0"
