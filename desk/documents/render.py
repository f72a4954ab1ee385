"""Writing a document: a named .docx template filled with a context, into the data
folder's `documents/`, under a name never used before, through a temp file that is
renamed into place (nothing half-written is ever left under a document's name).

The template a hall put in `DATA/templates/<name>` overrides the one shipped with the
package. docxtpl is imported here, when the first document is written, not at start."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from desk.errors import DeskError

T = TypeVar("T")

PACKAGED = Path(__file__).resolve().parent / "templates"
TEMPLATES = "templates"  # the data folder's overrides
DOCUMENTS = "documents"  # where written documents go
TEMP_SUFFIX = ".tmp"
PRIVATE_DIR = 0o700
MOST_NAMES = 1000  # -2, -3 ... for documents of one matter and kind written in one second


def template_path(folder: Path, name: str) -> Path:
    """The hall's own template when it has one, else the packaged one."""
    own = folder / TEMPLATES / name
    if own.is_file():
        return own
    packaged = PACKAGED / name
    if not packaged.is_file():
        raise DeskError("err.document.no_template", name=name, path=str(own))
    return packaged


def document_stem(number: str, kind: str, now: dt.datetime) -> str:
    """`2026-00012-referral_slip-20261122-100000`: the case number, the kind, the time."""
    return f"{number}-{kind}-{now:%Y%m%d-%H%M%S}"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    lineno = getattr(exc, "lineno", None)
    reason = f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
    return f"{reason} (line {lineno})" if lineno else reason


def _fill(template: Path, context: dict[str, Any], target: str) -> None:
    """Render `template` with `context` into the file `target`. A broken template (not a
    .docx, a tag that does not parse, a filter that fails) is refused with its name."""
    try:
        from docxtpl import DocxTemplate
    except ImportError as exc:  # an install without it: said, not a traceback
        raise DeskError("err.document.library", reason=str(exc)) from exc
    try:
        doc = DocxTemplate(str(template))
        doc.render(context, autoescape=True)  # a name with < or & stays text, never XML
    except Exception as exc:  # the library raises many kinds; each one is the template's fault
        raise DeskError("err.document.template", name=template.name, path=str(template),
                        reason=_reason(exc)) from exc
    doc.save(target)


def _claim(tmp: str, final: Path) -> None:
    """Give the finished temp file `final` as its name, refusing a name already taken
    (FileExistsError): os.replace would overwrite it."""
    if os.name == "nt":  # pragma: no cover - Windows counters: rename refuses an existing name
        os.rename(tmp, final)
        return
    try:
        os.link(tmp, final)  # refuses an existing name
    except FileExistsError:
        raise
    except OSError:  # no hard links on this disk (a FAT stick): look, then rename
        if final.exists():
            raise FileExistsError(final) from None
        os.rename(tmp, final)
        return
    os.unlink(tmp)


def write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet, whole or not at all: a temp file beside it,
    synced, then given its name (FileExistsError when the name is taken)."""
    create_new(path, lambda tmp: Path(tmp).write_bytes(data))


def create_new(path: Path, fill: Callable[[str], T]) -> T:
    """`write_new` for a file written by a library or in pieces: `fill` writes the temp file
    beside `path` (given its name), which is then synced and given `path` as its name
    (FileExistsError when taken, before any work when it already is: an export of a year
    is not made only to be refused). A failure leaves nothing behind. Returns what `fill` did."""
    if path.exists():
        raise FileExistsError(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    os.close(fd)
    try:
        done = fill(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        _claim(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(path.parent)
    return done


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _place(tmp: str, folder: Path, stem: str) -> Path:
    for n in range(1, MOST_NAMES + 1):
        final = folder / (f"{stem}.docx" if n == 1 else f"{stem}-{n}.docx")
        try:
            _claim(tmp, final)
        except FileExistsError:
            continue
        _fsync_dir(folder)
        return final
    raise DeskError("err.document.write", path=str(folder / f"{stem}.docx"), detail="exists")


def write_document(folder: Path, name: str, context: dict[str, Any], stem: str) -> Path:
    """Render the template `name` (`receipt.docx`) into `folder/documents/<stem>.docx` (or
    `<stem>-2.docx` ... when that name is taken) and return the path written."""
    template = template_path(folder, name)
    out = folder / DOCUMENTS
    try:
        out.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=TEMP_SUFFIX, dir=out)
        os.close(fd)
    except OSError as exc:
        raise DeskError("err.document.write", path=str(out), detail=exc.strerror or str(exc)) from exc
    try:
        _fill(template, context, tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        return _place(tmp, out, stem)
    except OSError as exc:
        raise DeskError("err.document.write", path=str(out / f"{stem}.docx"), detail=exc.strerror or str(exc)) from exc
    finally:
        if os.path.exists(tmp):  # whatever stopped it, no temp file stays behind
            os.unlink(tmp)
