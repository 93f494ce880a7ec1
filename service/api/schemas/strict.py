"""The base of every request body: strict, so that bad input is a clear 422."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(isinstance(item, str) and "\x00" in item for item in value)
    return False


class Strict(BaseModel):
    """Every request body: unknown fields refused, no infinities, no NUL characters anywhere
    (PostgreSQL's text cannot hold one, and no label, ledger or person types one)."""

    model_config = ConfigDict(extra="forbid", str_max_length=200, allow_inf_nan=False)

    @model_validator(mode="after")
    def _refuse_nul(self) -> Strict:
        # Only this model's own text and lists of text: nested models check themselves, so
        # a 5,000-row batch is looked at once, after pydantic's fast JSON parsing.
        if any(_has_nul(value) for value in self.__dict__.values()):
            raise PydanticCustomError(
                "nul_character",
                "文本中不能有 NUL 字符 / text may not contain the NUL character (U+0000)",
            )
        return self
