"""The review engine: a Django-free library. ``review(root)`` returns plain data."""

from reviewer.engine.core import review
from reviewer.engine.types import Issue, Note, ReviewResult

__all__ = ["Issue", "Note", "ReviewResult", "review"]
