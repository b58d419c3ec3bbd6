"""The command line: parses options, calls the library, renders. Messages are in Chinese."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Optional

# xltool uses no pydantic plugins: skip pydantic's scan of every installed package for them
# (tens of milliseconds at each start); a value the user set is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer
import yaml
from pydantic import ValidationError

from . import __version__
from .cli_check import (_check_settings, _load_rules, _load_settings, err, fail,  # noqa: F401
                        os_reason, out, progress_bar, run_check)
from .cli_zh import EXAMPLES, ZhCommand, ZhGroup
from .check.checker import find_returns, load_expected, UnitsError
from .template.distlist import ListError
from .report.render import print_rules
from .workers import Workers
from .template.settings import SETTINGS_NAME, apply_rules, settings_beside
from .template.spec import Framework, TemplateSpec, load_framework, load_spec

# openpyxl, xlsxwriter and rich are imported by the commands that use them, so that checking
# one file (what a township does) starts quickly.

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  cls=ZhGroup, context_settings={"help_option_names": ["-h", "--help"]},
                  help="xltool：预算项目绩效目标表的生成与审核工具。")
EXAMPLES.update(year="2025", jobs="2", blank_sheets="5", unit_list="名单.xlsx", paths="收回/",
                out_dir="下发", report_dir="审核报告", units="下发/xltool-manifest.json",
                rules_file="规则.yaml", json_out="审核结果.json", template="模板.yaml",
                framework="mof2021", password="abc123", select="XT2", ignore="XT106",
                parts="projects", dept_framework="mof2021",
                carry_over="收回/", fmt="csv", encoding="gbk", mapping="映射.yaml",
                previous="2024收回/")


def _show_version(value: bool) -> None:
    if value:
        out.print(f"xltool {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version,
                                 help="显示版本号并退出。"),
) -> None:
    """xltool：县财政局生成、收集和审核预算项目绩效目标表的工具。"""


def load_template(template: Optional[Path], framework: Optional[str]
                  ) -> tuple[TemplateSpec, Framework]:
    """The spec and framework, or a usage error naming the file."""
    what = template or "内置模板"
    try:
        spec = load_spec(template)
        what = framework or spec.framework
        return spec, load_framework(framework or spec.framework)
    except FileNotFoundError:
        raise fail(f"找不到模板或指标体系文件：{what}。", 2)
    except UnicodeDecodeError:
        raise fail(f"模板或指标体系文件 {what} 不是 UTF-8 编码的 YAML 文件。", 2)
    except (ValidationError, yaml.YAMLError, TypeError, ValueError, OSError) as exc:
        raise fail(f"模板或指标体系文件 {what} 有误：{exc}", 2)


@app.command("generate", cls=ZhCommand, help="按分发名单为每个单位生成预填、加保护的填报表；或用 --blank 生成空白模板。")
def generate_cmd(
    unit_list: Optional[Path] = typer.Argument(None, metavar="名单",
                                               help="分发名单（.xlsx 或 .csv 文件）。"),
    out_dir: Optional[Path] = typer.Option(None, "-o", "--out", metavar="文件夹",
                                           help="生成的填报表放在这个文件夹里（生成时必填）。"),
    year: Optional[int] = typer.Option(None, "--year", metavar="年度",
                                      help="预算年度（必填），如 2025。"),
    blank: bool = typer.Option(False, "--blank", help="生成一份不指定单位的空白模板。"),
    blank_sheets: Optional[int] = typer.Option(None, "--blank-sheets", metavar="数量",
                                               help="没有预定项目的单位得到的空白项目表数量（默认 5）。"),
    template: Optional[Path] = typer.Option(None, "--template", metavar="文件",
                                            help="另用一个模板定义文件（YAML）。"),
    framework: Optional[str] = typer.Option(None, "--framework", metavar="体系",
                                            help="指标体系：seed（默认）或 mof2021，也可以是 YAML 文件的路径。"),
    password: Optional[str] = typer.Option(None, "--password", metavar="密码",
                                           help="工作表保护密码（1–15 个英文字母或数字；不填则随机生成并显示）。"),
    force: bool = typer.Option(False, "--force", help="覆盖输出文件夹中的同名文件。"),
    parts: str = typer.Option("both", "--parts", metavar="部分",
                              help="生成哪些表：both（部门整体绩效目标表和项目表，默认）或 projects（只要项目表）。"),
    dept_framework: Optional[str] = typer.Option(
        None, "--dept-framework", metavar="体系",
        help="部门整体绩效目标表的指标体系（默认与项目表相同），也可以是 YAML 文件的路径。"),
    settings_file: Optional[Path] = typer.Option(
        None, "--settings", metavar="文件",
        help=f"县设置文件（计量单位、满意度门槛等）；不写时使用名单所在文件夹中的 {SETTINGS_NAME}。"),
    list_template: Optional[Path] = typer.Option(
        None, "--list-template", metavar="文件",
        help=f"写一份空白分发名单（表头和一行示例），并在同一文件夹写一份 {SETTINGS_NAME}，然后退出。"),
    carry_over: Optional[Path] = typer.Option(
        None, "--carry-over", metavar="文件夹",
        help="用以前报回的表格预填支出计划、绩效目标、绩效指标、部门整体绩效目标（按单位和项目编码对应）"
             "以及封面的联系人和联系电话。"),
) -> None:
    if list_template is not None:
        return _write_list_template(list_template)
    if out_dir is None:
        raise fail("请用 -o 指定输出文件夹，例如：xltool generate 名单.xlsx -o 下发 --year 2025。", 2)
    if carry_over is not None and not carry_over.exists():
        raise fail(f"找不到 --carry-over 指定的报回表格：{carry_over}。", 2)
    if carry_over is not None and unit_list is None:
        raise fail("--carry-over 需要分发名单（空白模板不能预填）。", 2)
    from .template.generate import (MANIFEST_CSV_NAME, MANIFEST_NAME, PARTS, PARTS_HELP,
                                    GenerateError, generate)

    if blank == (unit_list is not None):
        raise fail("请指定分发名单文件，或使用 --blank 生成空白模板（二者选一）。", 2)
    if year is None:
        raise fail(f"请用 --year 指定预算年度，如 --year {date.today().year + 1}。", 2)
    if parts not in PARTS:
        raise fail(f"--parts 只能是 {' 或 '.join(PARTS)}（{PARTS_HELP}）。", 2)
    spec, fw = load_template(template, framework)
    dept_fw = load_template(template, dept_framework)[1] if dept_framework else None
    settings_file = settings_file or settings_beside(unit_list)
    settings = _load_settings(settings_file)
    try:
        batch = generate(out_dir, list_path=unit_list, year=year, blank_sheets=blank_sheets,
                         spec=spec, framework=fw, password=password, force=force, parts=parts,
                         dept_framework=dept_fw, settings=settings, settings_file=settings_file)
    except ListError as exc:
        raise fail(str(exc))
    except GenerateError as exc:
        raise fail(str(exc))
    except OSError as exc:
        raise fail(f"无法写入输出文件夹 {out_dir}：{os_reason(exc)}。请检查路径和权限。")
    out.print(f"[bold]{batch.year}年预算项目绩效目标表 已生成 {len(batch.files)} 份：[/]",
              highlight=False)
    for g in batch.files:
        unit = f"{g.unit_code} {g.unit_name}" if g.unit_code else "（空白模板）"
        out.print(f"  {unit}，{g.projects} 个项目", markup=False, highlight=False, soft_wrap=True)
        out.print(f"      {g.file}", markup=False, highlight=False, soft_wrap=True)
    out.print(f"填报表已写入文件夹 {batch.out_dir}。", markup=False, highlight=False, soft_wrap=True)
    if settings_file is not None:
        out.print(f"已按县设置 {settings_file} 生成，设置已记入 {MANIFEST_NAME}。", markup=False,
                  highlight=False, soft_wrap=True)
    out.print(f"{MANIFEST_NAME} 和 {MANIFEST_CSV_NAME} 是生成记录，请县局留存，不要外发。",
              markup=False, highlight=False, soft_wrap=True)
    if carry_over is not None:
        _carry_over(batch, carry_over)
    if batch.password_generated:
        out.print(f"保护密码（随机生成，已记入 {MANIFEST_NAME}，请妥善保存）：[bold]{batch.password}[/]",
                  highlight=False)


def _write_list_template(path: Path) -> None:
    from .template.listtemplate import write_list_template
    try:
        written = write_list_template(path)
    except FileExistsError:
        raise fail(f"{path} 已经存在。为免覆盖已填好的名单，请换一个文件名。", 2)
    except ValueError as exc:
        raise fail(str(exc), 2)
    except OSError as exc:
        raise fail(f"无法写入 {path}：{os_reason(exc)}。请检查路径和权限。")
    out.print(f"已写入空白分发名单：{path}。请删除第 2 行的示例，每个项目填一行。",
              markup=False, highlight=False, soft_wrap=True)
    if len(written) > 1:
        out.print(f"已写入县设置：{written[1]}。需要时修改，不需要可以不管它。",
                  markup=False, highlight=False, soft_wrap=True)


def _carry_over(batch, returns: Path) -> None:
    """Pre-fill the new workbooks from the latest returns; list what did not match."""
    from .export.carry import carry_over

    with Workers(os.cpu_count() or 1) as workers:
        try:
            result = carry_over(batch, [returns], workers)
        except OSError as exc:
            raise fail(f"预填时无法写入 {batch.out_dir}：{os_reason(exc)}。")
    _say(f"已按以前报回的表格预填 {result.filled_units} 个单位的 {result.filled_projects} 个项目"
         f"（支出计划、绩效目标、绩效指标）和 {result.filled_dept} 份部门整体绩效目标，"
         f"以及 {result.filled_contacts} 个单位的联系人和联系电话，请各单位核对修改。", 0)
    if result.unmatched:
        out.print(f"[bold]未能对应预填 {len(result.unmatched)} 项：[/]", highlight=False)
        for u in result.unmatched:
            _say(f"{u.unit_code} {u.unit_name}" + (f"  {u.project}" if u.project else ""), 2)
            _say(u.reason, 6)


def _say(text: str, indent: int) -> None:
    """A line wrapped to the terminal by display width, never inside a code or name."""
    from .cli_zh import wrap
    for line in wrap(text, max(20, out.width - indent)):
        out.print(" " * indent + line, markup=False, highlight=False, soft_wrap=True)


@app.command("check", cls=ZhCommand, help="审核报回的填报表（文件或文件夹），逐格列出问题。")
def check_cmd(
    paths: list[Path] = typer.Argument(..., metavar="文件或文件夹...",
                                       help="报回的表格文件，或存放它们的文件夹（含子文件夹）。"),
    units: Optional[Path] = typer.Option(None, "--units", metavar="文件",
                                         help="分发名单或生成时的 xltool-manifest.json，用来列出未报送的单位。"),
    rules_file: Optional[Path] = typer.Option(None, "--rules", metavar="文件",
                                              help="另用一个规则文件（YAML）；默认用内置规则。"),
    json_out: Optional[str] = typer.Option(None, "--json", metavar="文件",
                                           help="把结果写成 JSON 文件；写 - 表示输出到屏幕。"),
    select: list[str] = typer.Option([], "--select", metavar="代码",
                                     help="只用这些规则（规则代码或开头几位，用逗号分隔），如 XT2。"),
    ignore: list[str] = typer.Option([], "--ignore", metavar="代码",
                                     help="不用这些规则（规则代码或开头几位，用逗号分隔），如 XT106。"),
    report_dir: Optional[Path] = typer.Option(None, "-o", "--out", metavar="文件夹",
                                              help="报告文件夹：写入汇总表、JSON 和退回修改用的标注副本。"),
    jobs: Optional[int] = typer.Option(None, "--jobs", metavar="数量",
                                       help="同时审核的进程数（默认为 CPU 核数）。"),
    quiet: bool = typer.Option(False, "--quiet", "-q",
                               help="不显示进度条和逐条问题（只列各文件结果；问题见报告文件夹或 JSON）。"),
    settings_file: Optional[Path] = typer.Option(
        None, "--settings", metavar="文件",
        help="县设置文件；不写时使用生成时记入 xltool-manifest.json 的设置（用 --units 指定）。"),
    pdf: bool = typer.Option(False, "--pdf",
                             help="同时为每个有问题的文件生成可打印的 PDF 问题清单（与 -o 一起用，"
                                  "需要安装 LibreOffice）。"),
    previous: Optional[Path] = typer.Option(
        None, "--previous", metavar="文件夹",
        help="上一年度审定后的报回表格（文件或文件夹），用来检查指标值是否低于上年、绩效目标是否照抄上年。"),
    suggestion_copies: bool = typer.Option(
        False, "--suggestion-copies",
        help="也为只有审核建议（XT8xx）的表格生成标注副本，放在报告文件夹的“审核建议”中"
             "（与 -o 一起用；默认不生成，建议都在汇总表里）。"),
) -> None:
    run_check(paths, units=units, rules_file=rules_file, json_out=json_out, select=select,
              ignore=ignore, report_dir=report_dir, jobs=jobs, quiet=quiet,
              settings_file=settings_file, pdf=pdf, previous=previous,
              suggestion_copies=suggestion_copies)


@app.command("rules", cls=ZhCommand, help="列出审核规则（代码、严重程度、说明）。")
def rules_cmd(
    rules_file: Optional[Path] = typer.Option(None, "--rules", metavar="文件",
                                              help="另用一个规则文件（YAML）；默认用内置规则。"),
) -> None:
    print_rules(_load_rules(rules_file), out.get())


@app.command("export", cls=ZhCommand, help="把审核通过的报表汇编成绩效目标汇总表（或导入预算系统用的 CSV）和公开用的 Word 文档。")
def export_cmd(
    paths: list[Path] = typer.Argument(..., metavar="文件或文件夹...",
                                       help="报回的表格文件，或存放它们的文件夹（含子文件夹）。"),
    out_dir: Path = typer.Option(..., "-o", "--out", metavar="文件夹",
                                 help="输出文件夹：汇总表（或 CSV）和 Word 文档写在这里。"),
    units: Optional[Path] = typer.Option(None, "--units", metavar="文件",
                                         help="分发名单或 xltool-manifest.json：只导出名单内的单位，并列出未报送的单位。"),
    include_errors: bool = typer.Option(False, "--include-errors",
                                        help="审核有错误的报表也导出（标注“有错误”）。"),
    fmt: str = typer.Option("xlsx", "--format", metavar="格式",
                            help="xlsx（默认，一个汇总工作簿）或 csv（每张表一个文件，供导入预算系统）。"),
    encoding: Optional[str] = typer.Option(
        None, "--encoding", metavar="编码",
        help="只用于 CSV（--format csv）：utf-8（默认，带 BOM）或 gbk（较旧的系统）。"
             "汇总工作簿（xlsx）不用指定编码。"),
    mapping: Optional[Path] = typer.Option(None, "--mapping", metavar="文件",
                                           help="映射文件（YAML）：按预算系统的导入模板改列名、列序和代码。"),
    docx: bool = typer.Option(False, "--docx", help="为每个单位生成公开用的绩效目标 Word 文档。"),
    pdf: bool = typer.Option(False, "--pdf", help="同时把 Word 文档转成 PDF（需要 LibreOffice）。"),
    toc: bool = typer.Option(False, "--toc",
                             help="在 Word 文档第一页加目录（Word 打开文档时自动生成；WPS 请右键“更新域”）。"
                                  "PDF 不加目录页，用书签导航。公开文档的样式没有目录，需要时再加。"),
    rules_file: Optional[Path] = typer.Option(None, "--rules", metavar="文件",
                                              help="另用一个规则文件（YAML）；默认用内置规则。"),
    jobs: Optional[int] = typer.Option(None, "--jobs", metavar="数量",
                                       help="同时处理的进程数（默认为 CPU 核数）。"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="不显示进度条。"),
    settings_file: Optional[Path] = typer.Option(
        None, "--settings", metavar="文件",
        help="县设置文件（审核时用的同一份）；不写时使用生成时记入 xltool-manifest.json 的设置。"),
) -> None:
    from .export.mapping import MappingError
    from .export.consolidated import EncodingProblem
    from .export.run import ExportError, export

    if jobs is not None and jobs < 1:
        raise fail("--jobs 应为不小于 1 的整数，例如 --jobs 2。", 2)
    jobs = jobs or os.cpu_count() or 1
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise fail(f"找不到：{'、'.join(missing)}。", 2)
    if any(p.is_dir() and p.resolve() == out_dir.resolve() for p in paths):
        raise fail("输出文件夹不能就是报回表格所在的文件夹，请用 -o 另指定一个文件夹。", 2)
    settings = _check_settings(settings_file, units)
    rules = apply_rules(_load_rules(rules_file), settings)
    ignored = list(settings.disabled_rules) if settings is not None else []
    unknown = rules.unknown_codes(ignored)
    if unknown:
        raise fail(f"县设置的“不用的规则”中有不存在的规则代码：{'、'.join(unknown)}。"
                   "请对照 xltool rules 改正。", 2)
    found = find_returns(paths, out_dir)   # searched once: the files are given on as such
    if not found:
        raise fail("没有找到要导出的表格文件（.xlsx）。", 2)
    try:
        expected = load_expected(units) if units else None
    except UnitsError as exc:
        raise fail(str(exc), 2)
    try:
        with progress_bar(not quiet and out.is_terminal) as step, Workers(jobs) as workers:
            result = export(found, out_dir, units=expected, rules=rules,
                            include_errors=include_errors, fmt=fmt.lower(), encoding=encoding,
                            mapping=mapping, docx=docx, pdf=pdf, toc=toc, workers=workers,
                            progress=step, ignore=ignored)
    except (MappingError, ExportError) as exc:
        raise fail(str(exc), 2)
    except EncodingProblem as exc:
        raise fail(str(exc), 1)
    except OSError as exc:
        raise fail(f"无法写入输出文件夹 {out_dir}：{os_reason(exc)}。请检查路径和权限。")
    c = result.collected
    projects = sum(len(u.projects) for u in c.units)
    out.print(f"[bold]已导出 {len(c.units)} 个单位、{projects} 个项目。[/]", highlight=False)
    if c.left_out:
        out.print(f"[bold]未导出 {len(c.left_out)} 项[/]（也列在输出的“未导出”表中）：",
                  highlight=False)
        for x in c.left_out:
            unit = " ".join(v for v in (x.unit_code, x.unit_name) if v) or "（单位不明）"
            _say(unit + (f"  {x.file}" if x.file else ""), 2)
            _say(x.reason, 6)
    for path in result.files:
        _say(f"已写入：{path}", 0)
    if result.documents:
        _say(f"Word 文档 {len(result.documents)} 份：{result.documents[0].parent}", 0)
    if result.pdfs:
        _say(f"PDF {len(result.pdfs)} 份：{result.pdfs[0].parent}", 0)
    for problem in result.problems:
        err.print(f"[yellow]注意：[/]{problem}", highlight=False)
    raise typer.Exit(0 if c.units else 1)


@app.command("serve", cls=ZhCommand, help="启动填报网站：乡镇通过专用链接上传并立即看到审核结果，县局查看报送情况。")
def serve_cmd(
    round_dir: Path = typer.Argument(..., metavar="下发文件夹",
                                     help="xltool generate 的输出文件夹（含 xltool-manifest.json）"),
    host: str = typer.Option("127.0.0.1", "--host",
                             help="监听地址（默认仅本机；局域网使用请设为 0.0.0.0）"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="端口（默认 8000）"),
    url: Optional[str] = typer.Option(None, "--url",
                                      help="写入分发清单的网址前缀，如 http://192.168.1.10:8000"),
    admin_password: Optional[str] = typer.Option(None, "--admin-password",
                                                 help="县局管理密码（不填则首次启动时随机生成并显示）"),
    new_links: bool = typer.Option(False, "--new-links",
                                   help="为所有单位重新生成填报链接（旧链接作废）"),
    jobs: int = typer.Option(os.cpu_count() or 1, "--jobs", min=1,
                             help="同时审核的进程数（默认为 CPU 核数）"),
) -> None:
    from .web.serve import serve
    serve(round_dir, host, port, url, admin_password, new_links, jobs, out, fail)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
