"""The review engine: a Django-free library. ``review(root)`` returns plain data."""

from reviewer.engine.core import review
from reviewer.engine.docs import RuleDoc, rule_doc
from reviewer.engine.types import Issue, Note, ReviewResult

__all__ = ["Issue", "Note", "ReviewResult", "RuleDoc", "review", "rule_doc"]
