"""The Telnyx coverage API client: both coverage lists, every page, retried, validated.

Every failure a user can hit ends as one :class:`CoverageUnavailableError` written for that
user. The API key goes into the ``Authorization`` header and nowhere else: not into a message,
a ``repr``, a log record or an exception that escapes this module.

Time is bounded (docs/reliability.md works the numbers): each attempt's connect and every read
wait at most ``timeout``; an answer's body must be complete within ``timeout`` of the request;
waits between retries add up to at most ``max_total_wait``; and no attempt starts, and no wait
runs, past ``max_total_time`` after the first request.

A list is believed only when its pages agree: the same ``total_pages`` and ``total_results``
on every page, each page the one asked for, no page empty, no item on two pages. A list that
changed while it was being read is an error, never half of two lists.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError

from telnyx_coverage import __version__
from telnyx_coverage.errors import CoverageUnavailableError
from telnyx_coverage.models import (
    ErrorBody,
    Location,
    NetworkCoverage,
    NetworkCoveragePage,
    VirtualCrossConnectsCoverage,
    VirtualCrossConnectsCoveragePage,
)
from telnyx_coverage.secrets import redact

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_TOTAL_TIME",
    "DEFAULT_MAX_TOTAL_WAIT",
    "DEFAULT_TIMEOUT",
    "NETWORK_COVERAGE_PATH",
    "VIRTUAL_CROSS_CONNECTS_COVERAGE_PATH",
    "CoverageClient",
    "filter_network_coverage",
    "filter_virtual_cross_connects_coverage",
    "is_loopback_url",
]

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL: Final = "https://api.telnyx.com/v2"
NETWORK_COVERAGE_PATH: Final = "/network_coverage"
VIRTUAL_CROSS_CONNECTS_COVERAGE_PATH: Final = "/virtual_cross_connects_coverage"
VIRTUAL_CROSS_CONNECTS_COVERAGE_NEW_PATH: Final = "/virtual_cross_connects/coverage"
"""The spec, every SDK and the guides use the first path; the newest API reference page shows
this one. The first is asked first; a 404 there tries this one."""

PAGE_SIZE: Final = 250
"""The API's maximum ``page[size]``: the fewest requests for the full lists."""
MAX_PAGES: Final = 1000
"""A ``total_pages`` beyond this is a broken answer, not coverage worth a thousand requests."""
RETRY_STATUSES: Final = frozenset({408, 409, 429})
BACKOFF_START: Final = 0.5
BACKOFF_CAP: Final = 8.0
SERVER_DELAY_CAP: Final = 60.0
"""A server-asked wait longer than this is not honoured (the SDKs do the same)."""
BODY_PREVIEW: Final = 120
BODY_SCAN: Final = 65536
"""How much of a body is read (and cleaned of the key) to show its start."""
MAX_BODY_BYTES: Final = 32 * 1024 * 1024
"""A page of 250 items is ~100 kB: an answer this big (after decompression) is no page."""
DEFAULT_TIMEOUT: Final = 20.0
DEFAULT_MAX_RETRIES: Final = 3
DEFAULT_MAX_TOTAL_WAIT: Final = 30.0
DEFAULT_MAX_TOTAL_TIME: Final = 120.0

# Printable ASCII without spaces: anything else cannot go into a header, and h11 would put the
# offending value (the key) into its exception text.
_KEY_PATTERN: Final = re.compile(r"[\x21-\x7e]+")

_HTTP_LOGGERS: Final = (
    "httpx",
    "httpcore.connection",
    "httpcore.connection_pool",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)
"""The loggers whose DEBUG records quote what a server sent (headers included)."""

_Page = TypeVar("_Page", NetworkCoveragePage, VirtualCrossConnectsCoveragePage)
Sleep = Callable[[float], None]


