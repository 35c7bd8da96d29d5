from fastapi import APIRouter, FastAPI

from app.schemas import InvoiceOut

app = FastAPI()
router = APIRouter(prefix="/invoices", tags=["invoices"])
admin = APIRouter()
legacy = APIRouter(prefix="/legacy")
hidden = APIRouter(prefix="/internal", include_in_schema=False)
api = APIRouter(prefix="/api/v1")


@router.get("/{invoice_id}")
async def read_invoice(invoice_id: int) -> InvoiceOut:
    """One invoice; 404 when it does not exist."""
    return await load(invoice_id)


@router.post("/{invoice_id}/void", summary="Void an open invoice")
async def void_invoice(invoice_id: int) -> InvoiceOut:
    return await void(invoice_id)


@admin.get("/stats", description="Counts per state, for the admin dashboard.")
async def stats() -> dict[str, int]:
    return await count_states()


@legacy.get("/orders", tags=["legacy"])
async def legacy_orders() -> list[dict]:
    """Orders in the old format."""
    return await old_orders()


@hidden.get("/debug")
async def debug() -> dict:
    return {}


@app.get("/health", include_in_schema=False)
def health() -> dict:
    return {"ok": True}


api.include_router(router)
api.include_router(admin, prefix="/admin", tags=["admin"])
app.include_router(api)


def helper():
    return 1
