"""A reason or warning of the fill gate, or a notice of the public page: code and messages."""

from __future__ import annotations

from pydantic import BaseModel


class FindingRead(BaseModel):
    code: str
    message: str
    message_zh: str
