import os

from pydantic_settings import BaseSettings

SECRET_KEY = "9f3b1c0e6d2a4b8f9e7c5a3d1b0f2e4c7a9d"  # HIT
DATABASE_URL = "postgresql://orders:Tr0ub4dor-3x@db.prod.internal:5432/orders"  # HIT
STRIPE_KEY = os.environ.get("STRIPE_KEY", "")
AWS_ACCESS_KEY_ID = "AKIAZ7QX4LJ2MNB5WK3P"  # HIT


class Settings(BaseSettings):
    jwt_secret: str = "hS8-2kfPq91zLmX0vB7wYt4e"  # HIT
    admin_password: str = "Adm1n!2024-prod"  # HIT
    token_type: str = "bearer"
    password_min_length: int = 12


def client():
    return PaymentClient(api_key="sk_live_51Hx9Lm2eZvKYlo2C8nQ4rT7u")  # HIT


def mailer():
    return Mailer({"host": "smtp.example.org", "password": "w9#Lq2!zPf"})  # HIT
