"""The streaming reader gives what ``json.load`` gives, at any buffer size."""

from __future__ import annotations

import io
import json

import pytest

from caretui.services.fhir.reader import BundleReader, MalformedJSON
from tests.interchange.helpers import FRANKIE


@pytest.mark.parametrize("chunk", [1, 7, 64, 4096, 1 << 20])
def test_entries_match_json_load(chunk: int) -> None:
    text = FRANKIE.read_text("utf-8")
    expected = json.loads(text)
    reader = BundleReader(io.StringIO(text), chunk=chunk)
    got = [entry for _, entry in reader.entries()]
    assert got == expected["entry"]
    assert reader.header == {k: v for k, v in expected.items() if k != "entry"}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"entry": [{"a": 1}, {"b": tru}]}', (1, 28)),  # as json.loads says
        ('{"entry": [{"a": 1}\n,\n{"b": 2}', (3, 9)),
        ('[{"resourceType": "Bundle"}]', (1, 1)),
        ('{"type": "collection"} extra', (1, 24)),
        ('{"entry": [{"a": 1} {"b": 2}]}', (1, 21)),
    ],
)
def test_malformed_json_names_line_and_column(text: str, where: tuple[int, int]) -> None:
    for chunk in (3, 1 << 20):
        with pytest.raises(MalformedJSON) as info:
            list(BundleReader(io.StringIO(text), chunk=chunk).entries())
        assert (info.value.line, info.value.column) == where


def test_numbers_across_a_buffer_boundary() -> None:
    text = '{"entry": [12345678, 3.25e2, true, null], "total": 99}'
    reader = BundleReader(io.StringIO(text), chunk=2)
    assert [e for _, e in reader.entries()] == [12345678, 325.0, True, None]
    assert reader.header == {"total": 99}
