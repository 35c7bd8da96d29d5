from fastapi import APIRouter, Depends, FastAPI

from app.db import DbSession, get_db
from app.models import Invoice

app = FastAPI()
router = APIRouter(prefix="/invoices", tags=["invoices"])


@router.get("/{invoice_id}")
async def read_invoice(invoice_id: int, db: DbSession):  # HIT
    return await db.get(Invoice, invoice_id)


@router.get("/", status_code=200)
def list_invoices(db=Depends(get_db)):  # HIT
    return db.query(Invoice).limit(50).all()


@app.api_route("/ping", methods=["GET", "POST"])
def ping():  # HIT
    return {"pong": True}


def register(api: FastAPI) -> None:
    @api.put("/settings")
    async def update_settings(payload: dict):  # HIT
        settings = await store.save(payload)
        return settings
