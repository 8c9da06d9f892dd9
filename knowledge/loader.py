"""Read the handbook and plan YAML files, validate them, and report every error with file and line."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.schema import Agency, AgencyLevel, Document, Entry, HandbookFile, Menu, Plan, PlanFile, Task

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_HANDBOOK_DIR = PACKAGE_DIR / "handbook"
# A folder: every *.yaml file in it is a plan. TCPL_PLAN_PATH may name folders and files, separated
# by os.pathsep (":" on Linux).
DEFAULT_PLAN_PATH = PACKAGE_DIR / "plans"
DEFAULT_SYNONYMS_PATH = PACKAGE_DIR / "synonyms.yaml"
# The commented skeleton `tcpl plan new` prints; a test keeps it a valid plan file.
PLAN_SKELETON = PACKAGE_DIR / "templates" / "ke-hoach-mau.yaml"


@dataclass(frozen=True)
class Problem:
    """One validation error, located in a file."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class InvalidKnowledge(Exception):
    """Raised when a handbook or plan file does not validate."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Handbook:
    """Every document, entry and menu of the handbook, checked for consistency."""

    documents: dict[str, Document] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)
    menus: dict[str, Menu] = field(default_factory=dict)

    def children(self, entry_id: str) -> list[Entry]:
        kids = [e for e in self.entries.values() if e.parent == entry_id]
        return sorted(kids, key=lambda e: (e.order, e.id))


@dataclass
class PlanData:
    """One plan: its header and life, its agencies and its tasks."""

    plan: Plan
    agencies: dict[str, Agency]
    tasks: dict[str, Task]
    path: Path | None = None

    @property
    def id(self) -> str:
        return self.plan.id

    def in_force_on(self, day: dt.date) -> bool:
        return self.plan.in_force_on(day)

    def agency_ended_on(self, agency: Agency) -> dt.date | None:
        """Return the day an agency stops acting for this plan: its own end or the plan's, the earlier."""
        ends = [d for d in (agency.ended_on, self.plan.ended_on) if d is not None]
        return min(ends) if ends else None

    def acts_on(self, agency: Agency, day: dt.date) -> bool:
        """Tell whether an agency exists and the plan still applies on this day."""
        end = self.agency_ended_on(agency)
        return (agency.started_on is None or agency.started_on <= day) and (end is None or day < end)

    def expand(self, agency_id: str, communes: Sequence[Agency] = ()) -> list[Agency]:
        """Return the agencies a (possibly group) agency stands for.

        A group that lists members stands for them; the commune-level group stands for the imported
        communes (of the plan's province when it names one); any other group stands for itself.
        """
        agency = self.agencies[agency_id]
        if agency.group and agency.members:
            return [self.agencies[m] for m in agency.members]
        if agency.commune_group:
            area = self.plan.area_code
            mine = [c for c in communes if area is None or c.area_code in (None, area)]
            if mine:
                return mine
        return [agency]

    def groups_of(self, agency_id: str, level: str | None = None) -> list[str]:
        """Return the ids of the groups an agency belongs to (an imported commune: the commune group)."""
        out = [a.id for a in self.agencies.values() if agency_id in a.members]
        if level == AgencyLevel.COMMUNE.value and agency_id not in self.agencies:
            out += [a.id for a in self.agencies.values() if a.commune_group]
        return out

    def tasks_for(self, agency_id: str, level: str | None = None) -> list[tuple[Task, str]]:
        """Return the tasks an agency leads or cooperates on, directly or through a group."""
        ids = {agency_id, *self.groups_of(agency_id, level)}
        out: list[tuple[Task, str]] = []
        for t in self.tasks.values():
            if ids & set(t.lead):
                out.append((t, "lead"))
            elif ids & set(t.cooperating):
                out.append((t, "cooperating"))
        return out


