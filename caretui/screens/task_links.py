"""What a task waits on and what waits on it: `b` and `B` on a list of tasks.

``ask_wait_on`` (`b`) and ``ask_stop_waiting`` (`B`) are what a screen's actions
call with the selected task: they read in a thread worker, ask in a dialog, and
write through the screen's ``write``. ``read_links`` reads both ends of a task's
dependencies and the open tasks it could wait on (the same patient's, then the same
queue's); ``WaitsOnDialog`` shows them, names and titles as ``Text``, and returns
the task picked. ``wait_on`` and ``stop_waiting`` write (from a thread worker) and
return a ``Saved``; a refusal (a circle, a closed task) raises ``CaretuiError``
with a message to show as it is.

SQLAlchemy and the services are imported inside function bodies only.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from caretui.queries.names import patient_name
from caretui.queries.tasks import LinkedTask, blocked_by_task, blocker_choices, blockers
from caretui.screens.chart_forms import Saved, fresh
from caretui.services.text import one_line
from caretui.store.database import Database
from caretui.widgets.dialogs import Dialog, dialog_title

if TYPE_CHECKING:
    from caretui.queries.tasks import TaskRow
    from caretui.screens.base import RecordListScreen


@dataclass(frozen=True, slots=True)
class Links:
    """Both ends of one task's dependencies, and what it could wait on."""

    task_id: int
    waits_on: list[LinkedTask]
    blocks: list[LinkedTask]
    choices: list[LinkedTask]


def read_links(
    con: sqlite3.Connection, task_id: int, *, patient_id: int | None, queue: str
) -> Links:
    """(In a worker thread.) What ``task_id`` waits on, what waits on it, and the open
    tasks of the same patient or queue it could wait on."""
    return Links(
        task_id,
        blockers(con, task_id),
        blocked_by_task(con, task_id),
        blocker_choices(con, task_id, patient_id=patient_id, queue=queue),
    )


def linked_line(task: LinkedTask, today: date, *, redact: bool) -> Text:
    """ "Fri 13 Mar  Referral accepted — Núñez, Ana  (calls)", done ones dimmed."""
    text = Text(f"{task.due:%a %d %b}  " if task.due else "no date     ", style="dim")
    text.append(one_line(task.title), style="" if task.open else "dim strike")
    if task.patient_id is not None:
        name = patient_name(
            task.given_name or "", task.family_name or "", task.preferred_name, redact=redact
        )
        text.append(f" — {name}")
    text.append(f"  ({one_line(task.queue)})", style="dim")
    if not task.open:
        text.append(f"  {task.status.replace('-', ' ')}", style="dim italic")
    elif task.due is not None and task.due < today:
        text.stylize("red", 0, 11)
    return text


def _listing(heading: str, tasks: list[LinkedTask], today: date, *, redact: bool) -> Text:
    text = Text(heading, style="bold")
    if not tasks:
        text.append(" nothing", style="dim")
    for task in tasks:
        text.append("\n  ")
        text.append_text(linked_line(task, today, redact=redact))
    return text


