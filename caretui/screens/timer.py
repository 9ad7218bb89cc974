"""`ctrl+t`: the time-spent timer, kept on the app, shown in every screen's header.

``ctrl+t`` on a patient (the Patient screen, a row of Patients, Today or the
biller's table) starts a timer for them; the header shows "⏱ A.N. 12 min".
Only one runs: ``ctrl+t`` on another patient asks whether to stop the running
one first. ``ctrl+t`` again on the same patient (or where no patient is
selected), or closing the Patient screen it was started on, stops it and
**offers** to log the time as a note: the note form, minutes filled in, the
kind left for the user to choose; nothing is written unless they save it. A
timer that ran past midnight or for more than 4 hours asks first ("Really 5 h
12 min?") with the minutes to edit. Quitting (ctrl+q) while a timer runs asks
first: log its time as a note and quit, quit without logging it, or stay. What is
measured and judged is in ``caretui.services.timer``; the clock is the keeper's
``clock``, for tests. The keeper is built with the app; its dialog and note form
(``timer_forms``) are imported when first shown.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from rich.text import Text
from textual.screen import ModalScreen, Screen
from textual.timer import Timer

from caretui.services import timer as timing
from caretui.services.text import initials, one_line

if TYPE_CHECKING:
    from caretui.app import CaretuiApp
    from caretui.queries.patients import PatientDetail

#: How often the header's minutes are brought up to date, in seconds.
TICK = 15.0


@runtime_checkable
class HasTimerPatient(Protocol):
    """A screen that knows which patient ``ctrl+t`` is about."""

    def timer_patient(self) -> int | None: ...


def patient_in_focus(screen: Screen[Any]) -> int | None:
    """The patient ``ctrl+t`` is about on ``screen``: the one shown, or the selected row's."""
    if isinstance(screen, HasTimerPatient):
        return screen.timer_patient()
    from caretui.screens.patient import PatientScreen

    return screen.patient_id if isinstance(screen, PatientScreen) else None


