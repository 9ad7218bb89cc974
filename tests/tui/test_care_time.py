"""How care-management minutes read: the Patients cell and the overview line."""

from __future__ import annotations

from caretui.config import Threshold
from caretui.screens.care_time import care_time_text, minutes_cell


def test_the_patients_cell_at_19_20_40() -> None:
    assert minutes_cell(None).plain == "—"
    nineteen, twenty, forty = minutes_cell(19), minutes_cell(20), minutes_cell(40)
    assert (nineteen.plain, twenty.plain, forty.plain) == ("19", "20", "40")
    assert str(nineteen.style) == "yellow" and str(twenty.style) == ""


def test_the_overview_line() -> None:
    assert care_time_text(False, None).plain == "no"
    assert care_time_text(True, 19).plain == "yes · 19 min this month · 1 min to CCM 20"
    assert (
        care_time_text(True, 20).plain == "yes · 20 min this month · CCM 20 met · 20 min to CCM 40"
    )
    assert (
        care_time_text(True, 40).plain == "yes · 40 min this month · CCM 40 met · 20 min to CCM 60"
    )
    assert care_time_text(True, 75).plain == "yes · 75 min this month · CCM 60 met"
    own = (Threshold(30, "Level [b]1[/b]"),)
    assert care_time_text(True, 31, own).plain == "yes · 31 min this month · Level [b]1[/b] met"
