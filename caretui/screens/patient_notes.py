"""The Notes tab's `e`: correct a logged call, visit, message or note.

A note is the contact log, but a wrong outcome, a typo or minutes typed wrong are
corrected in place (``notes.update_note``: the same rules as logging one, refused if
the note changed since it was shown, audited with the fields changed). Logging a
new one is ``chart_forms.note_form``. SQLAlchemy and the services are imported
inside function bodies only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from caretui import codes
from caretui.queries.chart import NoteRow
from caretui.screens.common import now_on
from caretui.store.database import Database
from caretui.widgets.form import FormScreen
from caretui.widgets.stale_edit import edited, expected_version


def edit_note_form(db: Database, today: date, current: NoteRow) -> FormScreen:
    """The note's fields, filled in; ctrl+s saves the correction in one action."""
    from caretui.screens.chart_forms import Saved, note_fields

    fields = note_fields(current)

    def save(values: dict[str, Any]) -> Saved:
        from caretui.models.all import Note
        from caretui.screens.chart_forms import fresh
        from caretui.services.notes import require_outcome, update_note
        from caretui.services.unit import action

        if current.outcome or current.kind != codes.NoteKind.CALL.value:
            # A call logged by hand states its outcome; one that came without (imported,
            # timed) can still have its text corrected without guessing one.
            require_outcome(values["kind"], values["outcome"])
        with action(db, "Edit note") as session:
            note = fresh(session, Note, current.id, None)
            version = expected_version("note", current.id, current.version)
            update_note(session, note, values, expected_version=version, now=now_on(today))
            return Saved(note.id, f"{str(values['kind']).capitalize()} corrected")

    title = f"Correct this {current.kind}"
    return FormScreen(title, fields, save, today=today, edited=edited("note", current))
