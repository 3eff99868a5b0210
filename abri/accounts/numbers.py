"""Customer numbers: 8 upper-case letters or digits + an ISO/IEC 7064 MOD 37-36 check character."""

import re
import secrets
import string

from stdnum.iso7064 import mod_37_36

_ALPHABET = string.ascii_uppercase + string.digits
_FORMAT = re.compile(r"^[A-Z0-9]{9}$")


def normalize_customer_number(raw: str) -> str:
    """Forgive case, spaces, dots and dashes: ' demo-0001 g ' -> 'DEMO0001G'."""
    return re.sub(r"[\s.\-_]", "", raw or "").upper()


def is_valid_customer_number(raw: str) -> bool:
    """True when the (normalised) number has the right shape and check character."""
    number = normalize_customer_number(raw)
    if not _FORMAT.match(number):
        return False
    return mod_37_36.is_valid(number)


def with_check_character(base: str) -> str:
    """Append the MOD 37-36 check character to an 8-character base."""
    base = base.upper()
    if len(base) != 8 or not all(c in _ALPHABET for c in base):
        raise ValueError("base must be 8 upper-case letters or digits")
    return base + mod_37_36.calc_check_digit(base)


def generate_customer_number() -> str:
    """A random new customer number (uniqueness is checked by the caller)."""
    return with_check_character("".join(secrets.choice(_ALPHABET) for _ in range(8)))
