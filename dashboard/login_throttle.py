"""Login throttling: django-axes' backend for every authentication made with a request.

The login page and the admin's pass the request, so a locked-out username/address pair
is refused before its password is checked. Calls without a request (the test client's
``login()``, scripts) have nothing to throttle on and go to the next backend.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginThrottleBackend(AxesStandaloneBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        return None
