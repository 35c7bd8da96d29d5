from typing import Any

from app.schemas import ModelT, UserIn, UserOut


def create(user_in: UserIn, row: Any) -> str:
    data = user_in.model_dump()
    loaded = UserOut.model_validate(row, from_attributes=True)
    parsed = UserOut.model_validate({"id": 1, "email": "a@example.org"})
    raw = UserOut.model_validate_json('{"id": 2, "email": "b@example.org"}')
    fast = UserOut.model_construct(id=3, email="c@example.org")
    changed = loaded.model_copy(update={"email": "d@example.org"})
    names = list(UserOut.model_fields)
    print(data, parsed, raw, fast, changed, names, UserOut.model_json_schema())
    return loaded.model_dump_json(exclude_unset=True)


def update(obj_in: ModelT, patch: Any) -> dict:
    if "id" in UserOut.model_fields:
        pass
    return patch.dict(skip_defaults=True)
