"""Composition root: load the knowledge once and build the engine every adapter shares."""

from __future__ import annotations

from bot.config import Settings
from knowledge.deadlines import ReminderPolicy, load_policy
from knowledge.engine import Engine
from knowledge.lexicon import load_lexicon
from knowledge.loader import InvalidKnowledge, Knowledge, Problem, load_knowledge
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
    knowledge = lexicon = policy = None
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
    sources = None
    if knowledge is not None and lexicon is not None:
        try:
            sources = build_sources(knowledge.handbook, lexicon, settings.documents_dir,
                                    settings.department_handbook_path)
        except InvalidKnowledge as exc:
            problems += exc.problems
    if problems or knowledge is None or sources is None or policy is None:
        raise InvalidKnowledge(problems)
    return knowledge, sources, policy
