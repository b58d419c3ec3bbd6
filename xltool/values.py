"""Interpreting what people type into cells: numbers, percentages, operators, units.

Every function here takes a raw cell value (and its number format) and returns a normalised
value or None when it cannot be interpreted; callers turn None into an issue at the cell.
None of them raises, whatever the cell holds (any text, NaN, infinities, 400-digit numbers):
the property tests in tests/test_values_total.py hold them to that.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation, localcontext
from functools import lru_cache

PERCENT_UNIT = "百分比"
QUALITATIVE = "定性"
_OPERATORS = [  # longest spelling first
    ("大于等于", "≥"), ("不低于", "≥"), ("不少于", "≥"), ("不小于", "≥"),
    ("小于等于", "≤"), ("不高于", "≤"), ("不超过", "≤"), ("不多于", "≤"), ("不大于", "≤"),
    (">=", "≥"), ("=>", "≥"), ("≥", "≥"), ("≧", "≥"), ("⩾", "≥"),
    ("<=", "≤"), ("=<", "≤"), ("≤", "≤"), ("≦", "≤"), ("⩽", "≤"),
    ("==", "="), ("等于", "="), ("=", "="), ("大于", ">"), (">", ">"), ("小于", "<"), ("<", "<"),
    (QUALITATIVE, QUALITATIVE),
]
_PERCENT_WORDS = ("百分比", "%", "百分率")
NO_UNIT = ("/", "-", "—", "无", "－", "／")   # how people write "no unit"
UNKNOWN_FORMAT = "?"   # the number format could not be read (.xls/.ods)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def clean_text(value: object) -> str:
    """Text as typed, NFKC-normalised (full-width to half-width), without stray whitespace."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean_str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _clean_str(str(value))


_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def _clean_str(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():  # zero-width and other invisible format characters
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _SPACES.sub(" ", text).strip()


def is_blank(value: object) -> bool:
    return clean_text(value) == ""


def is_percent_format(number_format: str | None) -> bool:
    return bool(number_format) and "%" in re.sub(r'"[^"]*"|\\.', "", number_format)


def to_decimal(value: object, number_format: str | None = None, *,
               percent: bool = False) -> Decimal | None:
    """A number from a cell: 25, 25.0, "25", "２５", "1,234.50", "¥20000", "20000元".

    With percent=True the result is in percent: "25%" -> 25, and 0.25 in a %-formatted cell
    -> 25 (that is what the township sees on screen). A "%" sign is refused when percent=False.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        number = _decimal(value)
        if number is None or not number.is_finite():
            return None
        if percent and is_percent_format(number_format):
            with localcontext(_WIDE):
                number *= 100
        return _tidy(number)
    text = clean_text(value).replace(",", "").replace(" ", "")
    text = text.removeprefix("¥").removesuffix("元")
    has_percent = text.endswith("%")
    if has_percent:
        if not percent:
            return None
        text = text[:-1]
    if not _NUMBER.fullmatch(text):
        return None
    return _tidy(Decimal(text))


NOISE = Decimal("0.000001")   # float noise left by formulas (100.0000001 shows as 100)
_WIDE = Context(prec=80, Emax=999999, Emin=-999999)


def _tidy(number: Decimal) -> Decimal | None:
    """A finite number without float noise: rounded to 6 decimals (what any cell shows), so
    100.0000001 left by a formula is 100. Huge numbers (a card number typed as a value) keep
    their digits; nothing here raises."""
    try:
        if not number.is_finite():
            return None
        with localcontext(_WIDE):
            if number.adjusted() > 60:
                return number
            return number.quantize(NOISE).normalize() + 0
    except (InvalidOperation, ArithmeticError, ValueError, TypeError):
        return None


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ArithmeticError, ValueError, TypeError):
        return None


def normalise_operator(value: object) -> str | None:
    text = clean_text(value).replace(" ", "")
    for spelling, op in _OPERATORS:
        if text == spelling:
            return op
    return None


def normalise_unit(value: object, units: list[str]) -> str | None:
    text = clean_text(value).replace(" ", "")
    if text in _PERCENT_WORDS:
        return PERCENT_UNIT
    return text if text in units else None


def is_no_unit(value: object) -> bool:
    text = clean_text(value).replace(" ", "")
    return text == "" or text in NO_UNIT


NA_MARKS = frozenset({"/", "-", "—", "——", "--", "无", "N/A", "n/a", "NA", "/ ", "\\"})


def is_na_mark(value: object) -> bool:
    """A cell marked not applicable ("/", "无", "—", "-"): as good as empty."""
    return clean_text(value).replace(" ", "") in NA_MARKS


@dataclass(frozen=True)
class TargetValue:
    """指标值 as typed, split into operator, number/word and unit where the text carries them."""
    operator: str | None    # from the text itself, e.g. "≥95%"
    number: Decimal | None
    word: str | None        # a qualitative value such as 优
    unit: str | None        # from the text itself ("%" -> 百分比)


def split_target(value: object, number_format: str | None, units: list[str]) -> TargetValue:
    """Read 指标值: 95, "95", "95%", "≥95%", "≥2次", 0.95 in a %-formatted cell, "优"."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        unit = PERCENT_UNIT if is_percent_format(number_format) else None
        return TargetValue(None, to_decimal(value, number_format, percent=True), None, unit)
    text = clean_text(value).replace(" ", "")
    operator = None
    for spelling, op in _OPERATORS:
        if op != QUALITATIVE and text.startswith(spelling) and len(text) > len(spelling):
            operator, text = op, text[len(spelling):]
            break
    match = _NUMBER.match(text.replace(",", ""))
    if match is None:
        return TargetValue(operator, None, text or None, None)
    rest = text.replace(",", "")[match.end():]
    unit = normalise_unit(rest, units) if rest else None
    if rest and unit is None:
        return TargetValue(operator, None, text, None)
    return TargetValue(operator, _tidy(Decimal(match.group(0))), None, unit)


def number_text(number: Decimal) -> str:
    """A number as written by hand: 95 -> "95", 0.5 -> "0.5", 1E+2 -> "100"."""
    return format(number.normalize(), "f")


def display(value: object) -> str:
    """A value as the township sees it, for messages."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text if len(text) <= 30 else text[:29] + "…"
