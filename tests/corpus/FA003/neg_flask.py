from flask import Flask

from app.api import router  # noqa: F401  (a FastAPI router lives elsewhere)

app = Flask(__name__)


@app.get("/health")
def health():
    return {"status": "ok"}
