"""Every value interpreter is total: whatever a cell holds, it returns a result (or None, which
the checks turn into an issue at the cell) and never raises."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from xltool.check.checks.budget import to_fen
from xltool.read.model import Cell, IndicatorRow, filled_values, is_blank
from xltool.values import (clean_text, display, is_na_mark, is_no_unit, is_percent_format,
                           normalise_operator, normalise_unit, split_target, to_decimal)

UNITS = ["百分比", "次", "元", "吨", "个"]
FORMATS = st.one_of(st.none(), st.sampled_from(["General", "0%", "0.00%", "@", "?", '0"%"',
                                                "#,##0.00"]), st.text(max_size=20))
NUMBER_TEXT = st.builds(lambda sign, digits, exp, tail: f"{sign}{digits}{exp}{tail}",
                        st.sampled_from(["", "-", "+", "≥", "≤", "大于等于", "="]),
                        st.from_regex(r"\d{1,400}(\.\d{0,30})?", fullmatch=True),
                        st.sampled_from(["", "e20", "E-400", "e999999", "e"]),
                        st.sampled_from(["", "%", "百分比", "次", "元", "万元", "x"]))
CELL = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-10**400, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True), st.text(), NUMBER_TEXT,
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1e20", "NaN", "inf", "-Infinity", "1" * 19, "9" * 400, "１２３４５６７８９０１２３４５６７８９",
                     "¥1,234.50", "20000元", "≥95%", "≥0.95", "sNaN", "\u200b95\u200b", "%", "≥"]))


@settings(max_examples=120, deadline=None)
@given(CELL, FORMATS, st.booleans())
def test_to_decimal_never_raises(value, fmt, percent):
    number = to_decimal(value, fmt, percent=percent)
    assert number is None or (isinstance(number, Decimal) and number.is_finite())


@settings(max_examples=120, deadline=None)
@given(CELL, FORMATS)
def test_split_target_never_raises(value, fmt):
    target = split_target(value, fmt, UNITS)
    assert target.number is None or target.number.is_finite()
    assert target.unit is None or target.unit in UNITS


@settings(max_examples=120, deadline=None)
@given(CELL)
def test_text_interpreters_never_raise(value):
    assert isinstance(clean_text(value), str)
    assert isinstance(display(value), str) and len(display(value)) <= 30
    assert normalise_operator(value) in (None, "≥", "≤", "=", ">", "<", "定性")
    assert normalise_unit(value, UNITS) in (None, *UNITS)
    assert isinstance(is_no_unit(value), bool)
    assert isinstance(is_na_mark(value), bool)


@settings(max_examples=120, deadline=None)
@given(FORMATS)
def test_is_percent_format_never_raises(fmt):
    assert isinstance(is_percent_format(fmt), bool)


@settings(max_examples=120, deadline=None)
@given(st.one_of(st.decimals(allow_nan=False, allow_infinity=False),
                 st.integers(min_value=-10**500, max_value=10**500).map(Decimal)))
def test_amounts_round_to_the_fen_without_raising(number):
    assert isinstance(to_fen(number), Decimal)


def test_examples_of_the_issue():
    assert to_decimal("1234567890123456789") == Decimal("1234567890123456789")
    assert to_decimal(1e20) == Decimal("1E+20")
    assert to_decimal(10 ** 400) == Decimal(10) ** 400
    assert to_decimal(float("nan")) is None and to_decimal(float("inf")) is None
    assert to_decimal(100.0000001) == 100          # formula noise shown as 100
    assert to_decimal(0.95000000001, "0%", percent=True) == 95
    assert to_decimal(99.99) == Decimal("99.99")
    assert split_target("≥0.95", None, UNITS).number == Decimal("0.95")
    assert split_target("≥" + "9" * 400 + "%", None, UNITS).unit == "百分比"


@settings(max_examples=400, deadline=None)
@given(st.one_of(CELL, st.text(alphabet=st.characters(codec="utf-8")),
                 st.sampled_from(["\u00a0", "\u3000", "\u200b", "\ufeff", "\u2028", "\t \n",
                                  "\u00a8", "\u2002a", " "])))
def test_a_cell_is_blank_exactly_when_its_cleaned_text_is_empty(value):
    """Cell.blank takes a shortcut for printable text; it must agree with clean_text."""
    assert Cell("表", "A1", value).blank == (value is None or isinstance(value, str)
                                              and clean_text(value) == "")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(CELL, st.sampled_from(["\u00a0", "\u200b", " ", "\t"])),
                          FORMATS), min_size=8, max_size=8),
       st.integers(0, 500), st.integers(0, 20))
def test_a_row_read_as_values_answers_as_its_cells(data, row, col):
    """The reader keeps an indicator row's values and makes Cells only when asked: whatever
    the values, the row answers what its Cells say."""
    from xltool.template.cells import cell_name
    from xltool.template.spec import INDICATOR_KEYS
    keys = list(INDICATOR_KEYS)
    cols = range(col, col + len(keys))
    index = {k: i for i, k in enumerate(keys)}
    fast = IndicatorRow.read(3, "表", row, cols, data, index, frozenset({"value"}), False, None)
    cells = {k: Cell("表", cell_name(row, c), v, f, k == "value")
             for k, c, (v, f) in zip(keys, cols, data)}
    slow = IndicatorRow(3, cells)
    assert filled_values(data) == [v for v, _ in data if not is_blank(v)]
    assert fast.blank_keys() == slow.blank_keys() == {k for k, c in cells.items() if c.blank}
    for k in keys:
        assert fast.value(k) is slow.value(k) is cells[k].value
        assert fast.ref(k) == slow.ref(k) == cells[k].ref
        assert fast.number_format(k) == slow.number_format(k)
    assert fast.unsaved_keys == slow.unsaved_keys == {"value"}
    def shape(row):   # (values compared as objects: a Decimal sNaN cannot be compared)
        return [(k, c.sheet, c.ref, id(c.value), c.number_format, c.formula_without_value)
                for k, c in row.cells.items()]
    assert shape(fast) == shape(slow)