def is_loopback_url(url: str) -> bool:
    """True when ``url``'s host is this machine: 127.0.0.0/8, ::1 or ``localhost``."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_base_url(base_url: str) -> str:
    """The base URL without a trailing slash, refused when the key would travel in clear text."""
    base_url = base_url.strip().rstrip("/")
    try:
        parts = urlsplit(base_url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        parts = urlsplit("")
    if parts.username or parts.password:
        raise CoverageUnavailableError(
            "TELNYX_BASE_URL must not hold credentials; the API key comes from TELNYX_API_KEY."
        )
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise CoverageUnavailableError(
            f"TELNYX_BASE_URL {base_url!r} is not an http(s) URL; "
            f"use the default {DEFAULT_BASE_URL} or unset TELNYX_BASE_URL."
        )
    if parts.scheme == "http" and not is_loopback_url(base_url):
        raise CoverageUnavailableError(
            f"Refusing to send the Telnyx API key over plain http to {parts.hostname}: "
            "anyone on the network path could read it. Use an https:// TELNYX_BASE_URL "
            "(plain http is only allowed to 127.0.0.1, ::1 or localhost)."
        )
    return base_url


def _check_api_key(api_key: str | None) -> str:
    """The key, stripped; a key that is empty or cannot be sent is refused without showing it."""
    key = (api_key or "").strip()
    if not key:
        raise CoverageUnavailableError(
            "TELNYX_API_KEY is missing or empty: set it to a Telnyx API v2 key, or check "
            "against a snapshot with --coverage FILE (or TELNYX_COVERAGE_FILE)."
        )
    if not _KEY_PATTERN.fullmatch(key):
        raise CoverageUnavailableError(
            "TELNYX_API_KEY contains spaces, line breaks or non-ASCII characters and cannot be "
            "sent; copy the key again from the Telnyx portal."
        )
    return key


# -- local filters: the server may ignore a filter, so the answer is made right here too ------


def _location_matches(
    location: Location, region: str | None, site: str | None, pop: str | None, code: str | None
) -> bool:
    wanted = {"region": region, "site": site, "pop": pop, "code": code}
    return all(_same(value, getattr(location, f, None)) for f, value in wanted.items())


def _same(wanted: str | None, actual: str | None) -> bool:
    """A filter matches without regard to case: people type ``amer`` and ``ch1``."""
    return wanted is None or (actual is not None and wanted.casefold() == actual.casefold())


def filter_network_coverage(
    items: list[NetworkCoverage],
    *,
    region: str | None = None,
    site: str | None = None,
    pop: str | None = None,
    code: str | None = None,
    service: str | None = None,
) -> list[NetworkCoverage]:
    """The items matching every given filter, as the API's filters define them (any case)."""
    return [
        item
        for item in items
        if _location_matches(item.location, region, site, pop, code)
        and (service is None or service in item.available_services)
    ]


def filter_virtual_cross_connects_coverage(
    items: list[VirtualCrossConnectsCoverage],
    *,
    cloud_provider: str | None = None,
    cloud_provider_region: str | None = None,
    region: str | None = None,
    site: str | None = None,
    pop: str | None = None,
    code: str | None = None,
    bandwidth: float | None = None,
) -> list[VirtualCrossConnectsCoverage]:
    """The pairings matching every given filter; bandwidth compares as a number (50.0 == 50)."""
    return [
        item
        for item in items
        if _location_matches(item.location, region, site, pop, code)
        and _same(cloud_provider, item.cloud_provider)
        and _same(cloud_provider_region, item.cloud_provider_region)
        and (bandwidth is None or any(b == bandwidth for b in item.available_bandwidth))
    ]


def _number_param(value: float) -> str:
    """``50.0`` is sent as ``50``: the API compares integers."""
    return str(int(value)) if float(value).is_integer() else str(value)


class _NotFoundError(CoverageUnavailableError):
    """The endpoint answered 404: for VXC coverage, the other documented path may serve it."""


# -- what came back, in words -----------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    """A complete HTTP answer: what is left of a response once its body has been read."""

    status_code: int
    reason_phrase: str
    headers: httpx.Headers
    content: bytes


class _Abandoned(Exception):
    """The body was not worth waiting for (too slow, too big); the text says which."""


@dataclass
class _Failure:
    """The last thing that went wrong with one request, kept for the final message."""

    description: str
    status: int | None = None
    retryable: bool = False
    delay_hint: float | None = None


def _body_preview(response: _Answer, secret: str) -> str:
    """The start of a body, for a message: the key is taken out before the text is cut, so
    that no part of it is left at the cut."""
    text = redact(response.content[:BODY_SCAN].decode("utf-8", "replace"), secret)
    text = " ".join(text.split())
    if len(text) > BODY_PREVIEW:
        text = redact(text[:BODY_PREVIEW], secret) + "..."
    return repr(text) if text else "an empty body"


def _telnyx_errors(response: _Answer) -> str:
    """``title: detail`` of a Telnyx error body, or ``""`` when the body is something else."""
    try:
        body = ErrorBody.model_validate_json(response.content)
    except ValidationError:
        return ""
    parts = []
    for error in body.errors[:3]:
        detail = (error.detail or "").rstrip(".")
        texts = [error.title, detail if detail != error.title else None]
        words = ": ".join(w for w in texts if w)
        if error.code:
            words = f"{words} (code {error.code})" if words else f"code {error.code}"
        if words:
            parts.append(words)
    return "; ".join(parts)


