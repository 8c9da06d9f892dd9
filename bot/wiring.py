"""Composition root: load the knowledge once and build the engine every adapter shares."""

from __future__ import annotations

from bot.config import Settings
from knowledge.engine import Engine
from knowledge.lexicon import load_lexicon
from knowledge.loader import InvalidKnowledge, Knowledge, load_knowledge


def load_checked(settings: Settings) -> tuple[Knowledge, Engine]:
    """Load handbook, plan and synonyms; raise InvalidKnowledge listing every problem."""
    problems = []
    knowledge = None
    try:
        knowledge = load_knowledge(settings.handbook_dir, settings.plan_path)
    except InvalidKnowledge as exc:
        problems += exc.problems
    try:
        lexicon = load_lexicon(settings.synonyms_path)
    except InvalidKnowledge as exc:
        problems += exc.problems
    if problems or knowledge is None:
        raise InvalidKnowledge(problems)
    return knowledge, Engine(knowledge.handbook, lexicon)
