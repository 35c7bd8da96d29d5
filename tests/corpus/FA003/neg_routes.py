from fastapi import APIRouter, FastAPI, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from fastapi.templating import Jinja2Templates

from app.schemas import InvoiceOut

app = FastAPI()
router = APIRouter(prefix="/invoices", tags=["invoices"])
templates = Jinja2Templates(directory="templates")


@router.get("/{invoice_id}", response_model=InvoiceOut)
async def read_invoice(invoice_id: int):
    return await load(invoice_id)


@router.get("/")
async def list_invoices() -> list[InvoiceOut]:
    return await load_all()


@router.get("/raw", response_model=None)
async def raw_dump():
    return await load_raw()


@router.delete("/{invoice_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_invoice(invoice_id: int):
    await remove(invoice_id)


@router.post("/{invoice_id}/archive")
async def archive_invoice(invoice_id: int):
    await archive(invoice_id)


@app.get("/", response_class=HTMLResponse)
def home(request):
    return templates.TemplateResponse(request, "home.html", {})


@app.get("/logout")
def logout():
    response = RedirectResponse("/")
    response.delete_cookie("session")
    return response


@app.get("/export")
def export():
    return StreamingResponse(rows(), media_type="text/csv")


@app.get("/internal/metrics", include_in_schema=False)
def metrics():
    return collect_metrics()


def build():
    return {"not": "a route"}
