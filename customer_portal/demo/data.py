"""The demo's volume records: orders with their stage history, invoices, documents with their files
and a few support tickets, bulk inserted with the values their controllers would compute."""

import hashlib
import os
from collections import Counter
from datetime import datetime, timedelta

import frappe
from frappe.utils import flt, get_files_path, getdate, today

from customer_portal.analytics import month_figures, spend_figures, stage_times
from customer_portal.analytics.kept_figures import INVOICE_MONTHS, ORDER_MONTHS
from customer_portal.customer_portal.doctype.invoice.invoice import get_invoice_status
from customer_portal.demo.rows import Progress, row_name
from customer_portal.demo.stages import DOCUMENT_TYPES
from customer_portal.demo.users import STAFF_USER
from customer_portal.tickets.lifecycle import reference_context

PROJECTS = [
	"Warehouse retrofit",
	"Line 3 upgrade",
	"Spring restock",
	"Site B expansion",
	"Annual maintenance",
	"Prototype run",
	"Export batch",
	"Cold store fit-out",
]
PRODUCTS = [
	("Steel bracket", 12.5),
	("Hydraulic pump", 480.0),
	("Control panel", 1250.0),
	("Sensor kit", 89.9),
	("Installation service", 650.0),
	("Maintenance visit", 240.0),
	("Custom enclosure", 310.0),
	("Cable harness", 45.0),
]
DOCSTATUS_SUBMITTED = 1


