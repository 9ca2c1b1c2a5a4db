"""Security headers on every response (`after_request`).

All responses get `X-Content-Type-Options`, `Referrer-Policy`, `Permissions-Policy` and, over https,
HSTS. Portal pages and the login page also get a Content-Security-Policy that forbids framing, plugins,
foreign scripts, styles, images and connections, and form posts anywhere but this site (and where a
form's redirect legitimately ends: the S3 endpoint of downloads, the customers' identity providers on the
single sign-on page, the payment provider's checkout on invoice pages). Desk keeps Frappe's own behaviour (no CSP: it frames print previews).

The portal's pages render in its own shell (templates/portal/shell.html) with no inline script at all, so
their policy runs scripts from this site only: no `'unsafe-inline'`, no nonce needed. Pages Frappe renders
itself under these paths (the login and update-password pages, Web Forms, the not-found and error pages)
carry Frappe's inline scripts and keep `'unsafe-inline'` and `'unsafe-eval'` (Frappe's web bundle compiles
its message templates with `new Function`; Web Forms evaluate depends-on expressions); none of them shows a
customer's records.
"""

from urllib.parse import urlsplit

import frappe
from frappe.utils.oauth import get_oauth2_providers

from customer_portal.accounts.single_sign_on import routes
from customer_portal.documents.storage import s3_config
from customer_portal.web.request_guards import web_form_routes

CSP_PATHS = ("/portal", "/login", "/update-password")
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
HSTS = "max-age=31536000; includeSubDomains"


def add_security_headers(response, request) -> None:
	headers = response.headers
	headers.setdefault("X-Content-Type-Options", "nosniff")
	headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
	headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
	if _is_https(request):
		headers.setdefault("Strict-Transport-Security", HSTS)
	if request.path.startswith(CSP_PATHS) and "Content-Security-Policy" not in headers:
		shell = frappe.local.flags.get("portal_shell") and response.status_code < 300
		headers["Content-Security-Policy"] = portal_policy(request.path, strict=bool(shell))
		headers.setdefault("X-Frame-Options", "DENY")


def portal_policy(path: str = "/portal", strict: bool = True) -> str:
	"""The policy of a portal path; `strict`: a page of the portal's own shell (no inline script)."""
	# a form's redirect is held to form-action too: downloads may end at S3, single sign-on at the
	# customers' identity providers
	form_targets = " ".join(
		[
			"'self'",
			*_download_origins(),
			*(_sso_origins() if path.startswith("/portal/sso") else []),
			*(_payment_origins() if path.startswith("/portal/invoices/") else []),
		]
	)
	if strict:
		scripts = "'self'"
	else:
		# Frappe's own pages run its web bundle, which compiles its message and dialog templates with
		# `new Function` (and Web Forms evaluate depends_on expressions): without 'unsafe-eval' an error
		# message on the login or not-found page is a CSP violation and never shows
		scripts = "'self' 'unsafe-inline' 'unsafe-eval'"
	return "; ".join(
		[
			"default-src 'self'",
			f"script-src {scripts}",
			"style-src 'self' 'unsafe-inline'",
			"img-src 'self' data: blob:",
			"font-src 'self' data:",
			"connect-src 'self'",
			"object-src 'none'",
			"base-uri 'self'",
			f"form-action {form_targets}",
			"frame-ancestors 'none'",
		]
	)


def _download_origins() -> list[str]:
	"""Where a download form may end up: the S3 endpoint its link redirects to, when S3 is in use."""
	try:
		config = s3_config()
	except Exception:
		return []
	if not config:
		return []
	if config.endpoint_url:
		parts = urlsplit(config.endpoint_url)
		return [f"{parts.scheme}://{parts.netloc}"]
	return ["https://*.amazonaws.com"]


def _payment_origins() -> list[str]:
	"""Where Pay now's redirect ends: Stripe's hosted checkout (or the gateway site config points at)."""
	base = frappe.conf.get("customer_portal_stripe_api_base")
	if base:
		parts = urlsplit(base)
		return [f"{parts.scheme}://{parts.netloc}"]
	return ["https://checkout.stripe.com"]


def _sso_origins() -> list[str]:
	providers = get_oauth2_providers()
	origins = set()
	for _customer, provider in routes().values():
		parts = urlsplit(providers.get(provider, {}).get("flow_params", {}).get("authorize_url") or "")
		if parts.scheme in ("http", "https") and parts.netloc:
			origins.add(f"{parts.scheme}://{parts.netloc}")
	return sorted(origins)


def _is_web_form(path: str) -> bool:
	route = path.strip("/")
	return any(route == form or route.startswith(form + "/") for form in web_form_routes())


def _is_https(request) -> bool:
	if request.scheme == "https":
		return True
	# behind a TLS-terminating proxy that the site trusts (nginx sets it)
	return frappe.get_request_header("X-Forwarded-Proto") == "https" and bool(
		frappe.conf.get("host_name", "").startswith("https")
	)
