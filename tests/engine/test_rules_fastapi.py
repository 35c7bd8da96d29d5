"""FA001: startup/shutdown hooks registered with on_event."""

from __future__ import annotations

import pytest

from tests.engine.conftest import CheckRule, expected_lines, src

FA001_FIRES = {
    "app_startup_decorator": src(
        """
        from fastapi import FastAPI

        app = FastAPI()

        @app.on_event("startup")  # HIT
        async def connect():
            await database.connect()
        """
    ),
    "router_shutdown_decorator": src(
        """
        from fastapi import APIRouter

        router = APIRouter()

        @router.on_event("shutdown")  # HIT
        def close():
            pool.close()
        """
    ),
    "call_form_and_keyword_argument": src(
        """
        def create_app():
            app = FastAPI()
            app.on_event("startup")(connect)  # HIT
            app.on_event(event_type="shutdown")(disconnect)  # HIT
            return app
        """
    ),
    "attribute_owner": src(
        """
        class Server:
            def setup(self):
                @self.app.on_event("startup")  # HIT
                async def warm():
                    pass
        """
    ),
}

FA001_QUIET = {
    "lifespan_context_manager": src(
        """
        from contextlib import asynccontextmanager
        from fastapi import FastAPI

        @asynccontextmanager
        async def lifespan(app: FastAPI):
            await database.connect()
            yield
            await database.disconnect()

        app = FastAPI(lifespan=lifespan)
        """
    ),
    "event_bus_with_on_event_method": src(
        """
        bus = EventBus()

        @bus.on_event("order_created")
        def send_receipt(order):
            mailer.send(order)

        @bus.on_event(name="startup_completed")
        def log_ready():
            pass
        """
    ),
    "middleware_and_exception_handler": src(
        """
        @app.middleware("http")
        async def timing(request, call_next):
            return await call_next(request)

        @app.exception_handler(ValueError)
        async def bad_value(request, exc):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        """
    ),
    "mentions_in_strings_and_comments": src(
        """
        # we used to have @app.on_event("startup") here
        DOC = '@app.on_event("startup") is deprecated'
        """
    ),
}


@pytest.mark.parametrize("source", FA001_FIRES.values(), ids=FA001_FIRES.keys())
def test_fa001_fires_on_on_event_startup_shutdown(check_rule: CheckRule, source: str) -> None:
    assert check_rule("FA001", source) == expected_lines(source) != []


@pytest.mark.parametrize("source", FA001_QUIET.values(), ids=FA001_QUIET.keys())
def test_fa001_ignores_lifespan_and_other_event_apis(check_rule: CheckRule, source: str) -> None:
    assert check_rule("FA001", source) == []
