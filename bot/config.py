"""Settings: one object built in main() from the environment (TCPL_*) and an optional .env file."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_data_path
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.deadlines import DEFAULT_POLICY_PATH
from knowledge.loader import DEFAULT_HANDBOOK_DIR, DEFAULT_PLAN_PATH, DEFAULT_SYNONYMS_PATH
from storage.defaults import sqlite_url


def default_data_dir() -> Path:
    """Return the platform's data folder for the bot (~/.local/share/tcpl-bot on Linux)."""
    return user_data_path("tcpl-bot", appauthor=False)


def _in_data_dir(url: str, data_dir: Path) -> str:
    """Anchor a relative SQLite file in the data folder, so that it too is found from any folder."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return url  # reported when the database is opened
    database = parsed.database
    if (parsed.get_backend_name() != "sqlite" or not database or database == ":memory:"
            or database.startswith("file:") or Path(database).is_absolute()):
        return url
    return parsed.set(database=str(data_dir / database)).render_as_string(hide_password=False)


class Settings(BaseSettings):
    """Everything an operator can configure; secrets are SecretStr so they never print."""

    model_config = SettingsConfigDict(env_prefix="TCPL_", env_file=".env", extra="ignore")

    # One data folder for the database and the files the Department adds, whatever the current folder:
    # a command run from elsewhere must find the same database as the running bot.
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: SecretStr = SecretStr("")  # empty = SQLite in data_dir (filled in by _defaults)
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    zalo_token: SecretStr | None = None
    zalo_api_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    zalo_webhook_listen: str = "0.0.0.0"
    zalo_webhook_port: int = 8444
    # The dashboard: served by `tcpl run` beside the bots when web_port is set; web_url is its public
    # address, used in login links (https:// makes its cookies Secure).
    web_port: int | None = Field(default=None, ge=0, le=65535)
    web_url: str | None = None
    web_listen: str = "127.0.0.1"
    timezone: str = "Asia/Ho_Chi_Minh"
    handbook_dir: Path = DEFAULT_HANDBOOK_DIR
    # Plan folders and files, os.pathsep apart; empty = the shipped plans and, when it exists, the
    # data folder's plans/ (where a Department puts the plan it runs).
    plan_path: str = ""
    synonyms_path: Path = DEFAULT_SYNONYMS_PATH
    reminder_policy_path: Path = DEFAULT_POLICY_PATH
    # The official texts the Department loads (one reviewable YAML file each) and its own answers;
    # empty = in the data folder (filled in by _defaults).
    documents_dir: Path | None = None
    department_handbook_path: Path | None = None
    invite_ttl_hours: int = 72
    # How many days a question stays in the question log; older ones are deleted (README: Privacy).
    question_log_days: int = Field(default=90, ge=1, le=3650)
    flood_messages: int = 5  # per user, in flood_window_seconds
    flood_window_seconds: float = 3.0
    log_level: str = "INFO"
    # How long an update another instance received stays its own: after a crash, its unhandled
    # updates are taken over this long after its last sign of life.
    inbox_lease_seconds: float = Field(default=30.0, ge=1.0, le=3600.0)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone (an IANA name, e.g. Asia/Ho_Chi_Minh)") from exc
        return v

    @field_validator("telegram_token", "webhook_secret", "zalo_token", "zalo_webhook_secret", "web_port",
                     "web_url", mode="before")
    @classmethod
    def _empty_is_none(cls, v: object) -> object:
        return None if v == "" else v

    @field_validator("web_url")
    @classmethod
    def _web_url_is_http(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError("TCPL_WEB_URL must start with http:// or https://")
        return v.rstrip("/") if v else v

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, v: Path) -> Path:
        return v.expanduser().resolve()

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        url = self.database_url.get_secret_value()
        if not url:
            self.database_url = SecretStr(sqlite_url(self.data_dir / "tcpl.db"))
        else:
            self.database_url = SecretStr(_in_data_dir(url, self.data_dir))
        if not self.plan_path.strip():
            own = self.data_dir / "plans"
            self.plan_path = os.pathsep.join(str(p) for p in (DEFAULT_PLAN_PATH, own) if p.is_dir())
        if self.documents_dir is None:
            self.documents_dir = self.data_dir / "documents"
        if self.department_handbook_path is None:
            self.department_handbook_path = self.data_dir / "so-tay-bo-sung.yaml"
        return self

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("TCPL_WEBHOOK_SECRET is required when TCPL_WEBHOOK_URL is set")
        if self.zalo_webhook_url:
            if not self.zalo_webhook_url.lower().startswith("https://"):
                raise ValueError("TCPL_ZALO_WEBHOOK_URL must be an HTTPS URL: Zalo calls webhooks only "
                                 "over HTTPS")
            if self.zalo_webhook_secret is None:
                raise ValueError("TCPL_ZALO_WEBHOOK_SECRET is required when TCPL_ZALO_WEBHOOK_URL is set")
            if not 8 <= len(self.zalo_webhook_secret.get_secret_value()) <= 256:
                raise ValueError("TCPL_ZALO_WEBHOOK_SECRET must be 8 to 256 characters long")
            if self.webhook_url and self.webhook_port == self.zalo_webhook_port:
                raise ValueError("the Telegram and Zalo webhooks need different ports")
        return self

    def secrets(self) -> list[str]:
        """Return every secret value, so logging can mask them."""
        from sqlalchemy.engine import make_url

        out = [s.get_secret_value() for s in (self.telegram_token, self.webhook_secret, self.zalo_token,
                                              self.zalo_webhook_secret) if s]
        try:
            password = make_url(self.database_url.get_secret_value()).password
        except Exception:  # an unparseable URL is reported elsewhere; mask it whole here
            password = self.database_url.get_secret_value()
        if password:
            out.append(str(password))
        return out

    def platforms(self) -> list[str]:
        """Return the chat platforms that have a token, in the order `tcpl run` starts them."""
        tokens = (("telegram", self.telegram_token), ("zalo", self.zalo_token))
        return [name for name, token in tokens if token is not None]

    @property
    def log_file(self) -> Path:
        """Where the console chat and the command line write their log (the chat itself stays clean)."""
        return self.data_dir / "logs" / "tcpl.log"

    def dashboard_url(self, port: int | None = None) -> str | None:
        """Return the dashboard's public base URL: TCPL_WEB_URL, else this machine at the port."""
        if self.web_url:
            return self.web_url
        port = port if port is not None else self.web_port
        return f"http://127.0.0.1:{port}" if port else None

    @property
    def inbox_lease(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.inbox_lease_seconds)

    @property
    def keep_questions(self) -> dt.timedelta:
        return dt.timedelta(days=self.question_log_days)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


ENV_PREFIX = "TCPL_"


def settings_problems(exc: Exception) -> list[str]:
    """Describe invalid settings one per line, naming each variable and never printing a value.

    pydantic's own text shows the input, and for a check across settings the input is every
    setting, secrets included; only the location and the reason are kept here.
    """
    if not isinstance(exc, ValidationError):
        return [type(exc).__name__]
    lines = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        reason = str(error["msg"]).removeprefix("Value error, ")
        loc = error["loc"]
        lines.append(f"{ENV_PREFIX}{str(loc[0]).upper()}: {reason}" if loc else reason)
    return lines
