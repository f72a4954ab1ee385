"""The tally object as a person reads it: labelled rows for a table or a spreadsheet, and
JSON exactly as TALLY.md gives it (keys in English, stable)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from desk.i18n import Catalog

# How a nested key's codes are labelled: by_category's keys are category codes, and so on.
_CODES = {"by_category": "category", "by_track": "track", "referrals": "station_kind", "warnings": "warning",
          "meetings": "tally.meetings", "supervisions": "supervision_kind"}


@dataclass(frozen=True)
class Rate:
    """A rate as a fraction (0.6667), None when there is nothing to divide: a spreadsheet
    shows it as a percentage cell, a table as text."""

    value: float | None


Value = str | int | Rate


def items(t: Catalog, report: dict[str, Any]) -> list[tuple[str, Value]]:
    """(label, value) for every number, in the report's order; the first is the period."""
    found: list[tuple[str, Value]] = [(t("tally.period"), f"{report['period']['from']} ~ {report['period']['to']}")]
    for key, value in report.items():
        if key == "period":
            continue
        if isinstance(value, dict):
            for code, number in value.items():
                found.append((t("tally.part", group=t("tally." + key), part=t.label(_CODES[key], code)), number))
        elif key.endswith("_rate"):
            found.append((t("tally." + key), Rate(value)))
        else:
            found.append((t("tally." + key), value))
    return found


def text(value: Value) -> str:
    """A rate as a percentage, or "-" when there is nothing to divide."""
    if isinstance(value, Rate):
        return "-" if value.value is None else f"{value.value * 100:.2f}%"
    return str(value)


def rows(t: Catalog, report: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for every number, as text."""
    return [(label, text(value)) for label, value in items(t, report)]


def as_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


def as_table(t: Catalog, report: dict[str, Any]) -> str:
    return "\n".join(f"{label}\t{value}" for label, value in rows(t, report))


def as_csv(t: Catalog, report: dict[str, Any]) -> str:
    """UTF-8 with a BOM (added by the writer of the file) so that Excel and WPS read it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t("tally.item"), t("tally.value")])
    writer.writerows(rows(t, report))
    return out.getvalue()
