"""Code written for both Pydantic versions on purpose: the v1 spelling is the fallback."""

from pydantic import BaseModel


class ToolOut(BaseModel):
    name: str


def allowed_keys(model_cls: type[BaseModel]) -> set[str]:
    try:
        return set(model_cls.model_fields)  # Pydantic v2
    except AttributeError:
        return set(model_cls.__fields__)  # Pydantic v1


def serialise(tools: list[ToolOut]) -> list[dict[str, object]]:
    out = []
    for tool in tools:
        if hasattr(tool, "model_dump"):
            out.append(tool.model_dump())
        elif hasattr(tool, "dict"):
            out.append(tool.dict())
        else:
            out.append(vars(tool))
    return out


def legacy_only(tool: ToolOut) -> dict[str, object]:
    try:
        return tool.dict()  # HIT
    except AttributeError:
        return {}
