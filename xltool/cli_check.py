"""`xltool check`: the command's work, without typer.

cli.py declares the command (options, Chinese help) and calls run_check; `python -m xltool` and
the `xltool` command call it directly for a plain `xltool check FILE... [--json -] [-q]`, so a
township checking one file does not wait for the whole typer application to be built. Nothing
here imports typer, rich (until something is printed), openpyxl or xlsxwriter.
"""
from __future__ import annotations

import errno
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

# xltool uses no pydantic plugins: skip pydantic's scan of every installed package for them
# (tens of milliseconds at each start); a value the user set is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from .check.checker import UnitsError, check_paths, find_returns, load_expected  # noqa: E402
from .check.checks.previous import load_previous  # noqa: E402
from .check.rules import RuleSet, load_rules  # noqa: E402
from .report.render import print_report, write_json  # noqa: E402
from .textwidth import keep, wrap  # noqa: E402
from .template.settings import (CountySettings, SettingsError, apply_rules,  # noqa: E402
                                load_settings, settings_beside, settings_from_dict)
from .workers import Workers  # noqa: E402


class _LazyConsole:
    """A rich Console created on first use (rich costs time to import)."""

    def __init__(self, **options):
        self._options, self._console = options, None

    def get(self):
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name):
        return getattr(self.get(), name)


out = _LazyConsole()
err = _LazyConsole(stderr=True, soft_wrap=True)


OS_REASONS = {errno.EEXIST: "同名文件已存在", errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
              errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限",
              errno.ENOSPC: "磁盘空间不足", errno.ENAMETOOLONG: "文件名或路径太长",
              errno.EROFS: "该位置只读", errno.ENOENT: "路径不存在"}


def os_reason(exc: OSError) -> str:
    return OS_REASONS.get(exc.errno, exc.strerror or str(exc))


def fail(message: str, code: int = 1) -> SystemExit:
    """Say what is wrong (in red, on stderr); `raise fail(...)` ends the command with `code`
    (the same as typer.Exit: click turns that into sys.exit as well)."""
    err.print(f"[bold red]错误：[/]{message}", highlight=False)
    return SystemExit(code)


def bad_yaml_errors() -> tuple[type[BaseException], ...]:
    """What loading a YAML file people wrote may raise (evaluated only when something was)."""
    from pydantic import ValidationError

    from .yamlfiles import yaml_error

    return (ValidationError, yaml_error(), UnicodeDecodeError, TypeError, ValueError)


def _load_settings(path: Optional[Path]) -> Optional[CountySettings]:
    if path is None:
        return None
    try:
        return load_settings(path)
    except SettingsError as exc:
        raise fail(str(exc), 2)


def _check_settings(path: Optional[Path], units: Optional[Path]) -> Optional[CountySettings]:
    """--settings, else the settings the manifest recorded, else 县设置.yaml beside the list."""
    if path is not None:
        return _load_settings(path)
    if units is None or not units.is_file():
        return None
    if units.suffix.lower() == ".json":
        try:
            recorded = json.loads(units.read_text("utf-8")).get("settings")
            return settings_from_dict(recorded, units) if isinstance(recorded, dict) else None
        except (OSError, ValueError, AttributeError):
            return None   # load_expected reports an unreadable manifest
        except SettingsError as exc:
            raise fail(str(exc), 2)
    return _load_settings(settings_beside(units))


def _codes(values: list[str]) -> list[str]:
    return [c.strip().upper() for v in values for c in v.split(",") if c.strip()]


def _load_rules(path: Optional[Path]) -> RuleSet:
    try:
        return load_rules(path)
    except FileNotFoundError:
        raise fail(f"找不到规则文件：{path}。", 2)
    except bad_yaml_errors() as exc:
        raise fail(f"规则文件 {path or '内置规则'} 有误：{exc}", 2)


@contextmanager
def progress_bar(show: bool):
    """step(label, total) -> a callback advancing a rich progress bar (or None when hidden)."""
    if not show:
        yield lambda label, total: None
        return
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn)

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=out.get(), transient=True) as progress:
        def step(label: str, total: int):
            task = progress.add_task(label, total=total)
            return lambda: progress.advance(task)
        yield step


