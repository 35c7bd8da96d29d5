from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
app.add_middleware(GZipMiddleware, minimum_size="*")
app.add_middleware(CORSMiddleware, allow_origins=settings.origins, allow_methods=["*"])
