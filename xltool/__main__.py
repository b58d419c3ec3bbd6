"""The `xltool` command (and `python -m xltool`).

A plain check of returned files, `xltool check FILE... [--json -|--json FILE] [-q]`, is what a
township runs and waits for: it goes straight to cli_check.run_check, without importing typer
and building the whole command-line application. Every other command line (other options,
--help, anything unusual) goes through the typer application in cli.py, which gives the same
results, help pages and Chinese usage errors.
"""
from __future__ import annotations

import errno
import os
import sys
from pathlib import Path


def plain_check(args: list[str]) -> tuple[list[Path], str | None, bool] | None:
    """(paths, --json value, --quiet) when `args` is a plain check, else None."""
    if len(args) < 2 or args[0] != "check":
        return None
    if os.name == "nt" and any(c in a for a in args for c in "*?["):
        return None   # click expands wildcards on Windows; let it
    paths: list[Path] = []
    json_out: str | None = None
    quiet = False
    rest = iter(args[1:])
    for a in rest:
        if a in ("-q", "--quiet"):
            quiet = True
        elif a == "--json" or a.startswith("--json="):
            value = a[len("--json="):] if a != "--json" else next(rest, None)
            if json_out is not None or not value or (value.startswith("-") and value != "-"):
                return None
            json_out = value
        elif a and not a.startswith("-"):
            paths.append(Path(a))
        else:
            return None
    return (paths, json_out, quiet) if paths else None


def main() -> None:
    plain = plain_check(sys.argv[1:])
    if plain is None:
        from .cli import app

        app()
        return
    from .cli_check import run_check

    paths, json_out, quiet = plain
    try:
        run_check(paths, json_out=json_out, quiet=quiet)
    except KeyboardInterrupt:   # as click does for the other commands
        print("已中止。", file=sys.stderr)
        sys.exit(1)
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        sys.stdout = open(os.devnull, "w")   # the reader went away (`| head`), as click does
        sys.exit(1)


if __name__ == "__main__":
    main()
