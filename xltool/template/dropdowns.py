"""The hidden list sheet, its workbook-scoped names, and the data validations of a project sheet.

Every dropdown takes its items from a range on the list sheet through a defined name, so no list
is limited by Excel's 255 characters for inline lists. The 二级 dropdown depends on the 一级 of
the same row: each 一级 has its 二级 list under an ASCII name xt_t2_<n>, and the validation
formula picks it with INDIRECT("xt_t2_"&MATCH(一级, xt_tier1, 0)), which Excel, WPS and
LibreOffice all evaluate.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the checker reads list_names without importing xlsxwriter
    from xlsxwriter import Workbook
    from xlsxwriter.worksheet import Worksheet

from .cells import CellRange, cell_name, col_letters
from .spec import Framework, TemplateSpec

TIER1 = "xt_tier1"
TIER2_PREFIX = "xt_t2_"
DEPT_TIER1 = "xt_dept_tier1"      # the 部门整体绩效目标 sheet's framework
DEPT_TIER2_PREFIX = "xt_dept_t2_"
QUALITATIVE_OPERATOR = "定性"


def list_names(spec: TemplateSpec, framework: Framework,
               dept_framework: Framework | None = None) -> dict[str, list[str]]:
    """Name -> items, in the column order of the list sheet (the department framework's tiers
    last, when the workbook has the 部门整体绩效目标 sheet)."""
    names = {TIER1: framework.tier1_names}
    for i, tier in enumerate(framework.tiers, start=1):
        names[f"{TIER2_PREFIX}{i}"] = [c.name for c in tier.children]
    lists = spec.lists
    names.update(xt_ops=lists.operators, xt_qual=lists.qualitative, xt_units=lists.units,
                 xt_basis=lists.bases)
    if dept_framework is not None:
        names[DEPT_TIER1] = dept_framework.tier1_names
        for i, tier in enumerate(dept_framework.tiers, start=1):
            names[f"{DEPT_TIER2_PREFIX}{i}"] = [c.name for c in tier.children]
    return names


def write_list_sheet(wb: Workbook, ws: Worksheet, spec: TemplateSpec, framework: Framework,
                     fmt, password: str, dept_framework: Framework | None = None) -> None:
    """One column per list: the name in row 1, the items below; each defined workbook-wide."""
    for col, (name, items) in enumerate(list_names(spec, framework, dept_framework).items()):
        ws.write_string(0, col, name, fmt)
        for row, item in enumerate(items, start=1):
            ws.write_string(row, col, item, fmt)
        rng = CellRange(1, col, max(len(items), 1), col)
        wb.define_name(name, "=" + rng.absolute(ws.name))
    ws.protect(password)
    ws.very_hidden()


def _alert(title: str, message: str) -> dict:
    return {"error_title": title, "error_message": message}


def _indicator_validations(ws: Worksheet, col, prompts: dict, tier1: str,
                           tier2_prefix: str, units_open: bool = False) -> None:
    """The dropdowns and value check of an indicator table; `col(key)` is a column's body."""
    t1 = col("tier1")
    row = t1.row1 + 1  # formulas are written for the first body row; Excel shifts them per row
    tier1_ref = f"${col_letters(t1.col1)}{row}"
    op_ref = f"${col_letters(col('operator').col1)}{row}"
    value_cell = cell_name(t1.row1, col("value").col1)

    def validate(rng: CellRange, key: str, options: dict) -> None:
        title, message = prompts[key]
        ws.data_validation(rng.row1, rng.col1, rng.row2, rng.col2,
                           {"input_title": title, "input_message": message, **options})

    validate(t1, "tier1", {"validate": "list", "source": f"={tier1}",
                           **_alert("一级指标", "请从下拉列表中选择一级指标。")})
    validate(col("tier2"), "tier2", {
        "validate": "list",
        "source": f'=INDIRECT("{tier2_prefix}"&MATCH({tier1_ref},{tier1},0))',
        **_alert("二级指标", "请先选择一级指标，再从下拉列表中选择属于它的二级指标。")})
    validate(col("tier3"), "tier3", {"validate": "any"})
    if "description" in prompts:
        validate(col("description"), "description", {"validate": "any"})
    validate(col("operator"), "operator", {"validate": "list", "source": "=xt_ops",
                                           **_alert("符号", "请从下拉列表中选择符号。")})
    validate(col("value"), "value", {
        "validate": "custom",
        "value": f'=IF({op_ref}="{QUALITATIVE_OPERATOR}",COUNTIF(xt_qual,{value_cell})>0,'
                 f"ISNUMBER({value_cell}))",
        **_alert("指标值", "定量指标的指标值只填数字（如 95）；符号为“定性”时填 优、良、中、差、是 或 否。")})
    if units_open:   # the county allows other units: Excel asks, then accepts
        validate(col("unit"), "unit", {
            "validate": "list", "source": "=xt_units", "error_type": "warning",
            **_alert("计量单位", "这个计量单位不在下拉列表中。确需使用请点“是”，审核时会提醒核实；"
                             "否则请点“否”，从下拉列表中选择。")})
    else:
        validate(col("unit"), "unit", {"validate": "list", "source": "=xt_units",
                                       **_alert("计量单位", "请从下拉列表中选择计量单位；定性指标不填。")})
    validate(col("basis"), "basis", {"validate": "list", "source": "=xt_basis",
                                     "show_error": False})


