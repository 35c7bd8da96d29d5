import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEBUG = os.environ.get("CI") is not None

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]  # HIT
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.getenv("DB_NAME", "shop"),
        "PASSWORD": os.getenv("DB_PASSWORD"),
    }
}
