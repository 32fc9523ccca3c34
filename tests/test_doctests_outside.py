"""The doctests of the code installed under koshtorys.addin and koshtorys.udfs (their
folders are not under koshtorys/, so --doctest-modules does not reach them)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["koshtorys.addin.live", "koshtorys.udfs.functions"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests_pass(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
