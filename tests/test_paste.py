"""Pasted text is checked like typed text, refused with a message, and never reordered.

Textual's input parser reads an escape sequence inside a bracketed paste as keys (ESC
shown as "^") and hands over the text before it as a Paste event only afterwards, so
`要求\\e[31m红色…` landed as `^[31m红色…要求`. screens/paste.py keeps a paste whole.
"""

from __future__ import annotations

import pytest
from textual import events

from screens.paste import PasteParser
from tests.pilot import make_app, text_of

SIZE = (100, 34)
HOSTILE = "要求\x1b[31m红色\x1b[0m处理\x1b]8;;http://x.cn\x1b\\链接\x1b]8;;\x1b\\完"
START, END = "\x1b[200~", "\x1b[201~"


def parsed(*chunks: str) -> list:
    parser = PasteParser()
    return [token for chunk in chunks for token in parser.feed(chunk)]


def summary(tokens: list) -> list[tuple[str, str]]:
    return [("paste", t.text) if isinstance(t, events.Paste) else ("key", t.key) for t in tokens]


def test_a_bracketed_paste_arrives_whole_and_in_order():
    assert summary(parsed(START + HOSTILE + END)) == [("paste", HOSTILE)]


@pytest.mark.parametrize("cut", range(1, len(START + HOSTILE + END)))
def test_a_paste_split_across_reads_arrives_whole(cut):
    wire = START + HOSTILE + END
    assert summary(parsed(wire[:cut], wire[cut:])) == [("paste", HOSTILE)]


def test_keys_around_a_paste_keep_their_order():
    assert summary(parsed("a" + START + "中文" + END + "b")) == [("key", "a"), ("paste", "中文"), ("key", "b")]


def test_ordinary_keys_are_parsed_as_before():
    assert summary(parsed("x\x1b[A\r")) == [("key", "x"), ("key", "up"), ("key", "enter")]


def test_colour_or_link_sequences_without_paste_brackets_are_a_paste_not_keys():
    """A terminal without bracketed paste sends the bytes as typed; no key sends these."""
    assert summary(parsed(HOSTILE)) == [("paste", HOSTILE)]


def test_a_lone_escape_key_still_arrives():
    parser = PasteParser()
    assert list(parser.feed("\x1b")) == []
    import time

    time.sleep(0.05)
    tokens = list(parser.tick())  # passed on to Textual's parser, which waits for a sequence
    time.sleep(0.2)
    assert summary(tokens + list(parser.tick())) == [("key", "escape")]


async def paste_into(pilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    await pilot.pause()
    pilot.app.post_message(events.Paste(text))  # as the driver does: the app hands it to the focused field
    await pilot.pause()


async def test_escape_sequences_pasted_into_the_form_are_refused_with_a_message(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        summary_area = app.screen.query_one("#f-summary")
        summary_area.text = "已有"
        await paste_into(pilot, "#f-summary", HOSTILE)
        assert summary_area.text == "已有"  # nothing inserted
        assert "U+001B" in text_of(app, "#err-summary") and "没有粘贴" in text_of(app, "#err-summary")
        await paste_into(pilot, "#f-place", HOSTILE)
        assert app.screen.query_one("#f-place").value == ""
        assert "U+001B" in text_of(app, "#err-place")
        await paste_into(pilot, "#f-name", "张\u202e三")
        assert app.screen.query_one("#f-name").value == ""
        assert "改变文字方向" in text_of(app, "#err-name")
        await paste_into(pilot, "#f-summary", "要求处理")  # a clean paste goes in, and the note goes
        assert summary_area.text == "要求处理已有"  # at the cursor, which setting the text left at the start
        assert text_of(app, "#err-summary") == ""


async def test_clean_pasted_text_goes_in_where_the_cursor_is_in_order(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        area = app.screen.query_one("#f-summary")
        area.text = "甲乙"
        area.move_cursor((0, 1))
        await paste_into(pilot, "#f-summary", "要求\n处理")
        assert area.text == "甲要求\n处理乙"
        assert text_of(app, "#err-summary") == ""
        await paste_into(pilot, "#f-place", "村委会\n")  # a copied line ends with a line break
        assert app.screen.query_one("#f-place").value == "村委会"


async def test_several_lines_pasted_into_a_one_line_field_are_refused(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await paste_into(pilot, "#f-township", "城关镇\n东门社区")
        assert app.screen.query_one("#f-township").value == ""  # not the first line only, silently
        assert "多行" in text_of(app, "#err-township")


def test_the_app_has_textuals_driver_read_with_the_paste_parser(desk):
    import textual.drivers.linux_driver as linux_driver

    make_app(desk)  # choosing the driver installs the parser
    assert linux_driver.XTermParser is PasteParser
