"""The honest yardstick: questions written as officials ask, not copied from the handbook.

Floors are asserted on the dev set only (the project's own questions and the labelled blind dev sets,
dev.yaml and the later ones in LATER_BLIND_PATHS); the held-out part is reported by `make bench`, never
tuned on.
"""

import pytest

from bot.config import Settings
from bot.wiring import load_checked
from tests.eval.harness import (
    DEV2_PATH,
    DEV3_PATH,
    DEV4_PATH,
    DEV5_PATH,
    DEV6_PATH,
    DEV7_PATH,
    DEV8_PATH,
    DEV9_PATH,
    DEV10_PATH,
    DEV11_PATH,
    DEV12_PATH,
    DEV13_PATH,
    DEV14_PATH,
    DEV15_PATH,
    DEV16_PATH,
    DEV17_PATH,
    DEV18_PATH,
    DEV19_PATH,
    DEV20_PATH,
    DEV21_PATH,
    DEV22_PATH,
    DEV23_PATH,
    DEV24_PATH,
    DEV25_PATH,
    DEV26_PATH,
    DEV27_PATH,
    DEV28_PATH,
    DEV29_PATH,
    DEV30_PATH,
    DEV31_PATH,
    DEV32_PATH,
    DEV33_PATH,
    DEV34_PATH,
    DEV35_PATH,
    DEV36_PATH,
    DEV37_PATH,
    DEV38_PATH,
    DEV39_PATH,
    DEV40_PATH,
    DEV41_PATH,
    DEV42_PATH,
    DEV43_PATH,
    DEV_PATH,
    LATER_BLIND_PATHS,
    dev_cases,
    engine_answerer,
    evaluate,
    load_cases,
)


@pytest.fixture(scope="module")
def engine():
    return load_checked(Settings(_env_file=None))[1]


@pytest.fixture(scope="module")
def report(engine):
    return evaluate(engine_answerer(engine), dev_cases())


def _misses(score) -> str:
    return "\n".join(f"  {asked!r}: expected {c.expect or 'decline'}, got {got or 'decline'}"
                     for c, asked, got in score.misses)


def test_question_sets_are_big_and_varied_enough():
    cases = dev_cases()
    if not DEV_PATH.exists():
        pytest.skip("the blind dev questions are not labelled yet")
    blind = load_cases(DEV_PATH)
    assert len(cases) >= 600 and len(blind) >= 250
    assert sum(not c.in_scope for c in cases) >= 90
    assert {c.family for c in blind} >= {"situation", "indicator", "zalo", "near-domain", "regime", "plan",
                                        "not-held", "long"}


# Each later blind set: its least size and number of questions to decline.
LATER_SET_SIZES = {DEV2_PATH: (150, 50), DEV3_PATH: (190, 70), DEV4_PATH: (150, 60), DEV5_PATH: (200, 69),
                   DEV6_PATH: (200, 85), DEV7_PATH: (200, 68),
                   DEV8_PATH: (200, 70), DEV9_PATH: (200, 79), DEV10_PATH: (200, 69),
                   DEV11_PATH: (200, 71), DEV12_PATH: (200, 77),
                   DEV13_PATH: (150, 66), DEV14_PATH: (150, 38), DEV15_PATH: (150, 25),
                   DEV16_PATH: (150, 41), DEV17_PATH: (150, 35), DEV18_PATH: (150, 40),
                   DEV19_PATH: (150, 40), DEV20_PATH: (150, 40), DEV21_PATH: (150, 40), DEV22_PATH: (150, 40),
                   DEV23_PATH: (150, 41), DEV24_PATH: (150, 40),
                   DEV25_PATH: (150, 40), DEV26_PATH: (150, 40), DEV27_PATH: (150, 40),
                   DEV28_PATH: (150, 40),
                   DEV29_PATH: (150, 40),
                   DEV30_PATH: (150, 40),
                   DEV31_PATH: (150, 40),
                   DEV32_PATH: (150, 40),
                   DEV33_PATH: (150, 40),
                   DEV34_PATH: (150, 40),
                   DEV35_PATH: (150, 40),
                   DEV36_PATH: (150, 40),
                   DEV37_PATH: (150, 40),
                   DEV38_PATH: (150, 40),
                   DEV39_PATH: (150, 70),
                   DEV40_PATH: (150, 40),
                   DEV41_PATH: (150, 40),
                   DEV42_PATH: (150, 40),
                   DEV43_PATH: (150, 40)}


@pytest.mark.parametrize("path", LATER_BLIND_PATHS, ids=lambda p: p.name)
def test_each_later_blind_set_is_big_and_part_of_the_dev_set(path):
    size, declines = LATER_SET_SIZES[path]
    later = load_cases(path)
    assert len(later) >= size and sum(not c.in_scope for c in later) >= declines
    assert {c.question for c in later} <= {c.question for c in dev_cases()}


def test_expected_entries_exist(engine):
    unknown = {i for c in dev_cases() for i in c.expect} - set(engine.handbook.entries)
    assert not unknown


# Floors that catch a regression on the dev set. They went from 94 % to 93 % (92 % with a typo) when the
# fifth and sixth blind sets (400 questions, 84–87 % before any tuning on them, 86–88 % after) joined it,
# and to 92 % (91 %; 98 % declined) when the seventh and eighth (400 more, 84–89 % before tuning) did, and
# to 91 % (90 %; 96 % declined) when the ninth to thirteenth (950 more, 81–91 % before tuning, 72–87 %
# declined) did, and to 90 % (89 %) when the fourteenth to nineteenth (900 more, 58–91 % before tuning;
# the nineteenth, a newcomer's words, 58 %) did: the set got harder, the engine did not get worse (each
# earlier set scores as before or better).
DEV_FLOOR = 0.90
DEV_FLOOR_TYPO = 0.89
DEV_FLOOR_DECLINED = 0.96


def test_top1_as_written(report):
    assert report.written.rate >= DEV_FLOOR, _misses(report.written)


def test_top1_without_diacritics(report):
    assert report.folded.rate >= DEV_FLOOR, _misses(report.folded)


def test_top1_with_a_typo(report):
    assert report.typo.rate >= DEV_FLOOR_TYPO, _misses(report.typo)


def test_out_of_scope_and_near_domain_questions_are_declined(report):
    assert report.declined.rate >= DEV_FLOOR_DECLINED, _misses(report.declined)