def _describe_response(response: _Answer) -> str:
    reason = response.reason_phrase or ""
    words = f"HTTP {response.status_code}" + (f" {reason}" if reason else "")
    errors = _telnyx_errors(response)
    return f"{words}: {errors}" if errors else words


def _describe_transport_error(exc: httpx.TransportError, timeout: float | None) -> str:
    # httpx/h11 texts can quote what was being sent; only the error kind and, for OS errors,
    # the OS's own words are shown.
    if isinstance(exc, httpx.TimeoutException):
        after = f" after {timeout:g} s" if timeout else ""
        return f"{type(exc).__name__} (no answer{after})"
    cause = exc.__context__ or exc.__cause__
    while cause is not None and not isinstance(cause, OSError):
        cause = cause.__context__ or cause.__cause__
    if isinstance(cause, OSError) and cause.strerror:
        return f"{type(exc).__name__} ({cause.strerror})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"{type(exc).__name__} (the server closed the connection without a complete answer)"
    return type(exc).__name__


def _validation_summary(exc: ValidationError) -> str:
    """The first few errors as ``data[3].location.code: Field required``: no pydantic dump."""
    parts = []
    for error in exc.errors()[:3]:
        path = ""
        for item in error["loc"]:
            path += f"[{item}]" if isinstance(item, int) else (f".{item}" if path else str(item))
        parts.append(f"{path or 'body'}: {error['msg']}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _retry_after(response: _Answer, now: Callable[[], datetime]) -> float | None:
    """The wait the server asked for, in seconds, when it is between 0 and 60 s."""
    candidates: list[float | None] = []
    headers = response.headers
    if "retry-after-ms" in headers:
        candidates.append(_seconds(headers["retry-after-ms"], scale=0.001))
    if "retry-after" in headers:
        value = headers["retry-after"]
        seconds = _seconds(value)
        if seconds is None:
            try:
                seconds = (parsedate_to_datetime(value) - now()).total_seconds()
            except (TypeError, ValueError, IndexError):
                seconds = None
        candidates.append(seconds)
    # x-ratelimit-reset is the rate limit window, which only says something about a 429.
    if response.status_code == 429 and "x-ratelimit-reset" in headers:
        candidates.append(_seconds(headers["x-ratelimit-reset"]))
    for seconds in candidates:
        if seconds is not None and 0 <= seconds <= SERVER_DELAY_CAP:
            return seconds
    return None


def _seconds(value: str, scale: float = 1.0) -> float | None:
    try:
        seconds = float(value) * scale
    except ValueError:
        return None
    return seconds if seconds == seconds else None  # NaN is no answer


class _RedactKey(logging.Filter):
    """Takes the key out of httpx/httpcore records: a server may echo it in a header.

    Filters sit on the loggers that create the records (a parent's filters never see a
    child's records), for as long as the client is open.
    """

    def __init__(self, secret: str) -> None:
        super().__init__()
        self._secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self._secret)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


# -- the client --------------------------------------------------------------------------------