class WaitsOnDialog(Dialog[int | None]):
    """What the task waits on and what waits on it; enter picks another open task of
    the same patient or queue for it to wait on (its id), escape closes."""

    DEFAULT_CSS = """
    WaitsOnDialog > Vertical { width: 96; }
    WaitsOnDialog .links { height: auto; padding: 0 0 1 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Down", show=False, tooltip="Next task"),
        Binding("up", "move(-1)", "Up", show=False, tooltip="Previous task"),
    ]

    def __init__(self, title: str | Text, links: Links, *, today: date, redact: bool) -> None:
        super().__init__()
        self._title = dialog_title(title)
        self._links = links
        self._today = today
        self._redact = redact

    def compose(self) -> ComposeResult:
        links, today, redact = self._links, self._today, self._redact
        with Vertical():
            yield Label(self._title, classes="dialog-title")
            yield Static(
                _listing("Waits on:", links.waits_on, today, redact=redact), classes="links"
            )
            yield Static(_listing("Blocks:", links.blocks, today, redact=redact), classes="links")
            if links.choices:
                yield Label(Text("Wait also on:"), classes="dialog-label")
                yield OptionList(
                    *(Option(linked_line(t, today, redact=redact)) for t in links.choices),
                    id="links-choices",
                )
                hint = "enter: wait on it · escape closes"
            else:
                hint = "No other open task of this patient or queue to wait on · escape closes"
            yield Static(Text(hint), classes="dialog-hint")

    def on_mount(self) -> None:
        if self._links.choices:
            choices = self.query_one(OptionList)
            choices.focus()
            choices.highlighted = 0

    def action_move(self, step: int) -> None:
        if not self._links.choices:
            return
        listing = self.query_one(OptionList)
        if step > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    @on(OptionList.OptionSelected, "#links-choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._links.choices[event.option_index].id)


# --- the keys: `b` and `B` on a screen listing tasks -------------------------------------


def ask_wait_on(screen: RecordListScreen[TaskRow], row: TaskRow) -> None:
    """`b`: read the task's links in a worker, show them, and make the task wait on the
    one picked; the screen's ``write`` then updates the task's line."""
    app = screen.caretui
    db, today, redact = app.db, app.today, app.redact

    def load() -> None:
        with app.reading() as con:
            links = read_links(con, row.id, patient_id=row.patient_id, queue=row.queue)
        app.call_from_thread(show, links)

    def show(links: Links) -> None:
        def chosen(blocker: int | None) -> None:
            if blocker is not None:
                screen.write(lambda: wait_on(db, today, row.id, row.version, blocker), row.id)

        title = _about("Waits on", row.title)
        app.push_screen(WaitsOnDialog(title, links, today=today, redact=redact), chosen)

    screen.run_worker(load, thread=True, exclusive=True, group="task-links")


def ask_stop_waiting(screen: RecordListScreen[TaskRow], row: TaskRow) -> None:
    """`B`: choose one of the tasks this task waits on, and stop waiting on it."""
    from caretui.widgets.dialogs import ChoiceDialog

    app = screen.caretui
    db, today, redact = app.db, app.today, app.redact

    def load() -> None:
        with app.reading() as con:
            waits_on = blockers(con, row.id)
        app.call_from_thread(show, waits_on)

    def show(waits_on: list[LinkedTask]) -> None:
        if not waits_on:
            screen.notify("This task waits on no other task", markup=False)
            return

        def chosen(value: str | None) -> None:
            if value:
                blocker = int(value)
                screen.write(lambda: stop_waiting(db, today, row.id, blocker), row.id)

        choices: list[tuple[str | Text, str]] = [
            (linked_line(t, today, redact=redact), str(t.id)) for t in waits_on
        ]
        app.push_screen(ChoiceDialog(_about("Stop waiting on", row.title), choices), chosen)

    screen.run_worker(load, thread=True, exclusive=True, group="task-links")


def _about(what: str, title: str) -> Text:
    """A dialog's title about a task: "Waits on — Book the appointment"."""
    title, room = one_line(title), 58 - len(what)
    return Text(f"{what} — {title if len(title) <= room else title[: room - 1] + '…'}")


# --- the changes (call from a thread worker) ---------------------------------------------


def wait_on(
    db: Database, today: date, task_id: int, version: int | None, blocked_by_id: int
) -> Saved:
    """The task now waits on ``blocked_by_id``: it leaves Today until that one is done."""
    from caretui.models.all import Task
    from caretui.services.dependencies import add_dependency
    from caretui.services.unit import action

    with action(db, "Add dependency") as session:
        task = fresh(session, Task, task_id, version)
        add_dependency(session, task, fresh(session, Task, blocked_by_id, None))
    return Saved(task_id, "Waits on it now: off Today until that task is done")


def stop_waiting(db: Database, today: date, task_id: int, blocked_by_id: int) -> Saved:
    from caretui.models.all import Task
    from caretui.services.dependencies import remove_dependency
    from caretui.services.unit import action

    with action(db, "Remove dependency") as session:
        remove_dependency(session, fresh(session, Task, task_id, None), blocked_by_id)
    return Saved(task_id, "No longer waits on that task")
