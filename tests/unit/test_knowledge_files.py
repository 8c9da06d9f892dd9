"""Reading and validating the knowledge files: every problem is a file:line message, never a traceback."""

import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.wiring import load_checked
from knowledge.lexicon import load_lexicon
from knowledge.loader import PACKAGE_DIR, InvalidKnowledge, read_yaml
from knowledge.validate import validate_files

HANDBOOK = PACKAGE_DIR / "handbook"


def _copy_handbook(tmp_path: Path) -> Path:
    target = tmp_path / "handbook"
    shutil.copytree(HANDBOOK, target)
    return target


def test_a_duplicate_mapping_key_is_a_located_error(tmp_path):
    f = tmp_path / "hb.yaml"
    f.write_text("entries:\n  - id: a\n    keywords: [x]\n    title: t\n    keywords: [y]\n",
                 encoding="utf-8")
    _, _, problems = read_yaml(f)
    assert [(p.line, "duplicate key" in p.message) for p in problems] == [(5, True)]
    assert "first at line 3" in problems[0].message


def test_an_impossible_date_is_a_located_error_not_a_traceback(tmp_path):
    f = tmp_path / "documents.yaml"
    f.write_text("documents:\n  - id: x\n    name: n\n    title: t\n    issuer: i\n    issued: 2022-13-45\n",
                 encoding="utf-8")
    problems = validate_files([f])
    assert len(problems) == 1 and problems[0].line == 6 and "invalid date" in problems[0].message


def test_the_shipped_files_are_valid():
    assert validate_files([HANDBOOK, PACKAGE_DIR / "synonyms.yaml", PACKAGE_DIR / "recognition.yaml",
                           PACKAGE_DIR / "reminders.yaml"]) == []


def test_one_handbook_file_is_checked_with_its_siblings_ids_only(tmp_path):
    hb = _copy_handbook(tmp_path)
    broken = hb / "reform.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "\n  - id: broken\n    title: t\n",
                      encoding="utf-8")
    # qd27.yaml links into qd25.yaml and reform.yaml: its links resolve, and reform.yaml's problem is not
    # reported when only qd27.yaml is named.
    assert validate_files([hb / "qd27.yaml"]) == []
    assert any(p.path == broken for p in validate_files([broken]))


def test_a_dangling_link_in_the_named_file_is_reported(tmp_path):
    hb = _copy_handbook(tmp_path)
    f = hb / "qd27.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("      - qd25-gioi-thieu\n", "      - khong-co\n", 1),
                 encoding="utf-8")
    problems = validate_files([f])
    assert problems and all(p.path == f for p in problems) and "khong-co" in problems[0].message


def test_a_file_that_is_no_knowledge_file_is_rejected(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# hello\n", encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text("name: something\nversion: 2\n", encoding="utf-8")
    problems = validate_files([readme, other])
    assert [p.path for p in problems] == [readme, other]
    assert all("not a knowledge file" in p.message for p in problems)


def test_each_kind_is_checked_by_its_own_rules(tmp_path):
    synonyms = tmp_path / "synonyms.yaml"
    synonyms.write_text("abbreviations: {}\nnot_held:\n  - topic: x\n    patterns: ['(']\n    notice: n\n",
                        encoding="utf-8")
    recognition = tmp_path / "recognition.yaml"
    recognition.write_text("regimes:\n  qd99:\n    document: X\n", encoding="utf-8")
    problems = validate_files([synonyms, recognition])
    assert {p.path for p in problems} == {synonyms, recognition}
    assert any("invalid pattern" in p.message for p in problems)


@pytest.mark.parametrize("pattern", [r"(xa)\\s+\\1", "(?i)xa", "(?P<w>xa) (?P=w)"])
def test_a_not_held_pattern_must_keep_its_meaning_in_one_alternation(tmp_path, pattern):
    # A topic's patterns are searched as one alternation: a back-reference would point at another
    # pattern's group, and a flag would apply to all of them.
    synonyms = tmp_path / "synonyms.yaml"
    synonyms.write_text("abbreviations: {}\nnot_held:\n  - topic: x\n    patterns: ['\\bdat\\b', "
                        f"'{pattern}']\n    notice: n\n", encoding="utf-8")
    problems = validate_files([synonyms])
    assert len(problems) == 1 and "refers back" in problems[0].message


def test_a_not_held_subjects_plan_item_must_be_a_handbook_entry(tmp_path):
    synonyms = tmp_path / "synonyms.yaml"
    text = (PACKAGE_DIR / "synonyms.yaml").read_text(encoding="utf-8")
    assert "in_the_plan: kh-iii-2" in text
    synonyms.write_text(text.replace("in_the_plan: kh-iii-2", "in_the_plan: kh-khong-co"), encoding="utf-8")
    with pytest.raises(InvalidKnowledge) as caught:
        load_checked(Settings(_env_file=None, synonyms_path=synonyms))
    assert any("in_the_plan" in p.message and "kh-khong-co" in p.message for p in caught.value.problems)


def test_a_synonym_group_of_one_phrase_keeps_it_whole(tmp_path):
    synonyms = tmp_path / "synonyms.yaml"
    synonyms.write_text("synonyms:\n  - [kinh phí, tiền]\n  - [tiến độ]\n", encoding="utf-8")
    lexicon = load_lexicon(synonyms)
    assert lexicon.expand(["tien", "do", "thuc", "hien"]) == ["tien", "do", "thuc", "hien"]
    assert lexicon.expand(["tien", "o", "dau"]) == ["kinh", "phi", "o", "dau"]
