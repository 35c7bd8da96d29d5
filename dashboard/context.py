from django.conf import settings
from django.http import HttpRequest


def reviewdeck(request: HttpRequest) -> dict[str, object]:
    return {"claude_enabled": bool(settings.ANTHROPIC_API_KEY)}
