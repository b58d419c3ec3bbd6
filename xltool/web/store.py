"""The site's data: an SQLite database (WAL) and a content-addressed file store beside it.

Every received file is stored under its SHA-256 and never modified; its database row is
committed only after the file is on disk (written, fsynced, renamed into place), so a crash at
any moment loses nothing that was acknowledged.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

DATA_DIR = ".xltool-serve"   # inside the round folder; the checker skips .xltool-* names

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, file TEXT, position INTEGER NOT NULL,
    token_hash TEXT UNIQUE);
CREATE TABLE IF NOT EXISTS uploads (          -- one row per file received, as received
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_code TEXT,                            -- the unit whose link sent it; NULL: the county
    kind TEXT NOT NULL,                        -- check | submit | bulk
    name TEXT NOT NULL,                        -- the file's name, for display only
    sha256 TEXT NOT NULL, size INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending');    -- pending | done
CREATE TABLE IF NOT EXISTS returns (          -- one row per workbook checked (a zip: several)
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    upload_id INTEGER NOT NULL REFERENCES uploads(id),
    unit_code TEXT,                            -- the unit it counts for (NULL: not ours)
    counted INTEGER NOT NULL,                  -- 1: a submission that counts for unit_code
    kind TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT,
    status TEXT NOT NULL, errors INTEGER NOT NULL, warnings INTEGER NOT NULL,
    report TEXT NOT NULL,                      -- the FileReport as JSON (xltool.check/1 keys)
    annotated TEXT,                            -- sha256 of the annotated copy
    contact TEXT, phone TEXT, note TEXT,
    checked_at TEXT NOT NULL,
    review TEXT, review_note TEXT, reviewed_at TEXT);
CREATE INDEX IF NOT EXISTS returns_unit ON returns(unit_code, id);
CREATE INDEX IF NOT EXISTS returns_upload ON returns(upload_id);
CREATE TABLE IF NOT EXISTS sessions (id_hash TEXT PRIMARY KEY, created REAL NOT NULL);
"""


def now() -> str:
    return datetime.now().replace(microsecond=0).isoformat(sep=" ")


