"""A real HTTP server speaking the Telnyx coverage API, for tests and demos.

It serves ``GET /v2/network_coverage`` and ``GET /v2/virtual_cross_connects_coverage`` from a
snapshot, with the API's filters, pagination, bearer auth and Telnyx-format errors, logs every
request, and can be told to misbehave (rate limits, 5xx, slow, trickled, truncated or reset
answers, HTML, pagination that changes between pages, ``meta`` missing)::

    with CoverageServer("examples/coverage-snapshot.json") as server:
        server.inject(Fault(status=429, headers={"retry-after": "1"}, times=2))
        client = CoverageClient("test-key", server.base_url)

Run it for a demo: ``python -m telnyx_coverage.coverage_server --snapshot FILE``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from telnyx_coverage.errors import CoverageUnavailableError
from telnyx_coverage.models import Location, NetworkCoverage, Snapshot, VirtualCrossConnectsCoverage
from telnyx_coverage.snapshot import read_snapshot

__all__ = ["CoverageServer", "Fault", "RecordedRequest", "main"]

API_PREFIX: Final = "/v2"
DEFAULT_PAGE_SIZE: Final = 20

_REASONS: Final = {
    400: ("10015", "Bad Request"),
    401: ("10009", "Authentication failed"),
    403: ("10010", "Authorization failed"),
    404: ("10005", "Resource not found"),
    408: ("10000", "Request timeout"),
    409: ("10000", "Conflict"),
    429: ("10011", "Too many requests"),
    500: ("10007", "Unexpected error"),
    502: ("10007", "Bad gateway"),
    503: ("10007", "Service unavailable"),
    504: ("10007", "Gateway timeout"),
}


def telnyx_error_body(
    status: int, detail: str | None = None, *, parameter: str | None = None
) -> bytes:
    """A Telnyx-format error body for ``status``."""
    code, title = _REASONS.get(status, ("10007", "Unexpected error"))
    error: dict[str, Any] = {"code": code, "title": title, "detail": detail or title}
    if parameter:
        error["source"] = {"parameter": parameter}
    return json.dumps({"errors": [error]}).encode()


@dataclass(frozen=True)
class Fault:
    """What the next ``times`` matching requests get instead of a normal answer.

    ``status`` None (or 200 with no ``body``) serves the normal answer, only ``delay``ed and/or
    ``truncate``d. ``body`` None gives a Telnyx error body for error statuses. ``truncate``
    announces the full Content-Length, sends half and closes. ``reset`` sends half the body,
    then resets the connection (TCP RST). ``trickle`` sends the body a few bytes at a time,
    this many seconds apart. ``drop`` closes the connection without answering. ``path``
    limits the fault to requests whose path ends with it, ``page_number`` to that page.

    Pagination faults change a normal answer: ``meta`` overrides fields of its ``meta``
    (``{"total_pages": 9}``), ``omit_meta`` leaves ``meta`` out, ``empty`` serves no items,
    ``serve_page`` serves the items of another page (duplicates, as when a list shifts).
    """

    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str | bytes | None = None
    times: int = 1
    delay: float = 0.0
    truncate: bool = False
    drop: bool = False
    path: str | None = None
    content_type: str | None = None
    page_number: int | None = None
    reset: bool = False
    trickle: float = 0.0
    meta: Mapping[str, Any] | None = None
    omit_meta: bool = False
    empty: bool = False
    serve_page: int | None = None

    @property
    def changes_page(self) -> bool:
        """Whether this fault rewrites the items or ``meta`` of a normal answer."""
        return self.meta is not None or self.omit_meta or self.empty or self.serve_page is not None


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received, and how it answered."""

    method: str
    path: str
    params: dict[str, str]
    auth_ok: bool
    status: int | None
    started: float
    """``time.monotonic()`` when the request arrived; with ``finished``, shows overlaps."""
    finished: float
    """``time.monotonic()`` when the answer was ready, just before it was sent."""


