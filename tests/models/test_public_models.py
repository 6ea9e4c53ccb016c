"""flashproxy_async.models: the public names for the generated models."""

from __future__ import annotations

import inspect
import typing

import flashproxy_async.models as public_models
from flashproxy_async import _generated

# Wire envelopes and request bodies: resource methods unwrap and build these.
PRIVATE_SUFFIXES = ("Response", "Request", "Page")
PRIVATE_NAMES = {"ErrorDetail"}


def _generated_classes() -> dict[str, object]:
    """The generated classes, and the Literal aliases single-value enums become."""
    return {
        name: obj
        for name, obj in vars(_generated.models).items()
        if (inspect.isclass(obj) and obj.__module__ == _generated.models.__name__)
        or typing.get_origin(obj) is typing.Literal
    }


def test_every_generated_data_model_and_enum_is_public() -> None:
    expected = {
        name
        for name in _generated_classes()
        if not name.endswith(PRIVATE_SUFFIXES) and name not in PRIVATE_NAMES
    }
    assert set(public_models.__all__) == expected


def test_public_names_are_the_generated_classes_themselves() -> None:
    generated = _generated_classes()
    for name in public_models.__all__:
        assert getattr(public_models, name) is generated[name]


def test_unknown_enum_values_are_accepted_and_marked() -> None:
    assert public_models.Product("residential").is_known
    novel = public_models.Product("a-product-from-a-later-spec")
    assert novel == "a-product-from-a-later-spec"
    assert not novel.is_known
