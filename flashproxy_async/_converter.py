"""The one cattrs converter: JSON wire data to generated models and back.

Configured once, here, with hooks for what the models cannot say themselves:
wire names that are not Python names (kept in field metadata by codegen),
strict primitives (this is a money API: ``"5"`` is not ``5``), UUIDs,
timezone-aware datetimes, and enums that tolerate values the spec has not
listed yet.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, TypeVar
from uuid import UUID, SafeUUID

import attrs
from cattrs import BaseValidationError, transform_error
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter

from ._exceptions import ResponseValidationError
from ._fast_structure import OPEN_ENUM_HOOK, STRICT_TYPE, make_fast_structure_fn
from ._model_support import EXTRA_FIELDS_SLOT, Model, OpenStrEnum

__all__ = ["converter", "structure", "unstructure"]

T = TypeVar("T")

WIRE_NAME = "wire_name"

converter = make_converter(forbid_extra_keys=False, omit_if_default=True)


def _wire_name(attribute: attrs.Attribute[Any]) -> str:
    return str(attribute.metadata.get(WIRE_NAME, attribute.name))


def _strict(expected: type[Any], accepted: tuple[type[Any], ...]) -> Any:
    def hook(value: Any, _: Any) -> Any:
        # type() rather than isinstance(): bool is an int, and must not pass as one.
        if type(value) not in accepted:
            raise TypeError(f"expected {expected.__name__}, got {type(value).__name__}")
        return expected(value) if type(value) is not expected else value

    setattr(hook, STRICT_TYPE, expected)
    return hook


converter.register_structure_hook(str, _strict(str, (str,)))
converter.register_structure_hook(int, _strict(int, (int,)))
converter.register_structure_hook(float, _strict(float, (float, int)))
converter.register_structure_hook(bool, _strict(bool, (bool,)))


# UUID(text) spends most of its 1.7 us on the checks of its other argument forms;
# this is its text branch alone (0.5 us less, a tenth of decoding a Plan).
# tests/models/test_converter_speedups.py holds it equal to UUID(text).
_UUID_SLOTS = {"int", "is_safe"} <= set(getattr(UUID, "__slots__", ()))
_new_uuid = object.__new__
_set_slot = object.__setattr__
_UNKNOWN_SAFETY = SafeUUID.unknown  # looked up once: enum member access is slow


def _uuid_from_text(text: str) -> UUID:
    if not _UUID_SLOTS:
        return UUID(text)
    if len(text) == 36:
        # The canonical form, as the API sends it: only the hyphens to drop.
        digits = text.replace("-", "")
    else:
        digits = text.replace("urn:", "").replace("uuid:", "").strip("{}").replace("-", "")
    if len(digits) != 32:
        raise ValueError("badly formed hexadecimal UUID string")
    uuid = _new_uuid(UUID)
    _set_slot(uuid, "int", int(digits, 16))
    _set_slot(uuid, "is_safe", _UNKNOWN_SAFETY)
    return uuid


def _structure_uuid(value: Any, _: Any) -> UUID:
    if type(value) is not str:
        raise TypeError(f"expected a UUID string, got {type(value).__name__}")
    return _uuid_from_text(value)


converter.register_structure_hook(UUID, _structure_uuid)
converter.register_unstructure_hook(UUID, str)


_FROMISOFORMAT_TAKES_Z = sys.version_info >= (3, 11)


def _structure_datetime(value: Any, _: Any) -> datetime:
    if type(value) is not str:
        raise TypeError(f"expected an ISO 8601 string, got {type(value).__name__}")
    parsed: datetime | None = None
    if _FROMISOFORMAT_TAKES_Z and value.endswith("Z"):
        # The API's own form, read without building a second string.
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        # datetime.fromisoformat accepts a trailing "Z" only from Python 3.11.
        text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
        parsed = datetime.fromisoformat(text)
    # The API speaks UTC; a timestamp without an offset is read as UTC.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _unstructure_datetime(value: datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


converter.register_structure_hook(datetime, _structure_datetime)
converter.register_unstructure_hook(datetime, _unstructure_datetime)


def _structure_enum(value: Any, cls: type[OpenStrEnum]) -> OpenStrEnum:
    if type(value) is not str and not isinstance(value, cls):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return cls(value)


setattr(_structure_enum, OPEN_ENUM_HOOK, True)
converter.register_structure_hook(OpenStrEnum, _structure_enum)
converter.register_unstructure_hook(OpenStrEnum, lambda member: member.value)


def _renames(cls: type[Any]) -> dict[str, Any]:
    return {
        attribute.name: override(rename=_wire_name(attribute))
        for attribute in attrs.fields(cls)
        if WIRE_NAME in attribute.metadata
    }


def _keeps_extras(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, Model)


def _slow_keeping_extras(cls: type[Any], slow: Any) -> Any:
    """cattrs' function for ``cls``, then the members no field took, kept on the model."""
    known = frozenset(_wire_name(attribute) for attribute in attrs.fields(cls))

    def structure_keeping_extras(data: Any, tp: Any) -> Any:
        obj = slow(data, tp)
        if isinstance(data, Mapping):
            extras = {key: value for key, value in data.items() if key not in known}
            if extras:
                object.__setattr__(obj, EXTRA_FIELDS_SLOT, extras)
        return obj

    return structure_keeping_extras


