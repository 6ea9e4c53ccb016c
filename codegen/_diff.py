"""What changed between two versions of openapi.json, classed by its effect on SDK users.

Breaking, for someone who upgrades the SDK and keeps their code:

- a removed operation, parameter, request body, model, field or enum value (the
  method, argument, attribute or enum member they use is gone);
- a newly required parameter, request body or request field (their call lacks it);
- a changed type (their values or annotations no longer fit);
- a response field that becomes optional or nullable (their code may meet ``None``);
- a request field that may no longer be null;
- a removed success status.

Not breaking: anything added that is optional, a new enum value (request enums
widen; response enums are :class:`OpenStrEnum`, which tolerates unknown values),
a new response status, a moved path, a deprecation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ._diff_constraints import constraint_changes
from ._spec_walk import (
    REQUEST,
    RESPONSE,
    FieldInfo,
    Json,
    Operation,
    constraints_of,
    describe,
    fields,
    json_schema,
    operations,
    parameters,
    resolve,
    schema_sides,
)

ADDED = "Added"
CHANGED = "Changed"
REMOVED = "Removed"
SECTIONS = (ADDED, CHANGED, REMOVED)
BOTH_SIDES = frozenset({REQUEST, RESPONSE})


@dataclass(frozen=True)
class Change:
    """One difference, with its CHANGELOG section and whether it breaks SDK users."""

    kind: str
    section: str
    breaking: bool
    text: str


@dataclass(frozen=True)
class SpecDiff:
    """Every change from ``old_version`` to ``new_version``, in report order."""

    old_version: str
    new_version: str
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        """The changes that break SDK users."""
        return [change for change in self.changes if change.breaking]


def diff_specs(old: Json, new: Json) -> SpecDiff:
    """Compare two parsed OpenAPI documents."""
    old_version = str(old.get("info", {}).get("version", "?"))
    new_version = str(new.get("info", {}).get("version", "?"))
    changes: list[Change] = []
    if old_version != new_version:
        changes.append(
            Change(
                "spec-version",
                CHANGED,
                False,
                f"Models regenerated from FlashProxy Reseller API spec {new_version} "
                f"(was {old_version}).",
            )
        )
    changes += _operation_changes(old, new)
    changes += _schema_changes(old, new)
    return SpecDiff(old_version, new_version, changes)


def _operation_changes(old: Json, new: Json) -> list[Change]:
    old_ops, new_ops = operations(old), operations(new)
    changes = [
        Change("operation-added", ADDED, False, f"Operation `{key}` (`{new_ops[key].where}`).")
        for key in sorted(new_ops.keys() - old_ops.keys())
    ]
    changes += [
        Change("operation-removed", REMOVED, True, f"Operation `{key}` (`{old_ops[key].where}`).")
        for key in sorted(old_ops.keys() - new_ops.keys())
    ]
    for key in sorted(old_ops.keys() & new_ops.keys()):
        before, after = old_ops[key], new_ops[key]
        if before.where != after.where:
            text = f"`{key}` moved from `{before.where}` to `{after.where}`."
            changes.append(Change("operation-moved", CHANGED, False, text))
        if after.node.get("deprecated") and not before.node.get("deprecated"):
            changes.append(
                Change("operation-deprecated", CHANGED, False, f"`{key}` is deprecated.")
            )
        changes += _parameter_changes(old, new, before, after)
        changes += _request_body_changes(old, new, before, after)
        changes += _response_changes(old, new, before, after)
    return changes


def _parameter_info(param: Json) -> FieldInfo:
    schema = param.get("schema", {})
    enum = schema.get("enum")
    return FieldInfo(
        type=describe(schema),
        required=bool(param.get("required")),
        nullable=bool(schema.get("nullable")),
        enum=tuple(str(value) for value in enum) if enum else None,
        constraints=constraints_of(schema),
        deprecated=bool(param.get("deprecated") or schema.get("deprecated")),
    )


def _parameter_changes(old: Json, new: Json, before: Operation, after: Operation) -> list[Change]:
    old_params, new_params = parameters(old, before), parameters(new, after)
    changes: list[Change] = []

    def subject(key: str) -> str:
        where, name = key.split(":", 1)
        return f"`{after.key}` {where} parameter `{name}`"

    renamed = _likely_renames(
        old_params.keys() - new_params.keys(), new_params.keys() - old_params.keys()
    )
    for old_key, new_key in renamed:
        text = (
            f"{subject(old_key)} was removed and `{new_key.split(':', 1)[1]}` added: "
            "likely a rename."
        )
        changes.append(Change("parameter-renamed", CHANGED, True, text))
    renamed_keys = {key for pair in renamed for key in pair}
    for key in sorted(new_params.keys() - old_params.keys() - renamed_keys):
        if new_params[key].get("required"):
            text = f"{subject(key)} is new and required."
            changes.append(Change("parameter-added-required", CHANGED, True, text))
        else:
            changes.append(Change("parameter-added", ADDED, False, f"{subject(key)} (optional)."))
    for key in sorted(old_params.keys() - new_params.keys() - renamed_keys):
        changes.append(Change("parameter-removed", REMOVED, True, f"{subject(key)}."))
    for key in sorted(old_params.keys() & new_params.keys()):
        changes += _field_changes(
            "parameter",
            subject(key),
            _parameter_info(old_params[key]),
            _parameter_info(new_params[key]),
            frozenset({REQUEST}),
        )
    return changes


def _likely_renames(removed: set[str], added: set[str]) -> list[tuple[str, str]]:
    """One parameter gone and one new in the same place (query, path...): a rename."""
    pairs = []
    for place in sorted({key.split(":", 1)[0] for key in removed}):
        gone = [key for key in removed if key.startswith(f"{place}:")]
        new = [key for key in added if key.startswith(f"{place}:")]
        if len(gone) == 1 and len(new) == 1:
            pairs.append((gone[0], new[0]))
    return pairs


def _request_body_changes(
    old: Json, new: Json, before: Operation, after: Operation
) -> list[Change]:
    old_body = resolve(old, before.node.get("requestBody", {}))
    new_body = resolve(new, after.node.get("requestBody", {}))
    subject = f"`{after.key}` request body"
    if not old_body and not new_body:
        return []
    if not old_body:
        if new_body.get("required"):
            return [Change("request-body-added-required", CHANGED, True, f"{subject} is required.")]
        return [Change("request-body-added", ADDED, False, f"{subject} (optional).")]
    if not new_body:
        return [Change("request-body-removed", REMOVED, True, f"{subject}.")]
    changes: list[Change] = []
    if new_body.get("required") and not old_body.get("required"):
        changes.append(
            Change("request-body-required", CHANGED, True, f"{subject} is now required.")
        )
    changes += _payload_changes(
        old, new, json_schema(old, old_body), json_schema(new, new_body), subject, REQUEST
    )
    return changes


def _response_changes(old: Json, new: Json, before: Operation, after: Operation) -> list[Change]:
    old_responses = before.node.get("responses", {})
    new_responses = after.node.get("responses", {})
    added = sorted(new_responses.keys() - old_responses.keys())
    removed = sorted(old_responses.keys() - new_responses.keys())
    changes: list[Change] = []
    gone_2xx = [status for status in removed if status.startswith("2")]
    new_2xx = [status for status in added if status.startswith("2")]
    if gone_2xx and new_2xx:
        # The SDK accepts any 2xx, so trading one success status for another is safe.
        text = (
            f"`{after.key}` answers {', '.join(new_2xx)} instead of {', '.join(gone_2xx)} "
            "on success (the SDK accepts any 2xx)."
        )
        changes.append(Change("success-status-changed", CHANGED, False, text))
        added = [status for status in added if status not in new_2xx]
        removed = [status for status in removed if status not in gone_2xx]
    changes += [
        Change("status-added", ADDED, False, f"`{after.key}` documents status {status}.")
        for status in added
    ]
    changes += [
        Change(
            "status-removed",
            REMOVED,
            status.startswith("2"),
            f"`{after.key}` no longer documents status {status}.",
        )
        for status in removed
    ]
    for status in sorted(old_responses.keys() & new_responses.keys()):
        changes += _payload_changes(
            old,
            new,
            json_schema(old, old_responses[status]),
            json_schema(new, new_responses[status]),
            f"`{after.key}` {status} response",
            RESPONSE,
        )
    return changes


def _payload_changes(
    old: Json, new: Json, before: Json | None, after: Json | None, subject: str, side: str
) -> list[Change]:
    """A request or response body: its type, or its fields when it is inline."""
    old_type = describe(before) if before is not None else "no body"
    new_type = describe(after) if after is not None else "no body"
    if old_type != new_type:
        text = f"{subject} type changed from `{old_type}` to `{new_type}`."
        return [Change("payload-type-changed", CHANGED, True, text)]
    if before is None or after is None or "$ref" in before:
        return []
    return _fields_changes(
        fields(old, before),
        fields(new, after),
        lambda path: f"{subject} `{path}`",
        frozenset({side}),
    )


def _schema_changes(old: Json, new: Json) -> list[Change]:
    old_schemas = old.get("components", {}).get("schemas", {})
    new_schemas = new.get("components", {}).get("schemas", {})
    changes = [
        Change("model-added", ADDED, False, f"Model `{name}`.")
        for name in sorted(new_schemas.keys() - old_schemas.keys())
    ]
    changes += [
        Change("model-removed", REMOVED, True, f"Model `{name}`.")
        for name in sorted(old_schemas.keys() - new_schemas.keys())
    ]
    old_sides, new_sides = schema_sides(old), schema_sides(new)
    for name in sorted(old_schemas.keys() & new_schemas.keys()):
        # A model no operation reaches could be used either way; assume the worst.
        sides = frozenset(old_sides[name] | new_sides[name]) or BOTH_SIDES
        before, after = old_schemas[name], new_schemas[name]
        if before.get("properties") or after.get("properties") or "allOf" in after:
            changes += _fields_changes(
                fields(old, before),
                fields(new, after),
                _model_field(name),
                sides,
            )
            continue
        old_enum, new_enum = before.get("enum"), after.get("enum")
        changes += _field_changes(
            "model",
            f"`{name}`",
            FieldInfo(describe(before), True, bool(before.get("nullable")), _values(old_enum)),
            FieldInfo(describe(after), True, bool(after.get("nullable")), _values(new_enum)),
            sides,
        )
    return changes


def _model_field(model: str) -> Callable[[str], str]:
    return lambda path: f"`{model}.{path}`"


def _values(enum: list[object] | None) -> tuple[str, ...] | None:
    return tuple(str(value) for value in enum) if enum else None


def _fields_changes(
    before: dict[str, FieldInfo],
    after: dict[str, FieldInfo],
    subject_of: Callable[[str], str],
    sides: frozenset[str],
) -> list[Change]:
    changes: list[Change] = []
    for path in sorted(after.keys() - before.keys()):
        if after[path].required and REQUEST in sides:
            text = f"{subject_of(path)} is a new required request field."
            changes.append(Change("field-added-required", CHANGED, True, text))
        else:
            detail = "required" if after[path].required else "optional"
            text = f"{subject_of(path)} ({detail} {'/'.join(sorted(sides))} field)."
            changes.append(Change("field-added", ADDED, False, text))
    for path in sorted(before.keys() - after.keys()):
        changes.append(Change("field-removed", REMOVED, True, f"{subject_of(path)} field."))
    for path in sorted(before.keys() & after.keys()):
        changes += _field_changes("field", subject_of(path), before[path], after[path], sides)
    return changes


def _field_changes(
    what: str, subject: str, before: FieldInfo, after: FieldInfo, sides: frozenset[str]
) -> list[Change]:
    """Type, required, nullable and enum changes of one parameter, field or model."""
    changes: list[Change] = []
    if before.type != after.type:
        text = f"{subject} type changed from `{before.type}` to `{after.type}`."
        changes.append(Change(f"{what}-type-changed", CHANGED, True, text))
    if after.required != before.required:
        # Required binds the sender: new duty for requests, lost guarantee for responses.
        breaking = REQUEST in sides if after.required else RESPONSE in sides
        state = "required" if after.required else "optional"
        text = f"{subject} is now {state}."
        changes.append(Change(f"{what}-required-changed", CHANGED, breaking, text))
    if after.nullable != before.nullable:
        breaking = RESPONSE in sides if after.nullable else REQUEST in sides
        text = f"{subject} {'may now be' if after.nullable else 'may no longer be'} null."
        changes.append(Change(f"{what}-nullable-changed", CHANGED, breaking, text))
    changes += _enum_changes(subject, before.enum, after.enum, sides)
    if before.type == after.type:  # a new type's bounds are part of the type change
        changes += [
            Change(kind, CHANGED, breaking, text)
            for kind, breaking, text in constraint_changes(
                subject, before.constraints, after.constraints, sides
            )
        ]
    if after.deprecated and not before.deprecated:
        changes.append(Change(f"{what}-deprecated", CHANGED, False, f"{subject} is deprecated."))
    return changes


def _enum_changes(
    subject: str,
    before: tuple[str, ...] | None,
    after: tuple[str, ...] | None,
    sides: frozenset[str],
) -> list[Change]:
    if before is None and after is None:
        return []
    if before is None:
        text = f"{subject} is now restricted to the values {_listed(after or ())}."
        return [Change("enum-introduced", CHANGED, REQUEST in sides, text)]
    if after is None:
        text = f"{subject} is no longer restricted to enum values."
        return [Change("enum-lifted", CHANGED, False, text)]
    changes: list[Change] = []
    added = [value for value in after if value not in before]
    removed = [value for value in before if value not in after]
    if added:
        noun = "value" if len(added) == 1 else "values"
        text = f"{subject}: new enum {noun} {_listed(added)}."
        changes.append(Change("enum-value-added", ADDED, False, text))
    if removed:
        noun = "value" if len(removed) == 1 else "values"
        text = f"{subject}: enum {noun} {_listed(removed)}."
        changes.append(Change("enum-value-removed", REMOVED, True, text))
    return changes


def _listed(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{value}`" for value in values)
