from fastapi import FastAPI

app = FastAPI(openapi_url=None)


@app.get("/ready")
def ready():
    return {"ready": True}


@app.get("/health")
def health():
    return Response(status_code=200)
