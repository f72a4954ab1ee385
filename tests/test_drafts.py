"""A draft of a saved registration never comes back, and a form is saved at most once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from desk.clock import fixed
from desk.errors import DeskError
from desk.matters import MatterFilter
from desk.registration import RegistrationForm, new_form_id
from desk.services import Desk
from tests.conftest import form


def test_every_form_gets_its_own_token():
    assert new_form_id() != new_form_id()
    assert len(new_form_id()) >= 16


def test_a_draft_whose_form_was_saved_is_discarded_on_load(desk, operator):
    typed = form(form_id=new_form_id())
    desk.register(typed, operator)
    desk.save_draft(operator, typed)  # a late autosave, or a crash before the draft was removed
    assert desk.load_draft(operator) is None
    assert desk.drafts.load(f"registration-{operator.id}") is None  # gone for good


def test_a_draft_saved_the_evening_before_is_found_the_next_morning(desk, operator):
    typed = form(form_id=new_form_id())
    evening = Desk(desk.store, fixed("2026-11-21T23:59:50"), desk.drafts, desk.rng)
    evening.save_draft(operator, typed)
    desk.register(typed, operator)  # saved on the 22nd
    assert desk.load_draft(operator) is None


def test_an_unsaved_draft_comes_back_with_its_token(desk, operator):
    typed = form(name="半截", form_id=new_form_id())
    desk.register(form(id_number="", form_id=new_form_id()), operator)  # another form, saved
    desk.save_draft(operator, typed)
    assert desk.load_draft(operator) == typed


def test_old_drafts_without_a_token_still_load(desk, operator):
    desk.drafts.save(f"registration-{operator.id}", {"name": "旧草稿", "persons": "1"})
    assert desk.load_draft(operator).name == "旧草稿"


def test_saving_the_same_form_twice_is_refused_with_the_case_number(desk, operator):
    """A retry after an uncertain failure must never make a second matter."""
    typed = form(form_id=new_form_id())
    first = desk.register(typed, operator)
    with pytest.raises(DeskError) as caught:
        desk.register(replace(typed, summary="改了一个字"), operator)
    assert caught.value.code == "err.form.saved"
    assert caught.value.params == {"number": first.matter.number}
    assert [r.matter.number for r in desk.matters(MatterFilter(), operator)] == [first.matter.number]


def test_the_visit_keeps_the_form_token(desk, operator):
    token = new_form_id()
    receipt = desk.register(form(form_id=token), operator)
    assert receipt.visit.form_id == token
    assert RegistrationForm().form_id == ""  # blank until a screen opens a form


async def _typed_a_draft(desk, operator) -> None:
    from tests.pilot import make_app, type_text, wait_for

    app = make_app(desk, logged_in="王芳")
    async with app.run_test() as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await type_text(pilot, "王五")
        await wait_for(pilot, lambda: getattr(desk.load_draft(operator), "name", "") == "王五")


async def test_a_discarded_draft_is_said_to_be_gone_and_never_comes_back(desk, operator):
    from tests.pilot import make_app, notices, text_of

    await _typed_a_draft(desk, operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test() as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert "D 丢弃草稿" in text_of(app, "DraftModal .hint")
        await pilot.press("d")
        await pilot.pause()
        assert app.catalog("register.discarded") in notices(app)
        assert app.screen.query_one("#f-name").value == ""
        await pilot.pause(0.6)  # any draft timer has fired
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert not app.screen.query(".question")
    assert desk.load_draft(operator) is None or desk.load_draft(operator).is_blank


@pytest.mark.parametrize("early", [False, True])
async def test_escape_on_the_draft_question_keeps_the_draft(desk, operator, early):
    """Esc leaves the form and keeps the draft, also when pressed before the question shows,
    and the blank form under the question never autosaves over it."""
    from screens.confirm import DraftModal
    from tests.pilot import make_app, wait_for

    await _typed_a_draft(desk, operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test() as pilot:
        await pilot.press("f3")
        if not early:
            await wait_for(pilot, lambda: isinstance(app.screen, DraftModal))
            await pilot.pause(0.6)  # the form's autosave must not replace the draft on offer
        await pilot.press("escape")
        await pilot.pause(0.6)
    assert desk.load_draft(operator).name == "王五"


@pytest.mark.parametrize("how", ["told to quit", "ctrl+q"])
async def test_keys_typed_just_before_the_desk_closes_are_in_the_draft(desk, operator, how):
    """A served seat's browser closed (the desk is told to quit) or Ctrl+Q, sooner than the
    pause that writes a draft: what was typed is kept all the same."""
    from textual.messages import ExitApp

    from tests.pilot import make_app, type_text

    app = make_app(desk, logged_in="王芳")
    async with app.run_test() as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await type_text(pilot, "zhao")
        if how == "ctrl+q":
            await pilot.press("ctrl+q")
        else:
            app.post_message(ExitApp())
        await pilot.pause()
    assert desk.load_draft(operator).name == "zhao"
