"""The standalone ``reviewdeck`` command: the Django-free engine for pre-commit and CI.

Nothing under this package imports Django or Celery (tests/cli/test_standalone.py proves
it), so a review starts in the time it takes to import the engine.
"""
