from django.conf import settings
from django.http import HttpRequest


def reviewdeck(request: HttpRequest) -> dict[str, object]:
    ms = settings.REVIEWDECK_POLL_MS
    return {
        "claude_enabled": bool(settings.ANTHROPIC_API_KEY),
        # htmx's "every ..." of pages that follow running work ("2s"; tests poll faster)
        "poll_every": f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms",
    }
