"""Referral to the on-site stations (三官一员): stations and the duty roster, referrals
with their tickets, a referral's life as one table, and a station's queue."""

from desk.referral.lifecycle import TABLE, Finish, Move
from desk.referral.records import (
    LegalRoute,
    Outcome,
    Priority,
    Referral,
    RosterDay,
    Staffing,
    State,
    Station,
    StationKind,
)
from desk.referral.referring import ReferralForm, Referred
from desk.referral.service import QueueRow, Referrals
from desk.referral.stations import StationForm

__all__ = ["TABLE", "Finish", "LegalRoute", "Move", "Outcome", "Priority", "QueueRow", "Referral", "ReferralForm",
           "Referrals", "Referred", "RosterDay", "Staffing", "State", "Station", "StationForm", "StationKind"]