class CoverageClient:
    """A client of the two Telnyx coverage endpoints; thread-safe, one per run.

    ``transport`` lets tests pass ``httpx.MockTransport``; ``sleep`` lets them record the
    backoff instead of waiting. ``max_retries`` is per request; ``max_total_wait`` bounds the
    seconds spent waiting between retries over the client's whole life (one run);
    ``max_total_time`` is the latest, after the first request, that an attempt or a wait
    starts.
    """

    def __init__(
        self,
        api_key: str | None,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_total_wait: float = DEFAULT_MAX_TOTAL_WAIT,
        max_total_time: float = DEFAULT_MAX_TOTAL_TIME,
        page_size: int = PAGE_SIZE,
        max_workers: int = 4,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.base_url = _check_base_url(base_url)
        key = _check_api_key(api_key)
        self.timeout = timeout
        self.max_retries = max(0, max_retries)
        self.max_total_wait = max_total_wait
        self.max_total_time = max_total_time
        self._deadline: float | None = None
        self.page_size = page_size
        self.max_workers = max(1, max_workers)
        self._sleep = sleep
        self._lock = threading.Lock()
        self._waited = 0.0
        self._request_count = 0
        self._vxc_path = VIRTUAL_CROSS_CONNECTS_COVERAGE_PATH
        # Kept for redaction only: never shown.
        self._secret = key
        self._log_filter = _RedactKey(key)
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).addFilter(self._log_filter)
        self._http = httpx.Client(
            headers={
                "Authorization": f"Bearer {key}",
                "Accept": "application/json",
                "User-Agent": f"telnyx-coverage/{__version__}",
            },
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            # A loopback server is never reached through a proxy from the environment.
            trust_env=not is_loopback_url(self.base_url),
        )

    def __repr__(self) -> str:
        return f"CoverageClient(base_url={self.base_url!r})"

    def __enter__(self) -> CoverageClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).removeFilter(self._log_filter)

    @property
    def request_count(self) -> int:
        """How many HTTP requests this client has sent, retries included."""
        with self._lock:
            return self._request_count

    # -- public listing ---------------------------------------------------------------------

    def list_network_coverage(
        self,
        *,
        region: str | None = None,
        site: str | None = None,
        pop: str | None = None,
        code: str | None = None,
        service: str | None = None,
    ) -> list[NetworkCoverage]:
        """Every ``GET /network_coverage`` item matching the filters, all pages, in order."""
        params = self._location_params(region, site, pop, code)
        if service is not None:
            # The guides write filter[...], the spec filters[...]; nobody knows which one the
            # server honours, so both are sent (and the result is filtered here as well).
            params["filter[available_services][contains]"] = service
            params["filters[available_services][contains]"] = service
        pages = self._list_all(NETWORK_COVERAGE_PATH, params, NetworkCoveragePage)
        items = [item for page in pages for item in page.data]
        return filter_network_coverage(
            items, region=region, site=site, pop=pop, code=code, service=service
        )

    def list_virtual_cross_connects_coverage(
        self,
        *,
        cloud_provider: str | None = None,
        cloud_provider_region: str | None = None,
        region: str | None = None,
        site: str | None = None,
        pop: str | None = None,
        code: str | None = None,
        bandwidth: float | None = None,
    ) -> list[VirtualCrossConnectsCoverage]:
        """Every ``GET /virtual_cross_connects_coverage`` pairing matching the filters, in order."""
        params = self._location_params(region, site, pop, code)
        if cloud_provider is not None:
            params["filter[cloud_provider]"] = cloud_provider
        if cloud_provider_region is not None:
            params["filter[cloud_provider_region]"] = cloud_provider_region
        if bandwidth is not None:
            params["filters[available_bandwidth][contains]"] = _number_param(bandwidth)
        try:
            pages = self._list_all(self._vxc_path, params, VirtualCrossConnectsCoveragePage)
        except _NotFoundError:
            if self._vxc_path == VIRTUAL_CROSS_CONNECTS_COVERAGE_NEW_PATH:
                raise
            logger.info(
                "%s%s answered 404; trying %s",
                self.base_url,
                self._vxc_path,
                VIRTUAL_CROSS_CONNECTS_COVERAGE_NEW_PATH,
            )
            self._vxc_path = VIRTUAL_CROSS_CONNECTS_COVERAGE_NEW_PATH
            pages = self._list_all(self._vxc_path, params, VirtualCrossConnectsCoveragePage)
        items = [item for page in pages for item in page.data]
        return filter_virtual_cross_connects_coverage(
            items,
            cloud_provider=cloud_provider,
            cloud_provider_region=cloud_provider_region,
            region=region,
            site=site,
            pop=pop,
            code=code,
            bandwidth=bandwidth,
        )

    @staticmethod
    def _location_params(
        region: str | None, site: str | None, pop: str | None, code: str | None
    ) -> dict[str, str]:
        given = {"region": region, "site": site, "pop": pop, "code": code}
        return {f"filter[location.{f}]": v for f, v in given.items() if v is not None}

    # -- pagination -------------------------------------------------------------------------

    def _list_all(self, path: str, params: Mapping[str, str], model: type[_Page]) -> list[_Page]:
        """Page 1, then every other page concurrently; the pages in order."""
        first = self._get_page(path, params, 1, model)
        total_pages = first.meta.total_pages
        if total_pages > MAX_PAGES:
            raise CoverageUnavailableError(
                f"{self.base_url}{path} answered that it has {total_pages} pages of coverage; "
                f"more than {MAX_PAGES} pages is not a plausible answer, so it is not fetched."
            )
        pages = [first]
        rest = range(2, total_pages + 1)
        if not rest:
            self._check_pages(path, pages)
            return pages
        with ThreadPoolExecutor(
            max_workers=min(self.max_workers, len(rest)), thread_name_prefix="telnyx-coverage"
        ) as pool:
            futures = [pool.submit(self._get_page, path, params, n, model) for n in rest]
            try:
                pages.extend(future.result() for future in futures)
            except BaseException:
                # One failed page fails the whole list: do not send the requests still queued.
                for future in futures:
                    future.cancel()
                raise
        self._check_pages(path, pages)
        return pages

    def _check_pages(self, path: str, pages: list[_Page]) -> None:
        """Refuse pages that do not add up to one list: it changed while it was being read."""
        first = pages[0].meta
        seen: dict[str, int] = {}
        count = 0
        problem = ""
        for number, page in enumerate(pages, start=1):
            meta = page.meta
            if meta.page_number != number:
                problem = f"page {number} was answered as page {meta.page_number}"
            elif meta.total_pages != first.total_pages:
                problem = (
                    f"page 1 said there are {first.total_pages} pages, page {number} says "
                    f"{meta.total_pages}"
                )
            elif meta.total_results != first.total_results:
                problem = (
                    f"page 1 said there are {first.total_results} items, page {number} says "
                    f"{meta.total_results}"
                )
            elif not page.data and (first.total_pages > 1 or (first.total_results or 0) > 0):
                problem = f"page {number} of {first.total_pages} holds no items"
            for item in page.data:
                key = item.model_dump_json()
                if problem:
                    break
                if seen.setdefault(key, number) != number:
                    problem = f"an item of page {seen[key]} is on page {number} again"
            count += len(page.data)
            if problem:
                break
        if not problem and first.total_results is not None and count != first.total_results:
            problem = f"the pages hold {count} items, not the {first.total_results} announced"
        if problem:
            raise CoverageUnavailableError(
                self._redact(
                    f"The Telnyx coverage API answered GET {self.base_url}{path} with pages "
                    f"that do not add up ({problem}): the list changed while it was being "
                    "read, or the server pages wrongly. Try again, or check against a "
                    "snapshot with --coverage FILE."
                )
            )

    # -- one page, retried ------------------------------------------------------------------

    def _get_page(
        self, path: str, params: Mapping[str, str], page_number: int, model: type[_Page]
    ) -> _Page:
        url = f"{self.base_url}{path}"
        query = {**params, "page[number]": str(page_number), "page[size]": str(self.page_size)}
        attempts = 0
        failure: _Failure | None = None
        while True:
            if self._remaining() <= 0:
                last = failure or _Failure("no answer yet")
                raise CoverageUnavailableError(self._gave_up(url, attempts, last, self._spent()))
            attempts += 1
            response, failure = self._send(url, query)
            if response is not None:
                return self._parse(url, response, model)
            assert failure is not None
            if not failure.retryable:
                error = _NotFoundError if failure.status == 404 else CoverageUnavailableError
                raise error(self._redact(failure.description))
            if attempts > self.max_retries:
                raise CoverageUnavailableError(self._gave_up(url, attempts, failure))
            delay = failure.delay_hint
            if delay is None:
                delay = min(BACKOFF_START * 2 ** (attempts - 1), BACKOFF_CAP)
            if delay >= self._remaining():
                raise CoverageUnavailableError(self._gave_up(url, attempts, failure, self._spent()))
            if not self._reserve_wait(delay):
                budget = (
                    f", with {self._waited:g} s of waiting (the most one run waits is "
                    f"{self.max_total_wait:g} s)"
                )
                raise CoverageUnavailableError(self._gave_up(url, attempts, failure, budget))
            logger.info(
                "GET %s page %d: %s; retrying in %.2f s",
                url,
                page_number,
                self._redact(failure.description),
                delay,
            )
            self._sleep(delay)

    def _gave_up(self, url: str, attempts: int, failure: _Failure, budget: str = "") -> str:
        if attempts == 0:
            return self._redact(
                f"The Telnyx coverage API is unavailable: GET {url} was not sent{budget}. Try "
                "again later, or check against a snapshot with --coverage FILE."
            )
        return self._redact(
            f"The Telnyx coverage API is unavailable: GET {url} failed after {attempts} "
            f"attempts{budget}; last: {failure.description}. Try again later, or check against "
            "a snapshot with --coverage FILE."
        )

    def _remaining(self) -> float:
        """Seconds left of the run's ``max_total_time`` (it starts with the first request)."""
        with self._lock:
            if self._deadline is None:
                self._deadline = time.monotonic() + self.max_total_time
            return self._deadline - time.monotonic()

    def _spent(self) -> str:
        return (
            f", out of time (the most one run spends on the API is {self.max_total_time:g} s "
            "before its last attempt)"
        )

    def _reserve_wait(self, delay: float) -> bool:
        """Count ``delay`` against the run's waiting budget; False when it would go over."""
        with self._lock:
            if self._waited + delay > self.max_total_wait:
                return False
            self._waited += delay
            return True

    def _send(self, url: str, query: Mapping[str, str]) -> tuple[_Answer | None, _Failure | None]:
        """One request: the response when it is a 2xx, else what went wrong.

        httpx exceptions never leave this function: their text is turned into a description
        here so that nothing the request carried can reach a message or a traceback.
        """
        remaining = self._remaining()
        with self._lock:
            self._request_count += 1
        failure: _Failure | None = None
        try:
            response = self._get(url, query, min(self.timeout, max(remaining, 0.001)))
        except _Abandoned as exc:
            failure = _Failure(str(exc), retryable=True)
        except httpx.DecodingError:
            failure = _Failure(
                f"GET {url} answered a body that cannot be decoded (its Content-Encoding does "
                f"not match it); check TELNYX_BASE_URL (the default is {DEFAULT_BASE_URL})."
            )
        except httpx.TransportError as exc:
            retryable = not isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError)
            failure = _Failure(_describe_transport_error(exc, self.timeout), retryable=retryable)
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            # Anything else httpx raises is named, never shown as-is.
            failure = _Failure(
                f"GET {url} could not be sent ({type(exc).__name__}); check TELNYX_BASE_URL "
                f"(the default is {DEFAULT_BASE_URL})."
            )
        if failure is not None:
            return None, failure

        status = response.status_code
        if 200 <= status < 300:
            return response, None
        description = _describe_response(response)
        if status in (401, 403):
            return None, _Failure(
                f"Telnyx refused the API key for GET {url} ({description}). TELNYX_API_KEY is "
                "missing, wrong, or lacks permission to read network coverage: set it to a "
                "valid Telnyx API v2 key, or check against a snapshot with --coverage FILE.",
                status=status,
            )
        if status in RETRY_STATUSES or status >= 500:
            return None, _Failure(
                description,
                status=status,
                retryable=True,
                delay_hint=_retry_after(response, lambda: datetime.now(UTC)),
            )
        if 300 <= status < 400:
            where = response.headers.get("location", "elsewhere")
            return None, _Failure(
                f"GET {url} was redirected ({description}) to {where}; check TELNYX_BASE_URL "
                f"(the default is {DEFAULT_BASE_URL}).",
                status=status,
            )
        return None, _Failure(
            f"The Telnyx coverage API rejected GET {url} ({description}); check "
            f"TELNYX_BASE_URL (the default is {DEFAULT_BASE_URL}).",
            status=status,
        )

    def _get(self, url: str, query: Mapping[str, str], timeout: float) -> _Answer:
        """One GET, its body read in full within ``timeout`` seconds and ``MAX_BODY_BYTES``.

        httpx's timeouts bound each read, not the whole body: a server trickling a few bytes
        now and then would hold a run forever, so the body is read here against a clock.
        """
        deadline = time.monotonic() + timeout
        with self._http.stream("GET", url, params=query, timeout=timeout) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise _Abandoned(
                        f"the answer is over {MAX_BODY_BYTES // 2**20} MB, which no coverage "
                        "page is"
                    )
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise _Abandoned(f"the answer took over {timeout:g} s to arrive in full")
            return _Answer(
                response.status_code, response.reason_phrase, response.headers, b"".join(chunks)
            )

    def _parse(self, url: str, response: _Answer, model: type[_Page]) -> _Page:
        """The validated page, or a message saying what came back instead."""
        problem: str
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors()):
                problem = "it is not JSON"
            else:
                problem = f"it is not a coverage page ({_validation_summary(exc)})"
        content_type = response.headers.get("content-type", "no content-type")
        preview = _body_preview(response, self._secret)
        raise CoverageUnavailableError(
            self._redact(
                f"GET {url} answered HTTP {response.status_code} ({content_type}) but {problem}; "
                f"the body starts with {preview}. Check TELNYX_BASE_URL "
                f"(the default is {DEFAULT_BASE_URL})."
            )
        )

    def _redact(self, text: str) -> str:
        """Belt and braces: a server echoing the key back must not get it into a message."""
        return redact(text, self._secret)
