"""Schema of the handbook and plan YAML files: what an entry, a document, an agency and a task are."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    # Unknown keys are typos in a hand-written YAML file: reject them instead of ignoring them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Regime(StrEnum):
    """Which set of rules a document belongs to."""

    QD25 = "qd25"  # Decision 25/2021 + Circular 09/2021: replaced
    QD27 = "qd27"  # Decision 27/2025 + Circular 15/2025: in force
    NONE = "none"  # not tied to either (the 2025 reform, the plan, QĐ 619/2017 history)


class Confidence(StrEnum):
    """How sure the handbook is of an entry's answer."""

    CONFIRMED = "confirmed"  # read in a primary source
    SECONDARY = "secondary"  # only from a secondary source; the answer must say so
    NOT_IN_HANDBOOK = "not_in_handbook"  # not verified: the answer says so and points to the official text


class Document(Strict):
    """A legal document or plan that entries cite."""

    id: Id
    name: Text  # "Quyết định 25/2021/QĐ-TTg"
    title: Text
    issuer: Text
    issued: dt.date | None = None
    effective: dt.date | None = None  # None: not confirmed
    regime: Regime = Regime.NONE
    replaced_by: Id | None = None
    # Said once with every answer from this document, in Vietnamese: that it was replaced, by what,
    # from when (a missing note gets a plain "replaced by" sentence).
    replaced_note: str | None = None
    # A document built on another one (a plan implementing a decision, guidance citing its criteria):
    # when that one was replaced, answers from this one say so too.
    based_on: Id | None = None
    # What else is known of its validity, said with every answer from it (in Vietnamese).
    status_note: str | None = None


class Entry(Strict):
    """One question topic of the handbook with its answer and citation."""

    id: Id
    title: Text
    document: Id
    confidence: Confidence = Confidence.CONFIRMED
    questions: list[Text] = Field(min_length=2)
    answer: Text
    citation: Text
    keywords: list[Text] = []
    related: list[Id] = []
    parent: Id | None = None  # for browsing: criterion → indicator, plan section → item
    order: int = 0
    # Entries of different regimes that answer the same question share a topic, so a question that
    # names a regime ("theo QĐ 25") is answered from that regime's entry.
    topic: Id | None = None
    # What the entry is about, so a question that names it is answered from it and nothing else:
    # criterion 2 / indicator 5 ("chỉ tiêu 2.5") of its document's regime, or a plan item ("II.4.c").
    criterion: int | None = Field(default=None, ge=1, le=5)
    indicator: int | None = Field(default=None, ge=1, le=9)
    plan_item: str | None = Field(default=None, pattern=r"^I{1,3}(\.\d{1,2}(\.[a-eđ])?)?$")
    # Answers questions about either regime (a comparison, the replacement itself): never filtered
    # out when a question names one regime.
    both_regimes: bool = False
    # Only for an entry of the Department's own handbook file: the day it was added or last edited,
    # shown with the answer ("Nội dung do Sở Tư pháp bổ sung ngày …").
    added_on: dt.date | None = None

    @model_validator(mode="after")
    def _indicator_of_a_criterion(self) -> Entry:
        if self.indicator is not None and self.criterion is None:
            raise ValueError("an entry about an indicator names its criterion too")
        return self


class Menu(Strict):
    """A browsing entry point (/tieuchi, /kehoach): its title and first-level entries."""

    id: Id
    title: Text
    items: list[Id] = Field(min_length=1)


class HandbookFile(Strict):
    documents: list[Document] = []
    entries: list[Entry] = []
    menus: list[Menu] = []


# ---------------------------------------------------------------- the plan


class AgencyLevel(StrEnum):
    NATIONAL = "national"
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


class Agency(Strict):
    """An agency that leads or cooperates on plan tasks; a group stands for several agencies."""

    id: Id
    name: Text
    short_name: str | None = None
    level: AgencyLevel
    group: bool = False
    members: list[Id] = []  # for a group whose members the plan names or the province knows
    note: str | None = None
    # The province (official code) of a commune imported by `tcpl agencies import`.
    area_code: str | None = None
    # The day the agency came into being (the communes formed by the 2025 reform): no deadline before.
    started_on: dt.date | None = None
    # The day the agency ceased to exist (the district level ended on 01/07/2025): no reminders after.
    ended_on: dt.date | None = None

    @model_validator(mode="after")
    def _members_only_for_groups(self) -> Agency:
        if self.members and not self.group:
            raise ValueError("only a group agency (group: true) may list members")
        if self.started_on and self.ended_on and self.ended_on <= self.started_on:
            raise ValueError("ended_on must come after started_on")
        return self

    def alive_on(self, day: dt.date) -> bool:
        """Tell whether the agency exists on this day."""
        return (self.started_on is None or self.started_on <= day) and (
            self.ended_on is None or day < self.ended_on)

    @property
    def commune_group(self) -> bool:
        """A group of the commune level that names no members: it stands for every imported commune."""
        return self.group and not self.members and self.level is AgencyLevel.COMMUNE


