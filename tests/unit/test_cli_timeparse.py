"""How the CLI reads times people type, and how it shows the API's UTC instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cli.timeparse import (
    TimeInputError,
    format_duration,
    format_local,
    machine_zone_name,
    parse_date,
    parse_datetime,
    parse_duration,
    resolve_zone,
    to_api,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)  # 09:30 in Paris


def test_naive_input_is_read_in_the_given_zone_and_sent_with_its_offset() -> None:
    # Given a wall-clock time without offset, When parsed for Paris in winter
    moment = parse_datetime("2026-11-24 09:00", PARIS)
    # Then it carries Paris's winter offset and is sent with it, never naive
    assert to_api(moment) == "2026-11-24T09:00:00+01:00"
    assert moment.astimezone(UTC) == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_naive_input_in_summer_gets_the_summer_offset() -> None:
    assert to_api(parse_datetime("2026-07-01T09:00", PARIS)) == "2026-07-01T09:00:00+02:00"


def test_explicit_offset_or_z_is_kept_as_typed() -> None:
    assert to_api(parse_datetime("2026-11-24T09:00-05:00", PARIS)) == "2026-11-24T09:00:00-05:00"
    assert parse_datetime("2026-11-24T09:00Z", PARIS) == datetime(2026, 11, 24, 9, tzinfo=UTC)


def test_relative_words_use_the_users_zone() -> None:
    # Given it is 09:30 in Paris on the 24th
    tomorrow = parse_datetime("tomorrow 14:00", PARIS, now=NOW)
    today = parse_datetime("today", PARIS, now=NOW)
    now = parse_datetime("now", PARIS, now=NOW)
    # Then "tomorrow 14:00" is the 25th at 14:00 Paris time
    assert to_api(tomorrow) == "2026-11-25T14:00:00+01:00"
    assert to_api(today) == "2026-11-24T00:00:00+01:00"
    assert now == NOW


def test_times_inside_a_dst_gap_or_overlap_are_refused_with_a_reason() -> None:
    # Paris jumps 02:00 -> 03:00 on 2026-03-29 and repeats 02:00-03:00 on 2026-10-25
    with pytest.raises(TimeInputError, match="does not exist"):
        parse_datetime("2026-03-29 02:30", PARIS)
    with pytest.raises(TimeInputError, match="happens twice"):
        parse_datetime("2026-10-25 02:30", PARIS)
    # An explicit offset removes the ambiguity
    assert parse_datetime("2026-10-25T02:30+01:00", PARIS).utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize("text", ["next week", "2026-13-01 10:00", "", "9am"])
def test_unreadable_times_explain_the_accepted_formats(text: str) -> None:
    with pytest.raises(TimeInputError, match="ISO 8601"):
        parse_datetime(text, PARIS)


def test_a_naive_datetime_is_never_sent() -> None:
    with pytest.raises(TimeInputError):
        to_api(datetime(2026, 11, 24, 9, 0))  # naive on purpose


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1h", timedelta(hours=1)),
        ("90m", timedelta(minutes=90)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1.5h", timedelta(minutes=90)),
        ("2d", timedelta(days=2)),
        ("45", timedelta(minutes=45)),
        ("1H 15M", timedelta(hours=1, minutes=15)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "0m", "1x", "h", "1h-2m", "-1h"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(TimeInputError):
        parse_duration(text)


def test_api_instants_are_shown_in_the_users_zone() -> None:
    assert format_local("2026-11-24T08:00:00Z", PARIS) == "2026-11-24 09:00"
    assert format_local("2026-07-01T08:00:05Z", PARIS) == "2026-07-01 10:00:05"
    assert format_local("not a time", PARIS) == "not a time"
    assert format_local(None, PARIS) == ""


def test_zone_names_are_validated() -> None:
    assert resolve_zone("Asia/Tokyo").key == "Asia/Tokyo"
    with pytest.raises(TimeInputError, match="unknown time zone"):
        resolve_zone("Mars/Olympus")


def test_machine_zone_comes_from_tz_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    assert machine_zone_name() == "America/New_York"
    assert resolve_zone(None).key == "America/New_York"
    monkeypatch.setenv("TZ", "Not/AZone")
    assert resolve_zone(None).key == machine_zone_name() != "Not/AZone"


def test_dates_and_duration_rendering() -> None:
    assert parse_date("2026-12-24").isoformat() == "2026-12-24"
    with pytest.raises(TimeInputError):
        parse_date("24/12/2026")
    assert format_duration(timedelta(days=1, hours=2, minutes=5)) == "1d2h5m"
    assert format_duration(timedelta(0)) == "0m"
