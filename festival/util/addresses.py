"""The address printed in QR codes: derived from the served host and port, the machine's LAN
addresses for phones at the venue, and whether phones can reach an address at all."""

import fcntl
import ipaddress
import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l

# Names that never resolve on a phone: reserved for testing and documentation (RFC 2606, RFC 6761),
# and ".local", which is multicast DNS: Android phones and tablets do not resolve it in the browser.
UNREACHABLE_SUFFIXES = (".test", ".example", ".invalid", ".localhost", ".local")
DOCUMENTATION_DOMAINS = ("example.com", "example.net", "example.org")
ANY_ADDRESS = {"0.0.0.0", "::", ""}
SIOCGIFADDR = 0x8915  # Linux ioctl: an interface's IPv4 address


def _interface_addresses() -> list[str]:
    """Every interface's IPv4 address (Linux), read with SIOCGIFADDR; empty elsewhere."""
    found = []
    try:
        names = [name for _index, name in socket.if_nameindex()]
    except OSError:
        return found
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for name in names:
            request = struct.pack("256s", name.encode()[:15])
            try:
                answer = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, request)
            except OSError:  # no IPv4 address on this interface
                continue
            found.append(socket.inet_ntoa(answer[20:24]))
    return found


def _default_route_address() -> str | None:
    """The address the machine would send from towards the internet (a UDP socket sends nothing)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            return probe.getsockname()[0]
    except OSError:
        return None


def lan_addresses() -> list[str]:
    """The machine's IPv4 addresses other phones on its network could use: no loopback, no
    link-local; the one of the default route first."""
    candidates = _interface_addresses()
    default = _default_route_address()
    if default:
        candidates.insert(0, default)
    seen = []
    for text in candidates:
        address = ipaddress.ip_address(text)
        if address.is_loopback or address.is_link_local or address.is_unspecified or text in seen:
            continue
        seen.append(text)
    return seen


def _url(scheme: str, host: str, port: int | str) -> str:
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    default_port = {"http": "80", "https": "443"}[scheme]
    return f"{scheme}://{host}" if str(port) == default_port else f"{scheme}://{host}:{port}"


def derived_base_url(host: str, port: int | str, lan: list[str] | None = None) -> str:
    """The address QR codes hold when PUBLIC_BASE_URL is not set: the served host and port, or, for a
    server listening on every interface (0.0.0.0), the machine's first LAN address."""
    host = (host or "").strip().strip("[]")
    if host in ANY_ADDRESS:
        lan = lan_addresses() if lan is None else lan
        host = lan[0] if lan else "127.0.0.1"
    return _url("http", host, port)


def base_url_from_environment(environ) -> str:
    """PUBLIC_BASE_URL when set, else the address derived from HOST and PORT (what `make run` serves)."""
    explicit = (environ.get("PUBLIC_BASE_URL") or "").strip()
    if explicit:
        return explicit
    return derived_base_url(environ.get("HOST", "127.0.0.1"), environ.get("PORT", "5000"))


def unreachable_reason(base_url: str):
    """Why phones at the venue cannot open `base_url` (a message), or None when they may.

    Loopback (127.x, localhost, ::1), the any-address, link-local, reserved names (.test, .example,
    .invalid, .localhost), multicast-DNS names (.local) and names without a dot (they need the
    venue's own DNS) are refused; a LAN address or a real domain is not.
    """
    try:
        parts = urlsplit(base_url)
        host = (parts.hostname or "").rstrip(".").lower()
        parts.port  # noqa: B018 — raises ValueError for a port that is not a number
    except ValueError:
        return _l("Địa chỉ không hợp lệ.")
    if parts.scheme not in ("http", "https") or not host:
        return _l("Địa chỉ không hợp lệ: cần dạng http://… hoặc https://…")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        if address.is_loopback:
            return _l("Đây là địa chỉ của chính máy chủ (loopback): điện thoại không mở được.")
        if address.is_unspecified:
            return _l("0.0.0.0 không phải là một địa chỉ mở được.")
        if address.is_link_local:
            return _l("Địa chỉ link-local (169.254.x.x) chỉ có khi mạng không cấp địa chỉ: điện thoại không mở được.")
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return _l("Đây là địa chỉ của chính máy chủ (loopback): điện thoại không mở được.")
    if host.endswith(UNREACHABLE_SUFFIXES):
        return _l("Tên miền %(host)s không phân giải được trên điện thoại.", host=host)
    if host in DOCUMENTATION_DOMAINS or host.endswith(tuple("." + d for d in DOCUMENTATION_DOMAINS)):
        return _l("Tên miền %(host)s chỉ dùng làm ví dụ, không trỏ tới máy chủ này.", host=host)
    if "." not in host:
        return _l("Tên máy %(host)s không có tên miền: điện thoại thường không phân giải được.", host=host)
    return None


@dataclass(frozen=True)
class PublicAddress:
    """What every QR code of this app holds, and whether phones can open it."""

    base_url: str
    problem: object  # a lazy message, or None

    @property
    def is_reachable(self) -> bool:
        return self.problem is None

    @property
    def is_secure(self) -> bool:
        return self.base_url.startswith("https://")


def public_address() -> PublicAddress:
    """The app's configured public address and its problem, if any."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return PublicAddress(base, unreachable_reason(base))


def describe(host: str, port: int | str, base_url: str, lan: list[str]) -> list[str]:
    """The lines `make run` prints: where the app listens, what QR codes hold, what phones can use."""
    host = (host or "").strip().strip("[]")
    lines = [f"Serving on {_url('http', host or '0.0.0.0', port)}"]
    problem = unreachable_reason(base_url)
    lines.append(f"QR codes (badges, posters, certificates) will hold: {base_url}")
    loopback_only = host == "localhost" or (_is_ip(host) and ipaddress.ip_address(host).is_loopback)
    if loopback_only and problem is None:
        lines.append(f"It listens on this machine only: phones reach it through {base_url} (a proxy in front).")
    elif loopback_only:
        lines.append(
            "Phones and tablets cannot reach this server: it listens on this machine only. "
            f"To serve the venue's network: HOST=0.0.0.0 PORT={port} make run"
        )
    elif lan:
        lines.append("Phones on the same network can open:")
        lines.extend(f"  {_url('http', address, port)}" for address in lan)
    else:
        lines.append("This machine has no network address other phones could use (no LAN connection?).")
    if problem is not None:
        lines.append(f"WARNING: phones cannot open the QR codes' address: {problem}")
        lines.append("Set PUBLIC_BASE_URL=http://<LAN address>:<port> (or the HTTPS address) before printing.")
    elif base_url.startswith("http://"):
        lines.append("Without HTTPS phones cannot use the camera scanner or offline mode; see README, 'At the venue'.")
    return lines


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def print_refused(confirm_field) -> bool:
    """Whether a bulk print must wait: the QR address is one phones cannot open and the organizer has
    not ticked `confirm_field` (which then carries the reason as its error)."""
    address = public_address()
    if address.is_reachable or confirm_field.data:
        return False
    message = _l("Hãy xác nhận trước khi in: %(problem)s", problem=address.problem)
    confirm_field.errors = [*confirm_field.errors, message]
    return True
