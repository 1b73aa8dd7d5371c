"""aiogram's pydantic models built on first use instead of all at import (``python -m bot`` applies it).

``import aiogram`` builds a validator and a serializer for every Bot API type and method at once, most
of them for types and methods this bot never receives or calls: ``import aiogram`` adds 153 MB of
resident memory that way and 36 MB this way, and the bot serving 10,000 members peaks at 260 MB instead
of 161 MB (``bench/memory.py``, 2-core machine, November 2026).

* The ~400 types are declared with ``defer_build=True``; only a loop at the end of ``aiogram.types``
  forces them (``model_rebuild`` over ``__all__``; aiogram issue #1513). During that loop our
  ``model_rebuild`` only hands each type's module the names its annotations use (they are imported under
  ``TYPE_CHECKING`` there), so that pydantic resolves them whenever it builds the type later.
* The ~190 methods are built as their classes are created. ``TelegramMethod`` (their base, in
  ``aiogram.methods.base``) gets ``defer_build=True`` right after its module runs, before any method
  class is created, and the methods inherit it.

A type or method is then built the first time it is validated, created or sent: a few milliseconds once.
Every other ``model_rebuild`` is left alone. ``bench/memory.py`` measures the process that runs it;
``ROP_LEAN_IMPORTS=0`` turns it off (then ``import aiogram`` builds everything, as upstream does).

This leans on pydantic's private ``model_rebuild`` parameters (``_parent_namespace_depth``,
``_types_namespace``), so it is tested against one range of pydantic (``TESTED_PYDANTIC``, the range
``pyproject.toml`` declares; ``tests/scaleout/test_lean.py``). On any other pydantic, or if
``model_rebuild`` changed its parameters, it installs nothing and warns once: the bot runs with eager
builds, upstream's behaviour, using more memory but nothing else.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import inspect
import os
import re
import sys
import warnings
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

ENV = "ROP_LEAN_IMPORTS"
#: pydantic versions this is tested against, [from, to): keep in step with pyproject.toml's dependency
TESTED_PYDANTIC = ((2, 13), (2, 14))
_REBUILD_PARAMETERS = {"force", "raise_errors", "_parent_namespace_depth", "_types_namespace"}
_METHODS_BASE = "aiogram.methods.base"
_NAME = re.compile(r"[A-Za-z_]\w*")


def enabled(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get(ENV, "1").strip() != "0"


def defer_aiogram_models() -> bool:
    """Install the deferral; False when aiogram is imported already (then it is too late)."""
    if any(name == "aiogram" or name.startswith("aiogram.") for name in sys.modules):
        return False
    import pydantic

    original = pydantic.BaseModel.model_rebuild.__func__  # type: ignore[attr-defined]  # the classmethod's function
    if getattr(original, "_rop_lean", False):
        return True
    reason = unsupported(pydantic.VERSION, original)
    if reason is not None:
        warnings.warn(
            f"lean imports are off: {reason}; aiogram's models are built at import "
            f"(more memory, nothing else; {ENV}=0 silences this)",
            RuntimeWarning,
            stacklevel=2,
        )
        return False

    def model_rebuild(
        cls: type[pydantic.BaseModel],
        *,
        force: bool = False,
        raise_errors: bool = True,
        _parent_namespace_depth: int = 2,
        _types_namespace: Mapping[str, Any] | None = None,
    ) -> bool | None:
        if _types_namespace is not None and cls.__module__.startswith("aiogram.types."):
            _lend_names(cls, _types_namespace)
            return None
        built: bool | None = original(
            cls,
            force=force,
            raise_errors=raise_errors,
            # pydantic reads the caller's frame at this depth: count this wrapper's frame too
            _parent_namespace_depth=_parent_namespace_depth + 1 if _parent_namespace_depth > 0 else 0,
            _types_namespace=_types_namespace,
        )
        return built

    model_rebuild._rop_lean = True  # type: ignore[attr-defined]  # a mark on the function, read back above
    pydantic.BaseModel.model_rebuild = classmethod(model_rebuild)  # type: ignore[assignment]  # the patch itself
    sys.meta_path.insert(0, _DeferMethods())
    return True


def unsupported(version: str, model_rebuild: Any) -> str | None:
    """Why the deferral cannot be trusted with this pydantic; None when it can."""
    (low, high), found = TESTED_PYDANTIC, tuple(int(n) for n in re.findall(r"\d+", version)[:2])
    if not low <= found < high:
        return f"pydantic {version} is outside the tested {low[0]}.{low[1]} to below {high[0]}.{high[1]}"
    try:
        parameters = set(inspect.signature(model_rebuild).parameters)
    except (TypeError, ValueError):
        parameters = set()
    if not _REBUILD_PARAMETERS.issubset(parameters):
        return f"pydantic {version}'s BaseModel.model_rebuild has other parameters"
    return None


def _lend_names(cls: type, namespace: Mapping[str, Any]) -> None:
    """Put into the module of ``cls`` the names of ``namespace`` that its annotations, and those of the
    bases it inherits fields from, mention (pydantic resolves inherited fields in the subclass's module)."""
    module = sys.modules[cls.__module__].__dict__
    for owner in cls.__mro__:
        annotations = vars(owner).get("__annotations__", {})
        for name in set(_NAME.findall(" ".join(map(str, annotations.values())))):
            if name in namespace and name not in module:
                module[name] = namespace[name]


class _DeferMethods(importlib.abc.MetaPathFinder):
    """Finds ``aiogram.methods.base`` as usual and, once it has run, makes ``TelegramMethod`` deferred."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _METHODS_BASE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            config = getattr(getattr(module, "TelegramMethod", None), "model_config", None)
            if isinstance(config, dict):  # else aiogram changed: its methods are built eagerly
                config["defer_build"] = True

        loader.exec_module = exec_module  # type: ignore[method-assign]  # patching this one loader
        return spec
