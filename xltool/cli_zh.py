"""Chinese help pages and usage errors for the typer command line.

typer (and the click it builds on) writes its own help frame and usage errors in English
("Usage:", "Options", "Show this message and exit.", "Missing argument ..."). ZhGroup and
ZhCommand render the whole help page themselves and turn every usage error into a Chinese
sentence that says what to type instead. Text is wrapped by display width (a Chinese character
takes two columns) and never inside an ASCII word, so option names, examples and file names are
not broken on an 80-column terminal.
"""
from __future__ import annotations

import re
import shutil
import sys
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from .textwidth import keep, width, wrap  # noqa: F401  (wrap is used by cli.py)

_exceptions = sys.modules[typer.BadParameter.__module__]
UsageError = _exceptions.UsageError
BadParameter = _exceptions.BadParameter
MissingParameter = _exceptions.MissingParameter
NoSuchOption = _exceptions.NoSuchOption
BadOptionUsage = _exceptions.BadOptionUsage
NoArgsIsHelpError = getattr(_exceptions, "NoArgsIsHelpError", None)

HELP_TEXT = "显示本帮助并退出。"
TYPE_WORDS = {"integer": "整数", "integer range": "整数", "float": "数字", "float range": "数字",
              "boolean": "是或否", "path": "路径", "text": "文字", "choice": "列出的选项之一"}
# Examples of what to type, by parameter name; front ends add theirs (cli.py).
EXAMPLES: dict[str, str] = {}
VALUE_EXAMPLES = {"integer": "2", "integer range": "2", "float": "90", "float range": "90"}
def terminal_columns() -> int:
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, 100))


def _kind(param: Any) -> str:
    """The parameter's value type as click names it ("integer", "path", ...)."""
    click_type = getattr(param, "type", None)
    if click_type is not None:
        return getattr(click_type, "name", "")
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    names = {"int": "integer", "float": "float", "bool": "boolean", "str": "text",
             "Path": "path"}
    text = str(annotation)
    for python_name, name in names.items():
        if getattr(annotation, "__name__", None) == python_name or f"[{python_name}" in text \
                or f".{python_name}]" in text or f"{python_name} |" in text:
            return name
    return ""


def _metavar(param: Any) -> str:
    if param.metavar:
        return param.metavar
    return TYPE_WORDS.get(_kind(param), "值")


def _is_flag(param: Any) -> bool:
    return bool(getattr(param, "is_flag", False)) or _kind(param) == "boolean"


def _option_label(param: Any) -> str:
    names = ", ".join(sorted(param.opts, key=len))
    return names if _is_flag(param) else f"{names} {_metavar(param)}"


def usage_line(command: Any, ctx: Any) -> str:
    pieces = [ctx.command_path, "[选项]"]
    if isinstance(command, TyperGroup):
        pieces.append("命令 [参数]...")
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            name = _metavar(param)
            pieces.append(name if param.required else f"[{name}]")
    return " ".join(pieces)


