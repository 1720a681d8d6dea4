"""The suite treats a warning as an error (pyproject's filterwarnings), so none goes by unnoticed."""

from __future__ import annotations

import warnings

import pytest


def test_a_warning_raised_in_a_test_is_an_error() -> None:
    with pytest.raises(UserWarning, match="nobody reads warnings"):
        warnings.warn("nobody reads warnings", UserWarning, stacklevel=1)


def test_a_deprecation_is_an_error_too() -> None:
    with pytest.raises(DeprecationWarning):
        warnings.warn("old API", DeprecationWarning, stacklevel=1)
