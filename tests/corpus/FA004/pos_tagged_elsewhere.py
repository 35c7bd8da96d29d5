from fastapi import APIRouter

from app.schemas import Item

router = APIRouter(prefix="/items")  # HIT
router_with_included_tags = APIRouter(prefix="/users")


@router.get("/")
def list_items() -> list[Item]:
    """All items."""
    return all_items()


@router_with_included_tags.get("/")
def list_users() -> list[Item]:
    """All users."""
    return all_users()


def mount(app):
    app.include_router(router_with_included_tags, tags=["users"])
