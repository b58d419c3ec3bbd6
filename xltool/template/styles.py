"""Cell formats of a generated workbook: grey = locked by the county, yellow = to fill in."""
from __future__ import annotations

from xlsxwriter import Workbook

FONT = "宋体"
TITLE_FONT = "黑体"
LABEL_FILL = "#DDEBF7"    # headings
PREFILL_FILL = "#EDEDED"  # values the county filled in (locked)
INPUT_FILL = "#FFF2CC"    # cells the township fills in (unlocked)
AMOUNT_FORMAT = "#,##0.00"

_BASE = {"font_name": FONT, "font_size": 10, "valign": "vcenter", "text_wrap": True}
_BOX = {**_BASE, "border": 1}


class Styles:
    """All formats of one workbook, created once (xlsxwriter formats belong to a workbook)."""

    def __init__(self, wb: Workbook):
        add = wb.add_format
        self.title = add({**_BASE, "font_name": TITLE_FONT, "font_size": 16, "bold": True,
                          "align": "center"})
        self.plain = add({**_BASE})
        self.plain_right = add({**_BASE, "align": "right"})
        self.section = add({**_BASE, "font_size": 12, "bold": True})
        self.paragraph = add({**_BASE, "font_size": 11, "valign": "top"})
        self.label = add({**_BOX, "bold": True, "align": "center", "bg_color": LABEL_FILL})
        self.prefill = {
            "text": add({**_BOX, "bg_color": PREFILL_FILL}),
            "longtext": add({**_BOX, "bg_color": PREFILL_FILL, "valign": "top"}),
            "amount": add({**_BOX, "bg_color": PREFILL_FILL, "num_format": AMOUNT_FORMAT}),
        }
        self.input = {
            # text: codes and phone numbers keep their leading zeros
            "text": add({**_BOX, "bg_color": INPUT_FILL, "locked": False, "num_format": "@"}),
            "longtext": add({**_BOX, "bg_color": INPUT_FILL, "locked": False, "valign": "top"}),
            "amount": add({**_BOX, "bg_color": INPUT_FILL, "locked": False,
                           "num_format": AMOUNT_FORMAT}),
            "center": add({**_BOX, "bg_color": INPUT_FILL, "locked": False, "align": "center"}),
            "number": add({**_BOX, "bg_color": INPUT_FILL, "locked": False, "align": "center",
                           "num_format": "General"}),
        }
        self.list_cell = add({"font_name": FONT})