@dataclass
class _Item:
    """A served item: the JSON exactly as in the snapshot, and its model for filtering."""

    raw: dict[str, Any]
    location: Location
    available_services: Sequence[str] = ()
    cloud_provider: str = ""
    cloud_provider_region: str = ""
    available_bandwidth: Sequence[float] = ()


class _BadParameter(Exception):
    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(detail)
        self.parameter = parameter
        self.detail = detail


def _filter_value(params: Mapping[str, str], name: str) -> str | None:
    """A filter under either spelling the API is documented with: ``filter[..]``/``filters[..]``."""
    for prefix in ("filter", "filters"):
        value = params.get(f"{prefix}{name}")
        if value is not None:
            return value
    return None


def _matches(item: _Item, params: Mapping[str, str]) -> bool:
    for part in ("region", "site", "pop", "code"):
        wanted = _filter_value(params, f"[location.{part}]")
        if wanted is not None and getattr(item.location, part) != wanted:
            return False
    service = _filter_value(params, "[available_services][contains]")
    if service is not None and service not in item.available_services:
        return False
    provider = _filter_value(params, "[cloud_provider]")
    if provider is not None and item.cloud_provider.lower() != provider.lower():
        return False
    cloud_region = _filter_value(params, "[cloud_provider_region]")
    if cloud_region is not None and item.cloud_provider_region != cloud_region:
        return False
    bandwidth = _filter_value(params, "[available_bandwidth][contains]")
    if bandwidth is not None:
        try:
            wanted_mbps = float(bandwidth)
        except ValueError:
            raise _BadParameter(
                "filters[available_bandwidth][contains]", "Bandwidth must be a number."
            ) from None
        if wanted_mbps not in item.available_bandwidth:
            return False
    return True


def _page_param(params: Mapping[str, str], name: str, default: int) -> int:
    value = params.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise _BadParameter(name, f"{name} must be a positive integer, got {value!r}.")
    return number


