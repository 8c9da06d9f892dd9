"""Composition root: load the knowledge once and build the engine every adapter shares."""

from __future__ import annotations

from bot.config import Settings
from knowledge.deadlines import ReminderPolicy, load_policy
from knowledge.engine import Engine
from knowledge.lexicon import load_lexicon
from knowledge.loader import InvalidKnowledge, Knowledge, Problem, load_knowledge
from knowledge.recognition import DEFAULT_RECOGNITION_PATH, load_recognition
from knowledge.sources import Sources, build_sources


def load_checked(settings: Settings) -> tuple[Knowledge, Engine]:
    """Load handbook, plan and synonyms; raise InvalidKnowledge listing every problem."""
    knowledge, engine, _ = load_all(settings)
    return knowledge, engine


def load_all(settings: Settings) -> tuple[Knowledge, Engine, ReminderPolicy]:
    """Load every file the bot runs on (also the reminder policy); report all problems at once."""
    knowledge, sources, policy = load_sources(settings)
    return knowledge, sources.engine, policy


def load_sources(settings: Settings) -> tuple[Knowledge, Sources, ReminderPolicy]:
    """Load handbook, plan, synonyms, policy, the Department's documents and answers; report all problems."""
    problems: list[Problem] = []
    knowledge = lexicon = policy = recognition = None
    try:
        knowledge = load_knowledge(settings.handbook_dir, settings.plan_path)
    except InvalidKnowledge as exc:
        problems += exc.problems
    try:
        lexicon = load_lexicon(settings.synonyms_path)
    except InvalidKnowledge as exc:
        problems += exc.problems
    try:
        policy = load_policy(settings.reminder_policy_path)
    except InvalidKnowledge as exc:
        problems += exc.problems
    try:
        recognition = load_recognition(DEFAULT_RECOGNITION_PATH)
    except InvalidKnowledge as exc:
        problems += exc.problems
    if knowledge is not None:
        entries = knowledge.handbook.entries
        if recognition is not None:
            problems += [Problem(DEFAULT_RECOGNITION_PATH, 1, f"regimes.{regime}.{field}: unknown handbook "
                                 f"entry {entry!r}")
                         for regime, r in recognition.items()
                         for field, entry in (("entry", r.entry), ("earlier_entry", r.earlier_entry))
                         if entry is not None and entry not in entries]
        if lexicon is not None:
            problems += [Problem(settings.synonyms_path, 1, f"routes.{route}: unknown handbook entry {e!r}")
                         for route, e in lexicon.routes.items() if e not in entries]
            problems += [Problem(settings.synonyms_path, 1, f"not_held.{t.topic}.in_the_plan: unknown "
                                 f"handbook entry {t.in_the_plan!r}")
                         for t in lexicon.not_held if t.in_the_plan and t.in_the_plan not in entries]
    sources = None
    if knowledge is not None and lexicon is not None and recognition is not None:
        try:
            sources = build_sources(knowledge.handbook, lexicon, recognition, settings.documents_dir,
                                    settings.department_handbook_path)
        except InvalidKnowledge as exc:
            problems += exc.problems
    if problems or knowledge is None or sources is None or policy is None:
        raise InvalidKnowledge(problems)
    return knowledge, sources, policy
