"""How an endpoint answers: a browser's form is redirected to the page that shows the result, and an API
call (one that accepts JSON) gets the result itself."""

import frappe


def wants_json() -> bool:
	return "application/json" in (frappe.get_request_header("Accept") or "")


def redirect(location: str) -> None:
	frappe.local.response["type"] = "redirect"
	frappe.local.response["location"] = location


def answer(location: str, result: dict) -> dict | None:
	"""`result` to an API call; otherwise a redirect of the browser to `location`."""
	if wants_json():
		return result
	redirect(location)
	return None
