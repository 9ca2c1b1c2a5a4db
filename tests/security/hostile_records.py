"""A customer whose records are full of script payloads (tests/security/payloads.py: XSS), written into
every text field the portal can render, as an import or an integration would store them (straight to the
database, past Frappe's sanitiser).

The records are copies of the demo's own records of another customer, moved to the new customer, so that
every page has something real to show; the fields are found from each doctype's meta, so a field added
later is written too."""

import uuid

from portal_client import DEMO_PASSWORD, site_connection

from security.payloads import XSS

TEXT_TYPES = frozenset({"Data", "Small Text", "Text", "Long Text", "Text Editor", "Markdown Editor"})
# the fields Frappe or the app validate as addresses, ids or keys: a payload there is refused on save
SKIPPED_FIELDS = frozenset({"name", "email", "user", "customer", "naming_series", "token_hash", "status"})
# copied from the demo's other customer: doctype -> how a copy is tied to its customer
COPIED = ("Order", "Invoice", "Document", "Support Ticket")


def text_fields(frappe, doctype: str) -> list[str]:
	return [
		df.fieldname
		for df in frappe.get_meta(doctype).fields
		if df.fieldtype in TEXT_TYPES and df.fieldname not in SKIPPED_FIELDS and df.options not in ("Email",)
	]


class Payloads:
	"""Hands out the payloads in turn, so that every one lands somewhere."""

	def __init__(self):
		self.next = 0

	def take(self) -> str:
		payload = XSS[self.next % len(XSS)]
		self.next += 1
		return payload


def make_hostile_customer(source_customer: str = "Globex Manufacturing") -> dict:
	"""A new customer and admin user with a copy of one record of each kind, every text field holding a
	payload. Returns {"customer", "user", "records": {doctype: name}, "fields": count}."""
	from customer_portal import permissions

	tag = uuid.uuid4().hex[:6]
	payloads = Payloads()
	written = 0
	with site_connection() as frappe:
		user = f"xss-{tag}@example.com"
		frappe.get_doc(
			{
				"doctype": "User",
				"email": user,
				"first_name": "Xss",
				"send_welcome_email": 0,
				"user_type": "Website User",
				"new_password": DEMO_PASSWORD,
			}
		).insert(ignore_permissions=True)
		customer = frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": f"XSS Corp {tag}",
				"portal_users": [{"user": user, "portal_role": "Customer Admin"}],
			}
		).insert(ignore_permissions=True)
		records = {"Customer": customer.name}
		for doctype in COPIED:
			filters = {"customer": source_customer, **({"docstatus": 1} if doctype == "Invoice" else {})}
			source = frappe.get_doc(doctype, frappe.db.get_value(doctype, filters, "name"))
			copy = frappe.copy_doc(source)
			copy.customer = customer.name
			# links to the other customer's records point at this customer's copies, or nowhere
			for df in copy.meta.get_link_fields():
				if df.options in records:
					copy.set(df.fieldname, records[df.options])
				elif df.options in permissions.CUSTOMER_FIELD and df.fieldname != "customer":
					copy.set(df.fieldname, None)
			copy.insert(ignore_permissions=True)
			if doctype == "Invoice":
				copy.submit()
			records[doctype] = copy.name
		ticket = records["Support Ticket"]
		message = frappe.get_doc(
			{"doctype": "Support Ticket Message", "ticket": ticket, "customer": customer.name, "message": "x"}
		)
		message.insert(ignore_permissions=True)
		records["Support Ticket Message"] = message.name
		if event := frappe.db.get_value("Portal Event", {"customer": source_customer}, "name"):
			notification = frappe.new_doc("Portal Notification")
			notification.update({"user": user, "customer": customer.name, "event": event})
			notification.insert(ignore_permissions=True)
			records["Portal Notification"] = notification.name
		# every text field of each record and of its child rows, and the user's own names
		targets = [(doctype, name) for doctype, name in records.items()]
		for doctype, name in list(targets):
			for table in frappe.get_meta(doctype).get_table_fields():
				for row in frappe.get_all(table.options, filters={"parent": name}, pluck="name"):
					targets.append((table.options, row))
		targets.append(("User", user))
		for doctype, name in targets:
			meta = frappe.get_meta(doctype)
			for field in text_fields(frappe, doctype):
				if doctype == "User" and field not in ("first_name", "last_name", "bio"):
					continue
				# a unique field (a customer's name) gets the run's tag too
				value = payloads.take() + (f" {tag}" if meta.get_field(field).unique else "")
				frappe.db.set_value(doctype, name, field, value, update_modified=False)
				written += 1
	return {"customer": customer.name, "user": user, "records": records, "fields": written}
