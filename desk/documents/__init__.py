"""Documents the hall hands out (文书): the receipt and the referral slip now, notices
later. Written as .docx from templates the hall can replace (`DATA/templates/<name>`),
opened with the system's default program or sent to the default printer, and listed on
the matter's timeline. docxtpl loads only when a document is written."""

from desk.documents.content import KINDS, RECEIPT, SLIP
from desk.documents.deliver import Delivery, How, Opener, SystemOpener
from desk.documents.render import PACKAGED, template_path, write_document
from desk.documents.service import EVENT, Documents, Printed, told

__all__ = ["EVENT", "KINDS", "PACKAGED", "RECEIPT", "SLIP", "Delivery", "Documents", "How", "Opener", "Printed",
           "SystemOpener", "template_path", "told", "write_document"]
