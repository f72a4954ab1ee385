"""Stations (驻点窗口) and the duty roster (值班表): what they are, how they are checked."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from desk.errors import DeskError, FieldError, FormErrors
from desk.models import Role
from desk.operators import find_operator
from desk.referral.records import Duty, RosterDay, Station, StationKind
from desk.store import Reader, Transaction
from desk.text import check_name, check_text

# A new hall starts with one station of each kind: hall data the administrator edits
# (names, windows, what to bring are the hall's own words, kept as typed).
DEFAULT_STATIONS = (
    (StationKind.JUDGE, "县人民法院驻中心法官工作室", "3号窗口", "J", "", "身份证、判决书或起诉材料"),
    (StationKind.PROSECUTOR, "县人民检察院驻中心检察官工作室", "4号窗口", "P", "", "身份证、法律文书"),
    (StationKind.POLICE, "县公安局驻中心警务室", "5号窗口", "G", "", "身份证、报警回执"),
    (StationKind.LEGAL_AID, "县法律援助中心工作站", "6号窗口", "L", "", "身份证、经济困难证明"),
    (StationKind.MEDIATION, "劳资纠纷调处组", "7号窗口", "M", "labour", "身份证、劳动合同或工资条"),
    (StationKind.COUNSELLING, "心理咨询室", "8号窗口", "C", "", ""),
)
_PREFIX = re.compile(r"^[A-Z]{1,2}$")
STATION_FIELDS = ("kind", "name", "window", "prefix", "category", "bring")


def list_stations(reader: Reader) -> list[Station]:
    return sorted(map(Station.from_doc, reader.scan("stations")), key=lambda s: s.id)


def get_station(reader: Reader, station_id: int) -> Station:
    doc = reader.get("stations", station_id)
    if doc is None:
        raise DeskError("err.station.unknown", name=str(station_id))
    return Station.from_doc(doc)


def station_called(reader: Reader, name: str) -> Station:
    """A station named as a person would at a command line: its ticket prefix, its name or its number."""
    wanted = name.strip()
    for station in list_stations(reader):
        if wanted in (station.prefix, station.name, str(station.id)) or wanted.upper() == station.prefix:
            return station
    raise DeskError("err.station.unknown", name=wanted)


def seed_stations(txn: Transaction) -> list[Station]:
    """One station of each kind, in a hall that has none yet."""
    if list_stations(txn):
        return []
    return [Station.from_doc(txn.insert("stations", Station(0, kind, name, window, prefix, category, bring).to_doc()))
            for kind, name, window, prefix, category, bring in DEFAULT_STATIONS]


@dataclass(frozen=True)
class StationForm:
    """What an administrator typed; `None` leaves a field as it is (an edit)."""

    kind: str | None = None
    name: str | None = None
    window: str | None = None
    prefix: str | None = None
    category: str | None = None
    bring: str | None = None

    def typed(self) -> dict[str, str]:
        return {f: getattr(self, f).strip() for f in STATION_FIELDS if getattr(self, f) is not None}


def checked_station(base: Station, form: StationForm, others: list[Station], categories: tuple[str, ...],
                    required: tuple[str, ...] = ()) -> Station:
    """`base` with the form's values, or FormErrors naming every problem at once."""
    typed = form.typed()
    errors = [FieldError(f, "err.required") for f in required if not typed.get(f)]
    if "kind" in typed and typed["kind"] not in StationKind._value2member_map_:
        errors.append(FieldError("kind", "err.station.kind", {"kinds": ", ".join(k.value for k in StationKind)}))
    for name in ("name", "window", "bring"):
        if name in typed:
            problem = check_name(name, typed[name]) if name == "name" else check_text(name, typed[name])
            if problem:
                errors.append(problem)
            elif not typed[name] and name != "bring" and name not in required:
                errors.append(FieldError(name, "err.required"))
    if typed.get("prefix"):
        typed["prefix"] = typed["prefix"].upper()
        if not _PREFIX.match(typed["prefix"]):
            errors.append(FieldError("prefix", "err.station.prefix"))
        elif any(o.prefix == typed["prefix"] and o.active and o.id != base.id for o in others):
            errors.append(FieldError("prefix", "err.station.prefix_taken", {"prefix": typed["prefix"]}))
    if typed.get("category") and typed["category"] not in categories:
        errors.append(FieldError("category", "err.category"))
    if "name" in typed and any(o.name == typed["name"] and o.id != base.id for o in others):
        errors.append(FieldError("name", "err.station.name_taken", {"name": typed["name"]}))
    if errors:
        raise FormErrors(errors)
    if "kind" in typed:
        typed["kind"] = StationKind(typed["kind"])  # type: ignore[assignment]
    return base.edit(**typed)


def new_station(form: StationForm, others: list[Station], categories: tuple[str, ...]) -> Station:
    return checked_station(Station(0, StationKind.JUDGE, "", "", ""), form, others, categories,
                           required=("kind", "name", "window", "prefix"))


# -- the duty roster ------------------------------------------------------------------


def roster_of(reader: Reader, day: dt.date) -> list[RosterDay]:
    return sorted(map(RosterDay.from_doc, reader.find("roster", "day", day.isoformat())), key=lambda r: r.station_id)


def stations_on_duty(reader: Reader, day: dt.date, operator: str) -> list[int]:
    return [r.station_id for r in roster_of(reader, day) if r.on_duty(operator)]


def on_duty(reader: Reader, day: dt.date, station_id: int) -> tuple[Duty, ...]:
    return next((r.staff for r in roster_of(reader, day) if r.station_id == station_id), ())


def check_staff(reader: Reader, names: list[str], kind: StationKind | None = None) -> None:
    """Everyone on a roster is an active station officer (a leader, at a leader reception
    room), named once."""
    role = Role.LEADER if kind is StationKind.LEADER else Role.STATION
    errors = []
    for name in names:
        operator = find_operator(reader, name)
        if operator is None or not operator.active:
            errors.append(FieldError("operator", "err.roster.unknown", {"name": name}))
        elif operator.role is not role:
            errors.append(FieldError("operator", "err.roster.role", {"name": name, "role": role.value}))
    if len(set(names)) != len(names):
        errors.append(FieldError("operator", "err.roster.twice"))
    if errors:
        raise FormErrors(errors)


def set_roster(txn: Transaction, day: dt.date, station_id: int, staff: tuple[Duty, ...]) -> RosterDay:
    """Who staffs `station_id` on `day`, replacing what was set before."""
    current = next((r for r in roster_of(txn, day) if r.station_id == station_id), None)
    if current is None:
        return RosterDay.from_doc(txn.insert("roster", RosterDay(0, day, station_id, staff).to_doc()))
    return RosterDay.from_doc(txn.update("roster", current.edit(staff=staff).to_doc()))


def working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    """Monday to Friday from `first` to `last` (one day when they are equal; a weekend
    day named on its own is kept: a hall may open on a Saturday)."""
    if first == last:
        return [first]
    days = ((first + dt.timedelta(days=n)) for n in range((last - first).days + 1))
    return [d for d in days if d.weekday() < 5]
