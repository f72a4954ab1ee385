"""What a screen may show of a person: masked everywhere except a permitted detail view."""

from __future__ import annotations

from dataclasses import replace

from desk.idcard import mask
from desk.lookup import LookupHit
from desk.matters import MatterDetail, MatterRow
from desk.models import Correction, Person, Visit, Visitor

NUMBER_FIELDS = ("id_number", "phone")


def masked_correction(fix: Correction) -> Correction:
    """An old number kept on the record is still a number: it shows masked like the current one."""
    if fix.field not in NUMBER_FIELDS:
        return fix
    return replace(fix, old=mask(fix.old), new=mask(fix.new))


def masked_visitor(visitor: Visitor | None) -> Visitor | None:
    if visitor is None:
        return None
    return visitor.edit(id_number=mask(visitor.id_number), phone=mask(visitor.phone),
                        corrections=tuple(map(masked_correction, visitor.corrections)))


def _masked_person(person: Person) -> Person:
    return Person(person.name, mask(person.id_number), mask(person.phone))


def masked_visit(visit: Visit) -> Visit:
    return visit.edit(representatives=tuple(map(_masked_person, visit.representatives)))


def masked_hit(hit: LookupHit) -> LookupHit:
    return replace(hit, visitor=masked_visitor(hit.visitor), visits=tuple(map(masked_visit, hit.visits)))


def masked_row(row: MatterRow) -> MatterRow:
    return replace(row, visitor=masked_visitor(row.visitor))


def masked_detail(detail: MatterDetail) -> MatterDetail:
    return replace(detail, visitor=masked_visitor(detail.visitor), visits=tuple(map(masked_visit, detail.visits)))
