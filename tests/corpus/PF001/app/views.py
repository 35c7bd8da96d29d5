from django.http import JsonResponse
from flask import Flask

from app.models import Book

app = Flask(__name__)


@app.get("/books")
def books():
    return JsonResponse(list(Book.objects.all().values()))
