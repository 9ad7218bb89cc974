"""Quick add: one line becomes a task, or with a time an appointment.

A pure parser: no database, no Textual, no clock (``today`` is given). Finding the
patient is the caller's ``resolve`` callable (the read side's ``match_patients``);
the parser only decides whether the candidates name one patient.

The grammar (also in the README and in the quick-add help):

``@nunez``, ``@"Ana Núñez"``, ``@ana_nunez``, ``@MRN123``
    The patient: an exact MRN, else a fuzzy, accent-blind name among the patients
    not discharged. A whole name that is one patient's is taken, however like it
    others are; else one clear best match is; several close ones, or two patients
    of the name, are asked about (the CLI names them and saves nothing); no match
    says so.
``!`` ``!!`` ``!!!`` or ``pri:urgent`` (routine, urgent, asap, stat)
    The priority, as FHIR codes: ``!`` urgent, ``!!`` asap, ``!!!`` stat.
``#calls``
    The queue: one of the configured queues, or the start of exactly one
    (``#ref``). Default: the first configured queue.
``due:fri``, ``due:"next week"``, ``due:next week``
    The due date, in the forms' words: today, tomorrow, fri, +3d, +2w, next week,
    next month, 12/01, dec 1, 2026-12-01.
a trailing date, time, length and repeat, in any order
    ``fri``, ``next week``, ``12/01``; ``14:30``, ``2pm``; ``30m``, ``1h30``;
    ``every 2 weeks``, ``weekly``, ``every mon``. Only the *last* words of the line
    (markers such as ``@`` ``#`` ``!`` may sit among them) are read so: "monday
    meeting notes" keeps its "monday", "Prepare for monday" is due Monday.
    With ``due:`` the last words are never read as a date; end a line with a
    period to keep a last date word in the title. "tom", "now" and the two-letter
    day names (mo, tu, we, th, fr, sa, su) count only after ``due:``.
a time makes an appointment
    ``@nunez fri 14:30 30m Cardiology follow-up`` books it (30 minutes if no
    length); the rest of the line is its purpose. An appointment needs a patient
    and has no queue or priority.

Whatever is not understood stays in the title, word for word, with a note saying
why (an unknown ``#queue``, a ``due:`` that is not a date); nothing typed is
dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal

from caretui import codes
from caretui.errors import DomainError
from caretui.services import dates, recurrence
from caretui.services.text import fold, one_line

if TYPE_CHECKING:
    from caretui.queries.patient_match import PatientCandidate

#: A patient lookup: a typed term in, the candidates out, best first.
Resolver = Callable[[str], Sequence["PatientCandidate"]]

PRIORITY_MARKS = {
    "!": codes.Priority.URGENT,
    "!!": codes.Priority.ASAP,
    "!!!": codes.Priority.STAT,
}
#: A best match at least this good (0–1) and this far ahead of the next is taken.
CLEAR_MATCH = 0.85
CLEAR_MARGIN = 0.10
#: Candidates this close to the best are offered when the choice is not clear.
CLOSE_TO_BEST = 0.15
#: The problem of a line with nothing but markers (the full form can still take it).
NO_TITLE = "Nothing to add: give the task a title"
#: A length with no time: what an appointment lasts when none is given.
DEFAULT_MINUTES = 30
#: Words read as a trailing date only after ``due:`` (a name, a word).
_AMBIGUOUS_DATES = frozenset({"tom", "tod", "now", "mo", "tu", "we", "th", "fr", "sa", "su"})
#: Words that make a date phrase a past one ("last week", "3 days ago", "-2d"): at the
#: end of a line they are read as the title's, since a new task is not due in the past.
_PAST = re.compile(r"^-|\bago\b|\blast\b|\byesterday\b")

_TOKEN = re.compile(r"""(@|due:)(?:"([^"]*)(?:"|$)|'([^']*)(?:'|$))|\S+""", re.IGNORECASE)
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_MINUTES = re.compile(r"^(\d{1,3})(?:m|min|mins)$")
_HOURS = re.compile(r"^(\d{1,2})h(?:(\d{1,2})m?)?$")
_PRIORITY_KEY = re.compile(r"^(?:pri|priority):(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class PatientPart:
    """What ``@term`` found: the candidates, and the one chosen if it is clear."""

    term: str
    candidates: tuple[PatientCandidate, ...]
    chosen: PatientCandidate | None

    @property
    def state(self) -> Literal["found", "ambiguous", "unknown"]:
        if self.chosen is not None:
            return "found"
        return "ambiguous" if self.candidates else "unknown"


@dataclass(frozen=True)
class QuickAdd:
    """One line, parsed: a draft task or appointment, and what was left as it was."""

    line: str
    title: str
    patient: PatientPart | None
    due: date | None
    at: time | None
    minutes: int | None
    priority: codes.Priority | None
    queue: str | None
    rrule: str | None
    #: Why words that looked like markers stayed in the title.
    notes: tuple[str, ...] = ()
    #: The queue a task goes to when the line names none.
    default_queue: str | None = None
    #: The day relative dates were counted from (an appointment's day if none given).
    today: date = date.min

    @property
    def kind(self) -> Literal["task", "appointment"]:
        return "appointment" if self.at is not None else "task"

    @property
    def start(self) -> datetime | None:
        """An appointment's start: its day (today if none given) at its time."""
        if self.at is None:
            return None
        return datetime.combine(self.due or self.today, self.at)

    @property
    def end(self) -> datetime | None:
        start = self.start
        if start is None:
            return None
        return start + timedelta(minutes=self.minutes or DEFAULT_MINUTES)

    @property
    def patient_id(self) -> int | None:
        return self.patient.chosen.id if self.patient and self.patient.chosen else None

    @property
    def problems(self) -> tuple[str, ...]:
        """What stops this draft from being saved, in a coordinator's words."""
        out = []
        if self.patient is not None and self.patient.state == "unknown":
            out.append(f"No patient matches @{one_line(self.patient.term)}")
        elif self.patient is not None and self.patient.state == "ambiguous":
            out.append(f"@{one_line(self.patient.term)} could be more than one patient: which?")
        if self.kind == "task" and not self.title:
            out.append(NO_TITLE)
        if self.kind == "appointment":
            if self.patient is None:
                out.append("An appointment needs a patient: add @name")
            if self.queue is not None or self.priority is not None:
                out.append(
                    "An appointment has no queue or priority: remove them, or the time "
                    "to add a task"
                )
        return tuple(out)

    def with_patient(self, candidate: PatientCandidate) -> QuickAdd:
        """This draft with the patient the user chose among the candidates."""
        term = self.patient.term if self.patient else ""
        candidates = self.patient.candidates if self.patient else (candidate,)
        return replace(self, patient=PatientPart(term, candidates, candidate))


#: How wide the labels of ``parts`` are ("priority", the longest), so that a task and an
#: appointment line up alike.
LABEL_WIDTH = 8


def parts(draft: QuickAdd, *, redact: bool = False) -> list[tuple[str, str]]:
    """What the draft will save, one (label, value) line each, as the CLI prints them
    and the quick-add screen shows them (plain text: show it as ``Text``)."""
    out = [
        ("add", draft.kind),
        ("title" if draft.kind == "task" else "purpose", one_line(draft.title) or "—"),
    ]
    if draft.patient is None:
        out.append(("patient", "none (a task about no one)" if draft.kind == "task" else "—"))
    elif draft.patient.chosen is not None:
        chosen = draft.patient.chosen
        mrn = f"  {one_line(chosen.mrn)}" if chosen.mrn and not redact else ""
        out.append(("patient", chosen.name(redact=redact) + mrn))
    elif draft.patient.candidates:
        names = "; ".join(c.name(redact=redact) for c in draft.patient.candidates)
        out.append(("patient", f"which? {names}"))
    else:
        out.append(("patient", f"no patient matches @{one_line(draft.patient.term)}"))
    if draft.kind == "appointment" and draft.start is not None:
        when = f"{dates.describe(draft.start.date(), draft.today)} at {draft.start:%H:%M}"
        out.append(("when", f"{when}, {draft.minutes or DEFAULT_MINUTES} minutes"))
    else:
        out.append(("due", dates.describe(draft.due, draft.today) if draft.due else "no date"))
        out.append(("priority", (draft.priority or codes.Priority.ROUTINE).value))
        queue = draft.queue or draft.default_queue or ""
        out.append(("queue", one_line(queue) + ("" if draft.queue else " (default)")))
    if draft.rrule:
        out.append(("repeats", recurrence.describe(draft.rrule)))
    return out


# --- the words -------------------------------------------------------------------------


def _time_of(words: Sequence[str]) -> time | None:
    """ "14:30", "2pm", "2:30 pm": a time needs a colon or am/pm ("2" is not one)."""
    text = " ".join(words).lower()
    m = _TIME.match(text)
    if m is None or (m.group(2) is None and m.group(3) is None):
        return None
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    if half is not None and not 1 <= int(m.group(1)) <= 12:
        return None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    return time(hour, minute)


def _minutes_of(words: Sequence[str]) -> int | None:
    """ "30m", "45min", "1h", "1h30": a length in minutes (more than none)."""
    if len(words) != 1:
        return None
    word = words[0].lower()
    m = _MINUTES.match(word)
    if m:
        minutes = int(m.group(1))
    else:
        m = _HOURS.match(word)
        if m is None or int(m.group(2) or 0) >= 60:
            return None
        minutes = int(m.group(1)) * 60 + int(m.group(2) or 0)
    return minutes if minutes > 0 else None


def _date_of(words: Sequence[str], today: date, *, trailing: bool) -> date | None:
    text = " ".join(words)
    if trailing and fold(text) in _AMBIGUOUS_DATES:
        return None
    if trailing and _PAST.search(fold(text)):
        return None  # "discuss the fall last week": words of the title, not a due date
    try:
        return dates.parse_date(text, today)
    except DomainError:
        return None


def _rrule_of(words: Sequence[str]) -> str | None:
    return recurrence.phrase_to_rrule(" ".join(words))


def _queue_of(word: str, queues: Sequence[str]) -> str | None:
    """The configured queue ``word`` names, exactly or as the start of only one."""
    wanted = fold(word)
    for queue in queues:
        if fold(queue) == wanted:
            return queue
    starting = [q for q in queues if fold(q).startswith(wanted)]
    return starting[0] if wanted and len(starting) == 1 else None


def _close(candidates: Sequence[PatientCandidate]) -> tuple[PatientCandidate, ...]:
    """The candidates worth offering: those near the best (not every faint likeness)."""
    if not candidates:
        return ()
    best = candidates[0].score
    return tuple(c for c in candidates if c.exact or c.named or c.score >= best - CLOSE_TO_BEST)


def choose(candidates: Sequence[PatientCandidate]) -> PatientCandidate | None:
    """The one patient the candidates clearly name: an exact MRN, else the one patient
    whose whole name was typed, else a best name match good enough and well ahead of
    the next. None when the user must choose (two MRNs or two patients of that name).

    The resolver must offer every patient whose whole name the term is (``named``),
    as ``patient_candidates`` does, so one named candidate means one such patient."""
    if not candidates:
        return None
    exact = [c for c in candidates if c.exact]
    if exact:
        return exact[0] if len(exact) == 1 else None
    named = [c for c in candidates if c.named]
    if named:
        return named[0] if len(named) == 1 else None
    best = candidates[0]
    if best.score < CLEAR_MATCH:
        return None
    if len(candidates) > 1 and best.score - candidates[1].score < CLEAR_MARGIN:
        return None
    return best


# --- the parser ------------------------------------------------------------------------


@dataclass
class _Words:
    """The line's words not taken by a marker, in order, and what the markers set."""

    plain: list[str]
    notes: list[str]
    patient: str | None = None
    priority: codes.Priority | None = None
    queue: str | None = None
    due: date | None = None


def _markers(line: str, today: date, queues: Sequence[str]) -> _Words:
    tokens = [
        (m.group(0), m.group(1), m.group(2) if m.group(2) is not None else m.group(3))
        for m in _TOKEN.finditer(line)
    ]
    out = _Words([], [])
    i = 0
    while i < len(tokens):
        raw, quoted_marker, quoted = tokens[i]
        i += 1
        lower = raw.lower()
        if quoted_marker is not None and quoted_marker.lower() == "due:":
            day = _date_of([quoted], today, trailing=False) if out.due is None else None
            if day is not None:
                out.due = day
            else:
                out.plain.append(raw)
                out.notes.append(_due_note(raw, out.due is not None))
            continue
        if raw.startswith("@") and len(raw) > 1:
            term = quoted if quoted_marker is not None else raw[1:]
            if out.patient is None and term.strip():
                out.patient = " ".join(term.split())
            else:
                out.plain.append(raw)
                out.notes.append(f"{raw} stays in the title: one patient per line")
            continue
        if raw.startswith("#") and len(raw) > 1:
            queue = _queue_of(raw[1:], queues)
            if queue is not None and out.queue is None:
                out.queue = queue
            else:
                out.plain.append(raw)
                if queue is not None:
                    out.notes.append(f"{raw} stays in the title: one queue per line")
                elif not raw[1:].isdigit():
                    out.notes.append(
                        f"{raw} is not one of your queues ({', '.join(queues)}); "
                        "it stays in the title"
                    )
            continue
        if raw in PRIORITY_MARKS or _PRIORITY_KEY.match(raw):
            m = _PRIORITY_KEY.match(raw)
            value = PRIORITY_MARKS.get(raw) if m is None else _priority_code(m.group(1))
            if value is not None and out.priority is None:
                out.priority = value
            else:
                out.plain.append(raw)
                out.notes.append(
                    f"{raw} stays in the title: "
                    + (
                        "one priority per line"
                        if value is not None
                        else f"the priorities are {', '.join(p.value for p in codes.Priority)}"
                    )
                )
            continue
        if lower.startswith("due:"):
            given = raw[4:]
            taken = 0
            day = None
            if out.due is None:
                # "due:next week", "due: fri": the value may run on over plain words.
                following = [t[0] for t in tokens[i : i + 2]]
                for n in (2, 1, 0):
                    words = [given, *following[:n]] if given else following[:n]
                    if words and all(not _is_marker(w) for w in words[1 if given else 0 :]):
                        day = _date_of(words, today, trailing=False)
                        if day is not None:
                            taken = n
                            break
            if day is not None:
                out.due = day
                i += taken
            else:
                out.plain.append(raw)
                out.notes.append(_due_note(raw, out.due is not None))
            continue
        out.plain.append(raw)
    return out


def _is_marker(word: str) -> bool:
    return (
        (word.startswith(("@", "#")) and len(word) > 1)
        or word in PRIORITY_MARKS
        or word.lower().startswith("due:")
        or bool(_PRIORITY_KEY.match(word))
    )


def _due_note(raw: str, twice: bool) -> str:
    if twice:
        return f"{raw} stays in the title: one due date per line"
    return f"{raw} is not a date I know (try: {dates.EXAMPLES}); it stays in the title"


def _priority_code(text: str) -> codes.Priority | None:
    wanted = text.strip().lower()
    for priority in codes.Priority:
        if priority.value == wanted:
            return priority
    return None


#: The kinds of trailing phrase, tried longest first, each taken at most once.
_TRAILING = (("repeat", 4), ("date", 3), ("time", 2), ("length", 1))


def parse(
    line: str,
    *,
    today: date,
    queues: Sequence[str],
    resolve: Resolver | None = None,
) -> QuickAdd:
    """The draft ``line`` describes; see the module docstring for the grammar.

    ``resolve`` looks the ``@`` term up (no lookup: the patient is left unknown).
    Never raises on what the user typed: what it cannot read stays in the title.
    """
    found = _markers(line, today, queues)
    words = found.plain
    notes = found.notes
    due, at, minutes, rrule = found.due, None, None, None
    # Trailing phrases are read from the words that are not markers kept in the title
    # (an unknown #queue, a "#5"), so such a word does not hide a date before it.
    free = [i for i, w in enumerate(words) if not _is_marker(w)]
    taken: dict[str, list[int]] = {}
    while free:
        step = _peel([words[i] for i in free], today, taken, due_given=found.due is not None)
        if step is None:
            break
        kind, n, value = step
        taken[kind] = free[-n:]
        del free[-n:]
        if kind == "repeat":
            rrule = str(value)
        elif kind == "date":
            due = value if isinstance(value, date) else due
        elif kind == "time":
            at = value if isinstance(value, time) else at
        else:
            minutes = value if isinstance(value, int) else minutes
    if minutes is not None and at is None:
        length = words[taken.pop("length")[0]]
        notes.append(f"{length} stays in the title: a length needs a time (14:30)")
        minutes = None
    used = {i for positions in taken.values() for i in positions}
    patient = None
    if found.patient is not None:
        candidates = tuple(resolve(found.patient)) if resolve is not None else ()
        patient = PatientPart(found.patient, _close(candidates), choose(candidates))
    return QuickAdd(
        line=line,
        title=" ".join(w for i, w in enumerate(words) if i not in used).strip(),
        patient=patient,
        due=due,
        at=at,
        minutes=minutes,
        priority=found.priority,
        queue=found.queue,
        rrule=rrule,
        notes=tuple(notes),
        default_queue=queues[0] if queues else None,
        today=today,
    )


def _peel(
    words: list[str], today: date, taken: dict[str, list[int]], *, due_given: bool
) -> tuple[str, int, object] | None:
    """The longest trailing phrase of a kind not yet taken: (kind, words, value)."""
    for n in range(min(4, len(words)), 0, -1):
        tail = words[-n:]
        for kind, longest in _TRAILING:
            if kind in taken or n > longest:
                continue
            value: object
            if kind == "repeat":
                value = _rrule_of(tail)
            elif kind == "date":
                value = None if due_given else _date_of(tail, today, trailing=True)
            elif kind == "time":
                value = _time_of(tail)
            else:
                value = _minutes_of(tail)
            if value is not None:
                return kind, n, value
    return None
