"""The deployment files, checked without a Docker engine: linters, schemas and their agreement.

hadolint lints the Dockerfile; the Compose specification's JSON schema checks docker-compose.yml;
Caddy itself validates deploy/Caddyfile. The rest checks that the files agree with each other: the
image copies every package the project ships, the compose file runs two webhook instances that the
proxy reaches on the ports they listen on, and .env.example documents every setting that exists.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"
CADDYFILE = ROOT / "deploy" / "Caddyfile"
LOCK = ROOT / "requirements.lock"
ENV_EXAMPLE = ROOT / ".env.example"
BOTS = ("bot-1", "bot-2")


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
                          env={**os.environ, **env})


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def pyproject() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# -- linters ---------------------------------------------------------------------------------------


def test_the_dockerfile_passes_hadolint():
    out = run(str(BIN / "hadolint"), "--no-color", str(DOCKERFILE))
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_compose_file_follows_the_compose_specification():
    out = run(str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE))
    assert out.returncode == 0, out.stdout + out.stderr


def test_caddy_accepts_the_proxy_configuration():
    caddy = shutil.which("caddy")
    if caddy is None:
        if os.environ.get("TCPL_REQUIRE_CADDY"):
            pytest.fail("TCPL_REQUIRE_CADDY is set but caddy is not installed (.ci/run installs it)")
        pytest.skip("caddy is not installed (apt-get install caddy): deploy/Caddyfile not validated")
    out = run(caddy, "validate", "--config", str(CADDYFILE), "--adapter", "caddyfile",
              TCPL_DOMAIN="bot.example.gov.vn")
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]


# -- the files agree -------------------------------------------------------------------------------


def test_the_image_copies_every_package_the_project_ships():
    shipped = set(pyproject()["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    copied = set(re.findall(r"^COPY (\w+) \./\1$", DOCKERFILE.read_text(encoding="utf-8"), re.MULTILINE))
    assert shipped <= copied, f"the Dockerfile does not COPY {sorted(shipped - copied)}"


def test_compose_runs_two_webhook_instances_with_health_checks_and_restart_policies():
    services = compose()["services"]
    assert set(BOTS) <= set(services) and {"db", "proxy"} <= set(services)
    for name in BOTS:
        bot = services[name]
        env = bot["environment"]
        assert env["TCPL_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert env["TCPL_WEBHOOK_URL"].endswith("/telegram")
        assert env["TCPL_ZALO_WEBHOOK_URL"].endswith("/zalo")
        assert bot["healthcheck"]["test"] == ["CMD", "tcpl", "health"]
        # Not "always"/"unless-stopped": a configuration mistake must not restart forever.
        assert bot["restart"].startswith("on-failure:")
        assert bot["depends_on"]["db"]["condition"] == "service_healthy"
        assert "ports" not in bot  # reached through the proxy only
    for name in ("db", "proxy"):
        assert "healthcheck" in services[name] and services[name]["restart"] == "unless-stopped"
    assert {"80:80", "443:443"} <= set(services["proxy"]["ports"])


def test_the_proxy_sends_each_path_to_both_instances_on_the_port_they_listen_on():
    env = compose()["services"][BOTS[0]]["environment"]
    caddyfile = CADDYFILE.read_text(encoding="utf-8")
    routes = (("/telegram ", env["TCPL_WEBHOOK_PORT"]), ("/zalo ", env["TCPL_ZALO_WEBHOOK_PORT"]),
              ("", env["TCPL_WEB_PORT"]))  # the dashboard: everything else
    exposed = set(re.findall(r"\d+", re.search(r"^EXPOSE (.*)$", DOCKERFILE.read_text(encoding="utf-8"),
                                                re.MULTILINE).group(1)))  # type: ignore[union-attr]
    for path, port in routes:
        block = re.search(rf"\thandle {path}\{{(.*?)\n\t\}}", caddyfile, re.DOTALL)
        assert block, f"no 'handle {path}' block in the Caddyfile"
        upstreams = re.search(r"reverse_proxy ([^{\n]+)", block.group(1))
        assert upstreams and set(upstreams.group(1).split()) == {f"{bot}:{port}" for bot in BOTS}
        assert port in exposed and port in compose()["services"][BOTS[0]]["expose"]
    assert env["TCPL_WEB_URL"].startswith("https://") and env["TCPL_WEB_LISTEN"] == "0.0.0.0"


def test_env_example_documents_every_setting_and_nothing_else():
    documented = set(re.findall(r"^#?\s*(TCPL_[A-Z0-9_]+)=", ENV_EXAMPLE.read_text(encoding="utf-8"),
                                re.MULTILINE))
    settings = {f"TCPL_{name.upper()}" for name in Settings.model_fields}
    used_by_compose = set(re.findall(r"\$\{(TCPL_[A-Z0-9_]+)", COMPOSE.read_text(encoding="utf-8")))
    assert settings - documented == set(), "settings missing from .env.example"
    assert used_by_compose - documented == set(), "compose variables missing from .env.example"
    assert documented - settings - used_by_compose == set(), ".env.example names variables nothing reads"


def test_the_lock_pins_every_dependency_within_its_range():
    pinned = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", line)
        if match:
            pinned[match.group(1).lower().replace("_", "-")] = match.group(2)
    for spec in pyproject()["project"]["dependencies"]:
        requirement = Requirement(spec)
        name = requirement.name.lower().replace("_", "-")
        assert name in pinned, f"{name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"requirements.lock pins {name}=={pinned[name]}, not {requirement.specifier}: run `make lock`")
    assert "--hash=sha256:" in LOCK.read_text(encoding="utf-8")
