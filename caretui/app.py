"""The Textual app: its screens (modes), global keys, palette, and safety nets.

Nothing here imports SQLAlchemy, and each mode's screen is imported when it is
first built: the first frame paints from the plain read side. The ORM (about
170 ms of imports and 21 MB) is imported in a worker from the first key after
the first paint (``warm_up``; a key that writes at once, ``x`` on Today, then
does not wait for it in a session a few keys old), or when a form or a dialog
that can save opens first. A session only looked at never loads it. The mode
screens not built at start are built when the keys pause (``IDLE_PAUSE``)
(DESIGN.md, "Speed by design").
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import Provider
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.worker import get_current_worker

from caretui import config as config_module
from caretui.screens.timer import TimerKeeper
from caretui.services.timer import Clock
from caretui.store.database import Database
from caretui.store.plain import database_errors

if TYPE_CHECKING:
    from caretui.services.today_first import Prefetch

#: Commands that would write patient data to disk or are not for this app.
BLOCKED_SYSTEM_COMMANDS = frozenset({"Screenshot"})
#: Mode screens built ahead, once Today has painted its rows, so that their first
#: switch does not also wait for Textual to build them and for their first page
#: (5,000 patients, headless, key to rows shown: Patients 111 -> 43 ms,
#: Appointments 107 -> 44 ms, Queues 158 -> 47 ms): the keys 2 to 4, the screens a
#: coordinator goes back and forth between, each 2-3 MB. Referrals, Resources and
#: Reports (``IDLE_MODES``) are built later, when the keys pause.
PREBUILT_MODES = ("patients", "appointments", "queues")
#: Seconds between two of those builds (and after Today's paint): a key pressed
#: meanwhile waits for one screen's build at most, not for all of them.
PREBUILD_PAUSE = 0.2
#: Seconds without a key, once those screens are built, before the other mode
#: screens (``IDLE_MODES``) are built, one per such pause: their first key then shows
#: them at once, not in 120-400 ms (5,000 patients); a build lands between keys only
#: when they pause.
IDLE_PAUSE = 0.4
IDLE_MODES = ("referrals", "resources", "reports")


def _mode(module: str, name: str) -> Callable[[], Screen[Any]]:
    """A mode's screen, its module imported when the screen is first built: importing
    every screen up front cost about 100 ms and 7 MB before Today could paint."""

    def build() -> Screen[Any]:
        screen: type[Screen[Any]] = getattr(importlib.import_module(module), name)
        return screen()

    build.__qualname__ = build.__name__ = name
    return build


def _patient_provider() -> type[Provider]:
    from caretui.screens.palette import PatientProvider

    return PatientProvider


def _resource_provider() -> type[Provider]:
    from caretui.screens.resource_palette import ResourceProvider

    return ResourceProvider


class CaretuiApp(App[None]):
    """caretui's TUI over one caseload database."""

    TITLE = "caretui"
    CSS_PATH = "app.tcss"
    #: The palette's providers, imported when the palette first opens.
    COMMANDS = App.COMMANDS | {_patient_provider, _resource_provider}
    MODES = {
        "today": _mode("caretui.screens.today", "TodayScreen"),
        "patients": _mode("caretui.screens.patients", "PatientsScreen"),
        "appointments": _mode("caretui.screens.appointments", "AppointmentsScreen"),
        "queues": _mode("caretui.screens.queues", "QueuesScreen"),
        "referrals": _mode("caretui.screens.referrals", "ReferralsScreen"),
        "resources": _mode("caretui.screens.resources", "ResourcesScreen"),
        "reports": _mode("caretui.screens.reports", "ReportsScreen"),
    }
    DEFAULT_MODE = "today"
    BINDINGS = [
        Binding(
            "1",
            "switch_mode('today')",
            "Today",
            id="mode.today",
            tooltip="Today: what needs attention now",
        ),
        Binding("2", "switch_mode('patients')", "Patients", id="mode.patients"),
        Binding(
            "3",
            "switch_mode('appointments')",
            "Appts",
            id="mode.appointments",
            tooltip="Appointments: agenda by day and week",
        ),
        Binding(
            "4",
            "switch_mode('queues')",
            "Queues",
            id="mode.queues",
            tooltip="Queues: tasks by queue",
        ),
        Binding(
            "5",
            "switch_mode('referrals')",
            "Referrals",
            id="mode.referrals",
            tooltip="Referrals: every open loop across the caseload, oldest first",
        ),
        Binding(
            "6",
            "switch_mode('resources')",
            "Resources",
            id="mode.resources",
            tooltip="Resources: the directory of services and community resources",
        ),
        Binding(
            "7",
            "switch_mode('reports')",
            "Reports",
            id="mode.reports",
            tooltip="Reports: the month in numbers and charts",
        ),
        Binding("question_mark", "help", "Keys", id="help", tooltip="Every key of this screen"),
        Binding(
            "a",
            "quick_add",
            "Add",
            id="quick_add",
            priority=False,  # an Input or a form keeps its "a"
            tooltip="Quick add: one line becomes a task or an appointment (f1 there: grammar)",
        ),
        Binding(
            "slash",
            "find_patient",
            "Find",
            id="find",
            show=False,
            key_display="/",
            # Patients, Queues and Resources search their own list with / instead.
            tooltip="Find a patient by name or MRN and open them (the command palette)",
        ),
        Binding(
            "ctrl+r",
            "toggle_redact",
            "Redact",
            id="redact",
            show=False,
            tooltip="Redaction: initials only, no birth date, phone or address",
        ),
        Binding(
            "ctrl+t",
            "timer",
            "Timer",
            id="timer",
            show=False,
            tooltip="Time spent: start a timer for the patient shown or selected; again stops "
            "it and offers to log the time as a note",
        ),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    redact: reactive[bool] = reactive(False)
    """Show initials instead of names, and hide birth date, phone and address."""

    def __init__(
        self,
        db: Database,
        *,
        today: date | None = None,
        settings: config_module.Config | None = None,
        clock: Clock | None = None,
        first_read: Prefetch | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        #: Today's first read, started before the app was imported (``caretui.launch``).
        self.first_read = first_read
        self._today = today
        self.settings = settings or config_module.load()
        self._theme_ready = False
        #: Set while ``switch_mode`` switches to a screen built already.
        self._no_delay = False
        self._last_activity = time.monotonic()
        #: The one time-spent timer (``clock``: tests move time with their own).
        self.timer = TimerKeeper(self, clock)
        #: Whether the write side was imported ahead (``warm_up``).
        self._warmed = False
        #: Today painted and the first mode screens built behind it.
        self._started = False

    @property
    def today(self) -> date:
        """The app's today: fixed in tests and snapshots, the real date otherwise."""
        return self._today or date.today()

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A read-only stdlib connection for one worker's queries (call from a thread)."""
        con = self.db.read()
        try:
            yield con
        finally:
            con.close()

    def on_mount(self) -> None:
        # Full garbage collections over Textual's many objects took 70-210 ms and
        # landed on random keys at 5,000 patients; collect the oldest generation
        # far less often (see benchmarks/RESULTS.md).
        gc.set_threshold(700, 10, 1000)
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self._theme_ready = True
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.screen_change_signal.subscribe(self, self._screen_changed)
        self.call_after_refresh(self._daily_backup)
        if self.settings.idle_lock_minutes > 0:
            self.set_interval(10, self._check_idle, name="idle-lock")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._last_activity = time.monotonic()
            if self._started and not self._warmed:
                self.warm_up()  # in use: a write is near
        await super().on_event(event)

    def _check_idle(self) -> None:
        idle = time.monotonic() - self._last_activity
        if idle >= self.settings.idle_lock_minutes * 60:
            self.lock()

    def lock(self) -> None:
        """Hide the screen until a key is pressed (idle lock, or the palette's Lock)."""
        from caretui.screens.lock import LockScreen

        if not isinstance(self.screen, LockScreen):
            self.push_screen(LockScreen())

    def _screen_changed(self, screen: Screen[Any]) -> None:
        if getattr(screen, "WARMS_WRITE_SIDE", False):
            self.warm_up()

    def warm_up(self) -> None:
        """Import the write side (SQLAlchemy, the models, the services) in a worker, once,
        so that the save about to come does not wait for it. Called on the first key
        after start (the first ``x`` of a session then writes in 7 ms, not 370), or when
        a screen that can save opens first (``WARMS_WRITE_SIDE``: forms, dialogs, quick
        add): the user types meanwhile. Its ~300 ms in a worker slow the keys pressed
        meanwhile by a few ms at most."""
        if not self._warmed:
            self._warmed = True
            self._warm_up()

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        from sqlalchemy.orm import configure_mappers

        from caretui.services import unit

        for module in ("caretui.screens.work_forms", "caretui.services.tasks"):
            importlib.import_module(module)  # Today's x, s and r: the task writes

        configure_mappers()
        unit.session_factory(self.db)
        with self.db.engine.connect():
            pass
        gc.freeze()  # what is built so far stays: no collection needs to walk it again

    def switch_mode(self, mode: str) -> AwaitMount:
        """Textual's switch, without its 50 ms pause when the mode's screen is built.

        ``App.switch_mode`` holds every update for 50 ms (``delay_update``) to hide a
        screen being built on its first switch. A screen built already (``PREBUILT_MODES``,
        or shown before) has nothing to hide: the switch is one batch instead, and the
        next frame shows the screen whole, 50 ms sooner."""
        if not self._built(mode):  # built by this switch: keep Textual's pause
            return super().switch_mode(mode)
        with self.batch_update():
            self._no_delay = True
            try:
                return super().switch_mode(mode)
            finally:
                self._no_delay = False

    def delay_update(self, delay: float = 0.05) -> None:
        if not self._no_delay:
            super().delay_update(delay)

    def prebuild_modes(self) -> None:
        """Build the mode screens of ``PREBUILT_MODES`` behind the one shown, one every
        ``PREBUILD_PAUSE``: the main thread is never busy with more than one at a time.
        Today calls this once its rows are painted."""
        self.set_timer(PREBUILD_PAUSE, self._prebuild_next, name="prebuild")

    def _prebuild_next(self) -> None:
        # Textual builds a mode's screen on its first ``switch_mode``, by ``_init_mode``,
        # which builds it without making it current (there is no public way to). Not
        # while the app closes: its screens are being closed, mode by mode.
        if self._exit or not self.is_running:
            return
        for mode in PREBUILT_MODES:
            if not self._built(mode):
                self._init_mode(mode)
                self.prebuild_modes()
                return
        gc.freeze()  # what start-up built stays: no collection needs to walk it again
        self._started = True
        self._when_idle()

    def _when_idle(self) -> None:
        """Once no key has been pressed for ``IDLE_PAUSE``, build the next of the
        ``IDLE_MODES``, one per pause; a key pressed puts the next off until the keys
        pause again."""
        if self._exit or not self.is_running:
            return
        idle = time.monotonic() - self._last_activity
        if idle < IDLE_PAUSE:
            self.set_timer(IDLE_PAUSE - idle, self._when_idle, name="when-idle")
            return
        mode = next((m for m in IDLE_MODES if not self._built(m)), None)
        if mode is None:
            gc.freeze()
            return
        self._init_mode(mode)
        self.set_timer(IDLE_PAUSE, self._when_idle, name="when-idle")

    def _built(self, mode: str) -> bool:
        try:
            self.get_screen_stack(mode)
        except KeyError:
            return False
        return True

    @work(thread=True, group="backup", exit_on_error=False)
    def _daily_backup(self) -> None:
        """The automatic rotating backup, once a day, when the TUI starts."""
        from caretui.errors import CaretuiError
        from caretui.store.backup import rotate

        try:
            rotate(
                self.db.path,
                today=date.today(),
                daily=self.settings.backups_daily,
                weekly=self.settings.backups_weekly,
            )
        except (CaretuiError, OSError) as exc:
            message = exc.message if isinstance(exc, CaretuiError) else exc.strerror
            self.call_from_thread(
                self.notify, f"Automatic backup failed: {message}", severity="warning", markup=False
            )

    def _remember_theme(self, _theme: Any) -> None:
        if self._theme_ready:
            self._save_theme(self.theme)

    @work(thread=True, group="settings", exit_on_error=False)
    def _save_theme(self, name: str) -> None:
        config_module.save_setting("theme", name)

    # -- navigation -------------------------------------------------------------------

    def open_patient(self, patient_id: int, tab: str = "overview") -> None:
        """Open the patient's chart at ``tab``: its first frame's data is read first, in
        a worker, so the screen paints once, with its data (``patient.first_read``)."""
        self._read_patient(patient_id, tab)

    @work(thread=True, exclusive=True, group="open-patient", exit_on_error=False)
    def _read_patient(self, patient_id: int, tab: str) -> None:
        from caretui.errors import CaretuiError
        from caretui.screens.patient import first_read

        try:
            with self.reading() as con:
                first = first_read(con, patient_id, tab, self.today)
        except database_errors(CaretuiError) as exc:
            from caretui.screens.today_rows import read_error

            self.call_from_thread(
                self.notify, read_error(self.db, exc), severity="error", markup=False
            )
            return
        if get_current_worker().is_cancelled:
            return
        if first is None:
            self.call_from_thread(
                self.notify, "This patient no longer exists", severity="warning", markup=False
            )
            return
        self.call_from_thread(self._push_patient, patient_id, tab, first)

    def _push_patient(self, patient_id: int, tab: str, first: dict[str, object]) -> None:
        from caretui.screens.patient import PatientScreen

        shown = self.screen
        if isinstance(shown, PatientScreen) and shown.patient_id == patient_id:
            return  # enter pressed twice before the first read was back: one screen
        self.push_screen(PatientScreen(patient_id, tab=tab, first=first))

    def action_quick_add(self) -> None:
        """`a`: the one-line quick add; what it saves is told, and the screen read again."""
        from textual.screen import ModalScreen

        from caretui.screens.lock import LockScreen
        from caretui.screens.quick_add import QuickAddScreen

        if isinstance(self.screen, ModalScreen | LockScreen):
            return

        def added(result: object | None) -> None:
            message = getattr(result, "message", None)
            if isinstance(message, str):
                self.notify(message, markup=False)
                reload = getattr(self.screen, "reload", None)
                if callable(reload):
                    reload()

        self.push_screen(QuickAddScreen(), added)

    async def action_quit(self) -> None:
        """ctrl+q (and the palette's Quit). A running timer's time is not dropped
        silently: the user logs it, drops it, or stays (``TimerKeeper.before_quit``)."""
        if not self.timer.before_quit(self.exit):
            self.exit()

    def action_timer(self) -> None:
        """`ctrl+t`: start or stop the time-spent timer (``screens.timer``)."""
        self.timer.toggle()

    def action_find_patient(self) -> None:
        """`/` where a screen has no search of its own: the palette, to find a patient
        (the same commands too, but asked as a patient search)."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            palette = CommandPalette(
                placeholder="Find a patient: name or MRN (commands too)…", id="--command-palette"
            )
            self.push_screen(palette)

    def action_help(self) -> None:
        from caretui.screens.help import HelpScreen

        screen = self.screen
        title = getattr(screen, "HELP_TITLE", "") or screen.__class__.__name__
        extra = getattr(screen, "HELP_EXTRA", None)
        self.push_screen(HelpScreen(screen, title, extra if isinstance(extra, Text) else None))

    def action_toggle_redact(self) -> None:
        self.redact = not self.redact
        self.notify("Redaction on: initials only" if self.redact else "Redaction off", markup=False)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title not in BLOCKED_SYSTEM_COMMANDS:
                yield command
        yield SystemCommand("Today", "What needs attention now", lambda: self.switch_mode("today"))
        yield SystemCommand("Patients", "The caseload", lambda: self.switch_mode("patients"))
        yield SystemCommand(
            "Appointments", "Agenda by day and week", lambda: self.switch_mode("appointments")
        )
        yield SystemCommand("Queues", "Tasks by queue", lambda: self.switch_mode("queues"))
        yield SystemCommand(
            "Referrals", "Every open referral", lambda: self.switch_mode("referrals")
        )
        yield SystemCommand(
            "Resources", "The directory of services", lambda: self.switch_mode("resources")
        )
        yield SystemCommand(
            "Reports", "The month in numbers and charts", lambda: self.switch_mode("reports")
        )
        yield SystemCommand(
            "Redaction", "Initials only, for screen sharing", self.action_toggle_redact
        )
        yield SystemCommand("Lock", "Hide the screen until a key is pressed", self.lock)

    # -- safety nets ------------------------------------------------------------------

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        self.notify(
            "Screenshots are turned off: they would write patient data to a file.",
            severity="warning",
            markup=False,
        )

    def save_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str:
        raise PermissionError("caretui does not write screenshots: they hold patient data")

    def _handle_exception(self, error: Exception) -> None:
        """Exit with a report naming no patient data, instead of Textual's traceback
        with local variables (which would print names into the scrollback)."""
        from caretui.crash import root_error, write_report

        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        try:
            where = f"a report without patient data was saved to {write_report(error)}"
        except OSError:
            where = "no report could be saved"
        self._exit_renderables.append(
            Text(f"caretui: unexpected error ({type(root_error(error)).__name__}); {where}")
        )
        self._close_messages_no_wait()
