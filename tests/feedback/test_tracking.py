"""Tracking codes: unguessable, typable, and every common typo is caught."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback import tracking

codes = st.text(
    alphabet=tracking.ALPHABET,
    min_size=tracking.RANDOM_LENGTH,
    max_size=tracking.RANDOM_LENGTH,
).map(lambda body: body + tracking.check_symbol(body))


def test_generated_codes_are_valid_and_use_no_ambiguous_symbols():
    for _ in range(1000):
        code = tracking.generate_code()
        assert tracking.is_valid_code(code)
        assert not set(code) & set("01OIL")


def test_codes_are_unique_over_100k():
    generated = {tracking.generate_code() for _ in range(100_000)}
    assert len(generated) == 100_000


def test_randomness_is_at_least_40_bits():
    assert tracking.RANDOM_LENGTH * (tracking.BASE.bit_length() - 1) >= 40


def test_formatting_and_normalising_round_trip():
    code = tracking.generate_code()
    printed = tracking.format_code(code)
    assert printed.count("-") == 2
    assert tracking.is_valid_code(printed)
    assert tracking.is_valid_code(printed.lower().replace("-", " "))
    assert tracking.normalize_code(printed) == code


@settings(max_examples=300, deadline=None)
@given(code=codes, data=st.data())
def test_every_single_symbol_typo_is_detected(code, data):
    position = data.draw(st.integers(0, len(code) - 1))
    replacement = data.draw(st.sampled_from(tracking.ALPHABET))
    typo = code[:position] + replacement + code[position + 1 :]
    assert tracking.is_valid_code(code)
    assert tracking.is_valid_code(typo) == (typo == code)


@settings(max_examples=300, deadline=None)
@given(code=codes, data=st.data())
def test_every_adjacent_swap_is_detected(code, data):
    position = data.draw(st.integers(0, len(code) - 2))
    swapped = (
        code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    )
    assert tracking.is_valid_code(swapped) == (swapped == code)


def test_exhaustive_typos_and_swaps_on_one_code():
    code = tracking.generate_code()
    for position in range(len(code)):
        for symbol in tracking.ALPHABET:
            if symbol != code[position]:
                typo = code[:position] + symbol + code[position + 1 :]
                assert not tracking.is_valid_code(typo)
    for position in range(len(code) - 1):
        if code[position] != code[position + 1]:
            swapped = (
                code[:position]
                + code[position + 1]
                + code[position]
                + code[position + 2 :]
            )
            assert not tracking.is_valid_code(swapped)


@pytest.mark.parametrize("text", ["", "ABC", "0000-0000-0000", "2345-6789-ABCDE"])
def test_malformed_codes_are_rejected(text):
    assert not tracking.is_valid_code(text)


def test_pin_hash_is_keyed_and_checks():
    code = tracking.generate_code()
    pin = tracking.generate_pin()
    assert len(pin) == tracking.PIN_LENGTH and pin.isdigit()
    stored = tracking.hash_pin(code, pin, key="k1")
    assert pin not in stored
    assert tracking.pin_matches(code, pin, stored, key="k1")
    assert not tracking.pin_matches(code, pin, stored, key="k2")
    wrong = "0" * 6 if pin != "0" * 6 else "1" * 6
    assert not tracking.pin_matches(code, wrong, stored, key="k1")
