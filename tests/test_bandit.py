"""`bandit -r marketplace` (run by `make lint`) finds nothing: each finding left is explained beside its `# nosec`."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_bandit_finds_nothing():
    bandit = Path(sys.executable).with_name("bandit")
    result = subprocess.run(
        [str(bandit), "-q", "-r", "marketplace", "-f", "custom", "--msg-template", "{relpath}:{line}: {test_id} {msg}"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
