"""The one list of scheduled kinds (``scheduler/kinds.py``): every kind has a composer, the names are
the README's, and nothing else fills the registry (no feature module registers itself on import, no
module is imported by a name read from the environment)."""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
from pathlib import Path

from scheduler import kinds
from scheduler.compose import Kind
from scheduler.plan import TIME_FIELDS, is_scheduled

ROOT = Path(__file__).resolve().parents[2]


def readme_kinds() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| kind | who | when |") :].split("\n\n")[0]
    return re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.M)


def test_every_kind_has_a_composer_and_a_known_time() -> None:
    assert list(kinds.KINDS) == [k.name for k in kinds.ALL]
    for name, kind in kinds.KINDS.items():
        assert isinstance(kind, Kind) and kind.name == name
        assert inspect.iscoroutinefunction(kind.composer), name
        assert kind.roles and kind.roles <= {"manager", "head", "owner"}, name
        assert kind.at == "" or kind.at in TIME_FIELDS, name
        assert kind.deadline is None or kind.deadline in TIME_FIELDS, name
    assert [k for k in kinds.ALL if not is_scheduled(k)] == [
        kinds.UNREACHABLE,
        kinds.COMPOSE_FAILED,
        kinds.AUTO_APPROVED,
        kinds.CRM_HEALTH,
        kinds.CRM_RECONCILE,
    ]
    # the morning-type kinds stop at the evening (a missed morning list is not sent after it)
    assert {k.name for k in kinds.ALL if k.deadline == "evening_at"} == {
        "morning",
        "digest_morning",
        "hot_reminder",
    }


def test_the_list_is_what_the_readme_documents() -> None:
    documented = readme_kinds()
    assert documented, "README has no table of scheduled kinds"
    assert documented == [k.name for k in kinds.ALL]
    assert kinds.kind_names() == sorted(documented)


def test_a_kind_listed_twice_is_refused() -> None:
    try:
        kinds._index((kinds.MORNING, kinds.MORNING))
    except ValueError as exc:
        assert "morning" in str(exc)
    else:
        raise AssertionError("a duplicate kind was accepted")


def test_no_module_registers_a_kind_or_scans_for_them() -> None:
    """Kinds are built only in scheduler/kinds.py; no pkgutil scan, no ROP_EXTRA_KINDS."""
    offenders = []
    for path in [*ROOT.glob("handlers/*.py"), *ROOT.glob("scheduler/*.py"), *ROOT.glob("bot/*.py")]:
        if path.name == "kinds.py" and path.parent.name == "scheduler":
            continue
        source = path.read_text(encoding="utf-8")
        if "pkgutil" in source or "ROP_EXTRA_KINDS" in source:
            offenders.append(f"{path.name}: scan")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Kind":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: Kind(...)")
    assert offenders == []


def test_importing_the_features_registers_nothing_and_the_kinds_module_fills_the_registry() -> None:
    """In a fresh interpreter: the handlers import without touching the registry module; importing the
    delivery machinery brings every kind, through scheduler.kinds alone."""
    code = (
        "import sys\n"
        "import handlers, handlers.report, handlers.digest, handlers.hot\n"
        "import handlers.sales, handlers.approvals\n"
        "assert 'scheduler.kinds' not in sys.modules, 'a handler imported the kinds module'\n"
        "import scheduler.delivery\n"
        "from scheduler.kinds import KINDS\n"
        "print(','.join(sorted(KINDS)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip().split(",") == sorted(readme_kinds())


def test_a_broken_feature_module_fails_loudly(tmp_path: Path) -> None:
    """An import error in a composer's module stops the import of the kinds (and so start-up): nothing
    swallows it."""
    code = (
        "import sys, types\n"
        "broken = types.ModuleType('handlers.hot')\n"
        "def boom(name):\n"
        "    raise ImportError('handlers.hot is broken')\n"
        "broken.__getattr__ = boom\n"
        "sys.modules['handlers.hot'] = broken\n"
        "import scheduler.kinds\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "handlers.hot is broken" in out.stderr