class TimerKeeper:
    """The app's one timer. ``toggle`` is ``ctrl+t``; ``running`` is what runs."""

    def __init__(self, app: CaretuiApp, clock: timing.Clock | None = None) -> None:
        self.app = app
        #: Where time comes from (tests put a clock they can move here).
        self.clock: timing.Clock = clock or timing.SystemClock()
        self.running: timing.RunningTimer | None = None
        self._ticker: Timer | None = None
        #: The Patient screen the timer was started on (closing it stops the timer), and
        #: the mode it is in.
        self._origin: Screen[Any] | None = None
        self._origin_mode = ""
        self._watching = False
        #: The "quit with a timer running?" question is on screen.
        self._asking_quit = False

    # -- what is shown ----------------------------------------------------------------

    def who(self, t: timing.RunningTimer) -> str:
        """The timer's patient as the screens show them (initials when redacted)."""
        return t.initials if self.app.redact else t.name

    def refresh(self) -> None:
        """Bring the header up to date: "⏱ A.N. 12 min", or nothing."""
        t = self.running
        self.app.sub_title = timing.label(t, self.clock) if t is not None else ""

    # -- ctrl+t -----------------------------------------------------------------------

    def toggle(self) -> None:
        from caretui.screens.lock import LockScreen

        screen = self.app.screen
        if isinstance(screen, ModalScreen | LockScreen):
            return
        patient_id = patient_in_focus(screen)
        if patient_id is None:
            if self.running is not None:
                self.stop_and_offer()
            else:
                self._tell("ctrl+t times a patient: open one, or select their row, then ctrl+t")
            return
        if self.running is not None and self.running.patient_id == patient_id:
            self.stop_and_offer()
            return
        self.app.run_worker(
            partial(self._read_patient, patient_id, screen),
            thread=True,
            exclusive=True,
            group="timer-patient",
        )

    def _read_patient(self, patient_id: int, screen: Screen[Any]) -> None:
        """(In a worker thread.) The patient's names, then ``_chosen`` on the event loop."""
        from caretui.queries.patients import patient_detail

        with self.app.reading() as con:
            patient = patient_detail(con, patient_id)
        if patient is not None:
            self.app.call_from_thread(self._chosen, patient, screen)

    def _chosen(self, patient: PatientDetail, screen: Screen[Any]) -> None:
        from caretui.queries.names import patient_name
        from caretui.widgets.dialogs import ChoiceDialog

        name = patient_name(patient.given_name, patient.family_name, patient.preferred_name)
        new = (patient.id, initials(patient.given_name, patient.family_name), name)
        running = self.running
        if running is None:
            self._start(*new, screen)
            return
        if running.patient_id == patient.id:
            self.stop_and_offer()
            return
        now = timing.describe_minutes(timing.minutes_of(running.seconds(self.clock)))
        title = Text("A timer is running for ")
        title.append(one_line(self.who(running)))
        title.append(f" ({now}). Stop it first?")
        other = one_line(new[1] if self.app.redact else new[2])
        choices = [
            (Text(f"Stop it (and offer to log its time), then time {other}"), "switch"),
            (Text("Keep it running"), "keep"),
        ]

        def answered(answer: str | None) -> None:
            if answer == "switch":
                stopped = self._stop()
                self._start(*new, screen)
                if stopped is not None:
                    self._offer(stopped)

        self.app.push_screen(ChoiceDialog(title, choices), answered)

    def _start(self, patient_id: int, initials_: str, name: str, screen: Screen[Any]) -> None:
        self.running = timing.start(patient_id, initials_, name, self.clock)
        # Started on the Patient screen (not on a row of a list): closing it stops it.
        self._origin = screen if getattr(screen, "patient_id", None) == patient_id else None
        self._origin_mode = self.app.current_mode
        if not self._watching:
            self.app.screen_change_signal.subscribe(self.app, self._screen_changed)
            self._watching = True
        if self._ticker is None:
            self._ticker = self.app.set_interval(TICK, self.refresh, name="timer")
        self.refresh()
        self._tell(f"Timer started for {self.who(self.running)}; ctrl+t again stops it")

    def _stop(self) -> timing.StoppedTimer | None:
        running = self.running
        if running is None:
            return None
        stopped = timing.stop(running, self.clock)
        self.running = None
        self._origin = None
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.refresh()
        return stopped

    def stop_and_offer(self) -> None:
        """Stop the timer and offer to log its time."""
        stopped = self._stop()
        if stopped is not None:
            self._offer(stopped)

    def _screen_changed(self, _screen: Screen[Any]) -> None:
        """The Patient screen the timer was started on was closed: stop, and offer."""
        origin = self._origin
        if (
            origin is not None
            and self.app.current_mode == self._origin_mode
            and origin not in self.app.screen_stack
        ):
            self._origin = None
            self.app.call_later(self.stop_and_offer)

    # -- quitting ---------------------------------------------------------------------

    def before_quit(self, quit_app: Callable[[], object]) -> bool:
        """Quitting with a timer running: ask whether to log its time as a note (then
        quit once it is saved), quit without logging it, or stay. True when it asks
        (``quit_app`` is then called once answered, if at all); False: nothing runs."""
        running = self.running
        if running is None:
            return False
        if self._asking_quit:
            return True  # ctrl+q again: the question stands
        from caretui.widgets.dialogs import ChoiceDialog

        spent = timing.describe_minutes(timing.minutes_of(running.seconds(self.clock)))
        title = Text("A timer is running for ")
        title.append(one_line(self.who(running)))
        title.append(f" ({spent}). Quitting stops it.")
        choices = [
            (Text("Log the time as a note, then quit"), "log"),
            (Text("Quit without logging it"), "discard"),
            (Text("Don't quit: the timer keeps running"), "stay"),
        ]

        def answered(answer: str | None) -> None:
            self._asking_quit = False
            if answer == "log":
                stopped = self._stop()
                if stopped is not None:
                    self._offer(stopped, then=quit_app)
            elif answer == "discard":
                self._stop()
                quit_app()

        self._asking_quit = True
        self.app.push_screen(ChoiceDialog(title, choices), answered)
        return True

    # -- offering the note ------------------------------------------------------------

    def _offer(
        self, stopped: timing.StoppedTimer, then: Callable[[], object] | None = None
    ) -> None:
        """Offer to log the time; ``then`` runs once the note is saved (not if it is not)."""
        who = self.who(stopped.timer)
        if not stopped.needs_confirmation:
            self._offer_note(stopped, stopped.minutes, then)
            return

        from caretui.screens.timer_forms import ConfirmMinutesDialog

        def confirmed(minutes: int | None) -> None:
            if minutes is None:
                self._tell(f"Timer for {who} stopped; nothing logged")
            else:
                self._offer_note(stopped, minutes, then)

        self.app.push_screen(ConfirmMinutesDialog(stopped, who), confirmed)

    def _offer_note(
        self, stopped: timing.StoppedTimer, minutes: int, then: Callable[[], object] | None = None
    ) -> None:
        from caretui.screens.timer_forms import Logged, timer_note_form

        app = self.app
        who = self.who(stopped.timer)
        patient_id = stopped.timer.patient_id
        form = timer_note_form(app.db, app.today, patient_id, who, minutes, stopped, self.clock.now)

        def saved(result: object | None) -> None:
            if isinstance(result, Logged):
                self._tell(f"{result.message} for {who}")
                if then is not None:
                    then()
                    return
                changed = getattr(app.screen, "changed", None)
                if getattr(app.screen, "patient_id", None) == patient_id and callable(changed):
                    changed("notes", "overview")
            else:
                self._tell(f"Timer for {who} stopped; nothing logged")

        app.push_screen(form, saved)

    def _tell(self, message: str) -> None:
        self.app.notify(message, markup=False, timeout=6)
