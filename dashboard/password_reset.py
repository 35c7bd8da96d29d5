"""Password reset with throttled mails.

Each address gets at most ``REVIEWDECK_RESET_MAILS_PER_HOUR`` reset mails an hour, and each
client address may ask that many times as many an hour; beyond that no mail is sent. The
page says the same thing whether or not a mail went out (it never tells whether an
account exists), except that a client over its own limit is told to wait (429).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dashboard.models import PasswordResetRequest

WINDOW = timedelta(hours=1)
CLIENT_FACTOR = 5  # one office behind one address asks for several people


def _key(kind: str, value: str) -> str:
    salted = f"{settings.SECRET_KEY}:{kind}:{value.strip().lower()}"
    return hashlib.sha256(salted.encode()).hexdigest()


def _recent(key: str) -> int:
    since = timezone.now() - WINDOW
    return PasswordResetRequest.objects.filter(key=key, created_at__gte=since).count()


def _note(key: str) -> None:
    PasswordResetRequest.objects.filter(created_at__lt=timezone.now() - WINDOW).delete()
    PasswordResetRequest.objects.create(key=key)


class ThrottledPasswordResetForm(PasswordResetForm):
    def save(self, *args: Any, **kwargs: Any) -> None:
        key = _key("email", self.cleaned_data["email"])
        if _recent(key) >= settings.REVIEWDECK_RESET_MAILS_PER_HOUR:
            return  # silently: the page must not tell whether the address has an account
        _note(key)
        super().save(*args, **kwargs)


class ThrottledPasswordResetView(PasswordResetView):
    form_class = ThrottledPasswordResetForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        client = _key("client", str(request.META.get("REMOTE_ADDR", "")))
        if _recent(client) >= settings.REVIEWDECK_RESET_MAILS_PER_HOUR * CLIENT_FACTOR:
            return render(request, "registration/reset_throttled.html", status=429)
        _note(client)
        return super().post(request, *args, **kwargs)