class ScheduleKind(StrEnum):
    YEARLY = "yearly"
    EVERY_N_YEARS = "every_n_years"
    ONCE = "once"
    FROM_DATE = "from_date"
    AFTER_EVENT = "after_event"
    NONE = "none"


class Occasion(Strict):
    """One dated occasion of a `once` schedule; the plan may give a year only."""

    year: int = Field(ge=2021, le=2100)
    date: dt.date | None = None  # only when the plan gives the day
    label: Text  # the plan's words, e.g. "Sơ kết vào cuối năm 2023"


class Schedule(Strict):
    """When a task is due, as the plan says it (never invented)."""

    kind: ScheduleKind
    plan_text: str | None = None  # the plan's own words, verbatim; None when the plan gives no time
    every_years: int | None = Field(default=None, ge=2, le=10)
    first_year: int | None = None
    start: dt.date | None = None
    occasions: list[Occasion] = []
    event: str | None = None  # what must happen first, for after_event
    also_when_needed: bool = False  # "hoặc đột xuất khi cần thiết"

    @model_validator(mode="after")
    def _fields_match_kind(self) -> Schedule:
        k = self.kind
        if k is ScheduleKind.EVERY_N_YEARS and not self.every_years:
            raise ValueError("every_n_years needs every_years")
        if k is ScheduleKind.ONCE and not self.occasions:
            raise ValueError("once needs at least one occasion")
        if k is ScheduleKind.FROM_DATE and not self.start:
            raise ValueError("from_date needs start")
        if k is ScheduleKind.AFTER_EVENT and not self.event:
            raise ValueError("after_event needs event")
        if k is ScheduleKind.NONE and self.plan_text:
            raise ValueError("a schedule of kind none has no plan_text: the plan gives no time")
        if k is not ScheduleKind.NONE and not self.plan_text:
            raise ValueError("quote the plan's words in plan_text")
        return self


_TASK_ID = re.compile(r"^(i|ii|iii|iv|v|vi|vii|viii|ix|x)(-[0-9]+[a-z]{0,2})?$")


class Task(Strict):
    """One item of the plan with who leads it, who cooperates and when."""

    id: Id  # "ii-3a", "iii-1dd" (đ → dd): typed in commands, so ASCII
    code: Text  # as printed in the plan: "II.3.a"
    title: Text
    description: str | None = None
    lead: list[Id] = []
    cooperating: list[Id] = []
    schedule: Schedule
    entry: Id | None = None  # the handbook entry that explains this item

    @field_validator("id")
    @classmethod
    def _plan_item_id(cls, v: str) -> str:
        if not _TASK_ID.match(v):
            raise ValueError("task id must look like 'ii-3a' or 'iii-1dd'")
        return v


class Plan(Strict):
    """Who issued a plan, when, for which area, and when and why it stopped applying."""

    id: Id
    title: Text
    implements: Id  # document id in the handbook
    issuer: Text
    number: str | None = None  # "145/KH-UBND", only when the signed text shows it
    # The date the plan was signed. The key is required; null says the text shows no date.
    issued: dt.date | None
    signed_by: Text
    area: Text  # the area the plan covers, e.g. "tỉnh Sóc Trăng"
    # The province's official code (as in `tcpl agencies import`): the commune-level group then
    # stands for the imported communes of that province only.
    area_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,3}$")] | None = None
    starts_on: dt.date | None = None  # the first day it applies; the date it was signed by default
    ended_on: dt.date | None = None  # the day it stopped applying: no deadline on or after it
    end_reason: str | None = None  # why, in Vietnamese: required with ended_on
    recipients: list[Text] = []
    note: str | None = None

    @model_validator(mode="after")
    def _life_is_consistent(self) -> Plan:
        if self.ended_on is not None and not (self.end_reason or "").strip():
            raise ValueError("a plan that ended (ended_on) must say why in end_reason")
        if self.end_reason and self.ended_on is None:
            raise ValueError("end_reason needs ended_on, the day the plan stopped applying")
        first = self.first_day
        if first is not None and self.ended_on is not None and self.ended_on <= first:
            raise ValueError("ended_on must come after the day the plan was issued (or starts_on)")
        return self

    @property
    def first_day(self) -> dt.date | None:
        """Return the first day the plan applies, when known."""
        return self.starts_on or self.issued

    def in_force_on(self, day: dt.date) -> bool:
        """Tell whether the plan applies on this day (an unknown start counts as started)."""
        first = self.first_day
        return (first is None or first <= day) and (self.ended_on is None or day < self.ended_on)


class PlanFile(Strict):
    plan: Plan
    agencies: list[Agency] = Field(min_length=1)
    tasks: list[Task] = Field(min_length=1)
