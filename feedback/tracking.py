"""Tracking codes and PINs that citizens type to check a case.

A code is 11 random symbols and one check symbol over a 31-symbol alphabet
that leaves out the look-alikes 0/O, 1/I/L.  Because 31 is prime and every
position has a distinct non-zero weight, the weighted check sum catches every
single-symbol typo and every swap of two adjacent symbols.  11 random symbols
carry 54 bits, so codes are not sequential and cannot be enumerated.

The PIN is printed only on the receipt and stored as an HMAC keyed with the
server secret: cheap to check, useless to whoever reads the database.
"""

import hashlib
import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)  # 31, a prime
RANDOM_LENGTH = 11
CODE_LENGTH = RANDOM_LENGTH + 1
PIN_LENGTH = 6
_VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}
# What citizens type between the symbols of a code.
_SEPARATORS = str.maketrans("", "", " -.\t")

assert BASE == 31
assert CODE_LENGTH < BASE  # weights 1..CODE_LENGTH must be distinct mod BASE


def _weighted_sum(symbols: str) -> int:
    return sum(
        (position + 1) * _VALUES[symbol] for position, symbol in enumerate(symbols)
    )


def check_symbol(body: str) -> str:
    """The symbol that makes the weighted sum of ``body + symbol`` zero mod 31."""
    weight = len(body) + 1
    remainder = _weighted_sum(body) % BASE
    # Solve weight * value == -remainder (mod 31); pow gives the inverse.
    value = (-remainder * pow(weight, -1, BASE)) % BASE
    return ALPHABET[value]


def generate_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_symbol(body)


def normalize_code(text: str) -> str:
    """Upper-case and drop spaces and dashes, as citizens type them."""
    return (text or "").upper().translate(_SEPARATORS)


def is_valid_code(text: str) -> bool:
    """Whether ``text`` has the shape of a code and its check symbol agrees."""
    code = normalize_code(text)
    if len(code) != CODE_LENGTH:
        return False
    try:
        return _weighted_sum(code) % BASE == 0
    except KeyError:  # a symbol outside the alphabet
        return False


def format_code(code: str) -> str:
    """``7K3F9QM2XT4A`` → ``7K3F-9QM2-XT4A`` for printing."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def generate_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))


def hash_pin(code: str, pin: str, *, key: str) -> str:
    message = f"{normalize_code(code)}:{pin.strip()}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def pin_matches(code: str, pin: str, pin_hash: str, *, key: str) -> bool:
    return hmac.compare_digest(hash_pin(code, pin, key=key), pin_hash)
