from __future__ import annotations

from caretui.services.text import first_control, fold, initials, one_line, visible


def test_fold_matches_accents_and_letters_without_decomposition() -> None:
    assert fold("Núñez") == "nunez"
    assert fold("ŁUKASZ Öztürk") == "lukasz ozturk"
    assert fold("Nguyễn") == "nguyen"
    assert fold("李华") == "李华"
    assert fold("Straße") == "strasse"


def test_controls_are_found_and_made_visible() -> None:
    assert first_control("plain", multiline=False) is None
    assert first_control("two\nlines", multiline=True) is None
    assert first_control("two\nlines", multiline=False) == "\n"
    assert first_control("title\x1b]0;x\x07", multiline=True) == "\x1b"
    assert first_control("nul\x00", multiline=True) == "\x00"
    assert first_control("c1\x9b", multiline=True) == "\x9b"
    assert visible("a\x1b[2Jb\x00") == "a\\x1b[2Jb\\x00"
    assert one_line("a\n\tb \x07") == "a b \\x07"


def test_initials() -> None:
    assert initials("Ana María", "Núñez") == "A.N."
    assert initials("李", "华") == "•.•."  # a one-character part is the whole name
    assert initials("小明", "王") == "小.•."
    assert initials("", "") == "?"
