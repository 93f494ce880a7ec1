"""Cylinder models (型号), their fill masses, and the date arithmetic of a cylinder's life.

Every number here is a default that a deployment may replace (``CYLINDERS_MODELS_FILE``):
the regulations differ by era and by province. Verify against GB 5842-2023 before production.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class ModelSpec:
    name: str
    max_fill_kg: float
    target_kg: float | None = None
    tolerance_kg: float = 0.5
    is_banned: bool = False
    # 50 kg gas-liquid dual phase (气液双相): may not go to restaurants and crowded places.
    is_dual_phase: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LifeRule:
    """Design life for cylinders made before ``made_before`` (None: any date)."""

    made_before: date | None
    design_life_years: int
    max_extension_years: int
    inspection_interval_years: int = 4


DEFAULT_MODELS: tuple[ModelSpec, ...] = (
    ModelSpec("YSP4.7", 1.9, aliases=("YSP-2", "YSP2")),
    ModelSpec("YSP12", 5.0, aliases=("YSP-5", "YSP5")),
    ModelSpec("YSP26.2", 11.0, aliases=("YSP-10", "YSP10")),
    ModelSpec("YSP35.5", 14.9, target_kg=14.5, tolerance_kg=0.5, aliases=("YSP-15", "YSP15")),
    ModelSpec("YSP118", 49.5, aliases=("YSP-50", "YSP50")),
    ModelSpec("YSP118/49.5", 49.5),
    ModelSpec("YSP118/液/49.5", 49.5),
    # 气液双相 50 kg: banned outright under GB 5842-2023.
    ModelSpec("YSP118-II", 49.5, is_banned=True, is_dual_phase=True),
)

# GB 5842-2006 cylinders (from 2007-02-01): 8 years, once extendable by 4 after inspection.
# Older stock: 15 years, no extension.
DEFAULT_LIFE_RULES: tuple[LifeRule, ...] = (
    LifeRule(made_before=date(2007, 2, 1), design_life_years=15, max_extension_years=0),
    LifeRule(made_before=None, design_life_years=8, max_extension_years=4),
)

DUE_SOON_DAYS = 30
LIFE_ENDING_SOON_DAYS = 90


def normalize_model(text: str) -> str:
    """``ysp-35.5`` → ``YSP35.5``; ``YSP118-Ⅱ`` → ``YSP118-II``; spaces dropped."""
    folded = "".join(unicodedata.normalize("NFKC", text).split()).upper()
    return re.sub(r"^YSP-(?=\d+\.\d)", "YSP", folded)


@dataclass(frozen=True)
class ModelTable:
    models: tuple[ModelSpec, ...] = DEFAULT_MODELS
    life_rules: tuple[LifeRule, ...] = DEFAULT_LIFE_RULES
    _index: dict[str, ModelSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for spec in self.models:
            for name in (spec.name, *spec.aliases):
                self._index[normalize_model(name)] = spec

    def find(self, text: str) -> ModelSpec | None:
        return self._index.get(normalize_model(text))

    @property
    def names(self) -> list[str]:
        return [spec.name for spec in self.models]

    def life_rule(self, manufactured_on: date) -> LifeRule:
        for rule in self.life_rules:
            if rule.made_before is None or manufactured_on < rule.made_before:
                return rule
        return self.life_rules[-1]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelTable:
        """Build from configuration (``{"models": [...], "life_rules": [...]}``)."""
        models = tuple(
            ModelSpec(**{**m, "aliases": tuple(m.get("aliases", ()))}) for m in data["models"]
        )
        rules = (
            tuple(
                replace(
                    LifeRule(None, 0, 0),
                    **{
                        **r,
                        "made_before": date.fromisoformat(r["made_before"])
                        if r.get("made_before")
                        else None,
                    },
                )
                for r in data.get("life_rules", [])
            )
            or DEFAULT_LIFE_RULES
        )
        return cls(models, rules)


def add_years(day: date, years: int) -> date:
    """``day`` plus whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def scrap_date(manufactured_on: date, design_life_years: int, extension_years: int = 0) -> date:
    """The last day the cylinder may be filled: manufacture + design life (+ extension)."""
    return add_years(manufactured_on, design_life_years + extension_years)


def default_next_due(
    manufactured_on: date, last_inspected_on: date | None, interval_years: int
) -> date:
    """Periodic inspection (定期检验) falls ``interval_years`` after the last one, or after
    manufacture when there has been none."""
    return add_years(last_inspected_on or manufactured_on, interval_years)
