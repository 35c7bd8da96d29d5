"""Settings read from the environment; literals here are placeholders, names or URLs
without credentials.

Example: DATABASE_URL=postgresql://app:s3cretPW9@db.example.net/app
"""

import os

SECRET_KEY = os.environ["SECRET_KEY"]
API_KEY = os.getenv("API_KEY", "changeme")
DB_PASSWORD = ""
REDIS_PASSWORD = "<your-redis-password>"
JWT_SECRET_KEY = "django-insecure-0n9$l3k2j1h0g9f8d7s6a5"
DATABASE_URL = "postgresql://postgres:postgres@localhost:5432/app"
COMPOSE_URL = "postgresql://app:app_pw_91x@db:5432/app"
BROKER_URL = "amqp://guest:guest@rabbitmq:5672//"
PUBLIC_URL = "https://api.example.org/v1/"
TOKEN_URL = "/auth/token"
PASSWORD_FIELD = "password"
CSRF_TOKEN = "csrftoken"
AUTH_HEADER_TOKEN = "X-Auth-Token"
SESSION_SECRET = "xxxxxxxxxxxxxxxxxxxxxxxx"
CACHE_KEY = "user:profile:v2:{user_id}"
SORT_KEY = "created_at_desc_then_id"
PRIMARY_KEY = "id"
PASSWORD_HELP = "Use at least twelve characters, mixing letters and digits."
TEST_TOKEN = os.environ.get("TEST_TOKEN")
DSN = f"postgresql://{os.environ['DB_USER']}:{os.environ['DB_PASSWORD']}@{os.environ['DB_HOST']}/app"


def connect(password: str = os.environ.get("DB_PASSWORD", "")):
    return Client(password=password, token=os.environ["TOKEN"])

oauth2_leaked_token = "oauth2_leaked_token"


def seed_link(client):
    return client.create(client_secret="polar_cl_e2e_seed_checkout_link_subscription")
