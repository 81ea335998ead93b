"""What every hostile-input test shares: good files to spoil, and the one check that a
command ended as documented (exit 0, 2, 3 or 4; an error is one line, never a
traceback; a completed compute accounts for every line it read)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from motorsub.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
AUDIT = EXAMPLES / "audit"
PLANS = EXAMPLES / "plans"
SCHEMES = ROOT / "schemes"
PROFILE = ROOT / "motorsub" / "data" / "savings_profile.toml"

HEADER = ("record_id", "sale_date", "region", "motor_type", "kw", "grade", "manufacturer")
GOOD = ("r1", "2010-09-01", "CN-JS", "lv_async", "15", "2", "上海电机厂")
EXIT_CODES = (0, 2, 3, 4)


def csv_text(rows, header=HEADER, sep=",") -> str:
    out = io.StringIO()
    w = csv.writer(out, delimiter=sep, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


def good_csv(n: int = 4) -> bytes:
    rows = [(f"r{i}", *GOOD[1:]) for i in range(n)]
    return csv_text(rows).encode("utf-8")


def invoke(*args) -> object:
    """Run ``motorsub ARGS`` in this process and check it ended as documented."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    check_ended_cleanly(result, args)
    return result


def check_ended_cleanly(result, args=()) -> None:
    text = result.output
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), (
        f"motorsub {' '.join(map(str, args))} raised {exc!r}:\n{text}"
    )
    assert result.exit_code in EXIT_CODES, (result.exit_code, text)
    assert "Traceback" not in text, text
    if result.exit_code in (2, 3):
        errors = [line for line in result.stderr.splitlines() if line.strip()]
        assert errors, f"exit {result.exit_code} without a message"
        assert errors[0].startswith(("motorsub: error: ", "Usage: ", "Error: ")), errors
        if result.exit_code == 2 and errors[0].startswith("motorsub: error: "):
            assert len(errors) == 1, f"the message is not one line: {errors}"


def compute(tmp: Path, data: bytes, name: str = "in.csv", *options) -> tuple[object, dict | None]:
    """``motorsub compute`` of ``data``; the summary when it completes, after checking that
    every line read is in the output, the rejects file or the blank-line count."""
    src = tmp / name
    src.write_bytes(data)
    out, summary = tmp / "out.csv", tmp / "summary.json"
    for p in (out, tmp / "out.rejects.csv", summary):
        p.unlink(missing_ok=True)
    result = invoke("compute", src, "-o", out, "--summary", summary, "-q", *options)
    if result.exit_code != 0:
        assert not out.exists() and not (tmp / "out.rejects.csv").exists()
        return result, None
    s = json.loads(summary.read_text(encoding="utf-8"))
    rows = s["rows"]
    assert rows["read"] == rows["computed"] + rows["rejected"] + rows["blank"], rows
    assert rows["reconciles"]
    assert count_rows(out) == rows["computed"]
    assert count_rows(tmp / "out.rejects.csv") == rows["rejected"]
    return result, s


def count_rows(path: Path) -> int:
    """Records after the header of a CSV motorsub wrote (quoted line breaks included)."""
    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8-sig", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1