class Plans:
    """Every loaded plan, and the agencies they share.

    Agency ids are shared between plans (a member of "stp" answers for every plan that names stp);
    task ids are unique within a plan. Where two plans define one agency, the plan still in force
    wins; an agency of an ended plan ends with it. Communes imported into the database
    (`tcpl agencies import`) join the agencies once the bot reads them (set_imported).
    """

    def __init__(self, plans: Iterable[PlanData]):
        self.by_id: dict[str, PlanData] = {p.id: p for p in plans}
        self._imported: dict[str, Agency] = {}
        self._agencies: dict[str, Agency] | None = None

    def __iter__(self) -> Iterator[PlanData]:
        return iter(self.by_id.values())

    def __len__(self) -> int:
        return len(self.by_id)

    def in_force(self, day: dt.date) -> list[PlanData]:
        """Return the plans that apply on this day."""
        return [p for p in self if p.in_force_on(day)]

    def set_imported(self, agencies: Iterable[Agency]) -> None:
        """Replace the imported agencies (communes read from the database)."""
        self._imported = {a.id: a for a in agencies}
        self._agencies = None

    @property
    def imported(self) -> list[Agency]:
        return list(self._imported.values())

    @property
    def imported_ids(self) -> set[str]:
        return set(self._imported)

    @property
    def agencies(self) -> dict[str, Agency]:
        """Return every agency by id: the plans' (ended ones with their end) and the imported ones."""
        if self._agencies is None:
            merged: dict[str, Agency] = dict(self._imported)
            # Ended plans first, so a plan still in force has the last word on a shared agency.
            for plan in sorted(self, key=lambda p: p.plan.ended_on is None):
                for agency in plan.agencies.values():
                    merged[agency.id] = agency.model_copy(update={"ended_on": plan.agency_ended_on(agency)})
            self._agencies = merged
        return self._agencies

    def with_task(self, task_id: str) -> list[PlanData]:
        """Return the plans that have a task with this id."""
        return [p for p in self if task_id in p.tasks]

    def codes(self) -> dict[str, str]:
        """Return every task id with its displayed code, across plans."""
        return {t.id: t.code for p in self for t in p.tasks.values()}


@dataclass
class Knowledge:
    handbook: Handbook
    plans: Plans


# ---------------------------------------------------------------- YAML with line numbers


# libyaml's C parser when present (several times faster at start-up), the pure-Python one otherwise.
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _KnowledgeLoader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """The safe loader, with impossible dates (2026-02-31) reported at their line like other errors."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid date {node.value!r}: {exc}", node.start_mark) from None


_KnowledgeLoader.add_constructor("tag:yaml.org,2002:timestamp", _KnowledgeLoader.construct_yaml_timestamp)


class _Located:
    """Maps a pydantic error location (keys and indices) back to the YAML node's line."""

    def __init__(self, root: yaml.Node | None):
        self.root = root

    def line(self, loc: Iterable[Any]) -> int:
        node = self.root
        best = node.start_mark.line + 1 if node is not None else 1
        for key in loc:
            if isinstance(node, yaml.MappingNode):
                nxt = None
                for k, v in node.value:
                    if k.value == key:
                        best = k.start_mark.line + 1
                        nxt = v
                        break
                node = nxt
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                best = node.start_mark.line + 1
            else:
                break
            if node is None:
                break
        return best


def _duplicate_keys(root: yaml.Node | None, path: Path) -> list[Problem]:
    """Find every key written twice in one mapping: YAML keeps the last silently, losing the first."""
    problems: list[Problem] = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in first:
                        problems.append(Problem(path, line, f"{key.value}: duplicate key (first at line "
                                                f"{first[key.value]}); the first value would be lost"))
                    else:
                        first[key.value] = line
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(problems, key=lambda p: p.line)


def read_yaml(path: Path) -> tuple[Any, _Located, list[Problem]]:
    """Read a YAML file with its node tree; return located problems instead of raising."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, _Located(None), [Problem(path, 1, f"cannot read file: {exc}")]
    loader = _KnowledgeLoader(text)
    try:
        node = loader.get_single_node()
        duplicates = _duplicate_keys(node, path)
        if duplicates:
            return None, _Located(node), duplicates
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, _Located(None), [Problem(path, line, f"invalid YAML: {exc.problem or exc}")]
    except yaml.YAMLError as exc:
        return None, _Located(None), [Problem(path, 1, f"invalid YAML: {exc}")]
    finally:
        loader.dispose()
    return data, _Located(node), []


def problems_of(
    exc: ValidationError, path: Path, located: _Located, prefix: Sequence[Any] = ()
) -> list[Problem]:
    """Turn pydantic's errors into located problems; `prefix` is where the validated value sits."""
    out = []
    for err in exc.errors():
        loc = [*prefix, *(p for p in err["loc"] if not isinstance(p, str) or not p.startswith("function-"))]
        where = ".".join(str(p) for p in loc) or "(file)"
        out.append(Problem(path, located.line(loc), f"{where}: {err['msg']}"))
    return out