def _definitions(rows: list[tuple[str, str]], columns: int) -> list[str]:
    """A two-column list; the left column is never wider than a third of the screen."""
    left = min(max((width(a) for a, _ in rows), default=0), columns // 3)
    out = []
    for term, text in rows:
        body = wrap(text, max(20, columns - left - 4))
        if width(term) > left:
            out.append(f"  {term}")
            out += [" " * (left + 4) + line for line in body]
            continue
        out.append(f"  {term}{' ' * (left - width(term))}  {body[0]}")
        out += [" " * (left + 4) + line for line in body[1:]]
    return out


def help_page(command: Any, ctx: Any) -> str:
    columns = terminal_columns()
    lines = wrap(f"用法：{usage_line(command, ctx)}", columns) + [""]
    text = (command.help or "").strip()
    if text:
        lines += ["  " + line for line in wrap(text, columns - 2)] + [""]
    arguments, options = [], []
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        text = param.help or ""
        if param.name == "help":
            text = HELP_TEXT
        if param.required:
            text = "必填。" + text
        if param.param_type_name == "argument":
            arguments.append((_metavar(param), text))
        else:
            options.append((_option_label(param), text))
    if arguments:
        lines += ["参数："] + _definitions(arguments, columns) + [""]
    if options:
        lines += ["选项："] + _definitions(options, columns) + [""]
    if isinstance(command, TyperGroup):
        rows = [(name, (sub.short_help or sub.help or "").strip())
                for name in command.list_commands(ctx)
                if (sub := command.get_command(ctx, name)) is not None and not sub.hidden]
        lines += ["命令："] + _definitions(rows, columns) + [""]
        lines += wrap(f"输入“{ctx.command_path} 命令 --help”查看某个命令的说明。", columns)
    if command.epilog:
        lines += wrap(command.epilog.strip(), columns)
    return "\n".join(lines).rstrip() + "\n"


def _example(param: Any) -> str:
    """An example of the parameter as typed."""
    value = (EXAMPLES.get(param.name or "")
             or VALUE_EXAMPLES.get(_kind(param), _metavar(param)))
    if param.param_type_name == "argument":
        return keep(value)
    return keep(f"{max(param.opts, key=len)} {value}")


def _find_option(ctx: Any, option: str) -> Any:
    """The option of that name in the command or, from the root, in any sub-command."""
    if ctx is None:
        return None
    commands = [ctx.command]
    if isinstance(ctx.command, TyperGroup):
        commands += [c for n in ctx.command.list_commands(ctx)
                     if (c := ctx.command.get_command(ctx, n)) is not None]
    return next((p for c in commands for p in c.params if option in getattr(p, "opts", ())),
                None)


def _param_name(param: Any) -> str:
    if param.param_type_name == "argument":
        return f"参数“{_metavar(param)}”"
    return f"选项 {'/'.join(sorted(param.opts, key=len))}"


def error_text(exc: Exception, ctx: Any) -> str:
    """A usage error as Chinese sentences: what is wrong, what to type instead."""
    command_path = ctx.command_path if ctx is not None else "xltool"
    param = getattr(exc, "param", None)
    message = getattr(exc, "message", str(exc))
    if isinstance(exc, MissingParameter) and param is not None:
        what = f"（{param.help.rstrip('。')}）" if param.help else ""
        text = f"缺少{_param_name(param)}{what}。请补上，例如：{_example(param)}。"
        if param.param_type_name == "argument" and ctx is not None:
            text = (f"缺少{_param_name(param)}{what}。请在“{command_path}”后面写上它，"
                    f"例如：{keep(command_path + ' ' + _example(param))}。")
    elif isinstance(exc, BadParameter) and param is not None:
        kind = TYPE_WORDS.get(_kind(param), "正确的值")
        text = (f"{_param_name(param)} 的值不对，这里应填{kind}，例如：{_example(param)}。")
    elif isinstance(exc, NoSuchOption):
        text = f"没有选项 {exc.option_name}。"
        if exc.possibilities:
            text += f"您要用的可能是：{'、'.join(sorted(exc.possibilities))}。"
        text += "选项名称请照帮助中的写法输入。"
    elif isinstance(exc, BadOptionUsage):
        option = exc.option_name
        match = _find_option(ctx, option)
        example = f"，例如：{_example(match)}" if match is not None else ""
        text = f"选项 {option} 后面要写上一个值{example}。"
    elif m := re.match(r"No such command '?(.+?)'?\.", message):
        group = ctx.command if ctx is not None else None
        names = group.list_commands(ctx) if isinstance(group, TyperGroup) else []
        text = f"没有“{m.group(1)}”这个命令。可用的命令：{'、'.join(names)}。"
    elif m := re.match(r"Got unexpected extra arguments? \((.*)\)", message):
        text = (f"多出了参数：{m.group(1)}。请检查命令是否写对；"
                "文件或文件夹名中有空格时，请用英文引号把它括起来。")
    else:
        text = f"命令的写法有误（{message}）。"
    usage = usage_line(ctx.command, ctx) if ctx is not None else "xltool [选项] 命令 [参数]..."
    return f"错误：{text}\n用法：{usage}\n输入“{command_path} --help”查看帮助。\n"


def _print_error(exc: Exception, ctx: Any) -> None:
    columns = terminal_columns()
    text = "\n".join(line for para in error_text(exc, ctx).splitlines()
                     for line in wrap(para, columns))
    print(text, file=sys.stderr)


class ZhCommand(TyperCommand):
    def format_help(self, ctx, formatter) -> None:
        formatter.write(help_page(self, ctx))


class ZhGroup(TyperGroup):
    """The root command: Chinese help for itself and every sub-command, Chinese usage errors."""

    def format_help(self, ctx, formatter) -> None:
        formatter.write(help_page(self, ctx))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is not None and not isinstance(command, ZhCommand):
            # a command declared without cls=ZhCommand still gets the Chinese page
            command.format_help = ZhCommand.format_help.__get__(command)
        return command

    def _context_of(self, args, prog_name: str):
        """The context of the command the arguments name (for errors raised without one)."""
        args = sys.argv[1:] if args is None else list(args)
        ctx = self.context_class(self, info_name=prog_name)
        name = next((a for a in args if a in self.commands), None)
        if name is None:
            return ctx
        return self.commands[name].context_class(self.commands[name], info_name=name, parent=ctx)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        prog_name = "xltool"   # what people type, also under `python -m` or a test runner
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except UsageError as exc:
            if NoArgsIsHelpError is not None and isinstance(exc, NoArgsIsHelpError):
                exc.show()
            else:
                _print_error(exc, exc.ctx or self._context_of(args, prog_name))
            sys.exit(exc.exit_code)
        except typer.Abort:
            print("已中止。", file=sys.stderr)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)
