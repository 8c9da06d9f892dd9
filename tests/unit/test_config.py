"""Settings: where the data lives does not depend on the current folder."""

import os
from pathlib import Path

import pytest
import typer

from bot.config import Settings


def test_the_default_database_lives_in_the_data_folder_whatever_the_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("TCPL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TCPL_DATA_DIR", str(tmp_path / "data"))
    urls = set()
    for folder in (tmp_path / "a", tmp_path / "b"):
        folder.mkdir()
        monkeypatch.chdir(folder)
        urls.add(Settings(_env_file=None).database_url.get_secret_value())
    assert urls == {f"sqlite+aiosqlite:///{tmp_path / 'data' / 'tcpl.db'}"}


def test_a_relative_data_folder_is_fixed_when_the_settings_are_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(data_dir=Path("here"), _env_file=None)
    assert settings.data_dir == tmp_path / "here"


def test_an_explicit_database_url_wins() -> None:
    url = "postgresql+asyncpg://u@127.0.0.1/x"
    assert Settings(database_url=url, _env_file=None).database_url.get_secret_value() == url


SECRET = "very-secret-webhook-value"


@pytest.mark.parametrize(("settings", "named"), [
    # A check across settings: pydantic would print every setting it was given, secrets included.
    ({"TCPL_ZALO_WEBHOOK_URL": "https://example.org/zalo", "TCPL_ZALO_WEBHOOK_SECRET": "short",
      "TCPL_WEBHOOK_SECRET": SECRET}, "TCPL_ZALO_WEBHOOK_SECRET"),
    ({"TCPL_ZALO_WEBHOOK_URL": "http://example.org/zalo", "TCPL_ZALO_WEBHOOK_SECRET": SECRET},
     "TCPL_ZALO_WEBHOOK_URL must be an HTTPS URL"),
    ({"TCPL_WEBHOOK_PORT": "not-a-port", "TCPL_WEBHOOK_SECRET": SECRET}, "TCPL_WEBHOOK_PORT"),
    ({"TCPL_TIMEZONE": SECRET, "TCPL_TELEGRAM_TOKEN": "1:" + SECRET}, "TCPL_TIMEZONE"),
    ({"TCPL_QUESTION_LOG_DAYS": "0", "TCPL_WEBHOOK_SECRET": SECRET}, "TCPL_QUESTION_LOG_DAYS"),
])
def test_an_invalid_setting_is_named_and_no_value_is_printed(
        settings: dict[str, str], named: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli.common import settings_or_exit

    for name in [n for n in os.environ if n.startswith("TCPL_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(typer.Exit) as exited:
        settings_or_exit()
    assert exited.value.exit_code == 2
    err = capsys.readouterr().err
    assert named in err and "Cấu hình không hợp lệ" in err
    assert SECRET not in err and "short" not in err and "not-a-port" not in err
def test_a_relative_sqlite_file_lives_in_the_data_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", database_url="sqlite+aiosqlite:///bot.db", _env_file=None)
    assert settings.database_url.get_secret_value() == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.db'}"
    absolute = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    assert Settings(database_url=absolute, _env_file=None).database_url.get_secret_value() == absolute


def test_the_platforms_are_those_with_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("TCPL_")]:
        monkeypatch.delenv(name)
    assert Settings(_env_file=None).platforms() == []
    both = Settings(telegram_token="1:a", zalo_token="z", _env_file=None)
    assert both.platforms() == ["telegram", "zalo"]


def test_the_question_log_keeps_90_days_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TCPL_QUESTION_LOG_DAYS", raising=False)
    assert Settings(_env_file=None).question_log_days == 90
    monkeypatch.setenv("TCPL_QUESTION_LOG_DAYS", "30")
    assert Settings(_env_file=None).keep_questions.days == 30
