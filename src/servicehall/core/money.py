"""Money is kept in integer fen; people read and type yuan with two decimals (120.00)."""

import re
from decimal import Decimal

# what a person types for an amount: 120, 120.5, 120.50 (a full-width point is read too)
_YUAN = re.compile(r"([0-9]{1,9})(?:[.．]([0-9]{1,2}))?")


def yuan(fen: int | None) -> str:
    """12000 → "120.00"; None → ""."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def yuan_decimal(fen: int | None) -> Decimal | None:
    """The amount as an exact Decimal of yuan (for a spreadsheet cell), never a float."""
    return None if fen is None else Decimal(int(fen)).scaleb(-2)


def parse_yuan(text) -> int | None:
    """ "120" / "120.5" / "120.50" → fen (12000, 12050, 12050); "" → None. Raises ValueError
    for anything else (a negative amount, three decimals, letters)."""
    text = str(text or "").strip().replace(",", "").replace("元", "").strip()
    if not text:
        return None
    match = _YUAN.fullmatch(text)
    if match is None:
        raise ValueError(text)
    whole, cents = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(cents)
