from fastapi import APIRouter, FastAPI

from app.schemas import InvoiceOut, UserOut

app = FastAPI()
router = APIRouter(prefix="/invoices")  # HIT


@router.get("/{invoice_id}")
async def read_invoice(invoice_id: int) -> InvoiceOut:  # HIT
    return await load(invoice_id)


@router.post("/{invoice_id}/void", response_model=InvoiceOut)
async def void_invoice(invoice_id: int):  # HIT
    # Voids the invoice (a comment is not documentation).
    return await void(invoice_id)


@app.get("/me")
def me() -> UserOut:  # HIT
    return current_user()
