"""Task dependencies: a task waits on others, Today leaves it out until they are done,
circles are refused, and the link survives a FHIR round trip."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from fhir.resources.R4B.bundle import Bundle

from caretui.cli import main
from caretui.config import DEFAULT_QUEUES
from caretui.errors import DomainError
from caretui.models.all import Patient, Task, TaskDependency
from caretui.queries.tasks import blocked_by_task, blocker_choices, blockers, open_blocker_counts
from caretui.queries.today import count_items, today_items
from caretui.services import dependencies, patients, records, tasks
from caretui.services.fhir.exporter import export_bundle
from caretui.services.fhir.importer import import_bundle
from caretui.services.undo import undo_last
from caretui.services.unit import action
from caretui.store.database import Database
from tests.services.helpers import new_patient, refused, row_counts

TODAY = date(2026, 3, 11)


def add_task(db: Database, title: str, patient_id: int | None, **extra: object) -> int:
    with action(db, "Add task") as s:
        fields = {"title": title, "queue": "calls", "due": TODAY, **extra}
        if patient_id is not None:
            fields["patient_id"] = patient_id
        return tasks.add_task(s, fields, today=TODAY, queues=DEFAULT_QUEUES).id


def wait(db: Database, task_id: int, blocked_by_id: int) -> None:
    with action(db, "Add dependency") as s:
        dependencies.add_dependency(s, s.get_one(Task, task_id), s.get_one(Task, blocked_by_id))


def complete(db: Database, task_id: int) -> None:
    with action(db, "Complete task") as s:
        tasks.complete_task(s, s.get_one(Task, task_id), today=TODAY)


def on_today(db: Database) -> set[int]:
    con = db.read()
    try:
        return {i.record_id for i in today_items(con, TODAY) if i.entity == "task"}
    finally:
        con.close()


@pytest.fixture
def pair(db: Database) -> tuple[int, int, int]:
    """A patient, "book the appointment" (due today) and "referral accepted" (due today)."""
    pid = new_patient(db, TODAY)
    book = add_task(db, "Book the appointment", pid)
    accepted = add_task(db, "Referral accepted", pid)
    return pid, book, accepted


def test_a_blocked_task_is_not_on_today_until_its_blocker_is_done(
    db: Database, pair: tuple[int, int, int]
) -> None:
    _pid, book, accepted = pair
    assert on_today(db) == {book, accepted}
    wait(db, book, accepted)
    assert on_today(db) == {accepted}
    con = db.read()
    try:
        assert count_items(con, TODAY, "all") == 1
        assert count_items(con, TODAY, "today") == 1
    finally:
        con.close()
    complete(db, accepted)  # the last blocker done: back on Today the same day
    assert on_today(db) == {book}


def test_every_open_blocker_must_be_done(db: Database, pair: tuple[int, int, int]) -> None:
    pid, book, accepted = pair
    fax = add_task(db, "Fax the records", pid)
    wait(db, book, accepted)
    wait(db, book, fax)
    complete(db, accepted)
    assert book not in on_today(db)
    with action(db, "Cancel task") as s:
        tasks.cancel_task(s, s.get_one(Task, fax), today=TODAY)  # closed: blocks nothing
    assert book in on_today(db)


def test_a_reopened_blocker_blocks_again(db: Database, pair: tuple[int, int, int]) -> None:
    _pid, book, accepted = pair
    wait(db, book, accepted)
    complete(db, accepted)
    with action(db, "Reopen task") as s:
        tasks.reopen_task(s, s.get_one(Task, accepted), today=TODAY)
    assert book not in on_today(db)


def test_circles_are_refused_and_nothing_is_written(
    db: Database, pair: tuple[int, int, int]
) -> None:
    pid, book, accepted = pair
    third = add_task(db, "Call the clinic", pid)
    with refused(db, "A task cannot wait on itself"):
        wait(db, book, book)
    wait(db, book, accepted)
    with refused(
        db,
        f"Task {accepted} cannot wait on task {book}: task {book} waits on task {accepted} "
        "already, and tasks that wait on each other in a circle could never be done; "
        "nothing was saved",
    ):
        wait(db, accepted, book)
    wait(db, accepted, third)
    with refused(
        db,
        f"Task {third} cannot wait on task {book}: task {book} waits on task {accepted} waits "
        f"on task {third} already, and tasks that wait on each other in a circle could never "
        "be done; nothing was saved",
    ):
        wait(db, third, book)


def test_other_refusals(db: Database, pair: tuple[int, int, int]) -> None:
    _pid, book, accepted = pair
    wait(db, book, accepted)
    with refused(db, f"Task {book} already waits on task {accepted}"):
        wait(db, book, accepted)
    done = add_task(db, "Old call", None)
    complete(db, done)
    with refused(db, f"Task {done} is already completed; there is nothing to wait for"):
        wait(db, book, done)
    with refused(db, f"Task {done} is already completed; it waits on nothing"):
        wait(db, done, accepted)


def test_removing_and_undoing(db: Database, pair: tuple[int, int, int]) -> None:
    _pid, book, accepted = pair
    wait(db, book, accepted)
    assert undo_last(db) == "Add dependency"
    assert book in on_today(db)
    wait(db, book, accepted)
    with action(db, "Remove dependency") as s:
        dependencies.remove_dependency(s, s.get_one(Task, book), accepted)
    assert book in on_today(db)
    assert undo_last(db) == "Remove dependency"  # it waits again
    assert book not in on_today(db)
    with (
        pytest.raises(DomainError, match="does not wait on"),
        action(db, "Remove dependency") as s,
    ):
        dependencies.remove_dependency(s, s.get_one(Task, accepted), book)


def test_the_read_side_shows_both_ends(db: Database, pair: tuple[int, int, int]) -> None:
    pid, book, accepted = pair
    other_patient = new_patient(db, TODAY, family="Otherfamily")
    same_queue = add_task(db, "Another patient's call", other_patient)
    elsewhere = add_task(db, "Paperwork", other_patient, queue="paperwork")
    wait(db, book, accepted)
    con = db.read()
    try:
        assert [t.id for t in blockers(con, book)] == [accepted]
        assert [t.id for t in blocked_by_task(con, accepted)] == [book]
        assert open_blocker_counts(con, [book, accepted]) == {book: 1}
        choices = blocker_choices(con, book, patient_id=pid, queue="calls")
        # the same patient's first, not itself nor what it already waits on; then the queue's
        assert [t.id for t in choices] == [same_queue]
        assert elsewhere not in [t.id for t in choices]
        assert blockers(con, book)[0].open and blockers(con, book)[0].title == "Referral accepted"
    finally:
        con.close()
    complete(db, accepted)
    con = db.read()
    try:
        assert open_blocker_counts(con, [book]) == {}
        assert not blockers(con, book)[0].open
    finally:
        con.close()


def test_purging_a_patient_takes_their_tasks_links_along(
    db: Database, pair: tuple[int, int, int]
) -> None:
    pid, book, accepted = pair
    own = add_task(db, "Coordinator's own task", None)
    wait(db, own, accepted)  # someone else's task waits on one of this patient's
    wait(db, book, accepted)
    with action(db, "Purge patient") as s:
        patients.purge(s, s.get_one(Patient, pid), confirm_name="Testfamily")
    assert row_counts(db)["task_dependency"] == 0
    assert own in on_today(db)


# -- FHIR: Task.basedOn ---------------------------------------------------------------------


def test_fhir_round_trip_keeps_the_link(
    db: Database, pair: tuple[int, int, int], tmp_path: Path
) -> None:
    _pid, book, accepted = pair
    wait(db, book, accepted)
    first = export_bundle(db)
    resources = {
        e["resource"]["description"]: e
        for e in json.loads(first)["entry"]
        if "description" in e["resource"]
    }
    based_on = resources["Book the appointment"]["resource"]["basedOn"]
    assert based_on == [
        {
            "id": based_on[0]["id"],
            "reference": resources["Referral accepted"]["fullUrl"],
            "type": "Task",
        }
    ]
    assert based_on[0]["id"].startswith("ct-task-dependency-")
    assert "basedOn" not in resources["Referral accepted"]["resource"]
    Bundle.model_validate_json(first)

    other = Database.open(tmp_path / "other.db")
    try:
        summary = import_bundle(
            other, _write(tmp_path / "b.json", first), today=TODAY, queues=DEFAULT_QUEUES
        )
        assert summary.added["task_dependency"] == 1
        con = other.read()
        try:
            ids = dict(con.execute("SELECT title, id FROM task").fetchall())
            items = {i.record_id for i in today_items(con, TODAY) if i.entity == "task"}
        finally:
            con.close()
        assert items == {ids["Referral accepted"]}  # blocked there too
        assert json.loads(export_bundle(other))["entry"] == json.loads(first)["entry"]
    finally:
        other.dispose()
    # back into the database it came from: the same link, nothing added
    again = import_bundle(db, tmp_path / "b.json", today=TODAY, queues=DEFAULT_QUEUES)
    assert not again.added and not again.updated
    assert row_counts(db)["task_dependency"] == 1


def _write(path: Path, data: bytes | str) -> Path:
    path.write_text(data if isinstance(data, str) else data.decode(), "utf-8")
    return path


def _task(tid: str, title: str, *based_on: dict[str, object]) -> dict[str, object]:
    return {
        "resourceType": "Task",
        "id": tid,
        "status": "requested",
        "intent": "order",
        "description": title,
        "restriction": {"period": {"end": "2026-03-11"}},
        **({"basedOn": list(based_on)} if based_on else {}),
    }


def _bundle(*resources: dict[str, object]) -> dict[str, object]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


A = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
B = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
SR = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"


def test_import_reads_based_on_tasks_only(db: Database, tmp_path: Path) -> None:
    """basedOn a Task is a dependency; basedOn anything else (an order by type and id, a
    bundle entry of another type by urn, a logical reference) is not kept, nor refused."""
    bundle = _bundle(
        _task(
            A,
            "Book the appointment",
            {"reference": f"Task/{B}"},
            {"reference": "ServiceRequest/xyz"},
            {"reference": f"urn:uuid:{SR}"},
            {"identifier": {"value": "order-1"}},
        ),
        _task(B, "Referral accepted"),
        {
            "resourceType": "Condition",
            "id": SR,
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "code": {"text": "Hypertension"},
            "subject": {"reference": "urn:uuid:11111111-1111-4111-8111-111111111111"},
        },
        {
            "resourceType": "Patient",
            "id": "11111111-1111-4111-8111-111111111111",
            "name": [{"family": "Testwood", "given": ["Avery"]}],
        },
    )
    summary = import_bundle(
        db, _write(tmp_path / "in.json", json.dumps(bundle)), today=TODAY, queues=DEFAULT_QUEUES
    )
    assert summary.added["task_dependency"] == 1
    con = db.read()
    try:
        titles = dict(con.execute("SELECT id, title FROM task").fetchall())
        link = con.execute("SELECT task_id, blocked_by_id FROM task_dependency").fetchall()
    finally:
        con.close()
    assert [(titles[a], titles[b]) for a, b in link] == [
        ("Book the appointment", "Referral accepted")
    ]


def test_an_imported_circle_is_refused_whole(db: Database, tmp_path: Path) -> None:
    bundle = _bundle(
        _task(A, "One", {"reference": f"urn:uuid:{B}"}),
        _task(B, "Two", {"reference": f"urn:uuid:{A}", "type": "Task"}),
    )
    before = row_counts(db)
    result = CliRunner().invoke(
        main,
        [
            "--db",
            str(db.path),
            "import",
            "fhir",
            str(_write(tmp_path / "circle.json", json.dumps(bundle))),
        ],
    )
    assert result.exit_code != 0
    assert "circle" in result.output
    assert "Traceback" not in result.output
    assert row_counts(db) == before


def test_the_model_is_audited_like_any_record(db: Database, pair: tuple[int, int, int]) -> None:
    _pid, book, accepted = pair
    with action(db, "Add dependency") as s:
        link = records.create(s, TaskDependency, {"task_id": book, "blocked_by_id": accepted})
        assert link.id
    con = db.read()
    try:
        entity = con.execute(
            "SELECT entity FROM audit_event WHERE action_label = 'Add dependency'"
        ).fetchall()
    finally:
        con.close()
    assert entity == [("task_dependency",)]


def test_a_foreign_bundles_link_survives_export_and_import(db: Database, tmp_path: Path) -> None:
    """The shared every-type bundle's task-2 waits on task-1 (``Task/task-1``); the
    interchange round-trip test compares the exports, so this checks the link is in them."""
    from tests.interchange.helpers import every_type

    import_bundle(
        db,
        _write(tmp_path / "in.json", json.dumps(every_type())),
        today=TODAY,
        queues=DEFAULT_QUEUES,
    )
    exported = json.loads(export_bundle(db))["entry"]
    by_id = {e["resource"]["id"]: e for e in exported}
    assert by_id["task-2"]["resource"]["basedOn"] == [
        {"id": "based-on:Task/task-1", "reference": by_id["task-1"]["fullUrl"], "type": "Task"}
    ]
