from pydantic import BaseModel


class UserOut(BaseModel):
    id: int


def show(row, user):
    out = UserOut.from_orm(row)  # HIT
    data = out.dict()  # HIT
    text = out.json(exclude_none=True)  # HIT
    names = list(UserOut.__fields__)  # HIT
    return out.copy(update={"id": 2}), data, text, names  # HIT


def update_org(organization, organization_in: OrganizationUpdate):
    changes = organization_in.dict()  # HIT
    return organization, changes
