"""FA003-FA006: route schema, documentation, background work, status codes."""

from __future__ import annotations

from tests.engine.conftest import CheckRule, expected_lines, src


def test_routes_are_only_recognised_in_fastapi_modules(check_rule: CheckRule) -> None:
    flask = src(
        """
        from flask import Flask

        app = Flask(__name__)

        @app.get("/items")
        def items():
            return {"items": []}
        """
    )
    for rule_id in ("FA003", "FA004"):
        assert check_rule(rule_id, flask) == []


def test_a_module_owner_is_not_an_app(check_rule: CheckRule) -> None:
    source = src(
        """
        import requests
        from fastapi import Depends

        @requests.get("/not-a-route")
        def odd():
            return 1
        """
    )
    assert check_rule("FA003", source) == []


def test_an_imported_router_counts_as_a_route_owner(check_rule: CheckRule) -> None:
    source = src(
        """
        from fastapi import Depends

        from app.api import router

        @router.get("/items")
        def items(db=Depends(get_db)):  # HIT
            return db.all()
        """
    )
    assert check_rule("FA003", source) == expected_lines(source)


def test_a_returned_response_object_needs_no_model(check_rule: CheckRule) -> None:
    source = src(
        """
        from fastapi import FastAPI
        from fastapi.responses import RedirectResponse

        app = FastAPI()

        @app.get("/go")
        def go():
            target: RedirectResponse = RedirectResponse("/there")
            return target
        """
    )
    assert check_rule("FA003", source) == []


def test_a_thread_started_outside_a_route_is_not_flagged(check_rule: CheckRule) -> None:
    source = src(
        """
        import threading
        from fastapi import FastAPI

        app = FastAPI()

        @app.post("/jobs")
        def start_job() -> dict:
            def later():
                threading.Thread(target=work).start()
            return {"ok": True}

        @app.post("/jobs/now")
        def start_now() -> dict:
            threading.Thread(target=work).start()  # HIT
            return {"ok": True}
        """
    )
    assert check_rule("FA005", source) == expected_lines(source)


def test_an_error_route_on_purpose_may_return_error_payloads(check_rule: CheckRule) -> None:
    source = src(
        """
        from fastapi import APIRouter

        router = APIRouter(tags=["x"])

        @router.get("/teapot", status_code=418)
        def teapot() -> dict:
            return {"error": "I am a teapot"}

        @router.get("/broken")
        def broken() -> dict:
            return {"ok": False, "reason": "maintenance"}  # HIT
        """
    )
    assert check_rule("FA006", source) == expected_lines(source)
