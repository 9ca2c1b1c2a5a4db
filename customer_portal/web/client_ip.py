"""The client's IP address, trusting `X-Forwarded-For` only from proxies the site names.

Frappe takes the first `X-Forwarded-For` entry as the client (`frappe.auth.HTTPRequest.set_request_ip`),
whoever sent the header, so a client can claim any address and dodge or reset anything keyed by IP. Here the
peer address (`REMOTE_ADDR`) is the client unless it is a trusted proxy (site config
`customer_portal_trusted_proxies`: addresses or networks, e.g. `["127.0.0.1", "10.0.0.0/8"]`); behind
trusted proxies the client is the right-most `X-Forwarded-For` entry that is not one of them, the one the
outermost trusted proxy appended. Anything a client writes to the left of it is ignored.

`use_client_ip` (a `before_request` hook) puts the answer in `frappe.local.request_ip`, so Frappe's
`rate_limit`, its logs and the app's audit trails see the same address.
"""

from functools import lru_cache
from ipaddress import ip_address, ip_network

import frappe

CONFIG_KEY = "customer_portal_trusted_proxies"


@lru_cache(maxsize=32)
def _networks(proxies: tuple[str, ...]) -> tuple:
	return tuple(ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy and proxy.strip())


def trusted_networks() -> tuple:
	proxies = frappe.conf.get(CONFIG_KEY) or ()
	if isinstance(proxies, str):
		proxies = proxies.split(",")
	return _networks(tuple(proxies))


def _parse(value: str):
	try:
		return ip_address(value.strip())
	except ValueError:
		return None


def _is_trusted(address, networks) -> bool:
	return any(address in network for network in networks)


def client_ip(request=None) -> str:
	request = request or getattr(frappe.local, "request", None)
	if request is None:
		return "127.0.0.1"
	peer = request.environ.get("REMOTE_ADDR") or "127.0.0.1"
	networks = trusted_networks()
	peer_address = _parse(peer)
	if not networks or peer_address is None or not _is_trusted(peer_address, networks):
		return peer
	hops = [hop for hop in (request.headers.get("X-Forwarded-For") or "").split(",") if hop.strip()]
	for hop in reversed(hops):
		address = _parse(hop)
		if address is None:
			break  # not written by a proxy we trust: stop at the last address we could rely on
		if not _is_trusted(address, networks):
			return str(address)
		peer = str(address)
	return peer


def use_client_ip() -> None:
	"""`before_request`: the trusted client address for the rest of the request."""
	if getattr(frappe.local, "request", None) is not None:
		frappe.local.request_ip = client_ip()
