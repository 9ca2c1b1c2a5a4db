"""Builders for test records. Each returns the name of what it made; nothing here commits."""

import socket

import frappe
from frappe.database import get_db
from frappe.utils import add_days, today

from customer_portal.setup.order_stages import create_stages
from customer_portal.web.request_guards import guard_named_records


def make_user(email: str, first_name: str | None = None) -> str:
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name or email.split("@")[0],
				"send_welcome_email": 0,
				"user_type": "Website User",
			}
		).insert(ignore_permissions=True)
	return email


def make_stages(prefix: str = "Test") -> list[str]:
	"""Three stages with customer-facing texts, placed before any existing stage; the last one is final."""
	first = (frappe.db.get_value("Order Stage", {}, "min(sequence)") or 1000) - 30
	stages = [
		(f"{prefix} Received", first, "We have your order.", 0),
		(f"{prefix} In Production", first + 10, "Your order is being made.", 0),
		(f"{prefix} Delivered", first + 20, "Your order has been delivered.", 1),
	]
	return create_stages(stages)


def make_document_type(name: str = "Test Certificate") -> str:
	if not frappe.db.exists("Document Type", name):
		frappe.get_doc({"doctype": "Document Type", "document_type_name": name}).insert()
	return name


def make_customer(customer_name: str, users: dict[str, str] | None = None) -> str:
	"""`users` maps user -> portal role ("Member" or "Customer Admin")."""
	doc = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": customer_name,
			"contact_email": "accounts@{}.example.com".format(frappe.scrub(customer_name).replace("_", "-")),
			"portal_users": [{"user": user, "portal_role": role} for user, role in (users or {}).items()],
		}
	).insert()
	return doc.name


def make_order(customer: str, title: str = "Test order", stage: str | None = None, **fields) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Order",
			"customer": customer,
			"title": title,
			"stage": stage,
			"items": fields.pop("items", [{"item_name": "Widget", "qty": 2, "rate": 50}]),
			**fields,
		}
	).insert()
	return doc.name


def set_stage_history(order: str, moves: list[tuple[str, object]]):
	"""Replace an order's stage history with `moves` ((stage, reached on), ...) and save it as staff would."""
	doc = frappe.get_doc("Order", order)
	doc.stage_history = []
	for stage, reached in moves:
		doc.append("stage_history", {"stage": stage, "reached_on": reached, "reached_by": "Administrator"})
	doc.save()
	return doc


def make_invoice(customer: str, submit: bool = True, rate: float = 100, **fields):
	doc = frappe.get_doc(
		{
			"doctype": "Invoice",
			"customer": customer,
			"posting_date": fields.pop("posting_date", today()),
			"due_date": fields.pop("due_date", add_days(today(), 30)),
			"items": fields.pop("items", [{"item_name": "Service", "qty": 1, "rate": rate}]),
			**fields,
		}
	).insert()
	if submit:
		doc.submit()
	return doc


def make_private_file(file_name: str, content: bytes) -> str:
	"""A private file not yet attached to anything; returns its URL."""
	doc = frappe.get_doc(
		{"doctype": "File", "file_name": file_name, "content": content, "is_private": 1}
	).insert()
	return doc.file_url


def make_document(customer: str, title: str = "Test document", **fields) -> str:
	file_url = fields.pop("file", None) or make_private_file(
		f"{frappe.scrub(title)}-{frappe.generate_hash(length=6)}.txt", f"{title} for {customer}".encode()
	)
	doc = frappe.get_doc(
		{
			"doctype": "Document",
			"customer": customer,
			"title": title,
			"document_type": fields.pop("document_type", None) or make_document_type(),
			"file": file_url,
			**fields,
		}
	).insert()
	return doc.name


def make_outgoing_email_account() -> str:
	"""An outgoing Email Account, so that mail can be queued (nothing is sent while tests run)."""
	name = "Portal Unit Tests"
	if not frappe.db.exists("Email Account", name):
		account = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": name,
				"email_id": "unit-tests@example.com",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "127.0.0.1",
				"smtp_port": 2525,
				"no_smtp_authentication": 1,
			}
		)
		account.flags.ignore_validate = True  # no SMTP server to check against
		account.insert(ignore_permissions=True)
	return name


def share_written_in_the_database(user: str, doctype: str, name: str) -> str:
	"""A read DocShare of `name` with `user`, inserted around the DocShare guard (as one made before the
	guard, or by SQL, would be); returns its name."""
	share = frappe.generate_hash(length=10)
	frappe.db.sql(
		"""insert into `tabDocShare` (name, user, share_doctype, share_name, `read`, creation, modified)
		values (%s, %s, %s, %s, 1, now(), now())""",
		(share, user, doctype, name),
	)
	return share


def site_connection(port: int | None = None):
	"""A database connection of the site's own, beside the test's (which holds its open transaction):
	for another session's writes, reads of what is committed, or a connection to kill."""
	conf = frappe.conf
	return get_db(
		host=conf.db_host,
		port=port or conf.db_port,
		user=conf.db_name,
		password=conf.db_password,
		cur_db_name=conf.db_name,
	)


def unused_port() -> int:
	"""A loopback port nothing listens on (until a test starts a server there)."""
	with socket.socket() as probe:
		probe.bind(("127.0.0.1", 0))
		return probe.getsockname()[1]


def whitelisted(method: str):
	"""The function an HTTP call of `method` runs, after apps' override_whitelisted_methods."""
	return frappe.get_attr(frappe.get_hooks("override_whitelisted_methods", {}).get(method, [method])[-1])


def called(method: str, **params):
	"""An HTTP call of `method` with `params` as the app answers it: the request guard that answers a
	record the user may not reach like a missing one, then the function."""
	frappe.local.form_dict = frappe._dict(params)
	guard_named_records({})
	return whitelisted(method)(**params)
