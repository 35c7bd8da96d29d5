from fastapi import APIRouter

router = APIRouter()


@router.get("/fake-upstream")
def fake_upstream():
    return {"ok": True}
