from litestar import Litestar
from fastapi import status

app = Litestar([])


@app.get("/things")
def things() -> list[str]:
    return ["no", "docstring", "but", "not", "fastapi"]
