"""The image's install steps, run for real in a fresh virtual environment (no Docker engine here).

The build stage of the Dockerfile is replayed: its WORKDIR, COPY and RUN instructions, verbatim,
with /venv moved to a temporary folder. So the pip lines that build the image — the locked
dependencies with their hashes, then the project — run exactly as written, and the installed bot then
has to validate its knowledge, create its database, pass its health check and refuse to start a
console nobody can type into, as the container would.

Bounded and cached: the locked wheels (and the build backend) are downloaded once per lock file into
a wheelhouse beside the test environment; the replay installs from it without the network.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
LOCK = ROOT / "requirements.lock"
VENV_IN_IMAGE = "/venv"
STEP_TIMEOUT = 600  # seconds; a whole replay takes well under a minute on an idle machine


def build_stage(dockerfile: Path) -> tuple[str, list[tuple[str, str]]]:
    """Return the base image and the (instruction, arguments) of the Dockerfile's first stage."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))  # continuation lines
    base, steps = "", []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        if instruction.upper() == "FROM":
            if base:
                break  # the run stage only copies what the build stage made
            base = arguments.split()[0]
            continue
        steps.append((instruction.upper(), arguments.strip()))
    return base, steps


def wheelhouse() -> Path:
    """Download the locked wheels and the build backend once per lock file; return the folder."""
    key = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:16]
    folder = Path(sys.prefix) / "tcpl-lock-wheelhouse"
    stamp = folder / f"complete-{key}"
    if stamp.exists():
        return folder
    folder.mkdir(exist_ok=True)
    build_requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"][
        "requires"]
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(folder)]
    for args in (["--require-hashes", "--only-binary=:all:", "-r", str(LOCK)],
                 ["--only-binary=:all:", *build_requires]):
        out = subprocess.run([*pip, *args], capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False)
        assert out.returncode == 0, out.stderr[-3000:]
    for old in folder.glob("complete-*"):
        old.unlink()
    stamp.touch()
    return folder


def test_the_images_install_steps_work_in_a_fresh_environment(tmp_path):
    base, steps = build_stage(DOCKERFILE)
    python = re.search(r"python:(\d+\.\d+)", base)
    assert python, f"the build stage is not a python image: {base}"
    if python.group(1) != f"{sys.version_info.major}.{sys.version_info.minor}":
        pytest.skip(f"the image uses Python {python.group(1)}; this machine runs {sys.version.split()[0]}")

    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TCPL_", "PIP_", "VIRTUAL_ENV"))}
    env.update(PATH=f"{venv / 'bin'}:{env.get('PATH', '')}", PIP_NO_INDEX="1",
               PIP_FIND_LINKS=str(wheelhouse()), PIP_DISABLE_PIP_VERSION_CHECK="1")
    workdir = tmp_path / "app"
    workdir.mkdir()
    ran = []
    for instruction, arguments in steps:
        if instruction == "WORKDIR":
            continue  # the replay's working folder stands for it
        if instruction == "COPY":
            *sources, target = shlex.split(arguments)
            destination = workdir / target
            for source in sources:
                origin = ROOT / source
                if origin.is_dir():  # as Docker does: the folder's contents, into the target
                    shutil.copytree(origin, destination, dirs_exist_ok=True,
                                    ignore=shutil.ignore_patterns("__pycache__"))  # .dockerignore
                elif target.endswith("/"):
                    destination.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(origin, destination / origin.name)
                else:
                    shutil.copy2(origin, destination)
        elif instruction == "RUN":
            command = arguments.replace(VENV_IN_IMAGE, str(venv))
            out = subprocess.run(["sh", "-c", command], cwd=workdir, env=env, capture_output=True, text=True,
                                 timeout=STEP_TIMEOUT, check=False)
            assert out.returncode == 0, f"RUN {arguments}\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}"
            ran.append(arguments)
    assert any("requirements.lock" in r and "--require-hashes" in r for r in ran), ran
    assert (venv / "bin" / "tcpl").exists()

    # The installed bot, as the container runs it: its data in a folder of its own, no .env around.
    data = tmp_path / "data"
    env.update(TCPL_DATA_DIR=str(data))

    def tcpl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(venv / "bin" / "tcpl"), *args], cwd=data.parent, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
                              timeout=120, check=False)

    for args in (["validate"], ["db", "upgrade"], ["health"]):
        out = tcpl(*args)
        assert out.returncode == 0, f"tcpl {' '.join(args)}: {out.stdout[-2000:]} {out.stderr[-2000:]}"
    imported = subprocess.run([str(venv / "bin" / "python"), "-c", "import bot.app, bot.cli.status, web.app"],
                              env=env, capture_output=True, text=True, timeout=120, check=False)
    assert imported.returncode == 0, imported.stderr[-3000:]
    # The image's command with no token and no terminal: one line, a non-zero exit, no restart loop.
    console = tcpl("run")
    assert console.returncode != 0 and "TCPL_TELEGRAM_TOKEN" in console.stderr
    assert len(console.stderr.splitlines()) == 1, console.stderr
