"""TOTP step matching, the replay rule, and backup-code format."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from chalicelib.domain.accounts import mfa

NOW = datetime(2026, 11, 24, 9, 0, 10, tzinfo=UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_current_code_matches_the_current_step() -> None:
    code = mfa.code_for(SECRET, NOW)
    assert mfa.matching_step(SECRET, code, NOW) == mfa.current_step(NOW)


def test_previous_step_code_is_accepted_within_the_window() -> None:
    code = mfa.code_for(SECRET, NOW - timedelta(seconds=30))
    assert mfa.matching_step(SECRET, code, NOW) == mfa.current_step(NOW) - 1


def test_old_code_outside_the_window_does_not_match() -> None:
    code = mfa.code_for(SECRET, NOW - timedelta(minutes=5))
    assert mfa.matching_step(SECRET, code, NOW) is None


def test_malformed_codes_never_match() -> None:
    assert mfa.matching_step(SECRET, "12345", NOW) is None
    assert mfa.matching_step(SECRET, "abcdef", NOW) is None


def test_replay_rule_accepts_only_later_steps() -> None:
    assert mfa.step_is_fresh(100, None)
    assert mfa.step_is_fresh(101, 100)
    assert not mfa.step_is_fresh(100, 100)
    assert not mfa.step_is_fresh(99, 100)


def test_backup_codes_are_ten_distinct_hand_typable_codes() -> None:
    codes = mfa.new_backup_codes()
    assert len(codes) == 10
    assert len(set(codes)) == 10
    for code in codes:
        assert re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code)
        assert not set(code) & set("01ilo")


def test_backup_code_normalization_tolerates_case_and_separators() -> None:
    code = mfa.new_backup_codes(1)[0]
    assert mfa.normalize_backup_code(code.upper().replace("-", " ")) == code.replace("-", "")
    assert mfa.hash_backup_code(code.upper()) == mfa.hash_backup_code(code)
    assert mfa.normalize_backup_code("123456") is None
    assert mfa.normalize_backup_code("too-short") is None


def test_backup_code_hash_is_sha256_hex_not_the_code() -> None:
    code = mfa.new_backup_codes(1)[0]
    digest = mfa.hash_backup_code(code)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert code.replace("-", "") not in digest
