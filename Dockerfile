FROM python:3.12-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv \
    && useradd --create-home --uid 10001 reviewdeck \
    && mkdir -p /data /app && chown reviewdeck:reviewdeck /data /app
WORKDIR /app
ENV UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project
COPY --chown=reviewdeck:reviewdeck . .
RUN uv sync --frozen --no-dev
RUN REVIEWDECK_EMBEDDED=0 SECRET_KEY="$(python -c 'import secrets; print(secrets.token_hex(32))')" \
    python manage.py collectstatic --noinput
USER reviewdeck
EXPOSE 8000
CMD ["gunicorn", "dashboard.wsgi:application", "--bind", "0.0.0.0:8000"]
