# One image for every Parley service; the command picks the service:
#   parley-edge | parley-stt | parley-dialogue | parley-tts | parley-janitor | parley-agent
# plus the tools parley-stack (topic creation) and parley (call simulator).
FROM python:3.11-slim-bookworm AS build
ENV UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY libs libs
COPY services services
RUN uv sync --frozen --no-dev --python 3.11

FROM python:3.11-slim-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 parley \
    && useradd --system --uid 10001 --gid 10001 --home /app parley
WORKDIR /app
COPY --from=build /app /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PARLEY_EDGE_HOST=0.0.0.0 \
    PARLEY_STT_HOST=0.0.0.0 \
    PARLEY_DIALOGUE_HOST=0.0.0.0 \
    PARLEY_TTS_HOST=0.0.0.0 \
    PARLEY_JANITOR_HOST=0.0.0.0 \
    PARLEY_AGENT_HOST=0.0.0.0
USER 10001:10001
CMD ["parley-edge"]