# ---------------------------------------------------------------- handbook


def load_handbook(directory: Path = DEFAULT_HANDBOOK_DIR) -> Handbook:
    """Load every *.yaml file of a handbook directory; raise InvalidKnowledge listing all problems."""
    paths = sorted(directory.glob("*.yaml")) if directory.is_dir() else [directory]
    return load_handbook_files(paths)


def load_handbook_files(paths: Sequence[Path], context: Sequence[Path] = ()) -> Handbook:
    """Load handbook files as one handbook; links may also point into the `context` files.

    Problems are reported for `paths` only: `context` (the sibling files of a file validated on its
    own) is read just for the ids it declares.
    """
    problems: list[Problem] = []
    hb = Handbook()
    where: dict[tuple[str, str], Problem] = {}  # (kind, id) → location, for cross-reference messages
    if not paths:
        raise InvalidKnowledge([Problem(Path("."), 1, "no handbook file found")])
    for path in paths:
        data, located, errs = read_yaml(path)
        problems += errs
        if errs:
            continue
        if not isinstance(data, dict):
            problems.append(Problem(path, 1, "the file must be a YAML mapping"))
            continue
        for key in sorted(set(data) - set(HandbookFile.model_fields)):
            problems.append(Problem(path, located.line([key]), f"{key}: unknown section"))
        for kind, model, target in (
            ("documents", Document, hb.documents),
            ("entries", Entry, hb.entries),
            ("menus", Menu, hb.menus),
        ):
            items = data.get(kind) or []
            if not isinstance(items, list):
                problems.append(Problem(path, located.line([kind]), f"{kind}: must be a list"))
                continue
            for i, raw in enumerate(items):
                # Each item is checked on its own, so one broken entry does not hide the others' problems.
                try:
                    item = model.model_validate(raw)
                except ValidationError as exc:
                    problems += problems_of(exc, path, located, [kind, i])
                    continue
                here = Problem(path, located.line([kind, i]), "")
                if item.id in target:
                    first = where[(kind, item.id)]
                    problems.append(
                        Problem(path, here.line, f"{kind}[{i}]: duplicate id {item.id!r} "
                                f"(first at {first.path}:{first.line})")
                    )
                    continue
                target[item.id] = item  # type: ignore[assignment]
                where[(kind, item.id)] = here
    problems += _check_handbook_links(hb, where, _declared_ids(context))
    if problems:
        raise InvalidKnowledge(problems)
    return hb


def _declared_ids(paths: Sequence[Path]) -> dict[str, set[str]]:
    """Collect the ids each section of some handbook files declares, ignoring their problems."""
    ids: dict[str, set[str]] = {kind: set() for kind in HandbookFile.model_fields}
    for path in paths:
        data, _, errs = read_yaml(path)
        if errs or not isinstance(data, dict):
            continue
        for kind, target in ids.items():
            items = data.get(kind)
            if isinstance(items, list):
                target.update(str(i["id"]) for i in items if isinstance(i, dict) and "id" in i)
    return ids


