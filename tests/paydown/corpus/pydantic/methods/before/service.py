from typing import Any

from app.schemas import ModelT, UserIn, UserOut


def create(user_in: UserIn, row: Any) -> str:
    data = user_in.dict()
    loaded = UserOut.from_orm(row)
    parsed = UserOut.parse_obj({"id": 1, "email": "a@example.org"})
    raw = UserOut.parse_raw('{"id": 2, "email": "b@example.org"}')
    fast = UserOut.construct(id=3, email="c@example.org")
    changed = loaded.copy(update={"email": "d@example.org"})
    names = list(UserOut.__fields__)
    print(data, parsed, raw, fast, changed, names, UserOut.schema())
    return loaded.json(exclude_unset=True)


def update(obj_in: ModelT, patch: Any) -> dict:
    if "id" in UserOut.__fields__:
        pass
    return patch.dict(skip_defaults=True)
