"""Composition root: load the knowledge once and build the engine every adapter shares."""

from __future__ import annotations

from bot.config import Settings
from knowledge.deadlines import ReminderPolicy, load_policy
from knowledge.engine import Engine
from knowledge.lexicon import load_lexicon
from knowledge.loader import InvalidKnowledge, Knowledge, Problem, load_knowledge


def load_checked(settings: Settings) -> tuple[Knowledge, Engine]:
    """Load handbook, plan and synonyms; raise InvalidKnowledge listing every problem."""
    knowledge, engine, _ = load_all(settings)
    return knowledge, engine


def load_all(settings: Settings) -> tuple[Knowledge, Engine, ReminderPolicy]:
    """Load every file the bot runs on (also the reminder policy); report all problems at once."""
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
    if problems or knowledge is None or lexicon is None or policy is None:
        raise InvalidKnowledge(problems)
    return knowledge, Engine(knowledge.handbook, lexicon), policy