def _fsync_dir(path: Path) -> None:
    """Make a rename durable (POSIX; Windows cannot open a folder and needs no such step)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class Unit:
    code: str
    name: str
    file: str | None


class Store:
    """One database connection per thread; writes serialised by SQLite itself."""

    def __init__(self, root: Path):
        self.root = root / DATA_DIR
        self.blobs = self.root / "blobs"
        self.work = self.root / "work"
        for d in (self.root, self.blobs, self.work):
            d.mkdir(parents=True, exist_ok=True)
        self.db_path = self.root / "xltool.sqlite3"
        self._local = threading.local()
        self.db.conn.executescript(SCHEMA)

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return _Tx(conn)

    # -- files ------------------------------------------------------------------------------
    def blob_path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256")
        return self.blobs / sha256[:2] / sha256

    def put_file(self, src: Path) -> tuple[str, int]:
        """Store a file's bytes (copied, fsynced, renamed into place); -> (sha256, size)."""
        digest, size = hashlib.sha256(), 0
        with open(src, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
        sha = digest.hexdigest()
        dest = self.blob_path(sha)
        if dest.exists():
            return sha, size
        dest.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".in-", dir=dest.parent)
        try:
            with os.fdopen(fd, "wb") as out, open(src, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o444)
            try:
                os.replace(tmp, dest)
            except OSError:
                if not dest.exists():   # the same bytes arrived at the same moment: fine
                    raise
            _fsync_dir(dest.parent)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return sha, size

    # -- settings ---------------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        row = self.db.one("SELECT value FROM settings WHERE key=?", (key,))
        return row["value"] if row else None

    def set_setting(self, key: str, value: str) -> None:
        self.db.run("INSERT INTO settings(key, value) VALUES(?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, value))

    # -- units ------------------------------------------------------------------------------
    def sync_units(self, units: list[Unit]) -> None:
        """The round's units (from the manifest); tokens already given are kept."""
        with self.db as db:
            for i, u in enumerate(units):
                db.run("INSERT INTO units(code, name, file, position) VALUES(?, ?, ?, ?) "
                       "ON CONFLICT(code) DO UPDATE SET name=excluded.name, file=excluded.file, "
                       "position=excluded.position", (u.code, u.name, u.file, i))

    def units(self) -> list[sqlite3.Row]:
        return self.db.all("SELECT * FROM units ORDER BY position")

    def unit(self, code: str) -> sqlite3.Row | None:
        return self.db.one("SELECT * FROM units WHERE code=?", (code,))

    def unit_by_token_hash(self, token_hash: str) -> sqlite3.Row | None:
        return self.db.one("SELECT * FROM units WHERE token_hash=?", (token_hash,))

    def set_token_hash(self, code: str, token_hash: str) -> None:
        self.db.run("UPDATE units SET token_hash=? WHERE code=?", (token_hash, code))

    # -- uploads and returns ----------------------------------------------------------------
    def add_upload(self, unit_code: str | None, kind: str, name: str, sha: str,
                   size: int) -> int:
        cur = self.db.run("INSERT INTO uploads(unit_code, kind, name, sha256, size, received_at)"
                          " VALUES(?, ?, ?, ?, ?, ?)", (unit_code, kind, name, sha, size, now()))
        return cur.lastrowid

    def finish_upload(self, upload_id: int, returns: list[dict]) -> list[int]:
        """Record the checked workbooks of an upload and mark it done, in one transaction."""
        ids = []
        with self.db as db:
            if db.one("SELECT state FROM uploads WHERE id=?", (upload_id,))["state"] == "done":
                return [r["id"] for r in db.all("SELECT id FROM returns WHERE upload_id=?",
                                                (upload_id,))]
            for r in returns:
                cur = db.run(
                    "INSERT INTO returns(upload_id, unit_code, counted, kind, name, sha256, "
                    "status, errors, warnings, report, annotated, contact, phone, note, "
                    "checked_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (upload_id, r["unit_code"], int(r["counted"]), r["kind"], r["name"],
                     r["sha256"], r["status"], r["errors"], r["warnings"],
                     json.dumps(r["report"], ensure_ascii=False), r["annotated"],
                     r["contact"], r["phone"], r["note"], now()))
                ids.append(cur.lastrowid)
            db.run("UPDATE uploads SET state='done' WHERE id=?", (upload_id,))
        return ids

    def pending_uploads(self) -> list[sqlite3.Row]:
        return self.db.all("SELECT * FROM uploads WHERE state='pending' ORDER BY id")

    def upload(self, upload_id: int) -> sqlite3.Row | None:
        return self.db.one("SELECT * FROM uploads WHERE id=?", (upload_id,))

    def returns_of_upload(self, upload_id: int) -> list[sqlite3.Row]:
        return self.db.all("SELECT * FROM returns WHERE upload_id=? ORDER BY id", (upload_id,))

    def get_return(self, return_id: int) -> sqlite3.Row | None:
        return self.db.one("SELECT * FROM returns WHERE id=?", (return_id,))

    def unit_history(self, code: str) -> list[sqlite3.Row]:
        return self.db.all("SELECT r.*, u.received_at FROM returns r JOIN uploads u "
                           "ON u.id = r.upload_id WHERE r.unit_code=? ORDER BY r.id DESC",
                           (code,))

    def latest_counted(self) -> dict[str, sqlite3.Row]:
        """Each unit's latest return that counts (正式报送 or the county's bulk upload)."""
        rows = self.db.all("SELECT r.*, u.received_at FROM returns r JOIN uploads u "
                           "ON u.id = r.upload_id WHERE r.id IN (SELECT max(id) FROM returns "
                           "WHERE counted=1 GROUP BY unit_code)")
        return {r["unit_code"]: r for r in rows}

    def latest_contact(self) -> dict[str, sqlite3.Row]:
        rows = self.db.all("SELECT unit_code, contact, phone FROM returns WHERE id IN "
                           "(SELECT max(id) FROM returns WHERE unit_code IS NOT NULL AND "
                           "(contact IS NOT NULL OR phone IS NOT NULL) GROUP BY unit_code)")
        return {r["unit_code"]: r for r in rows}

    def uncounted_bulk(self) -> list[sqlite3.Row]:
        return self.db.all("SELECT r.*, u.received_at FROM returns r JOIN uploads u "
                           "ON u.id = r.upload_id WHERE r.kind='bulk' AND r.counted=0 "
                           "ORDER BY r.id DESC")

    def set_review(self, return_id: int, review: str, note: str) -> None:
        self.db.run("UPDATE returns SET review=?, review_note=?, reviewed_at=? WHERE id=?",
                    (review, note, now(), return_id))

    def counts(self) -> dict:
        row = self.db.one("SELECT (SELECT count(*) FROM uploads) AS uploads, "
                          "(SELECT count(*) FROM returns) AS returns")
        return dict(row)


class _Tx:
    """A connection wrapper: `with store.db as db:` is one transaction."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> "_Tx":
        self.conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")

    def run(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def one(self, sql: str, params: tuple = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()
