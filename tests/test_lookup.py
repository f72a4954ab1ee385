from desk.registration import RegistrationForm
from tests.conftest import VALID_ID, VALID_ID_MALE, form


def names(desk, text):
    operator = desk.authenticate("王芳", "secret123")
    return [h.visitor.name for h in desk.lookup(text, operator)]


def test_lookup_by_every_kind_of_key(desk, operator):
    first = desk.register(form(), operator)
    desk.register(form(name="李四", id_number=VALID_ID_MALE, phone="13912345678", township="太平镇"), operator)
    assert names(desk, VALID_ID) == ["张三"]
    assert names(desk, VALID_ID.lower()) == ["张三"]
    assert names(desk, "13912345678") == ["李四"]
    assert names(desk, "5678") == ["李四"]  # the last digits of a phone
    assert names(desk, "张三") == ["张三"]
    assert names(desk, "zs") == ["张三"]  # pinyin initials
    assert names(desk, "ZS") == ["张三"]
    assert names(desk, "tpz") == ["李四"]  # township initials
    assert names(desk, "太平") == ["李四"]
    assert names(desk, first.matter.number) == ["张三"]
    assert names(desk, first.matter.query_code) == ["张三"]
    assert names(desk, "2026-") == ["李四", "张三"] or names(desk, "2026-") == ["张三", "李四"]
    assert names(desk, "") == []
    assert names(desk, "123") == []  # too few digits to mean anything


def test_heteronym_surnames_match_either_reading(desk, operator):
    desk.register(form(name="曾乐", id_number=""), operator)
    assert names(desk, "zl") == ["曾乐"]
    assert names(desk, "cl") == ["曾乐"]


def test_hits_show_visits_and_open_matters_with_their_first_responder(desk, operator):
    first = desk.register(form(), operator)
    desk.register(RegistrationForm(name="张三", id_number=VALID_ID, matter_id=first.matter.id), operator)
    [hit] = desk.lookup("张三", operator)
    assert len(hit.visits) == 2
    assert [b.matter.first_responder for b in hit.open_matters] == ["王芳"]
    assert hit.repeat


def test_a_visitor_with_only_closed_matters_is_not_a_repeat(desk, operator):
    m = desk.register(form(track="simple"), operator).matter
    desk.close_on_spot(m.id, "已答复", operator)
    [hit] = desk.lookup("张三", operator)
    assert not hit.repeat and len(hit.matters) == 1


def test_a_number_typed_in_full_width_or_with_spaces_is_found(desk, operator):
    desk.register(form(), operator)
    desk.register(form(name="李四", id_number="430722198001163788", phone="13912345678"), operator)
    assert names(desk, "１１０１０５１９４９１２３１００２Ｘ") == ["张三"]
    assert names(desk, "430722 19800116 3788") == ["李四"]
    assert names(desk, "139 1234 5678") == ["李四"]
    assert names(desk, "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X") == []  # not these digits: nobody, never a wrong person


async def test_ctrl_r_with_nobody_chosen_says_so_not_that_the_person_has_nothing_open(desk, operator):
    from tests.pilot import make_app, notices, settle

    app = make_app(desk, logged_in=operator.name)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert any("请先查找并选中来访人" in n for n in notices(app))
        assert not any("此人没有在办事项" in n for n in notices(app))
