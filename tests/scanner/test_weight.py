"""The net weight of a fill: typed by the filler, or given once by ``--net-kg``."""

from __future__ import annotations

import io

import pytest

from scanner.station.weight import FixedNetWeight, KeyboardNetWeight, parse_kg


@pytest.mark.parametrize(
    ("typed", "kg"),
    [("14.5", 14.5), ("14,5", 14.5), (" 15kg ", 15.0), ("0", None), ("100", None), ("abc", None)],
)
def test_reads_a_typed_weight(typed: str, kg: float | None) -> None:
    assert parse_kg(typed) == kg


def test_asks_again_for_a_weight_and_enter_alone_records_nothing() -> None:
    prompts = io.StringIO()
    keyboard = KeyboardNetWeight(io.StringIO("HTTPS://CYL/C/X\n14.9\n\n"), prompts)
    assert keyboard.read_net_kg("7KQM") == 14.9
    assert keyboard.read_net_kg("7KQM") is None
    assert "不是有效重量" in prompts.getvalue()
    assert "净重 kg" in prompts.getvalue()
    assert FixedNetWeight(14.5).read_net_kg("any") == 14.5
    with pytest.raises(ValueError):
        FixedNetWeight(0)
