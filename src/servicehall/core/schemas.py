"""Shared field types for the API's input schemas (issue 12): an id the database can hold, and
strings bounded by their model column, so a bad value answers 422 and never reaches the
database (no DataError on PostgreSQL, no 100,000 characters silently stored on SQLite)."""

from typing import Annotated

from ninja import Field, Schema

MAX_DB_INT = 2_147_483_647  # what an id column holds on every database

# a primary key in a path or a body: 1 … 2³¹-1
DbId = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
# a whole number stored in an integer column
DbInt = Annotated[int, Field(ge=-MAX_DB_INT - 1, le=MAX_DB_INT)]
# a PositiveSmallIntegerField (a window's number)
SmallNumber = Annotated[int, Field(ge=0, le=32767)]


def column(model, name: str) -> int:
    """The max_length of model.name, so a schema follows its column when the model changes."""
    return model._meta.get_field(name).max_length


def Text(model, name: str):  # noqa: N802 — reads as a type in a schema
    """A string no longer than the column model.name."""
    return Annotated[str, Field(max_length=column(model, name))]


def Short(length: int):  # noqa: N802
    """A string with no column behind it (a key, a token, a search term), bounded anyway."""
    return Annotated[str, Field(max_length=length)]


class RateLimitedOut(Schema):
    """429 over a rate limit (decision 0016); the Retry-After header says when to try again."""

    detail: str
    rule: str = Field(description="rate-limit:<rule>, such as rate-limit:lookup")
