"""Open the database, keep it in step with the plan, and build the stores the handlers use."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.config import Settings
from handlers.reminders import as_agency
from knowledge.loader import Plans
from storage.dashboard import DashboardReads
from storage.db import OPENING_ERRORS, make_engine, make_sessionmaker, redact, unavailable, upgrade
from storage.inbox import Inbox
from storage.knowledge_files import KnowledgeFileStore
from storage.privacy import PersonalDataStore
from storage.records import AgencyRecord
from storage.repositories import AgencyStore, InviteStore, MemberStore, QuestionLog
from storage.tracking import (
    OccurrenceStore,
    OutboxStore,
    PendingInputStore,
    ShownChoicesStore,
    TaskDateStore,
)
from storage.web import WebAccessStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stores:
    agencies: AgencyStore
    members: MemberStore
    invites: InviteStore
    inbox: Inbox
    questions: QuestionLog
    occurrences: OccurrenceStore
    task_dates: TaskDateStore
    outbox: OutboxStore
    pending: PendingInputStore
    choices: ShownChoicesStore
    web: WebAccessStore
    dashboard: DashboardReads
    knowledge: KnowledgeFileStore
    personal_data: PersonalDataStore


def agency_records(plans: Plans) -> list[AgencyRecord]:
    """Return the plans' agencies as the database keeps them (an agency of an ended plan ends with it)."""
    imported = plans.imported_ids
    return [AgencyRecord(id=a.id, name=a.name, level=a.level.value, is_group=a.group,
                         started_on=a.started_on, ended_on=a.ended_on)
            for a in plans.agencies.values() if a.id not in imported]


@asynccontextmanager
async def open_stores(settings: Settings, plan: Plans) -> AsyncIterator[Stores]:
    """Upgrade the schema, sync the plan's agencies, yield the stores, and close the pool after."""
    url = settings.database_url.get_secret_value()
    log.info("database: %s", redact(url))
    await upgrade(url)
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        questions = QuestionLog(sessions)
        stores = Stores(AgencyStore(sessions), MemberStore(sessions), InviteStore(sessions),
                        Inbox(sessions), questions, OccurrenceStore(sessions),
                        TaskDateStore(sessions), OutboxStore(sessions), PendingInputStore(sessions),
                        ShownChoicesStore(sessions), WebAccessStore(sessions), DashboardReads(sessions),
                        KnowledgeFileStore(sessions), PersonalDataStore(sessions, questions))
        try:
            # The first write: a read-only database is found here when its schema was already current.
            await stores.agencies.sync(agency_records(plan))
        except OPENING_ERRORS as exc:
            raise unavailable(url, exc) from exc
        # Imported communes are agencies too (invitations, /coquan, planning) from the start.
        plan.set_imported(as_agency(a) for a in await stores.agencies.imported())
        try:
            yield stores
        finally:
            # The question log is written behind the conversation: write what is still queued.
            try:
                await stores.questions.flush()
            except Exception:
                log.exception("could not write the last queued questions")
    finally:
        await engine.dispose()