def _check_handbook_links(
    hb: Handbook, where: dict[tuple[str, str], Problem], context: dict[str, set[str]]
) -> list[Problem]:
    problems: list[Problem] = []
    documents = set(hb.documents) | context.get("documents", set())
    entries = set(hb.entries) | context.get("entries", set())

    def bad(kind: str, id_: str, message: str) -> None:
        at = where[(kind, id_)]
        problems.append(Problem(at.path, at.line, f"{id_}: {message}"))

    for doc in hb.documents.values():
        if doc.replaced_by and doc.replaced_by not in documents:
            bad("documents", doc.id, f"replaced_by names an unknown document {doc.replaced_by!r}")
        if doc.based_on and doc.based_on not in documents:
            bad("documents", doc.id, f"based_on names an unknown document {doc.based_on!r}")
    items: dict[str, str] = {}
    for e in hb.entries.values():
        if e.document not in documents:
            bad("entries", e.id, f"unknown document {e.document!r}")
        for r in e.related:
            if r not in entries:
                bad("entries", e.id, f"related entry {r!r} does not exist")
            elif r == e.id:
                bad("entries", e.id, "an entry cannot be related to itself")
        if e.parent and e.parent not in entries:
            bad("entries", e.id, f"parent entry {e.parent!r} does not exist")
        if e.plan_item:
            if e.plan_item in items:
                bad("entries", e.id, f"plan item {e.plan_item} is already the subject of "
                    f"{items[e.plan_item]!r}")
            items[e.plan_item] = e.id
        dupes = [q for q, n in Counter(q.casefold() for q in e.questions).items() if n > 1]
        if dupes:
            bad("entries", e.id, f"repeated question phrasing {dupes[0]!r}")
    for m in hb.menus.values():
        for item in m.items:
            if item not in entries:
                bad("menus", m.id, f"menu item {item!r} is not an entry")
    return problems


# ---------------------------------------------------------------- plan


# pydantic's error types, explained to the Department's staff who write a plan file by hand.
_PLAN_HINTS = {
    "missing": "thiếu mục bắt buộc này",
    "extra_forbidden": "mục này không có trong mẫu kế hoạch (gõ sai tên mục?); xem `tcpl plan new`",
    "date_from_datetime_parsing": "ngày viết theo dạng YYYY-MM-DD, ví dụ 2026-01-20",
    "date_parsing": "ngày viết theo dạng YYYY-MM-DD, ví dụ 2026-01-20",
    "date_type": "ngày viết theo dạng YYYY-MM-DD, ví dụ 2026-01-20",
    "string_pattern_mismatch": "mã chỉ gồm chữ thường không dấu, số, dấu chấm và gạch ngang, ví dụ ii-3a",
    "string_too_short": "không được để trống",
    "list_type": "phải là một danh sách (mỗi dòng bắt đầu bằng «- »)",
    "bool_parsing": "chỉ nhận true hoặc false",
    "enum": "giá trị không nằm trong các giá trị cho phép",
    "int_parsing": "phải là một số nguyên",
    "too_short": "danh sách không được để trống",
}


def _explained(problems: list[Problem], types: list[str]) -> list[Problem]:
    out = []
    for problem, kind in zip(problems, types, strict=True):
        hint = _PLAN_HINTS.get(kind)
        out.append(Problem(problem.path, problem.line, f"{problem.message} — {hint}") if hint else problem)
    return out


