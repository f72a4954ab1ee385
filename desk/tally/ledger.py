"""The visit ledger of docs/LEDGER.md (来访登记台账): its columns and the words its cells
use. `desk export` writes them and `desk import` reads them; both take the names from here,
so a ledger written by one desk is read back by another word for word.

The ledger is a Chinese document whatever the desk's language: the county office and the
halls' old spreadsheets use these headers and these words.
"""

from __future__ import annotations

from types import MappingProxyType

from desk.lifecycle.records import Evaluation
from desk.models import Track
from desk.referral.records import StationKind

# Column -> the record field it carries, in LEDGER.md's order (the order of an export).
COLUMNS = MappingProxyType({
    "登记日期": "date",
    "登记时间": "time",
    "事项编号": "matter_number",
    "姓名": "name",
    "身份证号": "id_number",
    "联系电话": "phone",
    "人数": "persons",
    "问题类别": "category",
    "所属乡镇": "township",
    "诉求内容": "summary",
    "越级": "skip_level",
    "处理方式": "track",
    "分流去向": "referral",
    "责任单位": "department",
    "首问责任人": "first_responder",
    "受理日期": "accepted_on",
    "答复日期": "replied_on",
    "评价": "evaluation",
    "办结日期": "closed_on",
})
REQUIRED = ("登记日期", "姓名", "问题类别", "诉求内容")
DATE_COLUMNS = ("登记日期", "受理日期", "答复日期", "办结日期")
# How an export writes a date and a time as text (a CSV cell; the .xlsx has real date cells).
DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%H:%M"

# Who made a CSV export and when, inside the file: a CSV has no document properties, and a
# title line above the headers or a comment line below the rows is not a row of the table.
# So these two columns stand at the right of every row (a row copied out of the file still
# says where it came from). They are not ledger columns: `desk import` passes over them
# without reporting them as unknown. An .xlsx export carries the same in its document
# properties and its second sheet, 说明, and has no such columns.
PROVENANCE = MappingProxyType({"导出人": "exported_by", "导出时间": "exported_at"})
EXPORTED_AT_FORMAT = "%Y-%m-%d %H:%M:%S"

YES, NO = "是", "否"
TRACKS = MappingProxyType({"马上办": Track.SIMPLE, "快速办": Track.GENERAL, "监督办": Track.COMPLEX})
DEFAULT_TRACK = Track.GENERAL
REFERRALS = MappingProxyType({
    "法官": StationKind.JUDGE, "检察官": StationKind.PROSECUTOR, "警官": StationKind.POLICE,
    "法律援助": StationKind.LEGAL_AID, "调解": StationKind.MEDIATION, "心理": StationKind.COUNSELLING,
})
EVALUATIONS = MappingProxyType({
    "满意": Evaluation.SATISFIED, "基本满意": Evaluation.BASICALLY_SATISFIED, "不满意": Evaluation.DISSATISFIED,
})

# What stands where the ledger has no column for what the desk records: the written
# reply's text and number, a referral's outcome, why a complex matter closed without its
# meetings on record. Said plainly, so a record that came from a ledger is seen as such.
IMPORTED = "台账导入"


def word(words: MappingProxyType, code: object) -> str:
    """The ledger's word for a code (the reverse of the maps above); "" for none."""
    return next((w for w, c in words.items() if c == code), "")
