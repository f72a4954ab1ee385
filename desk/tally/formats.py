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


# How the 日报 groups the numbers: TALLY.md's object in its order, by what they are about.
GROUPS = (
    ("visits", ("batches", "persons", "first_visits", "repeat_visits", "group_batches", "group_persons",
                "skip_level_visits")),
    ("matters", ("new_matters", "by_category", "by_track")),
    ("referrals", ("referrals",)),
    ("handling", ("accepted", "accepted_on_time", "closed", "closed_same_day", "closed_on_time", "warnings")),
    ("meetings", ("meetings", "supervisions")),
    ("follow_up", ("replied", "evaluated", "satisfied", "basically_satisfied", "dissatisfied")),
    ("rates", ("timely_acceptance_rate", "on_time_closing_rate", "evaluation_rate", "satisfaction_rate",
               "one_time_resolution_rate")),
)


def grouped(t: Catalog, report: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(group's label, its rows as `rows` labels them) for every group of GROUPS."""
    found = []
    for group, keys in GROUPS:
        part = {"period": report["period"]} | {k: report[k] for k in keys if k in report}
        found.append((t(f"closeout.group.{group}"), rows(t, part)[1:]))
    return found


def label(t: Catalog, path: str) -> str:
    """A dotted key of the object (`by_category.land`) labelled as `rows` labels it."""
    key, _, code = path.partition(".")
    return t("tally.part", group=t("tally." + key), part=t.label(_CODES[key], code)) if code else t("tally." + key)


def value(path: str, number: Any) -> str:
    if path.endswith("_rate"):
        return "-" if number is None else f"{number * 100:.2f}%"
    return str(number)


def change_lines(t: Catalog, changes: list) -> list[str]:
    """Changes since a close-out as lines a person reads: each number as signed and now,
    then the records that entered (+) or left (-) it."""
    lines = []
    for change in changes:
        lines.append(t("closeout.change", label=label(t, change.key), signed=value(change.key, change.signed),
                       now=value(change.key, change.now)))
        for sign, found in (("+", change.entered), ("-", change.left)):
            lines += [t("closeout.member", sign=sign, what=t.label("closeout.table", m.table), id=m.id,
                        number=m.number or "-", name=m.name or "-") for m in found]
    return lines