def _say(text: str) -> None:
    """A closing line, wrapped to the terminal by display width: never inside a number and its
    measure word, a path or an option (text marked with keep)."""
    console = out.get()
    for line in wrap(text, max(20, console.width)):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def run_check(paths: list[Path], *, units: Optional[Path] = None,
              rules_file: Optional[Path] = None, json_out: Optional[str] = None,
              select: list[str] = (), ignore: list[str] = (),
              report_dir: Optional[Path] = None, jobs: Optional[int] = None,
              quiet: bool = False, settings_file: Optional[Path] = None, pdf: bool = False,
              previous: Optional[Path] = None, suggestion_copies: bool = False) -> None:
    """`xltool check`; ends by raising SystemExit (0: no errors, 1: errors, 2: usage)."""
    paths = list(paths)
    if pdf and report_dir is None:
        raise fail("--pdf 要和 -o 一起使用，例如：xltool check 收回/ -o 审核报告 --pdf。", 2)
    if jobs is not None and jobs < 1:
        raise fail("--jobs 应为不小于 1 的整数，例如 --jobs 2。", 2)
    jobs = jobs or os.cpu_count() or 1
    missing = [str(p) for p in paths + ([previous] if previous else []) if not p.exists()]
    if missing:
        raise fail(f"找不到：{'、'.join(missing)}。", 2)
    if report_dir is not None and any(p.is_dir() and p.resolve() == report_dir.resolve()
                                      for p in paths):
        raise fail("报告文件夹不能就是报回表格所在的文件夹，请用 -o 另指定一个文件夹。", 2)
    settings = _check_settings(settings_file, units)
    rules = apply_rules(_load_rules(rules_file), settings)
    selected, ignored = _codes(select), _codes(ignore)
    unknown = rules.unknown_codes(selected + ignored)
    if unknown:
        raise fail(f"没有这些规则代码：{'、'.join(unknown)}。可用 xltool rules 查看。", 2)
    if settings is not None and settings.disabled_rules:
        unknown = rules.unknown_codes(settings.disabled_rules)
        if unknown:
            raise fail(f"县设置的“不用的规则”中有不存在的规则代码：{'、'.join(unknown)}。"
                       "请对照 xltool rules 改正。", 2)
        ignored += settings.disabled_rules
    files = find_returns(paths, report_dir)
    try:
        expected = load_expected(units) if units else None
    except UnitsError as exc:
        raise fail(str(exc), 2)
    if not files and expected is None:
        raise fail(f"在 {'、'.join(str(p) for p in paths)} 中没有找到要审核的表格文件（.xlsx、.xls 或 "
                   ".ods）。请检查路径；如要列出哪些单位还没有报送，请加上 "
                   "--units 下发/xltool-manifest.json。", 2)
    last_year = find_returns([previous]) if previous else []
    if previous and not last_year:
        raise fail(f"上年文件夹 {previous} 中没有找到报回的表格（.xlsx、.xls 或 .ods）。", 2)
    show = not quiet and json_out != "-" and out.is_terminal
    with progress_bar(show) as step, Workers(jobs) as workers:
        prev = load_previous(last_year, workers) if previous else None
        if prev is not None and not (prev.by_code or prev.by_name):
            err.print(f"[yellow]注意：[/]上年文件夹 {previous} 中没有读到任何项目，不做与上年的比较。",
                      highlight=False)
        elif prev is not None and prev.unreadable:
            err.print(f"[yellow]注意：[/]上年文件夹中有 {len(prev.unreadable)} 个文件无法读取，"
                      "已跳过。", highlight=False)
        report = check_paths(paths, rules=rules, select=selected, ignore=ignored,
                             units=expected, workers=workers,
                             progress=step("审核", len(files)), exclude=report_dir,
                             previous=prev, found=files)
        if report_dir is not None:
            from .report.outputs import (RETURNS_DIR, SUGGESTIONS_DIR, no_copy, record_outputs,
                                         report_time, review_only, wants_copy, write_outputs)

            try:
                outputs, problems = write_outputs(
                    report, report_dir, rules, expected, workers,
                    step("生成标注副本", sum(wants_copy(f, suggestion_copies)
                                          for f in report.files)), suggestion_copies)
            except OSError as exc:
                raise fail(f"无法写入报告文件夹 {report_dir}：{os_reason(exc)}。")
            pdfs = []
            if pdf:
                from .report.issuelist import PDF_DIR, PdfError, write_issue_pdfs

                try:
                    pdfs = write_issue_pdfs(report, report_dir, rules, report_time(),
                                            suggestion_copies)
                    record_outputs(report_dir, pdfs)   # removed by the next run
                except PdfError as exc:
                    problems.append(str(exc))
                except OSError as exc:
                    problems.append(f"无法写入 PDF 问题清单：{os_reason(exc)}。")
    json_text = outputs.json_text if report_dir is not None else None   # the same report
    if json_out == "-":
        write_json(report, None, json_text)
    else:
        print_report(report, out.get(), details=not quiet)
        if report_dir is not None:
            for problem in problems:
                err.print(f"[yellow]注意：[/]{problem}", highlight=False)
            _say(f"汇总表已写入 {keep(str(outputs.summary))}，JSON 结果已写入 "
                 f"{keep(str(outputs.json))}，标注副本 {keep(f'{len(outputs.annotated)} 份')}在 "
                 f"{keep(str(report_dir / RETURNS_DIR))}。")
            other = [f for f in report.files if no_copy(f, suggestion_copies)]
            if other:
                kinds = "、".join(sorted({f".{f.format or Path(f.path).suffix.lower().lstrip('.')}"
                                         for f in other}))
                _say(f"另有 {keep(f'{len(other)} 份')}表格报回的是 {kinds} 文件，没有标注副本（标注副本"
                     "只能在 .xlsx 文件上生成）；这些表格的问题见汇总表的“问题明细”"
                     + ("和 PDF 问题清单" if pdfs else "，也可加 --pdf 生成 PDF 问题清单") +
                     "，请要求这些单位另存为 .xlsx 后重新报送。")
            if outputs.suggested:
                _say(f"只有审核建议（没有错误和警告）的表格 {keep(f'{len(outputs.suggested)} 份')}，"
                     f"标注副本在 {keep(str(report_dir / SUGGESTIONS_DIR))}，不必退回，可参考或转给单位参考。")
            elif any(review_only(f) for f in report.files):
                count = sum(review_only(f) for f in report.files)
                _say(f"只有审核建议（没有错误和警告）的表格 {keep(f'{count} 份')}，不必退回，建议见汇总表；"
                     f"如需这些表格的标注副本{'和 PDF 问题清单' if pdf else ''}，请加 "
                     f"{keep('--suggestion-copies')}。")
            if pdfs:
                _say(f"PDF 问题清单 {keep(f'{len(pdfs)} 份')}在 {keep(str(report_dir / PDF_DIR))}。")
        if json_out:
            try:
                write_json(report, Path(json_out), json_text)
            except OSError as exc:
                raise fail(f"无法写入 {json_out}：{os_reason(exc)}。")
            out.print(f"JSON 结果已写入 {json_out}。", markup=False, highlight=False)
    raise SystemExit(1 if report.failed else 0)
