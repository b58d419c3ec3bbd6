"""LibreOffice doing what township clerks do, many files in one LibreOffice run.

`edit_many(jobs, work)` starts LibreOffice once (own profile) with a Basic macro that, for every
job, opens the source workbook, applies the edits (remove protection, insert rows or columns,
merge cells, copy a sheet, type values) through the office's own API, and saves it in the
requested format. One start instead of one per file keeps a corpus of dozens of returns to
seconds per file.

An edit is a tuple; sheets are 0-based indexes, cells A1 references:
    ("unprotect", password)          every sheet
    ("insrow", sheet, row0)          insert one row before 0-based row `row0`
    ("inscol", sheet, col0)          insert one column before 0-based column `col0`
    ("delrow", sheet, row0)
    ("merge", sheet, "A10:A13")
    ("clear", sheet, "A11:A13")
    ("text", sheet, "B5", "张三")     typed text (ASCII-escaped for the macro file)
    ("num", sheet, "F10", 0.95)
    ("fmt", sheet, "F10", "0%")      number format of a cell
    ("copysheet", sheet, "name", position)
    ("wait", milliseconds)           before saving later than the previous job
"""
from __future__ import annotations

import html
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from support import soffice

FILTERS = {"xlsx": "Calc MS Excel 2007 XML", "xls": "MS Excel 97", "ods": "calc8"}

MACRO = r"""
Function Unesc(s As String) As String
  Dim out As String, i As Long, parts
  parts = Split(s, "\u")
  out = parts(0)
  For i = 1 To UBound(parts)
    out = out & Chr(CLng("&H" & Left(parts(i), 4))) & Mid(parts(i), 5)
  Next i
  Unesc = out
End Function

Sub Unprotect(doc As Object, password As String)
  Dim k As Integer
  On Error Resume Next
  For k = 0 To doc.Sheets.Count - 1
    doc.Sheets.getByIndex(k).unprotect(password)
  Next k
  doc.unprotect(password)
End Sub

Sub RunJob(s As String)
  Dim parts, ops, op, i As Integer, k As Integer
  parts = Split(s, "|")
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = "Hidden"
  args(0).Value = True
  Dim doc As Object
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(parts(0)), "_blank", 0, args())
  ops = Split(parts(3), "`")
  For i = 0 To UBound(ops)
    If Len(ops(i)) > 0 Then
      op = Split(ops(i), "~")
      Select Case op(0)
        Case "unprotect"
          Unprotect(doc, op(1))
        Case "insrow"
          doc.Sheets.getByIndex(CInt(op(1))).Rows.insertByIndex(CLng(op(2)), 1)
        Case "delrow"
          doc.Sheets.getByIndex(CInt(op(1))).Rows.removeByIndex(CLng(op(2)), 1)
        Case "inscol"
          doc.Sheets.getByIndex(CInt(op(1))).Columns.insertByIndex(CLng(op(2)), 1)
        Case "merge"
          doc.Sheets.getByIndex(CInt(op(1))).getCellRangeByName(op(2)).merge(True)
        Case "clear"
          doc.Sheets.getByIndex(CInt(op(1))).getCellRangeByName(op(2)).clearContents(1023)
        Case "text"
          doc.Sheets.getByIndex(CInt(op(1))).getCellRangeByName(op(2)).setString(Unesc(op(3)))
        Case "num"
          doc.Sheets.getByIndex(CInt(op(1))).getCellRangeByName(op(2)).setValue(Val(op(3)))
        Case "fmt"
          Dim fmts As Object, key As Long
          Dim loc As New com.sun.star.lang.Locale
          fmts = doc.NumberFormats
          key = fmts.queryKey(op(3), loc, False)
          If key = -1 Then key = fmts.addNew(op(3), loc)
          doc.Sheets.getByIndex(CInt(op(1))).getCellRangeByName(op(2)).NumberFormat = key
        Case "wait"
          Wait CLng(op(1))
        Case "copysheet"
          doc.Sheets.copyByName(doc.Sheets.getByIndex(CInt(op(1))).Name, Unesc(op(2)), CInt(op(3)))
      End Select
    End If
  Next i
  Dim out(0) As New com.sun.star.beans.PropertyValue
  out(0).Name = "FilterName"
  out(0).Value = parts(2)
  doc.storeToURL(ConvertToURL(parts(1)), out())
  doc.close(True)
End Sub

Sub Main
  Dim jobs As String, s As String, f As Integer, g As Integer
  jobs = Environ("XT_CLERK_JOBS")
  f = FreeFile
  Open jobs For Input As #f
  g = FreeFile
  Open jobs & ".log" For Output As #g
  Do While Not EOF(f)
    Line Input #f, s
    If Len(s) > 0 Then
      On Error GoTo Failed
      RunJob(s)
      Print #g, "ok " & s
      GoTo NextJob
Failed:
      Print #g, "error " & Err & " " & Error$ & " in " & s
      Resume NextJob
NextJob:
    End If
  Loop
  Close #f
  Close #g
  StarDesktop.terminate()
End Sub
"""


@dataclass
class Job:
    src: Path
    dest: Path
    edits: list[tuple] = field(default_factory=list)

    @property
    def fmt(self) -> str:
        return self.dest.suffix.lstrip(".").lower()


def _esc(value: object) -> str:
    text = str(value)
    return "".join(ch if ch.isascii() and ch not in "|`~\\" else f"\\u{ord(ch):04x}"
                   for ch in text)


def _line(job: Job) -> str:
    ops = "`".join("~".join(_esc(p) for p in edit) for edit in job.edits)
    return f"{job.src.resolve()}|{job.dest.resolve()}|{FILTERS[job.fmt]}|{ops}"


def _module(code: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE script:module PUBLIC '
            '"-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n'
            '<script:module xmlns:script="http://openoffice.org/2000/script" '
            'script:name="Module1" script:language="StarBasic">'
            f"{html.escape(code, quote=False)}</script:module>\n")


def edit_many(jobs: list[Job], work: Path) -> list[str]:
    """Run every job in one LibreOffice process; returns the macro's log lines. Each job's
    destination must not exist yet; a job that failed leaves no file (callers assert)."""
    work.mkdir(parents=True, exist_ok=True)
    profile = work / ".lo-profile"
    env = {**os.environ, "HOME": str(work)}
    base = [soffice(), f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
            "--norestore"]
    subprocess.run([*base, "--terminate_after_init"], capture_output=True, timeout=300,
                   env=env)
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    assert module.parent.is_dir(), "LibreOffice did not create its user profile"
    module.write_text(_module(MACRO), encoding="utf-8")
    listing = work / "jobs.txt"
    listing.write_text("\n".join(_line(j) for j in jobs) + "\n", encoding="ascii")
    env["XT_CLERK_JOBS"] = str(listing.resolve())
    subprocess.run([*base, "vnd.sun.star.script:Standard.Module1.Main?language=Basic&"
                    "location=application"], capture_output=True, timeout=900, env=env)
    log = Path(str(listing) + ".log")
    return log.read_text("utf-8", "replace").splitlines() if log.exists() else []
