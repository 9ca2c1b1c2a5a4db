"""The messages the end-to-end run's SMTP server (tests/mail_sink.py) received, for suites to read."""

import email
import os
import time
from email import policy
from pathlib import Path

MAIL_DIR = Path(os.environ.get("CP_E2E_MAIL_DIR", "/nonexistent"))


def mails() -> list:
	"""Every message the SMTP server received so far, parsed."""
	found = []
	for path in sorted(MAIL_DIR.glob("*.eml")):
		message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
		body = message.get_body(preferencelist=("html", "plain"))
		found.append(
			{
				"to": str(message["To"]),
				"subject": str(message["Subject"]),
				"body": body.get_content() if body else "",
				"list_unsubscribe": str(message["List-Unsubscribe"] or ""),
				"list_unsubscribe_post": str(message["List-Unsubscribe-Post"] or ""),
			}
		)
	return found


def wait_for(check, timeout: float = 60, interval: float = 0.25):
	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		result = check()
		if result:
			return result
		time.sleep(interval)
	return check()


def to(user: str, containing: str, since: int = 0) -> list:
	"""Messages to `user` mentioning `containing`, among those received after the first `since`."""
	return [m for m in mails()[since:] if user in m["to"] and containing in (m["subject"] + m["body"])]


def use_test_mail_server() -> None:
	"""Point the site's outgoing Email Account at this run's SMTP server."""
	import services
	from portal_client import site_connection

	with site_connection() as frappe:
		if frappe.db.exists("Email Account", "Portal Test Mail"):
			frappe.db.set_value("Email Account", "Portal Test Mail", "smtp_port", services.current.mail_port)
		else:
			frappe.get_doc(
				{
					"doctype": "Email Account",
					"email_account_name": "Portal Test Mail",
					"email_id": "portal@example.com",
					"enable_outgoing": 1,
					"default_outgoing": 1,
					"smtp_server": "127.0.0.1",
					"smtp_port": services.current.mail_port,
					"no_smtp_authentication": 1,
					"use_tls": 0,
					"use_ssl_for_outgoing": 0,
				}
			).insert(ignore_permissions=True)


def require_mail_services() -> None:
	"""For suites that read mail: skip outside tests/run.py (which starts the SMTP server and the
	workers), and point the site's outgoing Email Account at this run's server."""
	import unittest

	import services

	if services.current is None or not services.current.mail_port:
		raise unittest.SkipTest("run through tests/run.py, which starts the SMTP server and workers")
	use_test_mail_server()
