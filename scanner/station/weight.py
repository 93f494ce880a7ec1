"""Where the net weight of a fill comes from. A scale that reports its reading (over a serial
port, say) is one more ``NetWeightSource``: the station asks it after an ALLOW, and records
nothing when it answers None."""

from __future__ import annotations

from typing import Protocol, TextIO

MIN_KG, MAX_KG = 0.0, 100.0  # the service's bounds for net_kg (exclusive)


class NetWeightSource(Protocol):
    def read_net_kg(self, code: str) -> float | None:
        """The net kilograms filled into ``code``; None when no fill is to be recorded."""
        ...


class FixedNetWeight:
    """The same weight for every fill, without asking (``--net-kg``: automation, tests)."""

    def __init__(self, net_kg: float):
        if not MIN_KG < net_kg < MAX_KG:
            raise ValueError(f"net weight must be between {MIN_KG:g} and {MAX_KG:g} kg")
        self.net_kg = net_kg

    def read_net_kg(self, code: str) -> float | None:
        return self.net_kg


def parse_kg(text: str) -> float | None:
    """A typed weight (``14.5``, ``14,5``, ``14.5kg``), or None when it is not one."""
    cleaned = text.strip().lower().removesuffix("kg").strip().replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if MIN_KG < value < MAX_KG else None


class KeyboardNetWeight:
    """The filler types the net weight and Enter; an empty line records no fill. Reads from
    ``stream`` (standard input, which a keyboard-wedge reader shares: its next code is not a
    weight and is asked again)."""

    PROMPT = "净重 kg（直接回车 = 不记录）/ net kg (Enter alone: do not record): "

    def __init__(self, stream: TextIO, prompt_to: TextIO, *, tries: int = 3):
        self.stream = stream
        self.prompt_to = prompt_to
        self.tries = tries

    def read_net_kg(self, code: str) -> float | None:
        for _ in range(self.tries):
            self.prompt_to.write(f"{code}  {self.PROMPT}")
            self.prompt_to.flush()
            line = self.stream.readline()
            if not line.strip():  # Enter alone, or the input has ended
                return None
            value = parse_kg(line)
            if value is not None:
                return value
            self.prompt_to.write(f"不是有效重量 / not a weight in (0, 100) kg: {line.strip()}\n")
        return None
