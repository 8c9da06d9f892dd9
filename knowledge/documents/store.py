"""The reviewable YAML file of a loaded document: written by `tcpl documents add`, checked when read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.documents.schema import DocumentFile, Unit, UnitKind
from knowledge.loader import InvalidKnowledge, Problem, problems_of, read_yaml

FILE_COMMENT = (
    "# Văn bản do tcpl-bot đọc từ tệp «{source}». Mỗi mục «text» là nguyên văn của văn bản.\n"
    "# Có thể sửa tay (ví dụ ngày có hiệu lực: document.effective); bot kiểm tra tệp trước khi dùng.\n"
)


# libyaml's emitter and parser when present (several times faster on a 300-article text).
_BASE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Dumper(_BASE_DUMPER):  # type: ignore[misc, valid-type]
    """Multi-line text as literal blocks, so the file reads like the document."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _unit_data(u: Unit) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": u.kind.value}
    if u.number is not None:
        out["number"] = u.number
    if u.title is not None:
        out["title"] = u.title
    out["text"] = u.text
    if u.units:
        out["units"] = [_unit_data(c) for c in u.units]
    return out


def dump_document(file: DocumentFile) -> str:
    """Return the YAML text of a document file."""
    info = file.document.model_dump(mode="json", exclude_defaults=True)
    info.setdefault("effective", None)  # shown even when unknown, so a reviewer sees where to set it
    body = yaml.dump({"document": info, "units": [_unit_data(u) for u in file.units]}, Dumper=_Dumper,
                     allow_unicode=True, sort_keys=False, width=1_000_000)
    return FILE_COMMENT.format(source=file.document.source or "?") + body


def parse_document(path: Path) -> DocumentFile:
    """Read and check one document file; raise InvalidKnowledge with every problem located."""
    try:
        # A valid file is parsed once; only a faulty one is read again with line numbers.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader
        file = DocumentFile.model_validate(data)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError):
        file = None
    if file is not None and not _repeated_numbers(file, path, None):
        return file
    data, located, problems = read_yaml(path)
    if problems:
        raise InvalidKnowledge(problems)
    if not isinstance(data, dict):
        raise InvalidKnowledge([Problem(path, 1, "the file must be a YAML mapping")])
    try:
        file = DocumentFile.model_validate(data)
    except ValidationError as exc:
        raise InvalidKnowledge(problems_of(exc, path, located)) from exc
    raise InvalidKnowledge(_repeated_numbers(file, path, located))


def _repeated_numbers(file: DocumentFile, path: Path, located: Any) -> list[Problem]:
    """Two articles 5 (or two khoản 2 of one article) make a citation ambiguous."""
    problems: list[Problem] = []

    def check(units: list[Unit], loc: list[Any]) -> None:
        seen = Counter((u.kind, u.number) for u in units if u.number is not None)
        for i, u in enumerate(units):
            if u.number is not None and seen[(u.kind, u.number)] > 1 and u.kind is not UnitKind.ARTICLE:
                problems.append(Problem(path, located.line([*loc, i]) if located else 1,
                                        f"{u.kind.value} {u.number} appears twice in the same place"))
            check(u.units, [*loc, i, "units"])

    check(file.units, ["units"])
    articles: dict[str, int] = {}
    for scope in _article_scopes(file):
        articles.clear()
        for a in scope:
            if a.number in articles:
                problems.append(Problem(path, 1, f"article {a.number} appears twice"))
            articles[a.number or ""] = 1
    return problems


def _article_scopes(file: DocumentFile) -> list[list[Unit]]:
    """Articles number on through a document; an annex (an attached regulation) starts again."""
    main = [u for top in file.units if top.kind is not UnitKind.ANNEX for u in top.walk()
            if u.kind is UnitKind.ARTICLE]
    annexes = [[u for u in top.walk() if u.kind is UnitKind.ARTICLE] for top in file.units
               if top.kind is UnitKind.ANNEX]
    return [main, *annexes]