def add_dept_validations(ws: Worksheet, spec: TemplateSpec) -> None:
    """The 部门整体绩效目标 sheet: 所属分项 offers the area names typed above on the same sheet;
    the other indicator columns work as on a project sheet, with the department's tiers."""
    d = spec.dept
    ind = d.indicators
    prompts = {c.key: c.prompt for c in ind.columns}
    _indicator_validations(ws, ind.column, prompts, DEPT_TIER1, DEPT_TIER2_PREFIX,
                           spec.lists.units_open)
    area = ind.column("area")
    title, message = prompts["area"]
    ws.data_validation(area.row1, area.col1, area.row2, area.col2, {
        "validate": "list", "source": "=" + d.areas.column("name").absolute(),
        "input_title": title, "input_message": message,
        **_alert("所属分项", "请从下拉列表中选择上方“分项绩效目标”中已填写的分项名称；"
                 "如需新的分项，请先在分项表中填写。")})
    for table in (d.areas,):
        for column in table.columns:
            rng = table.column(column.key)
            title, message = column.prompt
            ws.data_validation(rng.row1, rng.col1, rng.row2, rng.col2,
                               {"validate": "any", "input_title": title,
                                "input_message": message})
    for key, f in d.fields.items():
        if f.source is None:
            title, message = f.prompt
            ws.data_validation(f.range.row1, f.range.col1, f.range.row1, f.range.col1,
                               {"validate": "any", "input_title": title,
                                "input_message": message})


def add_project_validations(ws: Worksheet, spec: TemplateSpec, input_fields: set[str]) -> None:
    """Dropdowns, numeric checks and prompts on the input cells of one project sheet."""
    prompts = {c.key: c.prompt for c in spec.project.indicators.columns}
    _indicator_validations(ws, spec.indicator_column, prompts, TIER1, TIER2_PREFIX,
                           spec.lists.units_open)

    plan_title, plan_message = spec.project.plan.prompt
    first_plan, last_plan = spec.plan_cells[0], spec.plan_cells[-1]
    ws.data_validation(first_plan.row1, first_plan.col1, last_plan.row1, last_plan.col1, {
        "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
        "input_title": plan_title, "input_message": plan_message,
        **_alert("资金支出计划", "请填写 0 到 100 之间的数字（累计百分比），12月底应为 100。")})

    for key, f in spec.project.fields.items():
        if key not in input_fields:
            continue
        title, message = f.prompt
        options = {"validate": "any"}
        if f.kind == "amount":
            options = {"validate": "decimal", "criteria": ">=", "value": 0,
                       **_alert(title, "请填写不小于 0 的数字，单位为元。")}
        r = f.range
        ws.data_validation(r.row1, r.col1, r.row1, r.col1,
                           {**options, "input_title": title, "input_message": message})
