"""Judging a described situation with the recognition rules kept as data (recognition.yaml)."""

from pathlib import Path

import pytest

from knowledge.loader import InvalidKnowledge
from knowledge.recognition import Share, Situation, Status, judge, load_recognition
from knowledge.schema import Regime


@pytest.fixture(scope="module")
def rules():
    return load_recognition()


def test_the_rules_hold_only_confirmed_conditions(rules):
    old = rules[Regime.QD25]
    assert [c.value for c in old.conditions] == [80, 50, None]
    assert all(c.citation == "Điều 4 Quyết định 25/2021/QĐ-TTg" for c in old.conditions)
    assert rules[Regime.QD27].conditions == []  # not confirmed for the rules in force: nothing borrowed


def test_a_total_below_80_is_not_enough(rules):
    v = judge(Situation(total=78, shares=(Share(None, 0.5),)), Regime.QD25, rules)
    assert v.status is Status.NOT_MET
    assert "Chưa đủ điều kiện" in v.text and "80 điểm" in v.text and "Điều 4" in v.text


def test_a_criterion_under_half_fails_whatever_the_total(rules):
    v = judge(Situation(total=86, shares=(Share(3, 0.4, below=True),)), Regime.QD25, rules)
    assert v.status is Status.NOT_MET and "tiêu chí 3" in v.text and "50%" in v.text


def test_the_head_disciplined_in_the_assessment_year_fails(rules):
    v = judge(Situation(total=91, head_disciplined=True, year=2023, discipline_year=2023), Regime.QD25, rules)
    assert v.status is Status.NOT_MET and "người đứng đầu" in v.text


def test_discipline_outside_the_assessment_year_does_not_count(rules):
    s = Situation(total=85, shares=(Share(None, 0.5),), head_disciplined=True, year=2022,
                  discipline_year=2021)
    v = judge(s, Regime.QD25, rules)
    assert v.status is Status.MET and "2021" in v.text


def test_the_councils_score_counts(rules):
    v = judge(Situation(self_score=88, council_score=79), Regime.QD25, rules)
    assert v.status is Status.NOT_MET
    assert "Hội đồng thẩm định (79)" in v.text and "Điều 2 khoản 2 Thông tư 09/2021/TT-BTP" in v.citations


def test_every_condition_met(rules):
    s = Situation(total=80.25, shares=(Share(None, 0.5),), head_disciplined=False)
    assert judge(s, Regime.QD25, rules).status is Status.MET


def test_what_was_not_said_is_asked_for_not_guessed(rules):
    v = judge(Situation(total=90), Regime.QD25, rules)
    assert v.status is Status.INCOMPLETE and "còn cần" in v.text


def test_another_officials_discipline_is_not_a_condition(rules):
    v = judge(Situation(total=85, official_disciplined=True), Regime.QD25, rules)
    assert "chỉ tiêu 5.3" in v.text and v.status is not Status.NOT_MET


def test_under_the_rules_in_force_no_verdict_is_guessed(rules):
    v = judge(Situation(total=78), Regime.QD27, rules)
    assert v.status is Status.RULES_UNCONFIRMED
    assert "không thể kết luận" in v.text and "80 điểm" in v.text  # says the old threshold does not apply


def test_a_rules_file_without_conditions_must_say_why(tmp_path: Path):
    bad = tmp_path / "recognition.yaml"
    bad.write_text("regimes:\n  qd27:\n    document: X\n    label: X\n    entry: qd27-dieu-kien\n",
                   encoding="utf-8")
    with pytest.raises(InvalidKnowledge) as exc:
        load_recognition(bad)
    assert f"{bad}:" in str(exc.value) and "unconfirmed" in str(exc.value)