class CoverageServer:
    """The Telnyx coverage API on 127.0.0.1 (port 0: the OS picks), in a daemon thread."""

    def __init__(
        self,
        snapshot: Snapshot | str | os.PathLike[str],
        *,
        api_key: str | None = "test-key",
        max_page_size: int = 250,
        host: str = "127.0.0.1",
        port: int = 0,
        vxc_path: str = "/virtual_cross_connects_coverage",
    ) -> None:
        """``vxc_path``: where VXC coverage is served; the newest API reference shows
        ``/virtual_cross_connects/coverage``, the spec and SDKs the default."""
        self.api_key = api_key
        self.max_page_size = max_page_size
        self._endpoints = {
            f"{API_PREFIX}/network_coverage": _network_items(snapshot),
            f"{API_PREFIX}{vxc_path}": _vxc_items(snapshot),
        }
        self._lock = threading.Lock()
        self._faults: list[list[Any]] = []  # [fault, times left]
        self._requests: list[RecordedRequest] = []
        self._httpd = ThreadingHTTPServer((host, port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """What ``TELNYX_BASE_URL`` should be to talk to this server."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    def start(self) -> CoverageServer:
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="coverage-server",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> CoverageServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- what tests look at and change ------------------------------------------------------

    def inject(self, fault: Fault) -> None:
        """Queue ``fault`` for the next ``fault.times`` matching requests."""
        with self._lock:
            self._faults.append([fault, fault.times])

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the request log, in arrival order."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        """The logged requests whose path ends with ``endpoint`` (``network_coverage``...)."""
        return [r for r in self.requests if r.path.endswith(endpoint)]

    def reset_requests(self) -> None:
        """Empty the request log."""
        with self._lock:
            self._requests.clear()

    def _take_fault(self, path: str, params: Mapping[str, str]) -> Fault | None:
        page = params.get("page[number]", "1")
        with self._lock:
            for entry in self._faults:
                fault: Fault = entry[0]
                if fault.page_number is not None and page != str(fault.page_number):
                    continue
                if fault.path is None or path.endswith(fault.path):
                    entry[1] -= 1
                    if entry[1] <= 0:
                        self._faults.remove(entry)
                    return fault
        return None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    # -- answering --------------------------------------------------------------------------

    def auth_ok(self, authorization: str | None) -> bool:
        """Whether the Authorization header carries the expected bearer key."""
        return self.api_key is None or authorization == f"Bearer {self.api_key}"

    def answer(self, path: str, params: Mapping[str, str], auth_ok: bool) -> tuple[int, bytes]:
        """The status and JSON body the API gives for a GET."""
        items = self._endpoints.get(path.rstrip("/"))
        if items is None:
            return 404, telnyx_error_body(404, f"No route for {path}.")
        if not auth_ok:
            return 401, telnyx_error_body(
                401, "The API key in the Authorization header is missing or invalid."
            )
        try:
            number = _page_param(params, "page[number]", 1)
            size = min(_page_param(params, "page[size]", DEFAULT_PAGE_SIZE), self.max_page_size)
            found = [item.raw for item in items if _matches(item, params)]
        except _BadParameter as exc:
            return 400, telnyx_error_body(400, exc.detail, parameter=exc.parameter)
        body = {
            "data": found[(number - 1) * size : number * size],
            "meta": {
                "page_number": number,
                "page_size": size,
                "total_pages": math.ceil(len(found) / size),
                "total_results": len(found),
            },
        }
        return 200, json.dumps(body).encode()


def _raw_items(snapshot: Snapshot | str | os.PathLike[str], key: str) -> list[dict[str, Any]]:
    """The items exactly as the snapshot holds them (the file's own JSON when given a path)."""
    if isinstance(snapshot, Snapshot):
        items: Sequence[NetworkCoverage | VirtualCrossConnectsCoverage] = getattr(snapshot, key)
        return [item.model_dump(mode="json", exclude_unset=True) for item in items]
    read_snapshot(snapshot)  # a broken snapshot fails here, with the file named
    document = json.loads(Path(snapshot).read_text(encoding="utf-8"))
    raw: list[dict[str, Any]] = document[key]
    return raw


def _network_items(snapshot: Snapshot | str | os.PathLike[str]) -> list[_Item]:
    items = []
    for raw in _raw_items(snapshot, "network_coverage"):
        model = NetworkCoverage.model_validate(raw)
        items.append(_Item(raw, model.location, available_services=model.available_services))
    return items


def _vxc_items(snapshot: Snapshot | str | os.PathLike[str]) -> list[_Item]:
    items = []
    for raw in _raw_items(snapshot, "virtual_cross_connects_coverage"):
        model = VirtualCrossConnectsCoverage.model_validate(raw)
        items.append(
            _Item(
                raw,
                model.location,
                cloud_provider=model.cloud_provider,
                cloud_provider_region=model.cloud_provider_region,
                available_bandwidth=[float(b) for b in model.available_bandwidth],
            )
        )
    return items


_TRICKLE_BYTES: Final = 64


def _changed_page(
    server: CoverageServer,
    path: str,
    params: Mapping[str, str],
    auth_ok: bool,
    body: bytes,
    fault: Fault,
) -> bytes:
    """A normal page with ``fault``'s pagination changes applied."""
    document: dict[str, Any] = json.loads(body)
    if fault.serve_page is not None:
        other = {**params, "page[number]": str(fault.serve_page)}
        document["data"] = json.loads(server.answer(path, other, auth_ok)[1])["data"]
    if fault.empty:
        document["data"] = []
    if fault.meta is not None:
        document["meta"] = {**document["meta"], **fault.meta}
    if fault.omit_meta:
        del document["meta"]
    return json.dumps(document).encode()


def _make_handler(server: CoverageServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "telnyx-coverage-test-server"
        # Idle keep-alive connections end on their own instead of holding a thread forever.
        timeout = 10

        def do_GET(self) -> None:
            started = time.monotonic()
            split = urlsplit(self.path)
            params = dict(parse_qsl(split.query, keep_blank_values=True))
            auth_ok = server.auth_ok(self.headers.get("Authorization"))
            fault = server._take_fault(split.path, params)
            if fault is not None and fault.delay:
                time.sleep(fault.delay)
            answer = (
                None if fault and fault.drop else self._answer(split.path, params, auth_ok, fault)
            )
            # Logged before a byte goes out: once a client has its answer, the log shows it.
            server._record(
                RecordedRequest(
                    method="GET",
                    path=split.path,
                    params=params,
                    auth_ok=auth_ok,
                    status=answer[0] if answer else None,
                    started=started,
                    finished=time.monotonic(),
                )
            )
            if answer is None:
                self.close_connection = True
                return
            status, body, content_type, headers = answer
            try:
                self._send(status, body, content_type, headers, fault)
            except OSError:
                # The client gave up (a timeout, a deadline): nothing more to tell it.
                self.close_connection = True

        def _answer(
            self, path: str, params: Mapping[str, str], auth_ok: bool, fault: Fault | None
        ) -> tuple[int, bytes, str, Mapping[str, str]]:
            status, body = server.answer(path, params, auth_ok)
            content_type = "application/json"
            headers: Mapping[str, str] = {}
            if fault is not None:
                if status == 200 and fault.changes_page:
                    body = _changed_page(server, path, params, auth_ok, body, fault)
                headers = fault.headers
                if fault.status is not None and (fault.status != 200 or fault.body is not None):
                    status = fault.status
                    if fault.body is None:
                        body = telnyx_error_body(status)
                    else:
                        body = fault.body.encode() if isinstance(fault.body, str) else fault.body
                        content_type = "text/html; charset=utf-8"
                content_type = fault.content_type or content_type
            return status, body, content_type, headers

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str,
            headers: Mapping[str, str],
            fault: Fault | None,
        ) -> None:
            cut = fault is not None and (fault.truncate or fault.reset)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            if cut:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if cut:
                body = body[: len(body) // 2]
            if fault is not None and fault.trickle > 0:
                for start in range(0, len(body), _TRICKLE_BYTES):
                    self.wfile.write(body[start : start + _TRICKLE_BYTES])
                    self.wfile.flush()
                    time.sleep(fault.trickle)
            else:
                self.wfile.write(body)
                self.wfile.flush()
            if fault is not None and fault.reset:
                # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()

        def log_message(self, format: str, *args: Any) -> None:
            # The request log is server.requests; stderr stays quiet under pytest.
            pass

    return Handler


def _say(text: str) -> None:
    # Flushed: a demo script or test reads the base URL from a pipe while the server runs.
    print(text, flush=True)


def main(argv: Sequence[str] | None = None, *, out: Callable[[str], None] = _say) -> int:
    """Serve a snapshot as the Telnyx coverage API until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m telnyx_coverage.coverage_server",
        description="Serve a coverage snapshot as the Telnyx coverage API on 127.0.0.1.",
    )
    parser.add_argument("--snapshot", required=True, help="a version-1 coverage snapshot file")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument(
        "--api-key", default=None, help="the bearer key to require (default: accept any)"
    )
    parser.add_argument("--max-page-size", type=int, default=250, help="largest page[size]")
    args = parser.parse_args(argv)
    try:
        server = CoverageServer(
            args.snapshot,
            api_key=args.api_key,
            max_page_size=max(1, args.max_page_size),
            port=args.port,
        )
    except CoverageUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot listen on port {args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    with server:
        out(f"Serving the Telnyx coverage API at {server.base_url}")
        out(f"  export TELNYX_BASE_URL={server.base_url}")
        out(f"  export TELNYX_API_KEY={args.api_key or 'any-key'}")
        out("Press Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            out("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