def load_plan(path: Path, handbook: Handbook | None = None) -> PlanData:
    """Load one plan file; with a handbook, also check its links into the handbook."""
    data, located, problems = read_yaml(path)
    if problems:
        raise InvalidKnowledge(problems)
    if not isinstance(data, dict):
        raise InvalidKnowledge([Problem(path, 1, "the file must be a YAML mapping (xem `tcpl plan new`)")])
    try:
        parsed = PlanFile.model_validate(data)
    except ValidationError as exc:
        types = [e["type"] for e in exc.errors()]
        raise InvalidKnowledge(_explained(problems_of(exc, path, located, []), types)) from exc
    agencies: dict[str, Agency] = {}
    for i, a in enumerate(parsed.agencies):
        if a.id in agencies:
            problems.append(Problem(path, located.line(["agencies", i]), f"duplicate agency id {a.id!r} "
                                    "— mỗi cơ quan chỉ khai báo một lần"))
        agencies[a.id] = a
    for i, a in enumerate(parsed.agencies):
        for m in a.members:
            if m not in agencies:
                problems.append(Problem(path, located.line(["agencies", i, "members"]),
                                        f"{a.id}: unknown member agency {m!r} — khai báo cơ quan này "
                                        "trong agencies trước"))
            elif agencies[m].group:
                problems.append(Problem(path, located.line(["agencies", i, "members"]),
                                        f"{a.id}: member {m!r} is itself a group — nhóm không lồng nhau"))
    tasks: dict[str, Task] = {}
    for i, t in enumerate(parsed.tasks):
        if t.id in tasks:
            problems.append(Problem(path, located.line(["tasks", i]), f"duplicate task id {t.id!r} "
                                    "— mã nhiệm vụ không được trùng trong một kế hoạch"))
        tasks[t.id] = t
        for role in ("lead", "cooperating"):
            for ref in getattr(t, role):
                if ref not in agencies:
                    problems.append(Problem(path, located.line(["tasks", i, role]),
                                            f"{t.id}: unknown agency id {ref!r} in {role} — khai báo cơ "
                                            "quan này trong agencies"))
        if handbook is not None and t.entry and t.entry not in handbook.entries:
            problems.append(Problem(path, located.line(["tasks", i, "entry"]),
                                    f"{t.id}: handbook entry {t.entry!r} does not exist"))
        ended = parsed.plan.ended_on
        dated = [o.date for o in t.schedule.occasions if o.date] + [t.schedule.start]
        for day in dated:
            if day is not None and ended is not None and day >= ended:
                problems.append(Problem(path, located.line(["tasks", i, "schedule"]),
                                        f"{t.id}: date {day:%d/%m/%Y} is after the plan ended "
                                        f"({ended:%d/%m/%Y}) — ngày này nằm ngoài thời gian áp dụng"))
    if handbook is not None and parsed.plan.implements not in handbook.documents:
        problems.append(Problem(path, located.line(["plan", "implements"]),
                                f"plan implements unknown document {parsed.plan.implements!r} — dùng mã "
                                "một văn bản có trong sổ tay, ví dụ qd-27-2025"))
    if problems:
        raise InvalidKnowledge(problems)
    return PlanData(plan=parsed.plan, agencies=agencies, tasks=tasks, path=path)


def plan_files(spec: str | Path) -> tuple[list[Path], list[Problem]]:
    """Return the plan files a TCPL_PLAN_PATH names: folders (their *.yaml) and files, os.pathsep apart."""
    files: list[Path] = []
    problems: list[Problem] = []
    for part in str(spec).split(os.pathsep):
        if not part.strip():
            continue
        path = Path(part.strip()).expanduser()
        if path.is_dir():
            files += sorted(path.glob("*.yaml"))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(path, 1, "no such plan file or folder (TCPL_PLAN_PATH)"))
    return list(dict.fromkeys(files)), problems


def load_plans(spec: str | Path = DEFAULT_PLAN_PATH, handbook: Handbook | None = None) -> Plans:
    """Load every plan TCPL_PLAN_PATH names; raise InvalidKnowledge listing every problem of every file."""
    files, problems = plan_files(spec)
    loaded: list[PlanData] = []
    first_at: dict[str, Path] = {}
    for path in files:
        try:
            plan = load_plan(path, handbook)
        except InvalidKnowledge as exc:
            problems += exc.problems
            continue
        if plan.id in first_at:
            problems.append(Problem(path, 1, f"plan id {plan.id!r} is already used by {first_at[plan.id]} "
                                    "— mỗi kế hoạch cần một mã riêng"))
            continue
        first_at[plan.id] = path
        loaded.append(plan)
    if problems:
        raise InvalidKnowledge(problems)
    return Plans(loaded)


def load_knowledge(
    handbook_dir: Path = DEFAULT_HANDBOOK_DIR, plan_path: str | Path = DEFAULT_PLAN_PATH
) -> Knowledge:
    """Load and cross-check the handbook and the plans; raise InvalidKnowledge with every problem."""
    problems: list[Problem] = []
    handbook: Handbook | None = None
    try:
        handbook = load_handbook(handbook_dir)
    except InvalidKnowledge as exc:
        problems += exc.problems
    try:
        plans = load_plans(plan_path, handbook)
    except InvalidKnowledge as exc:
        problems += exc.problems
    if problems or handbook is None:
        raise InvalidKnowledge(problems)
    return Knowledge(handbook=handbook, plans=plans)
