"""The same 10,000 open tasks for caretui and for Taskwarrior, so `caretui today`
and `task next` are measured on one workload."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from caretui.store.database import Database

PRIORITIES = (("routine", "L"), ("routine", "L"), ("urgent", "M"), ("asap", "H"), ("stat", "H"))


def open_tasks(n: int, today: date, seed: int = 1) -> list[dict[str, str]]:
    rng = random.Random(seed)
    tasks = []
    for i in range(n):
        caretui_priority, task_priority = rng.choice(PRIORITIES)
        tasks.append(
            {
                "title": f"Follow up item {i} for patient {i % 500}",
                "patient": str(1 + i % 500),
                "queue": rng.choice(("calls", "paperwork", "referrals")),
                "priority": caretui_priority,
                "tw_priority": task_priority,
                "due": (today + timedelta(days=rng.randint(-30, 3))).isoformat(),
            }
        )
    return tasks


def build_caretui(path: Path, tasks: list[dict[str, str]]) -> None:
    """A migrated caretui database with 500 patients and ``tasks`` (raw inserts: fast)."""
    Database.open(path).dispose()
    stamp = "2026-01-01 00:00:00.000000"
    con = sqlite3.connect(path)
    with con:
        con.executemany(
            "INSERT INTO patient (id, family_name, given_name, status, risk, interpreter_needed,"
            " care_management, search_key, created_at, updated_at, version)"
            " VALUES (?, ?, ?, 'active', ?, 0, 0, '', ?, ?, 1)",
            [
                (i, f"Family{i}", f"Given{i}", ("high", "medium", "low")[i % 3], stamp, stamp)
                for i in range(1, 501)
            ],
        )
        con.executemany(
            "INSERT INTO task (patient_id, title, queue, status, priority, due, origin,"
            " created_at, updated_at, version) VALUES (?, ?, ?, 'requested', ?, ?, 'manual',"
            " ?, ?, 1)",
            [
                (int(t["patient"]), t["title"], t["queue"], t["priority"], t["due"], stamp, stamp)
                for t in tasks
            ],
        )
    con.close()


def taskwarrior_json(tasks: list[dict[str, str]]) -> str:
    return json.dumps(
        [
            {
                "description": t["title"],
                "project": t["queue"],
                "priority": t["tw_priority"],
                "due": t["due"].replace("-", "") + "T120000Z",
                "status": "pending",
                "entry": "20260101T000000Z",
            }
            for t in tasks
        ]
    )
