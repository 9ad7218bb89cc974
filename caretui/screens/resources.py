"""`6` Resources: the coordinator's directory of services, filtered and paged in SQL.

`/` searches (names, eligibility, notes, address, hours); `c` filters by category,
`l` by language, `t` shows only the stale entries (not verified for the configured
``resource_stale_days``, default 180; they are marked in the list). `n` adds an
entry, `e` or enter edits one, `v` records that it was verified today. The
palette finds an entry by fuzzy name and opens it here (``open_entry``).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Header, Input, Static
from textual.worker import get_current_worker

from caretui import codes
from caretui.queries.resources import (
    ResourceFilter,
    ResourceRow,
    count_resources,
    list_resources,
    resource_detail,
)
from caretui.queries.today_refresh import audit_mark
from caretui.screens.base import RecordListScreen
from caretui.screens.common import code, short
from caretui.services.text import one_line, plural
from caretui.widgets.keys_footer import KeysFooter
from caretui.widgets.records import RecordTable, Row

if TYPE_CHECKING:
    import sqlite3

#: The widths fit 120 columns; a wider terminal gives its room to Name and Languages.
COLUMNS = [
    ("Name", 28),
    ("Category", 13),
    ("Phone", 16),
    ("Languages", 18),
    ("Hours", 14),
    ("Verified", 17),
]


def verified_cell(row: ResourceRow) -> Text:
    """The day last verified; "stale" (and when) once it is older than the setting."""
    if row.bad_date:
        return Text("? (bad date)", style="bold red")
    day = row.last_verified.isoformat() if row.last_verified else "never"
    return Text(f"stale: {day}", style="bold yellow") if row.stale else Text(day)


def resource_line(row: ResourceRow) -> Row:
    return Row(
        f"resource:{row.id}",
        (
            Text(one_line(row.name), no_wrap=True, overflow="ellipsis"),
            Text(code(row.category)),
            Text(one_line(row.phone or "")),
            Text(short(row.languages or "", 40), no_wrap=True, overflow="ellipsis"),
            Text(short(row.hours or "", 30), no_wrap=True, overflow="ellipsis"),
            verified_cell(row),
        ),
    )


def _fields(pairs: tuple[tuple[str, str], ...]) -> Text:
    text = Text()
    for label, value in pairs:
        if value:
            if text:
                text.append("  ·  ")
            text.append(f"{label}: ", style="bold")
            text.append(value)
    return text


def detail_text(row: ResourceRow | None) -> Text:
    """The highlighted entry's fields the list cuts or leaves out, under the list: the
    phone (its extension included) and the hours in full on a first line, then the
    address, eligibility and notes."""
    if row is None:
        return Text("")
    contact = _fields((("Phone", one_line(row.phone or "")), ("Hours", one_line(row.hours or ""))))
    more = _fields(
        (
            ("Address", short(row.address or "", 120)),
            ("Eligibility", short(row.eligibility or "", 120)),
            ("Notes", short(row.notes or "", 120)),
        )
    )
    lines = [part for part in (contact, more) if part]
    if not lines:
        return Text("No phone, hours, address, eligibility or notes recorded.", style="dim")
    return Text("\n").join(lines)


def _b(key: str, action: str, label: str, tooltip: str, **kw: Any) -> Binding:
    return Binding(key, action, label, id=f"resources.{action}", tooltip=tooltip, **kw)


class ResourcesScreen(RecordListScreen[ResourceRow]):
    HELP_TITLE = "Resources"
    HELP_EXTRA = Text(
        "Your directory of services and community resources. An entry not verified for "
        "resource_stale_days (config; 180 by default) is marked stale: call it, then v. "
        "caretui import csv resources FILE brings a spreadsheet in (columns in the README)."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        _b(
            "slash",
            "search",
            "Search",
            "Search names, eligibility, notes, address and hours",
            key_display="/",
        ),
        _b("c", "pick_category", "Category", "Only one category (food, housing, transport …)"),
        _b("l", "pick_language", "Language", "Only entries that speak one language"),
        _b("t", "toggle_stale", "Stale", "Only the entries not verified for a long time"),
        _b("n", "new", "New", "Add an entry to the directory"),
        _b("e", "edit", "Edit", "Edit the entry"),
        _b("v", "verify", "Verified", "The entry was checked today (called, website read)"),
        _b("enter", "open", "Open", "Edit the entry", show=False),
        _b(
            "escape",
            "clear_search",
            "Clear",
            "Clear the search and go back to the list",
            show=False,
        ),
    ]
    DEFAULT_CSS = """
    ResourcesScreen #resources-search { height: 3; display: none; }
    ResourcesScreen #resources-search.-shown { display: block; }
    ResourcesScreen #resources-status { padding: 0 1; color: $text-muted; height: 1; }
    ResourcesScreen #resources-detail {
        height: auto; max-height: 4; border-top: solid $primary 50%; padding: 0 1;
    }
    """
    ROW_KIND = "resource"

    def __init__(self) -> None:
        super().__init__()
        self.flt = ResourceFilter()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="search the directory · enter: to the list", id="resources-search")
        yield Static("", id="resources-status")
        yield RecordTable(COLUMNS, id="resources-table", flex=("Name", "Languages"))
        yield Static("", id="resources-detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.table.focus()
        self.reload()

    @property
    def _stale_days(self) -> int:
        return self.caretui.settings.resource_stale_days

    # -- reading ---------------------------------------------------------------------

    def reload(self) -> None:
        self._load(self.flt, 0, max(self.PAGE, len(self._rows)), self._changes)

    def load_page(self, offset: int, limit: int) -> None:
        self._load(self.flt, offset, limit, self._changes)

    @work(thread=True, exclusive=True, group="resources-load")
    def _load(self, flt: ResourceFilter, offset: int, limit: int, stamp: int) -> None:
        app = self.caretui
        today, stale = app.today, self._stale_days
        with app.reading() as con:
            mark = audit_mark(con) if offset == 0 else None
            rows = list_resources(
                con, flt, today=today, stale_days=stale, limit=limit, offset=offset
            )
            total = (
                count_resources(con, flt, today=today, stale_days=stale)
                if offset == 0
                else self._total
            )
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, flt, offset, rows, total, stamp, mark)

    def _show(
        self,
        flt: ResourceFilter,
        offset: int,
        rows: list[ResourceRow],
        total: int,
        stamp: int,
        mark: int | None,
    ) -> None:
        if flt == self.flt and self.show_page(offset, rows, total, stamp, mark=mark):
            self._show_status()
            self._show_detail()

    def line(self, row: ResourceRow) -> Row:
        return resource_line(row)

    def read_row(self, con: sqlite3.Connection, record_id: int) -> ResourceRow | None:
        return resource_detail(
            con, record_id, today=self.caretui.today, stale_days=self._stale_days
        )

    def belongs(self, row: ResourceRow) -> bool:
        return not self.flt.stale_only or row.stale

    def after_change(self) -> None:
        self._show_status()
        self._show_detail()

    def _show_status(self) -> None:
        shown = self.table.row_count
        flt = self.flt
        status = Text(plural(self._total, "entry", "entries"))
        if shown < self._total:
            status.append(f" ({shown:,} shown)")
        parts = []
        if flt.category:
            parts.append(code(flt.category))
        if flt.language:
            parts.append(f"speaks {flt.language}")
        if flt.stale_only:
            parts.append(f"stale only (not verified in {plural(self._stale_days, 'day')})")
        status.append("  ·  " + (" · ".join(parts) if parts else "every category"))
        if flt.search.strip():
            status.append(" · search: ")
            status.append(short(flt.search, 30), style="italic")
        self.query_one("#resources-status", Static).update(status)

    def _show_detail(self) -> None:
        self.query_one("#resources-detail", Static).update(detail_text(self.selected()))

    def on_data_table_row_highlighted(self) -> None:
        self._show_detail()

    # -- filters ---------------------------------------------------------------------

    def _refilter(self, flt: ResourceFilter) -> None:
        if flt != self.flt:
            self.flt = flt
            self._rows = {}
            self.reload()

    def action_search(self) -> None:
        search = self.query_one("#resources-search", Input)
        search.add_class("-shown")
        search.focus()

    @on(Input.Changed, "#resources-search")
    def _searched(self, event: Input.Changed) -> None:
        self._refilter(dataclasses.replace(self.flt, search=event.value))

    def action_clear_search(self) -> None:
        search = self.query_one("#resources-search", Input)
        if search.value:
            search.value = ""  # the list follows through Input.Changed
        search.remove_class("-shown")
        self.table.focus()

    @on(Input.Submitted, "#resources-search")
    def _search_done(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.remove_class("-shown")
        self.table.focus()

    def action_toggle_stale(self) -> None:
        self._refilter(dataclasses.replace(self.flt, stale_only=not self.flt.stale_only))

    def action_pick_category(self) -> None:
        from caretui.widgets.dialogs import ChoiceDialog

        choices: list[tuple[str | Text, str]] = [(Text("any category", style="italic"), "")]
        choices += [(code(c.value), c.value) for c in codes.ResourceCategory]

        def chosen(value: str | None) -> None:
            if value is not None:
                self._refilter(dataclasses.replace(self.flt, category=value))

        self.app.push_screen(
            ChoiceDialog("Which category?", choices, current=self.flt.category), chosen
        )

    def action_pick_language(self) -> None:
        self._read_languages()

    @work(thread=True, exclusive=True, group="resources-languages")
    def _read_languages(self) -> None:
        from caretui.queries.resources import languages

        with self.caretui.reading() as con:
            found = languages(con)
        self.app.call_from_thread(self._ask_language, found)

    def _ask_language(self, found: list[str]) -> None:
        from caretui.widgets.dialogs import ChoiceDialog

        choices: list[tuple[str | Text, str]] = [(Text("any language", style="italic"), "")]
        choices += [(name, name) for name in found]

        def chosen(value: str | None) -> None:
            if value is not None:
                self._refilter(dataclasses.replace(self.flt, language=value))

        self.app.push_screen(
            ChoiceDialog("Which language?", choices, current=self.flt.language), chosen
        )

    # -- entries ---------------------------------------------------------------------

    def action_open(self) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_entry(row.id)

    def open_entry(self, resource_id: int) -> None:
        """The entry's form, read fresh in a worker (the palette opens entries here)."""
        self._read_entry(resource_id)

    @work(thread=True, exclusive=True, group="open-form")
    def _read_entry(self, resource_id: int) -> None:
        app = self.caretui
        with app.reading() as con:
            row = resource_detail(con, resource_id, today=app.today, stale_days=self._stale_days)
        if row is not None:
            self.app.call_from_thread(self._push_form, row)

    def _push_form(self, row: ResourceRow | None) -> None:
        from caretui.screens.referral_forms import resource_form

        app = self.caretui
        self.app.push_screen(resource_form(app.db, app.today, row), self.form_saved)

    def action_new(self) -> None:
        self._push_form(None)

    def action_verify(self) -> None:
        from caretui.screens.referral_forms import verify_resource

        row = self.selected()
        if row is not None:
            db, today = self.caretui.db, self.caretui.today
            self.write(lambda: verify_resource(db, today, row.id, row.version), row.id)

    def form_saved(self, result: object | None) -> None:
        if getattr(result, "message", None) is not None:
            self._changes += 1
        super().form_saved(result)
