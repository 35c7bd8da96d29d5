"""The one findings writer: rule scans and Claude runs record what they found through it.

``writer`` applies a tracking result (reopen, move, fix, create) with its events and
writes it in bulk with one list of update fields; ``summaries`` writes a scan's summary
row from one GROUP BY (``FindingQuerySet.counts()``) and refreshes it after a Claude run.
Callers hold the project's row lock (one writer per project) around both.
"""
