from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware import Middleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"])  # HIT
app.add_middleware(  # HIT
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
)
middleware = [Middleware(CORSMiddleware, allow_origins="*")]  # HIT
