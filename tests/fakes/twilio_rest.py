"""A local stand-in for Twilio's Calls REST API (2010-04-01), speaking its wire format:
form-encoded updates with HTTP Basic auth in, Call JSON (or Twilio's error JSON) out.

Tests point the ``twilio`` library at it and assert the exact requests it received.
"""

from __future__ import annotations

import base64
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import orjson

CALL_PATH = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Calls/(CA\w+)\.json$")


@dataclass(frozen=True)
class CallUpdate:
    account_sid: str
    call_sid: str
    form: dict[str, str]
    username: str
    content_type: str


class FakeTwilioRest:
    def __init__(self, auth_token: str) -> None:
        self.auth_token = auth_token
        self.updates: list[CallUpdate] = []
        self.ended_calls: set[str] = set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeTwilioRest:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def updates_for(self, call_sid: str) -> list[CallUpdate]:
        with self._lock:
            return [u for u in self.updates if u.call_sid == call_sid]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                match = CALL_PATH.match(self.path)
                if match is None:
                    self._reply(
                        404, _error(20404, f"The requested resource {self.path} was not found", 404)
                    )
                    return
                account_sid, call_sid = match.groups()
                username, password = _basic_auth(self.headers.get("Authorization", ""))
                if username != account_sid or password != fake.auth_token:
                    self._reply(401, _error(20003, "Authenticate", 401))
                    return
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
                with fake._lock:
                    if call_sid in fake.ended_calls:
                        self._reply(404, _error(20404, f"Call {call_sid} was not found", 404))
                        return
                    fake.updates.append(
                        CallUpdate(
                            account_sid,
                            call_sid,
                            form,
                            username,
                            self.headers.get("Content-Type", ""),
                        )
                    )
                    if form.get("Status") in ("completed", "canceled"):
                        fake.ended_calls.add(call_sid)
                status = form.get("Status", "in-progress")
                self._reply(200, _call(account_sid, call_sid, status))

            def _reply(self, code: int, payload: dict[str, object]) -> None:
                body = orjson.dumps(payload)
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        return Handler


def _basic_auth(header: str) -> tuple[str, str]:
    if not header.startswith("Basic "):
        return "", ""
    username, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return username, password


def _error(code: int, message: str, status: int) -> dict[str, object]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _call(account_sid: str, call_sid: str, status: str) -> dict[str, object]:
    return {
        "account_sid": account_sid,
        "sid": call_sid,
        "status": status,
        "api_version": "2010-04-01",
        "direction": "inbound",
        "uri": f"/2010-04-01/Accounts/{account_sid}/Calls/{call_sid}.json",
    }
