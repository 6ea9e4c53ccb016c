"""PlanOrder and reading orders from CSV or JSONL files."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from .._exceptions import RequestValidationError
from .._plan_fields import CREATE_PLAN_FIELDS, PlanField

__all__ = ["PlanOrder", "create_kwargs", "load_orders"]


@attrs.frozen
class PlanOrder:
    """One plan to buy in a bulk job.

    ``reference`` identifies the order within the job and is sent as the plan's
    ``end_user_reference``; the other fields are the create-plan parameters
    (see ``client.plans.create``). Unset fields are not sent.
    """

    reference: str
    product: str
    bandwidth_gb: float | None = None
    duration: str | None = None
    billing_type: str | None = None
    mbps: int | None = None
    bandwidth_mbps: int | None = None
    location: str | None = None
    quantity: int | None = None
    pool: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> PlanOrder:
        """Build an order from a CSV, JSONL or JSON row.

        CSV cells are strings: numbers are parsed, and blank cells count as absent.
        JSON values may already be numbers. An ``end_user_reference`` column is
        accepted in place of ``reference``.

        Raises:
            RequestValidationError: a missing ``reference`` or ``product``, an
                unknown column, or a value of the wrong type; every problem of the
                row is named at once, and ``rule`` is the first one's.
        """
        values = {str(key).strip(): value for key, value in row.items() if not _is_blank(value)}
        if "end_user_reference" in values and "reference" not in values:
            values["reference"] = values.pop("end_user_reference")
        label = f"order {values.get('reference')!r}" if "reference" in values else "order"
        problems: list[tuple[str, str]] = []
        unknown = sorted(set(values) - set(_PARSERS))
        if unknown:
            problems.append(
                (
                    f"unknown column(s) {', '.join(unknown)}; expected some of "
                    f"{', '.join(_PARSERS)}",
                    "order.columns",
                )
            )
        missing = [name for name in ("reference", "product") if name not in values]
        if missing:
            problems.append((f"{' and '.join(missing)} required", f"order.{missing[0]}"))
        parsed: dict[str, Any] = {}
        for name, value in values.items():
            if name in _PARSERS:
                try:
                    parsed[name] = _PARSERS[name](name, value)
                except _BadValue as exc:
                    problems.append((str(exc), f"order.{name}"))
        if problems:
            raise RequestValidationError(
                f"{label}: " + "; ".join(text for text, _ in problems), rule=problems[0][1]
            )
        return cls(**parsed)


class _BadValue(ValueError):
    pass


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _BadValue(f"{name} must be text, got {value!r}")
    return value.strip()


def _integer(name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _BadValue(f"{name} must be a whole number, got {value!r}")


def _number(name: str, value: Any) -> float:
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise _BadValue(f"{name} must be a number, got {value!r}")
    return number


def _parser_of(field: PlanField) -> Callable[[str, Any], Any]:
    if field.kind is float:
        return _number
    if field.kind is int:
        return _integer
    # Enum values stay text here: plans.create checks them, naming the allowed values.
    return _text


#: Column -> cell parser: ``reference``, then one column per create-plan field of
#: the spec (``end_user_reference`` is the order's ``reference``).
_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "reference": _text,
    **{
        field.name: _parser_of(field)
        for field in CREATE_PLAN_FIELDS
        if field.name != "end_user_reference"
    },
}


def create_kwargs(order: PlanOrder) -> dict[str, Any]:
    """The keyword arguments of ``client.plans.create`` for this order."""
    kwargs = {
        field.name: getattr(order, field.name)
        for field in attrs.fields(PlanOrder)
        if field.name != "reference" and getattr(order, field.name) is not None
    }
    kwargs["end_user_reference"] = order.reference
    return kwargs


def load_orders(path: str | Path) -> list[PlanOrder]:
    """Read a job's orders from a file, checking every row before returning.

    Formats, by suffix: ``.csv`` (a header row, then one order a row), ``.jsonl`` or
    ``.ndjson`` (one JSON object a line) and ``.json`` (an array of objects). Each
    row is checked as :func:`validate_orders` would check the job (columns, types,
    product rules, unique references), and every bad row is reported at once.

    Raises:
        RequestValidationError: the file type is unknown, the file holds no orders,
            or rows are bad. The message has one line per problem, each starting
            ``path:line:``; ``rule`` is the first problem's.
        OSError: the file cannot be read.
    """
    path = Path(path)
    rows = _read_rows(path)
    problems: list[tuple[int, str, str | None]] = []
    orders: list[PlanOrder] = []
    first_line: dict[str, int] = {}
    for number, row in rows:
        if (
            all(_is_blank(value) for key, value in row.items() if key is not None)
            and None not in row
        ):
            continue  # a spreadsheet's empty row
        try:
            order = _checked_order(row)
        except RequestValidationError as exc:
            problems.append((number, str(exc), exc.rule))
            continue
        if order.reference in first_line:
            problems.append(
                (
                    number,
                    f"order {order.reference!r}: references must be unique within a job; "
                    f"line {first_line[order.reference]} has it too",
                    "order.reference.unique",
                )
            )
            continue
        first_line[order.reference] = number
        orders.append(order)
    if problems:
        raise RequestValidationError(
            "\n".join(f"{path}:{number}: {text}" for number, text, _ in problems),
            rule=problems[0][2],
        )
    if not orders:
        raise RequestValidationError(f"{path}: the file holds no orders", rule="orders.empty")
    return orders


def _checked_order(row: Mapping[str, Any]) -> PlanOrder:
    if None in row:
        raise RequestValidationError("more cells than header columns", rule="order.columns")
    order = PlanOrder.from_row(row)
    from ._validate import validate_orders  # a cycle at import time: _validate uses this

    validate_orders([order])
    return order


_Rows = list[tuple[int, Mapping[str, Any]]]


def _read_rows(path: Path) -> _Rows:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return [(number, row) for number, row in enumerate(csv.DictReader(handle), start=2)]
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl_rows(path)
    if suffix == ".json":
        return _json_array_rows(path)
    raise RequestValidationError(
        f"{path}: orders must be a .csv, .jsonl, .ndjson or .json file", rule="orders.file_type"
    )


def _object(path: Path, number: int, row: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(row, dict):
        raise RequestValidationError(
            f"{path}:{number}: {what} must be a JSON object", rule="orders.json"
        )
    return row


def _jsonl_rows(path: Path) -> _Rows:
    rows: _Rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise RequestValidationError(
                    f"{path}:{number}: not valid JSON ({exc.msg})", rule="orders.json"
                ) from None
            rows.append((number, _object(path, number, row, "each line")))
    return rows


def _json_array_rows(path: Path) -> _Rows:
    """The objects of a JSON array, each with the line it starts on."""
    text = path.read_text(encoding="utf-8-sig")
    try:
        whole = json.loads(text) if text.strip() else []
    except json.JSONDecodeError as exc:
        raise RequestValidationError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg})", rule="orders.json"
        ) from None
    if not isinstance(whole, list):
        raise RequestValidationError(
            f"{path}:1: a .json orders file is an array of objects", rule="orders.json"
        )
    if not whole:
        return []
    # json.loads keeps no positions: walk the array's items once more to find their lines.
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    rows: _Rows = []
    for item in whole:
        while text[position] in " \t\r\n,":
            position += 1
        number = text.count("\n", 0, position) + 1
        _, position = decoder.raw_decode(text, position)
        rows.append((number, _object(path, number, item, "each item")))
    return rows
