"""PlanOrder.from_row and load_orders: CSV strings in, typed orders out."""

from __future__ import annotations

from pathlib import Path

import pytest

from flashproxy_async import RequestValidationError
from flashproxy_async.bulk import PlanOrder, load_orders


def test_csv_strings_become_typed_fields_and_blank_cells_absent() -> None:
    order = PlanOrder.from_row(
        {
            "reference": " cust-1 ",
            "product": "datacenter",
            "billing_type": "time",
            "duration": "30_days",
            "mbps": "100",
            "bandwidth_gb": "",
            "pool": "  ",
        }
    )
    assert order == PlanOrder(
        reference="cust-1", product="datacenter", billing_type="time", duration="30_days", mbps=100
    )


def test_json_numbers_are_accepted_as_they_are() -> None:
    order = PlanOrder.from_row({"reference": "a", "product": "residential", "bandwidth_gb": 2.5})
    assert order.bandwidth_gb == 2.5


def test_end_user_reference_column_names_the_reference() -> None:
    order = PlanOrder.from_row({"end_user_reference": "x", "product": "residential"})
    assert order.reference == "x"


@pytest.mark.parametrize(
    ("row", "rule"),
    [
        ({"reference": "a", "product": "residential", "bandwidth_gb": "5x"}, "order.bandwidth_gb"),
        ({"reference": "a", "product": "dedicated_isp", "quantity": "1.5"}, "order.quantity"),
        ({"reference": "a", "product": "residential", "bandwidth_gb": True}, "order.bandwidth_gb"),
        ({"reference": "a", "product": "residential", "bandwith_gb": "5"}, "order.columns"),
        ({"product": "residential"}, "order.reference"),
        ({"reference": "a", "product": ""}, "order.product"),
    ],
)
def test_bad_rows_raise_a_clear_validation_error(row: dict[str, object], rule: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        PlanOrder.from_row(row)
    assert caught.value.rule == rule


def test_load_orders_reads_csv_and_names_the_bad_line(tmp_path: Path) -> None:
    good = tmp_path / "orders.csv"
    good.write_text(
        "reference,product,bandwidth_gb,pool,quantity\n"
        "a,residential,5,,\n"
        "b,dedicated_isp,,ISP_US_SNEAKERS,2\n"
    )
    assert [o.reference for o in load_orders(good)] == ["a", "b"]
    assert load_orders(good)[1].quantity == 2

    bad = tmp_path / "bad.csv"
    bad.write_text("reference,product,mbps\na,datacenter,fast\n")
    with pytest.raises(RequestValidationError, match=r"bad\.csv:2: .*mbps"):
        load_orders(bad)


def test_load_orders_reads_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_text(
        '{"reference": "a", "product": "residential", "bandwidth_gb": 1}\n\n'
        '{"reference": "b", "product": "mobile", "bandwidth_gb": 2}\n'
    )
    assert [o.product for o in load_orders(path)] == ["residential", "mobile"]
    path.write_text("[1, 2]\n")
    with pytest.raises(RequestValidationError, match="JSON object"):
        load_orders(path)


def test_load_orders_refuses_other_file_types(tmp_path: Path) -> None:
    with pytest.raises(RequestValidationError, match=r"\.csv, \.jsonl, \.ndjson or \.json"):
        load_orders(tmp_path / "orders.xlsx")


def test_load_orders_reads_a_json_array(tmp_path: Path) -> None:
    path = tmp_path / "orders.json"
    path.write_text(
        '[\n  {"reference": "a", "product": "residential", "bandwidth_gb": 1},\n'
        '  {"reference": "b", "product": "dedicated_isp", "pool": "ISP_US_SNEAKERS", '
        '"quantity": 2}\n]\n'
    )
    assert load_orders(path) == [
        PlanOrder(reference="a", product="residential", bandwidth_gb=1),
        PlanOrder(reference="b", product="dedicated_isp", pool="ISP_US_SNEAKERS", quantity=2),
    ]
    path.write_text('{"reference": "a"}')
    with pytest.raises(RequestValidationError, match="array of objects"):
        load_orders(path)
    path.write_text('[\n  {"reference": "a",\n  "product": }\n]')
    with pytest.raises(RequestValidationError, match=r"orders\.json:3: not valid JSON"):
        load_orders(path)


def test_ndjson_is_read_as_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "orders.ndjson"
    path.write_text('{"reference": "a", "product": "mobile", "bandwidth_gb": 2}\n')
    assert load_orders(path) == [PlanOrder(reference="a", product="mobile", bandwidth_gb=2)]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("orders.csv", ""),
        ("orders.csv", "reference,product,bandwidth_gb\n"),
        ("orders.jsonl", "\n\n"),
        ("orders.ndjson", ""),
        ("orders.json", "[]"),
        ("orders.json", ""),
    ],
)
def test_a_file_without_orders_is_refused(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(RequestValidationError, match="holds no orders") as caught:
        load_orders(path)
    assert caught.value.rule == "orders.empty"


def test_every_bad_row_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "reference,product,bandwidth_gb,billing_type,mbps\n"
        "ok,residential,5,,\n"
        "typo,residential,5x,,\n"
        ",,,,\n"
        "dc,datacenter,,time,\n"
        "ok,pool1,1,,\n"
        "worse,residential,,,many\n"
    )
    with pytest.raises(RequestValidationError) as caught:
        load_orders(path)
    lines = str(caught.value).splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{path}:3",
        f"{path}:5",
        f"{path}:6",
        f"{path}:7",
    ]  # fmt: skip  (line 4 is an empty row)
    assert "bandwidth_gb must be a number, got '5x'" in lines[0]
    assert "datacenter needs duration and mbps" in lines[1]
    assert "line 2 has it too" in lines[2]
    assert "mbps must be a whole number" in lines[3] and "bandwidth_gb" not in lines[3]
    assert caught.value.rule == "order.bandwidth_gb"


def test_a_row_names_all_its_problems() -> None:
    with pytest.raises(RequestValidationError) as caught:
        PlanOrder.from_row({"bandwith_gb": "5", "mbps": "x"})
    message = str(caught.value)
    assert "unknown column(s) bandwith_gb" in message
    assert "reference and product required" in message
    assert "mbps must be a whole number" in message
