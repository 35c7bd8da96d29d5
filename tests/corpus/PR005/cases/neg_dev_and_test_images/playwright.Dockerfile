FROM mcr.microsoft.com/playwright:v1.45.0-jammy
COPY e2e /e2e
