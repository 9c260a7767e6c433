"""What a page fetched, as Chromium's DevTools protocol reports it: each request, whether it went to the server
or was answered from the browser's cache, and the bytes that crossed the network (also used by
bench/page_weight.py)."""

import re
from dataclasses import dataclass


@dataclass
class Fetch:
    """One request of a page load."""

    url: str
    kind: str  # DevTools' resource type: Document, Stylesheet, Script, Font, Image, Fetch…
    status: int = 0
    from_cache: bool = False  # answered by the memory or disk cache: nothing was sent to the server
    transferred: int = 0  # bytes received from the network: headers and (compressed) body
    size: int = 0  # body bytes after decompression
    encoding: str = ""  # Content-Encoding of the answer
    cache_control: str = ""

    @property
    def path(self) -> str:
        return re.sub(r"^[a-z]+://[^/]+", "", self.url)

    @property
    def is_static(self) -> bool:
        return self.path.startswith("/static/")


class NetworkLog:
    """Every request a Playwright page makes from now on; `take()` hands over those made so far."""

    def __init__(self, page):
        self._fetches: dict[str, Fetch] = {}
        self._order: list[str] = []
        self._session = page.context.new_cdp_session(page)
        self._session.on("Network.requestWillBeSent", self._sent)
        self._session.on("Network.requestServedFromCache", self._served_from_cache)
        self._session.on("Network.responseReceived", self._response)
        self._session.on("Network.dataReceived", self._data)
        self._session.on("Network.loadingFinished", self._finished)
        self._session.send("Network.enable")

    def _sent(self, event):
        if event["request"]["url"].startswith("data:"):
            return  # decoded in the page (Bootstrap's icons): nothing crosses the network
        request_id = event["requestId"]
        if request_id not in self._fetches:
            self._order.append(request_id)
        self._fetches[request_id] = Fetch(url=event["request"]["url"], kind=event.get("type", "Other"))

    def _served_from_cache(self, event):
        if event["requestId"] in self._fetches:
            self._fetches[event["requestId"]].from_cache = True

    def _response(self, event):
        fetch = self._fetches.get(event["requestId"])
        if fetch is None:
            return
        response = event["response"]
        headers = {name.lower(): value for name, value in response.get("headers", {}).items()}
        fetch.status = response["status"]
        fetch.from_cache = fetch.from_cache or response.get("fromDiskCache", False)
        fetch.encoding = headers.get("content-encoding", "")
        fetch.cache_control = headers.get("cache-control", "")

    def _data(self, event):
        if event["requestId"] in self._fetches:
            self._fetches[event["requestId"]].size += event["dataLength"]

    def _finished(self, event):
        if event["requestId"] in self._fetches:
            self._fetches[event["requestId"]].transferred = int(event["encodedDataLength"])

    def take(self) -> list[Fetch]:
        """The requests made since the last call, in the order they were sent."""
        fetches = [self._fetches[request_id] for request_id in self._order]
        self._fetches, self._order = {}, []
        return fetches


def settle(page):
    """Wait until the page has loaded, its fonts are in and the network has been quiet for half a second."""
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_load_state("networkidle")


def sign_in_by_request(context, base_url, email, password):
    """Sign the browser context in without loading a page into its cache (cookies are shared)."""
    login_page = context.request.get(f"{base_url}/auth/login").text()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', login_page).group(1)
    answer = context.request.post(
        f"{base_url}/auth/login", form={"csrf_token": token, "email": email, "password": password}, max_redirects=0
    )
    assert answer.status == 302, answer.text()
