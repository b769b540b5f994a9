"""The production profile: refuses to start without a secret, passes `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LOUYU_", "SECRET_KEY"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


class ProductionProfileTests:
    def test_it_refuses_to_start_without_a_secret_key(self, tmp_path):
        result = manage("check", LOUYU_PROFILE="production", LOUYU_VAR_DIR=str(tmp_path))
        assert result.returncode != 0
        assert "SECRET_KEY must be set" in result.stderr

    def test_it_passes_the_deploy_checks(self, tmp_path):
        result = manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            LOUYU_PROFILE="production",
            LOUYU_VAR_DIR=str(tmp_path),
            SECRET_KEY="k" * 20 + "-production-secret-" + "q7Z!x9" * 6,
            ALLOWED_HOSTS="louyu.example.gov.cn",
        )
        assert result.returncode == 0, result.stderr
        assert "no issues" in result.stdout


class DemoProfileTests:
    def test_it_generates_and_keeps_a_secret_key(self, tmp_path):
        assert manage("check", LOUYU_VAR_DIR=str(tmp_path)).returncode == 0
        key = (tmp_path / "secret_key").read_text()
        assert len(key) >= 50
        assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
        assert manage("check", LOUYU_VAR_DIR=str(tmp_path)).returncode == 0
        assert (tmp_path / "secret_key").read_text() == key
