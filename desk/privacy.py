"""What a screen may show of a person: masked everywhere except a permitted detail view."""

from __future__ import annotations

from dataclasses import replace

from desk.idcard import mask
from desk.lookup import LookupHit
from desk.matters import MatterDetail, MatterRow
from desk.models import Person, Visit, Visitor


def masked_visitor(visitor: Visitor | None) -> Visitor | None:
    if visitor is None:
        return None
    return visitor.edit(id_number=mask(visitor.id_number), phone=mask(visitor.phone))


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
