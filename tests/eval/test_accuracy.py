"""The honest yardstick: the dev question set, paraphrased as officials ask, not copied from the handbook."""

import pytest

from bot.config import Settings
from bot.wiring import load_checked
from tests.eval.harness import evaluate, load_cases


@pytest.fixture(scope="module")
def report():
    _, engine = load_checked(Settings())

    def ask(q: str):
        r = engine.ask(q)
        return r.entry.id if r.found and r.entry else None

    return evaluate(ask, load_cases())


def _misses(score) -> str:
    return "\n".join(f"  {c.question!r}: expected {c.expect}, got {got}" for c, got in score.misses)


def test_question_set_is_big_and_varied_enough():
    cases = load_cases()
    in_scope = [c for c in cases if c.in_scope]
    assert len(cases) >= 250
    assert len(cases) - len(in_scope) >= 40
    assert sum(c.without_diacritics for c in cases) >= len(cases) / 3
    assert sum("typo" in c.tags for c in cases) >= 20


def test_expected_entries_exist():
    knowledge, _ = load_checked(Settings())
    unknown = {i for c in load_cases() for i in c.expect} - set(knowledge.handbook.entries)
    assert not unknown


def test_top1_accuracy_on_in_scope_questions(report):
    assert report.in_scope.rate >= 0.90, _misses(report.in_scope)


def test_out_of_scope_questions_are_declined(report):
    assert report.declined.rate >= 0.90, _misses(report.declined)
