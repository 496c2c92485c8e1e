FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint draws the summary's PDF with pango and harfbuzz, in DejaVu fonts from
# the image itself: nothing is fetched when a PDF is made.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt build-constraints.txt ./
RUN PIP_CONSTRAINT=/app/build-constraints.txt pip install -r requirements.txt

COPY . .
# Static files are collected and compressed at build time; this key only lets settings load.
RUN SECRET_KEY=collectstatic-only-key-not-used-to-sign-anything-at-all ALLOWED_HOSTS=build \
    python manage.py collectstatic --no-input \
    && useradd --system --no-create-home spasmlog
USER spasmlog

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD python -c "import os, urllib.request; host = os.environ['ALLOWED_HOSTS'].split(',')[0]; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=4)"
CMD ["sh", "-c", "python manage.py migrate --no-input && exec gunicorn spasmlog.wsgi --config gunicorn.conf.py"]
