"""One caller turn is one trace across the stt, dialogue, tts and edge processes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from parley_devstack.fleet import ServiceFleet
from parley_devstack.ports import free_ports
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.calls import call_saying
from tests.support.mcp_agents import serving

pytestmark = pytest.mark.e2e
SERVICES = ("edge", "stt", "dialogue", "tts", "janitor", "agent")


class OtlpReceiver:
    """An OTLP/HTTP trace endpoint, as a collector would expose it."""

    def __init__(self) -> None:
        self.spans: list[dict[str, str]] = []

    async def traces(self, request: Request) -> Response:
        export = ExportTraceServiceRequest()
        export.ParseFromString(await request.body())
        for resource_spans in export.resource_spans:
            service = next(
                a.value.string_value
                for a in resource_spans.resource.attributes
                if a.key == "service.name"
            )
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    self.spans.append(
                        {
                            "service": service,
                            "name": span.name,
                            "trace": span.trace_id.hex(),
                            "id": span.span_id.hex(),
                            "parent": span.parent_span_id.hex(),
                        }
                    )
        return Response(status_code=200)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/traces", self.traces, methods=["POST"])])


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[tuple[OtlpReceiver, str]]:
    otlp = OtlpReceiver()
    async with serving(otlp.app()) as url:
        yield otlp, url


@pytest.fixture(scope="module")
def traced_fleet(
    stack_env: dict[str, str],
    receiver: tuple[OtlpReceiver, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ServiceFleet]:
    tracing = {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver[1],
        "OTEL_BSP_SCHEDULE_DELAY": "200",
    }
    ports = dict(zip(SERVICES, free_ports(len(SERVICES)), strict=True))
    fleet = ServiceFleet(
        stack_env, Path(tmp_path_factory.mktemp("traced")), ports=ports, extra_env=tracing
    )
    try:
        fleet.start(progress=False)
        yield fleet
    finally:
        fleet.stop()


async def test_a_turn_is_one_trace_across_four_services(
    traced_fleet: ServiceFleet, receiver: tuple[OtlpReceiver, str]
) -> None:
    report = await call_saying(traced_fleet, "what time do you open on monday")
    assert report.turns and report.turns[0].latency_ms is not None
    otlp, _ = receiver
    wanted = {
        "stt.utterance",
        "dialogue.turn",
        "agent.respond",
        "tts.synthesize",
        "edge.first_frame",
    }
    trace: list[dict[str, str]] = []
    for _ in range(50):  # spans are exported in batches every 200 ms
        roots = [s for s in otlp.spans if s["name"] == "stt.utterance"]
        if roots:
            trace = [s for s in otlp.spans if s["trace"] == roots[-1]["trace"]]
            if wanted <= {s["name"] for s in trace}:
                break
        await asyncio.sleep(0.2)
    names = {s["name"] for s in trace}
    assert wanted <= names, f"trace has {sorted(names)}"
    assert {"parley-stt", "parley-dialogue", "parley-tts", "parley-edge"} <= {
        s["service"] for s in trace
    }
    by_id = {s["id"]: s for s in trace}

    def parent_name(name: str) -> str:
        span = next(s for s in trace if s["name"] == name)
        return by_id[span["parent"]]["name"]

    assert parent_name("dialogue.turn") == "stt.utterance"
    assert parent_name("agent.respond") == "dialogue.turn"
    assert parent_name("tts.synthesize") == "dialogue.turn"
    assert parent_name("edge.first_frame") == "tts.synthesize"
