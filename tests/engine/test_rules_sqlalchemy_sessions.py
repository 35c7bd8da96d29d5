"""SA008: where a session's lifetime or a failed commit is judged."""

from __future__ import annotations

from tests.engine.conftest import CheckRule, expected_lines, src

SCRIPT = src(
    """
    from app.db import SessionLocal

    session = SessionLocal()

    def main():
        db = SessionLocal()  # HIT
        db.execute(text("SELECT 1"))

    def nested():
        db = SessionLocal()

        def finish():
            db.close()

        return finish
    """
)


def test_sa008_judges_functions_not_scripts(check_rule: CheckRule) -> None:
    assert check_rule("SA008", SCRIPT) == expected_lines(SCRIPT)
    assert check_rule("SA008", SCRIPT, "tests/test_db.py") == []


SWALLOWED = src(
    """
    def save(session, obj):
        try:
            session.commit()
        except Exception:  # HIT
            pass
        return session.get(Item, obj.id)
    """
)


def test_sa008_flags_a_swallowed_commit_only_when_the_session_is_used_again(
    check_rule: CheckRule,
) -> None:
    assert check_rule("SA008", SWALLOWED) == expected_lines(SWALLOWED)
    last = SWALLOWED.replace("    return session.get(Item, obj.id)\n", "")
    assert check_rule("SA008", last) == []
    rolled_back = SWALLOWED.replace("        pass", "        session.rollback()")
    assert check_rule("SA008", rolled_back) == []