class Records:
	"""The demo generator's volume records (`generator.Generator`)."""

	def items(self, count: int) -> list[tuple[str, float, float, float]]:
		rows = []
		for _ in range(count):
			item_name, rate = self.rng.choice(PRODUCTS)
			qty = float(self.rng.choice([1, 1, 2, 3, 5, 10, 25]))
			rows.append((item_name, qty, rate, flt(qty * rate, 2)))
		return rows

	# --- orders ------------------------------------------------------------------------------------

	def make_orders(self):
		count = self.sizes.orders
		names = self.reserve_names("ORD-.YYYY.-", count)
		progress = Progress("orders", count)
		self.orders_by_customer: dict[str, list[tuple[str, datetime, list]]] = {}
		order_rows, item_rows, history_rows = [], [], []
		moves, seconds = Counter(), Counter()  # the analytics page's stage times (analytics/stage_times.py)
		months: dict[tuple, list[int]] = {}  # and its monthly counts (analytics/month_figures.py)
		last_stage = len(self.stages) - 1
		for name in names:
			customer = self.pick_customer()
			# a third of the orders are recent and still moving through the stages; older ones are done
			age_days = self.rng.uniform(0, 60) if self.rng.random() < 0.35 else self.rng.uniform(0, 540)
			created = self.days_ago(age_days)
			reached = min(last_stage, int(age_days / 9 + self.rng.uniform(0, 1.5)))
			stage = self.stages[reached]
			items = self.items(self.rng.randint(1, 4))
			order_date = created.date()
			expected = order_date + timedelta(days=self.rng.randint(14, 60))
			stamp = created
			history = []
			for idx, stage_row in enumerate(self.stages[: reached + 1], start=1):
				if idx > 1:
					stamp = min(stamp + timedelta(hours=self.rng.uniform(4, 96)), self.now)
				history.append(frappe._dict(idx=idx, stage=stage_row.name, reached_on=stamp))
				history_rows.append(
					[
						*self.child(row_name(), name, "Order", "stage_history", idx, created),
						stage_row.name,
						stamp,
						STAFF_USER,
					]
				)
			order_moves, order_seconds = stage_times.times_of(customer, history)
			moves.update(order_moves)
			seconds.update(order_seconds)
			actual = stamp.date() if stage.is_final else None
			ORDER_MONTHS.accumulate(
				months,
				month_figures.counts_of(
					frappe._dict(
						customer=customer,
						stage=stage.name,
						order_date=order_date,
						expected_date=expected,
						actual_date=actual,
					)
				),
			)
			modified = stamp
			for idx, (item_name, qty, rate, amount) in enumerate(items, start=1):
				item_rows.append(
					[
						*self.child(row_name(), name, "Order", "items", idx, created),
						item_name,
						qty,
						rate,
						amount,
					]
				)
			order_rows.append(
				[
					name,
					created,
					modified,
					self.owner,
					STAFF_USER,
					0,
					"ORD-.YYYY.-",
					f"{self.rng.choice(PROJECTS)}: {items[0][0].lower()}",
					customer,
					customer,
					stage.name,
					order_date,
					expected,
					actual,
					sum(i[1] for i in items),
					flt(sum(i[3] for i in items), 2),
				]
			)
			self.orders_by_customer.setdefault(customer, []).append((name, created, items))
		self.insert(
			"Order",
			(
				*self.STD_FIELDS,
				"naming_series",
				"title",
				"customer",
				"customer_name",
				"stage",
				"order_date",
				"expected_date",
				"actual_date",
				"total_qty",
				"total",
			),
			order_rows,
			progress,
		)
		self.insert("Order Item", (*self.CHILD_FIELDS, "item_name", "qty", "rate", "amount"), item_rows)
		self.insert(
			"Order Stage History", (*self.CHILD_FIELDS, "stage", "reached_on", "reached_by"), history_rows
		)
		stage_times.add(moves, seconds)
		ORDER_MONTHS.add(months)
		progress.finish()

	# --- invoices ----------------------------------------------------------------------------------

	def make_invoices(self):
		count = self.sizes.invoices
		names = self.reserve_names("INV-.YYYY.-", count)
		progress = Progress("invoices", count)
		on_date = getdate(today())
		invoice_rows, item_rows = [], []
		spend: dict[tuple, list] = {}  # the analytics page's monthly spend (analytics/spend_figures.py)
		# the first invoices of the first customer cover every status, so the demo shows all of them
		forced = ["Draft", "Unpaid", "Partly Paid", "Paid", "Overdue", "Cancelled"]
		for index, name in enumerate(names):
			customer = self.customer_names[0] if index < len(forced) else self.pick_customer()
			orders = self.orders_by_customer.get(customer) or []
			order, order_created, order_items = (
				self.rng.choice(orders) if orders and self.rng.random() < 0.8 else (None, None, None)
			)
			created = (
				order_created + timedelta(days=self.rng.uniform(0, 30))
				if order_created
				else self.days_ago(self.rng.uniform(0, 540))
			)
			created = min(created, self.now)
			posting = created.date()
			due = posting + timedelta(days=self.rng.choice([14, 30, 30, 45, 60]))
			# an order's invoice bills the order's items; others are services billed on their own
			items = order_items or self.items(self.rng.randint(1, 3))
			total = flt(sum(i[3] for i in items), 2)
			want = forced[index] if index < len(forced) else None
			docstatus, paid = self.invoice_state(want, total, due, on_date)
			if want == "Overdue" and due >= on_date:
				posting, due = on_date - timedelta(days=45), on_date - timedelta(days=15)
			if want in ("Unpaid", "Partly Paid") and due < on_date:
				posting, due = on_date - timedelta(days=5), on_date + timedelta(days=25)
			outstanding = flt(total - paid, 2)
			status = get_invoice_status(docstatus, total, outstanding, due, on_date)
			INVOICE_MONTHS.accumulate(
				spend,
				spend_figures.figures_of(
					frappe._dict(docstatus=docstatus, customer=customer, posting_date=posting, total=total)
				),
			)
			for idx, (item_name, qty, rate, amount) in enumerate(items, start=1):
				item_rows.append(
					[
						*self.child(row_name(), name, "Invoice", "items", idx, created),
						item_name,
						qty,
						rate,
						amount,
					]
				)
			invoice_rows.append(
				[
					name,
					created,
					created,
					self.owner,
					STAFF_USER,
					docstatus,
					"INV-.YYYY.-",
					customer,
					customer,
					order,
					posting,
					due,
					status,
					total,
					paid,
					outstanding,
				]
			)
		self.insert(
			"Invoice",
			(
				*self.STD_FIELDS,
				"naming_series",
				"customer",
				"customer_name",
				"order",
				"posting_date",
				"due_date",
				"status",
				"total",
				"paid_amount",
				"outstanding_amount",
			),
			invoice_rows,
			progress,
		)
		self.insert("Invoice Item", (*self.CHILD_FIELDS, "item_name", "qty", "rate", "amount"), item_rows)
		# totals summed in floating point, stored to the cent as the invoices' own
		INVOICE_MONTHS.add({key: (invoices, flt(total, 2)) for key, (invoices, total) in spend.items()})
		progress.finish()

	def invoice_state(self, want: str | None, total: float, due, on_date) -> tuple[int, float]:
		"""(docstatus, paid amount) for a wanted status, or a realistic random one."""
		if want is None:
			roll = self.rng.random()
			want = (
				"Draft"
				if roll < 0.03
				else "Cancelled"
				if roll < 0.06
				else "Paid"
				if due < on_date and roll < 0.85
				else "Partly Paid"
				if roll < 0.92
				else "Unpaid"
			)
		if want == "Draft":
			return 0, 0.0
		if want == "Cancelled":
			return 2, 0.0
		if want == "Paid":
			return DOCSTATUS_SUBMITTED, total
		if want == "Partly Paid":
			return DOCSTATUS_SUBMITTED, flt(total * self.rng.choice([0.25, 0.5, 0.75]), 2)
		return DOCSTATUS_SUBMITTED, 0.0

	# --- documents and their files -------------------------------------------------------------------

	def make_documents(self):
		count = self.sizes.documents
		names = self.reserve_names("DOC-.YYYY.-", count)
		progress = Progress("documents and files", count)
		files_path = get_files_path(is_private=True)
		os.makedirs(files_path, exist_ok=True)
		document_types = list(DOCUMENT_TYPES)
		document_rows, file_rows, version_rows = [], [], []
		for name in names:
			customer = self.pick_customer()
			orders = self.orders_by_customer.get(customer) or []
			order, order_created, _items = (
				self.rng.choice(orders) if orders and self.rng.random() < 0.7 else (None, None, None)
			)
			created = (
				min(order_created + timedelta(days=self.rng.uniform(0, 20)), self.now)
				if order_created
				else self.days_ago(self.rng.uniform(0, 540))
			)
			document_type = self.rng.choice(document_types)
			title = f"{document_type} {name[-5:]}" + (f" for {order}" if order else "")
			content = (
				f"{document_type.upper()}\n\nIssued to: {customer}\nReference: {name}\n"
				f"Order: {order or '-'}\nIssued on: {created:%Y-%m-%d}\n\n"
				"This document was generated for the customer_portal demo.\n"
			).encode()
			file_name = f"{name.lower()}-{document_type.lower()}.txt"
			with open(os.path.join(files_path, file_name), "wb") as f:
				f.write(content)
			file_url = f"/private/files/{file_name}"
			document_rows.append(
				[
					*self.std(name, created),
					"DOC-.YYYY.-",
					title,
					customer,
					customer,
					document_type,
					order,
					1,
					file_url,
					f"{document_type} issued to {customer}.",
				]
			)
			version_rows.append(
				[
					*self.child(row_name(), name, "Document", "versions", 1, created),
					1,
					file_url,
					len(content),
					hashlib.sha256(content).hexdigest(),
					STAFF_USER,
					created,
				]
			)
			file_rows.append(
				[
					*self.std(row_name(), created),
					file_name,
					file_url,
					1,
					"Document",
					name,
					"file",
					len(content),
					hashlib.md5(content).hexdigest(),
					"Home/Attachments",
					0,
				]
			)
		self.insert(
			"Document",
			(
				*self.STD_FIELDS,
				"naming_series",
				"title",
				"customer",
				"customer_name",
				"document_type",
				"order",
				"version",
				"file",
				"description",
			),
			document_rows,
			progress,
		)
		self.insert(
			"File",
			(
				*self.STD_FIELDS,
				"file_name",
				"file_url",
				"is_private",
				"attached_to_doctype",
				"attached_to_name",
				"attached_to_field",
				"file_size",
				"content_hash",
				"folder",
				"is_folder",
			),
			file_rows,
		)
		self.insert(
			"Document Version",
			(*self.CHILD_FIELDS, "version", "file", "file_size", "sha256", "uploaded_by", "uploaded_on"),
			version_rows,
		)
		progress.finish()

	# (subject, category, status, customer's message, staff reply or None, about the customer's first order)
	TICKETS = (
		(
			"When will the order arrive?",
			"Order status",
			"Answered",
			"Hello, our site team needs a delivery date for this order. Can you confirm it?",
			"Hello, the order leaves our plant on Thursday; you will have the tracking link the same day.",
			True,
		),
		(
			"Quality certificate for the last delivery",
			"Documents",
			"Open",
			"Could you add the material certificate (3.1) for our last delivery to the documents library?",
			None,
			False,
		),
		(
			"Invoice address",
			"Billing",
			"Closed",
			"Please send future invoices to accounts payable rather than to me.",
			"Done: invoices now go to your accounts payable address.",
			False,
		),
	)

	def make_tickets(self):
		"""A few support tickets with their threads for the first two customers (bulk inserted, like the
		rest of the demo: no events, no emails)."""
		customers = [
			c for c in self.customer_names[:2] if not frappe.db.exists("Support Ticket", {"customer": c})
		]
		names = self.reserve_names("TKT-.YYYY.-", len(customers) * len(self.TICKETS))
		ticket_rows, message_rows = [], []
		for customer in customers:
			user = frappe.db.get_value(
				"Customer Portal User",
				{"parent": customer, "parenttype": "Customer"},
				"user",
				order_by="idx asc",
			)
			orders = self.orders_by_customer.get(customer) or []
			for index, (subject, category, status, asked, answer, about_order) in enumerate(self.TICKETS):
				name = names.pop(0)
				opened = self.days_ago(6 - index * 2)
				replied = opened + timedelta(hours=3)
				order = orders[-1][0] if about_order and orders else None
				context = reference_context(frappe.get_doc("Order", order)) if order else None
				last = replied if answer else opened
				ticket_rows.append(
					[
						*self.std(name, opened),
						subject,
						customer,
						user,
						status,
						"Medium",
						category if frappe.db.exists("Ticket Category", category) else None,
						"Order" if order else None,
						order,
						context,
						last if status == "Closed" else None,
						STAFF_USER if status == "Closed" else None,
						last,
					]
				)
				message_rows.append([*self.std(row_name(), opened), name, customer, user, 0, 1, asked])
				if answer:
					message_rows.append(
						[
							*self.std(row_name(), replied),
							name,
							customer,
							STAFF_USER,
							0,
							0,
							answer,
						]
					)
		self.insert(
			"Support Ticket",
			(
				*self.STD_FIELDS,
				"subject",
				"customer",
				"raised_by",
				"status",
				"priority",
				"category",
				"reference_doctype",
				"reference_name",
				"reference_context",
				"closed_on",
				"closed_by",
				"last_message_on",
			),
			ticket_rows,
		)
		self.insert(
			"Support Ticket Message",
			(*self.STD_FIELDS, "ticket", "customer", "author", "internal", "from_customer", "message"),
			message_rows,
		)