def _structure_fn(cls: type[Any]) -> Any:
    slow = make_dict_structure_fn(cls, converter, **_renames(cls))
    keeps = _keeps_extras(cls)
    if keeps:
        slow = _slow_keeping_extras(cls, slow)
    return make_fast_structure_fn(
        cls,
        converter.get_structure_hook,
        slow,
        _wire_name,
        extras_slot=EXTRA_FIELDS_SLOT if keeps else None,
    )


def _unstructure_fn(cls: type[Any]) -> Any:
    plain = make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True, **_renames(cls))
    if not _keeps_extras(cls):
        return plain

    def unstructure_with_extras(obj: Any) -> dict[str, Any]:
        data: dict[str, Any] = plain(obj)
        extras = getattr(obj, EXTRA_FIELDS_SLOT, None)
        if extras:
            # Written back as received: they are wire data already.
            data.update((key, value) for key, value in extras.items() if key not in data)
        return data

    return unstructure_with_extras


converter.register_structure_hook_factory(attrs.has, _structure_fn)
converter.register_unstructure_hook_factory(attrs.has, _unstructure_fn)


def _field_type(cls: Any, name: str) -> Any:
    """The type of attribute ``name`` of an attrs class, or None."""
    if not (isinstance(cls, type) and attrs.has(cls)):
        return None
    hints = typing.get_type_hints(cls)
    return hints.get(name)


def _unwrap(tp: Any) -> Any:
    """Strip ``X | None`` and take the item type of a list."""
    args = [arg for arg in typing.get_args(tp) if arg is not type(None)]
    if typing.get_origin(tp) in (list, tuple) and args:
        return args[0]
    if len(args) == 1:
        return _unwrap(args[0])
    return tp


def _wire_path(cls: Any, python_path: str, root: str) -> str:
    """Rewrite ``root.limits.in_stock`` in wire names, walking the model types."""
    if not python_path.startswith(root):
        return python_path
    current: Any = cls
    parts: list[str] = []
    for segment in python_path[len(root) :].split("."):
        if not segment:
            continue
        name, bracket, index = segment.partition("[")
        wire = name
        if isinstance(current, type) and attrs.has(current):
            for attribute in attrs.fields(current):
                if attribute.name == name:
                    wire = _wire_name(attribute)
            current = _unwrap(_field_type(current, name))
        parts.append(wire + (bracket + index if bracket else ""))
    return ".".join([root, *parts]) if parts else root


# converter.structure() dispatches on every call (0.2 us of a 6 us Plan); every hook
# is registered at import, so the hook found for a class never changes.
_hooks: dict[Any, Any] = {}


def structure(data: Any, cls: type[T], *, path: str = "data") -> T:
    """Decode wire data into ``cls``.

    Raises:
        ResponseValidationError: the data does not fit; the message and ``path``
            name the offending field by its wire name, e.g. ``data.limits.bytes_used``.
    """
    try:
        hook = _hooks.get(cls)
        if hook is None:
            hook = _hooks[cls] = converter.get_structure_hook(cls)
        result: T = hook(data, cls)
        return result
    except (BaseValidationError, ValueError, TypeError, KeyError, AttributeError) as exc:
        problems = transform_error(exc, path=path)
        first = problems[0] if problems else f"invalid value @ {path}"
        message, _, python_path = first.rpartition(" @ ")
        field_path = _wire_path(cls, python_path, path)
        details = "; ".join(
            f"{text} @ {_wire_path(cls, where, path)}"
            for text, _, where in (problem.rpartition(" @ ") for problem in problems)
        )
        raise ResponseValidationError(
            f"response does not fit {cls.__name__}: {details or message}",
            path=field_path,
            body=data,
        ) from exc


def unstructure(obj: Any) -> Any:
    """Encode a model as JSON-ready data with wire names, leaving out unset optional fields."""
    return converter.unstructure(obj)
