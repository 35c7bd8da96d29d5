"""``ETag`` / ``If-None-Match`` for the API's GET responses: a client that polls gets
``304 Not Modified`` (no body) while nothing changed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from pydantic import BaseModel


def respond(request: HttpRequest, schema: type[BaseModel], data: Any) -> HttpResponse:
    body = json.dumps(
        schema.model_validate(data).model_dump(mode="json"), separators=(",", ":")
    ).encode()
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    given = request.headers.get("If-None-Match", "")
    if tag in {t.strip().removeprefix("W/") for t in given.split(",")} or given.strip() == "*":
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = tag
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Authorization, Cookie"
    return response
