"""The lexicon data-file format, validated with pydantic before anything is compiled."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _clean_phrase(value: str) -> str:
    phrase = " ".join(value.split()).casefold()
    if not phrase or phrase == "*":
        raise ValueError("a phrase must not be empty")
    if "*" in phrase[:-1]:
        raise ValueError(f"{value!r}: `*` is only allowed at the end (prefix match)")
    return phrase


class ContextRule(_Strict):
    """Words (or ``@wordset`` references, ``prefix*`` words, multi-word phrases) near a match."""

    words: list[str] = Field(min_length=1)
    within: int = Field(
        default=5, ge=0, description="tokens on each side to look at; 0 means the whole field"
    )
    side: Literal["both", "before", "after"] = "both"


class ExceptionSpec(_Strict):
    """A phrase that cancels a match it covers (``bomber jacket`` cancels ``bomb``)."""

    phrase: str
    terms: list[str] | None = Field(
        default=None, description="terms it cancels; default: every term of its file"
    )

    @field_validator("phrase")
    @classmethod
    def _phrase(cls, value: str) -> str:
        return _clean_phrase(value)


class TermSpec(_Strict):
    term: str
    aliases: list[str] = Field(default_factory=list)
    category: str | None = None
    label: str | None = None
    weight: float | None = Field(default=None, ge=0.0, le=1.0)
    exceptions: list[str] = Field(default_factory=list)
    require: ContextRule | None = None
    forbid: ContextRule | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("term")
    @classmethod
    def _term(cls, value: str) -> str:
        return _clean_phrase(value)

    @field_validator("aliases", "exceptions")
    @classmethod
    def _phrases(cls, values: list[str]) -> list[str]:
        return [_clean_phrase(v) for v in values]


class Defaults(_Strict):
    category: str = "default"
    label: str | None = None
    weight: float = Field(default=0.5, ge=0.0, le=1.0)


class LexiconFile(_Strict):
    lexicon: str = Field(min_length=1, description="the lexicon's name")
    version: int = Field(default=1, ge=1)
    description: str = ""
    defaults: Defaults = Field(default_factory=Defaults)
    wordsets: dict[str, list[str]] = Field(default_factory=dict)
    exceptions: list[ExceptionSpec | str] = Field(default_factory=list)
    terms: list[TermSpec] = Field(min_length=1)
    data: dict[str, Any] = Field(default_factory=dict)
