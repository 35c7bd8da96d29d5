FROM python:3.11-slim
ARG APP_UID=0
WORKDIR /srv
COPY . .
RUN pip install --no-cache-dir .
USER ${APP_UID}:0  # HIT
CMD ["celery", "-A", "app.worker", "worker"]
