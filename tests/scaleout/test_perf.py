"""The Bot API answer models stay built: aiogram asks pydantic for ``Response[Message]`` on every call,
and pydantic's cache of generic models is weak, so without a strong reference the garbage collector
drops it and the next answer pays for building it again."""

from __future__ import annotations

import gc

import pydantic._internal._generics as generics
import pytest
from aiogram.client.session.base import Response
from aiogram.types import Message

from bot.perf import pin_response_models


def test_answer_models_are_not_rebuilt_after_garbage_collection(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_response_models()
    built: list[object] = []
    original = generics.create_generic_submodel

    def counting(*args: object, **kwargs: object):
        built.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(generics, "create_generic_submodel", counting)
    for _ in range(3):
        gc.collect()
        Response[Message]
        Response[bool]
        Response[Message | bool]
    assert built == []
