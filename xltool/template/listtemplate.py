"""An empty distribution list (分发名单) to fill in: the right headers, one example row, a sheet
explaining each column; and a commented county settings file beside it."""
from __future__ import annotations

from pathlib import Path

from xlsxwriter import Workbook

from ..atomic import atomic_path, write_bytes_atomic
from .distlist import EXAMPLE_MARK, OPTIONAL, REQUIRED
from .settings import SETTINGS_NAME, SETTINGS_TEMPLATE

EXAMPLE_ROW = ["484001", EXAMPLE_MARK + "玉田县林西镇人民政府本级", "13022925P00JXC419936N",
               "农村人居环境整治", 100000, 80000, 20000, "村庄保洁、垃圾清运", None]
NOTES = {
    "单位编码": "预算系统中的单位编码，如 484001。按文本填写，开头的 0 不会丢。",
    "单位名称": "单位全称，与预算批复一致。同一单位的每个项目各占一行，单位编码和名称都要填。",
    "项目编码": "预算系统中的项目编码。没有项目的单位只填单位编码和名称，会得到空白项目表。",
    "项目名称": "预算批复中的项目名称。",
    "预算数": "单位为元，可带两位小数。预算数 = 财政资金 + 其他资金。",
    "财政资金": "单位为元。",
    "其他资金": "单位为元；没有则填 0 或不填。",
    "资金用途": "可不填；填了会预填到表中，乡镇不能修改。",
    "基本支出": "可不填。单位的基本支出（元），填在该单位的任一行即可，会预填到部门整体绩效目标表中。",
}


def write_list_template(path: str | Path, *, settings: bool = True) -> list[Path]:
    """Write the list template (and 县设置.yaml beside it unless one exists); the paths written.

    Raises FileExistsError when the list file exists already (nothing is overwritten)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError("名单模板只能保存为 .xlsx 文件，如 名单.xlsx。")
    if path.exists():
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(REQUIRED + OPTIONAL)
    with atomic_path(path) as tmp:
        wb = Workbook(tmp, {"strings_to_numbers": False})
        head = wb.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1,
                              "align": "center", "valign": "vcenter"})
        text = wb.add_format({"num_format": "@", "border": 1, "font_color": "#7F7F7F"})
        money = wb.add_format({"num_format": "#,##0.00", "border": 1, "font_color": "#7F7F7F"})
        ws = wb.add_worksheet("分发名单")
        widths = [12, 34, 26, 30, 14, 14, 14, 30, 14]
        for col, (name, w) in enumerate(zip(columns, widths)):
            ws.write_string(0, col, name, head)
            ws.set_column(col, col, w, wb.add_format({"num_format": "@"}) if col < 4 or
                          name == "资金用途" else wb.add_format({"num_format": "#,##0.00"}))
            ws.write_comment(0, col, NOTES[name], {"x_scale": 2})
        for col, value in enumerate(EXAMPLE_ROW):
            if value is None:
                ws.write_blank(1, col, None, money)
            elif isinstance(value, str):
                ws.write_string(1, col, value, text)
            else:
                ws.write_number(1, col, value, money)
        ws.freeze_panes(1, 0)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        notes = wb.add_worksheet("填写说明")
        notes.set_column(0, 0, 12)
        notes.set_column(1, 1, 80, wb.add_format({"text_wrap": True, "valign": "top"}))
        notes.write_string(0, 0, "分发名单填写说明", wb.add_format({"bold": True, "font_size": 14}))
        notes.write_string(1, 1, "在“分发名单”工作表中每个项目填一行。第 2 行是示例，"
                                 "填写前请删除整行。表头不要改动；只读第一个工作表。")
        for row, name in enumerate(columns, start=3):
            notes.write_string(row, 0, name, head)
            notes.write_string(row, 1, NOTES[name])
        wb.close()
    written = [path]
    beside = path.parent / SETTINGS_NAME
    if settings and not beside.exists():
        write_bytes_atomic(beside, SETTINGS_TEMPLATE.encode("utf-8"))
        written.append(beside)
    return written
