"""forecast/engine/pages.py: a run gives numpy no huge-page advice (fresh huge pages made the kernel compact
memory synchronously: 3.5 s of a 10,000-draw run's system time), restores numpy's setting after it, and
leaves a user's own NUMPY_MADVISE_HUGEPAGE alone; the numbers do not depend on it."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.engine.pages import _advice_setter, ordinary_pages

#: numpy's switch (every numpy the project supports, 1.26 and later, has it)
setter = _advice_setter()


def test_numpy_has_the_switch():
    assert callable(setter)


def _advice() -> bool:
    current = setter(True)
    setter(current)
    return current


@pytest.mark.parametrize("before", [True, False])
def test_a_run_turns_the_advice_off_and_restores_it(monkeypatch, before):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    setter(before)
    try:
        with ordinary_pages():
            assert _advice() is False
        assert _advice() is before
        with pytest.raises(RuntimeError):
            with ordinary_pages():
                raise RuntimeError("a run failed")
        assert _advice() is before
    finally:
        setter(True)


def test_a_users_own_setting_is_left_as_chosen(monkeypatch):
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    setter(True)
    with ordinary_pages():
        assert _advice() is True


def test_the_numbers_do_not_depend_on_the_pages():
    import forecast

    setter(True)
    advised = forecast.run("baseline", draws=30, seed=5)
    with ordinary_pages():
        plain = forecast.run("baseline", draws=30, seed=5)
    for name in ("income", "expenditure", "reserve", "insured"):
        np.testing.assert_array_equal(plain[name].values, advised[name].values, err_msg=name)
