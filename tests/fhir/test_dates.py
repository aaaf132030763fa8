from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from yihu.fhir.dates import approximately, parse_range


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("value", "start", "end"), [
    ("2026", utc(2025, 12, 31, 16), utc(2026, 12, 31, 16)),
    ("2026-12", utc(2026, 11, 30, 16), utc(2026, 12, 31, 16)),
    ("2026-02", utc(2026, 1, 31, 16), utc(2026, 2, 28, 16)),
    ("2026-11-23", utc(2026, 11, 22, 16), utc(2026, 11, 23, 16)),
    ("2026-11-23T08:00", utc(2026, 11, 23, 0), utc(2026, 11, 23, 0, 1)),
    ("2026-11-23T08:00:05Z", utc(2026, 11, 23, 8, 0, 5), utc(2026, 11, 23, 8, 0, 6)),
    ("2026-11-23T08:00:05.25-05:00", utc(2026, 11, 23, 13, 0, 5, 250000), utc(2026, 11, 23, 13, 0, 5, 260000)),
    ("2026-11-23T08:00:00 08:00", utc(2026, 11, 23, 0), utc(2026, 11, 23, 0, 0, 1)),
])
def test_a_value_covers_the_range_of_its_precision_in_local_time(value, start, end):
    r = parse_range(value)
    assert (r.start, r.end) == (start, end)


@pytest.mark.parametrize("value", ["", "26-11-23", "2026-11-23T8:00", "2026-11-31", "2026-11-23T08", "today"])
def test_anything_else_is_refused(value):
    with pytest.raises(ValueError):
        parse_range(value)


def test_approximately_widens_by_a_tenth_of_the_gap_to_now_and_at_least_a_day():
    now = utc(2026, 11, 23, 4)
    near = approximately(parse_range("2026-11-25"), now)  # the gap is under ten days: a day each side
    assert (near.start, near.end) == (utc(2026, 11, 23, 16), utc(2026, 11, 26, 16))
    far = approximately(parse_range("2036-11-23T12:00:00Z"), now)
    margin = (utc(2036, 11, 23, 12, 0, 1) - now) / 10
    assert (far.start, far.end) == (utc(2036, 11, 23, 12) - margin, utc(2036, 11, 23, 12, 0, 1) + margin)
    assert timedelta(days=365) < margin < timedelta(days=367)
    edge = approximately(parse_range("9998"), now)  # widened past the last instant: it stops there
    assert edge.end == datetime.max.replace(tzinfo=UTC)
