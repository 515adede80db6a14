"""Reading what a backend sends, robustly: one odd value never hides the rest.

The contract's rule (``api-contract.md``, "Reading what a backend sends, robustly"), applied
by every model of an answer before pydantic's own checks:

- ``null`` in a field, or a missing field, reads as "not given": the field's default (an
  empty text, no number, an empty list);
- a value of the wrong shape in an optional field reads as "not given" too;
- in a list (the jobs of a listing, the stages or assets of a job), an item that cannot be
  read is left out and every other item is kept.

Only what the model cannot do without (a job's id and status, a stage's name) makes the
whole object unreadable; the object is then itself one unreadable item of the list around
it, or an answer that breaks the contract. Each kind of problem is logged once, not on every
poll of a list that keeps it.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ValidationError, ValidatorFunctionWrapHandler

log = logging.getLogger(__name__)

_MAX_REMEMBERED = 1000  # kinds of problem remembered as logged; then the memory starts over
_logged: set[str] = set()


def without_nulls(data: Any) -> Any:
    """An object's fields without those that are ``null``, which then read as not given."""
    if isinstance(data, dict):
        return {name: value for name, value in data.items() if value is not None}
    return data


def read_forgivingly(model: type[BaseModel], data: Any,
                     handler: ValidatorFunctionWrapHandler) -> Any:
    """``handler(data)`` for ``model``, past nulls, odd optional values and unreadable items.

    Raises the ``ValidationError`` when a field the model requires cannot be read. Nulls
    need no repair here: every contract model drops them before its own checks.
    """
    try:
        return handler(data)
    except ValidationError as error:
        if not isinstance(data, dict):
            raise
        repaired = _without_unreadable(model, data, error)
        if repaired is None:
            raise
        return handler(repaired)


def _without_unreadable(model: type[BaseModel], data: dict[str, Any],
                        error: ValidationError) -> dict[str, Any] | None:
    """``data`` less each unreadable optional field and list item, or None if a required
    field is what cannot be read."""
    fields: set[str] = set()
    items: dict[str, set[int]] = {}
    for problem in error.errors():
        location = problem["loc"]
        name = location[0] if location else None
        if not isinstance(name, str) or name not in model.model_fields:
            return None
        field = model.model_fields[name]
        if len(location) > 1 and isinstance(location[1], int) and isinstance(data[name], list):
            items.setdefault(name, set()).add(location[1])
            _log_once(model, f"{name}[]", problem["msg"])
        elif not field.is_required():
            fields.add(name)
            _log_once(model, name, problem["msg"])
        else:
            return None
    repaired = {name: value for name, value in data.items() if name not in fields}
    for name, unreadable in items.items():
        if name in repaired:
            repaired[name] = [item for index, item in enumerate(repaired[name])
                              if index not in unreadable]
    return repaired


def _log_once(model: type[BaseModel], where: str, why: str) -> None:
    """Say once that the backend sent something unreadable here, and what was done."""
    key = f"{model.__name__}.{where}: {why}"
    if key in _logged:
        return
    if len(_logged) >= _MAX_REMEMBERED:
        _logged.clear()
    _logged.add(key)
    what = f"an item of {model.__name__}.{where[:-2]}" if where.endswith("[]") \
        else f"{model.__name__}.{where}"
    log.warning("Left out %s that the backend sent unreadable: %s", what, why)
