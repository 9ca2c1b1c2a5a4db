"""Realistic demo data, from two customers up to 1,000 customers / 100,000 orders / 200,000 invoices.

Configuration records (stages, document types, the staff user) go through the document API. The volume
records are written with `frappe.db.bulk_insert` in chunks, with the values the controllers would compute
(item amounts, totals, stage history, invoice status and outstanding amount, private files on disk) so
that the demo site looks exactly like one filled through desk.
"""

import hashlib
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import frappe
from frappe.utils import flt, get_files_path, getdate, now_datetime, today
from frappe.utils.password import passlibctx

from customer_portal.customer_portal.doctype.invoice.invoice import get_invoice_status
from customer_portal.invoices import spend_figures
from customer_portal.kept_figures import INVOICE_MONTHS, ORDER_MONTHS
from customer_portal.orders import month_figures, stage_times
from customer_portal.payments.ledger import record_untracked_payments
from customer_portal.permissions import STAFF_ROLE
from customer_portal.portal.dashboard import forget_all
from customer_portal.portal_access import implied_access
from customer_portal.records import reserve_names
from customer_portal.setup.order_stages import create_stages, remove_unused_default_stages

LIMITS = {"customers": 1_000, "orders": 100_000, "invoices": 200_000, "documents": 50_000}
STAGES = [
	("Received", 10, "We have received your order and are reviewing it.", 0),
	("Confirmed", 20, "Your order is confirmed and scheduled.", 0),
	("In Production", 30, "Your order is being produced.", 0),
	("Quality Check", 40, "Your order is being inspected before it ships.", 0),
	("Shipped", 50, "Your order is on its way.", 0),
	("Delivered", 60, "Your order has been delivered.", 1),
]
DOCUMENT_TYPES = {
	"Contract": "Signed agreements and their amendments.",
	"Certificate": "Certificates of conformity and analysis.",
	"Report": "Inspection, test and service reports.",
	"Drawing": "Approved technical drawings and artwork.",
}
# document types customers may upload to, and the file kinds each accepts
CUSTOMER_UPLOADS = {"Contract": "pdf", "Drawing": "pdf, png, jpg"}
FIRST_CUSTOMERS = [
	("Acme Logistics", "acme"),
	("Globex Manufacturing", "globex"),
]
# a demo user is signed in from many places at once (the test suites, a person trying the demo); Frappe's
# default for a user is 2, which the portal enforces (accounts/sessions.py)
DEMO_SIMULTANEOUS_SESSIONS = 20
FIRST_NAMES = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"]
LAST_NAMES = ["Archer", "Baker", "Cooper", "Dalton", "Ellis", "Fisher", "Garcia", "Hughes", "Irwin", "Jones"]
COMPANY_WORDS = ["Northwind", "Contoso", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Cyberdyne"]
COMPANY_KINDS = ["Foods", "Engineering", "Retail", "Health", "Energy", "Textiles", "Marine", "Labs"]
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
STAFF_USER = "staff@portal.example.com"


def row_name() -> str:
	"""A name for a bulk-inserted row. Frappe names rows with 10 hex digits and retries a clash on insert;
	bulk inserts cannot retry, and at a million orders (several million item and stage rows) 40 bits
	clash, so demo rows get 20."""
	return frappe.generate_hash(length=20)


@dataclass
class DemoSizes:
	customers: int = 2
	users_per_customer: int = 2
	orders: int = 40
	invoices: int = 60
	documents: int = 30

	def validate(self):
		for key, limit in LIMITS.items():
			value = getattr(self, key)
			if not 0 <= value <= limit:
				raise frappe.ValidationError(f"--{key} must be between 0 and {limit:,}, not {value:,}")
		if self.customers < 2:
			raise frappe.ValidationError(
				"--customers must be at least 2 (the demo logins need two customers)"
			)
		if not 1 <= self.users_per_customer <= 10:
			raise frappe.ValidationError("--users-per-customer must be between 1 and 10")


class Progress:
	"""A one-line progress bar on a terminal, a line per quarter elsewhere (CI logs)."""

	def __init__(self, label: str, total: int):
		self.label, self.total, self.done, self.started = label, max(total, 1), 0, time.monotonic()
		self.tty = sys.stdout.isatty()
		self.next_report = 0.25

	def advance(self, count: int):
		self.done = min(self.done + count, self.total)
		fraction = self.done / self.total
		if self.tty:
			filled = int(fraction * 30)
			sys.stdout.write(
				f"\r  {self.label:<22} [{'#' * filled}{'.' * (30 - filled)}] {self.done:>7,}/{self.total:,}"
			)
			sys.stdout.flush()
		elif fraction >= self.next_report:
			print(f"  {self.label}: {self.done:,}/{self.total:,}", flush=True)
			while self.next_report <= fraction:
				self.next_report += 0.25

	def finish(self):
		self.advance(0)
		elapsed = time.monotonic() - self.started
		if self.tty:
			sys.stdout.write(f"  {elapsed:.1f}s\n")
		else:
			print(f"  {self.label}: done in {elapsed:.1f}s", flush=True)


@dataclass
class Generator:
	sizes: DemoSizes
	password: str
	seed: int = 42
	rng: random.Random = field(init=False)
	now: datetime = field(init=False)
	owner: str = "Administrator"

	def __post_init__(self):
		self.rng = random.Random(self.seed)
		self.now = now_datetime()

	# --- helpers -------------------------------------------------------------------------------------

	def std(self, name: str, created: datetime | None = None) -> list:
		created = created or self.now
		return [name, created, created, self.owner, self.owner, 0]

	STD_FIELDS = ("name", "creation", "modified", "owner", "modified_by", "docstatus")

	def child(self, name, parent, parenttype, parentfield, idx, created):
		return [name, created, created, self.owner, self.owner, 0, parent, parenttype, parentfield, idx]

	CHILD_FIELDS = (*STD_FIELDS, "parent", "parenttype", "parentfield", "idx")

	def insert(self, doctype: str, fields, rows: list, progress: Progress | None = None, chunk: int = 5_000):
		for start in range(0, len(rows), chunk):
			frappe.db.bulk_insert(doctype, list(fields), rows[start : start + chunk], chunk_size=chunk)
			if progress:
				progress.advance(min(chunk, len(rows) - start))

	def reserve_names(self, series: str, count: int) -> list[str]:
		return reserve_names(series, count)

	def days_ago(self, days: float) -> datetime:
		return self.now - timedelta(days=days)

	# --- configuration -------------------------------------------------------------------------------

	def make_configuration(self):
		if not frappe.db.get_single_value("System Settings", "setup_complete"):
			# a new site opens desk on Frappe's setup wizard; the demo answers it so staff land in desk
			from frappe.desk.page.setup_wizard.setup_wizard import setup_complete

			setup_complete(
				{"language": "English", "country": "United States", "timezone": "UTC", "currency": "USD"}
			)
		# the demo runs its own logistics flow instead of the install's production flow
		remove_unused_default_stages()
		create_stages(demo_stages())
		for name, description in DOCUMENT_TYPES.items():
			if not frappe.db.exists("Document Type", name):
				frappe.get_doc(
					{
						"doctype": "Document Type",
						"document_type_name": name,
						"description": description,
						"allow_customer_upload": int(name in CUSTOMER_UPLOADS),
						"allowed_file_types": CUSTOMER_UPLOADS.get(name),
					}
				).insert()
		if not frappe.db.exists("User", STAFF_USER):
			staff = frappe.get_doc(
				{
					"doctype": "User",
					"email": STAFF_USER,
					"first_name": "Sam",
					"last_name": "Staff",
					"send_welcome_email": 0,
					"new_password": self.password,
				}
			)
			staff.append("roles", {"role": STAFF_ROLE})
			staff.insert()
		self.stages = frappe.get_all("Order Stage", fields=["name", "is_final"], order_by="sequence asc")

	# --- customers and their portal users ------------------------------------------------------------

	def make_customers(self):
		existing = set(frappe.get_all("Customer", pluck="name"))
		customers, n = [], 0
		for customer_name, domain in FIRST_CUSTOMERS:
			customers.append((customer_name, domain))
		while len(customers) < self.sizes.customers:
			n += 1
			word = COMPANY_WORDS[n % len(COMPANY_WORDS)]
			kind = COMPANY_KINDS[(n // len(COMPANY_WORDS)) % len(COMPANY_KINDS)]
			customers.append((f"{word} {kind} {n:04d}", f"{word}-{kind}-{n:04d}".lower()))
		customers = [c for c in customers[: self.sizes.customers] if c[0] not in existing]
		self.customer_names = [c[0] for c in customers] or sorted(existing)

		progress = Progress("customers and users", len(customers))
		password_hash = passlibctx.hash(self.password)
		customer_rows, link_rows, user_rows, auth_rows, role_rows, permission_rows = [], [], [], [], [], []
		for index, (customer_name, domain) in enumerate(customers):
			created = self.days_ago(540 - index % 30)
			customer_rows.append(
				[
					*self.std(customer_name, created),
					customer_name,
					"On Hold" if index % 17 == 16 else "Active",
					f"accounts@{domain}.example.com",
					f"+1 555 {index // 10000:02d}{index % 10000:04d}",
					f"{100 + index % 800} Market Street\nSpringfield",
					f"TAX-{100000 + index}",
				]
			)
			for position in range(self.sizes.users_per_customer):
				first = FIRST_NAMES[(index * 2 + position) % len(FIRST_NAMES)]
				last = LAST_NAMES[(index + position * 3) % len(LAST_NAMES)]
				email = f"{first.lower()}@{domain}.example.com"
				if position >= len(FIRST_NAMES):
					email = f"{first.lower()}{position}@{domain}.example.com"
				portal_role = "Customer Admin" if position == 0 else "Member"
				link_rows.append(
					[
						*self.child(
							row_name(),
							customer_name,
							"Customer",
							"portal_users",
							position + 1,
							created,
						),
						email,
						f"{first} {last}",
						portal_role,
					]
				)
				user_rows.append(
					[
						*self.std(email, created),
						email,
						first,
						last,
						f"{first} {last}",
						"Website User",
						1,
						0,
						"en",
						DEMO_SIMULTANEOUS_SESSIONS,
					]
				)
				auth_rows.append(["User", email, "password", password_hash, 0])
				customer_set, roles = implied_access(
					[{"customer": customer_name, "portal_role": portal_role}]
				)
				for idx, role in enumerate(sorted(roles), start=1):
					role_rows.append(
						[
							*self.child(row_name(), email, "User", "roles", idx, created),
							role,
						]
					)
				for customer in customer_set:
					permission_rows.append(
						[
							*self.std(row_name(), created),
							email,
							"Customer",
							customer,
							1,
							0,
							0,
						]
					)
			progress.advance(1)

		self.insert(
			"Customer",
			(
				*self.STD_FIELDS,
				"customer_name",
				"status",
				"contact_email",
				"contact_phone",
				"billing_address",
				"tax_id",
			),
			customer_rows,
		)
		self.insert(
			"Customer Portal User", (*self.CHILD_FIELDS, "user", "full_name", "portal_role"), link_rows
		)
		self.insert(
			"User",
			(
				*self.STD_FIELDS,
				"email",
				"first_name",
				"last_name",
				"full_name",
				"user_type",
				"enabled",
				"send_welcome_email",
				"language",
				"simultaneous_sessions",
			),
			user_rows,
		)
		frappe.db.bulk_insert("__Auth", ["doctype", "name", "fieldname", "password", "encrypted"], auth_rows)
		self.insert("Has Role", (*self.CHILD_FIELDS, "role"), role_rows)
		self.insert(
			"User Permission",
			(
				*self.STD_FIELDS,
				"user",
				"allow",
				"for_value",
				"apply_to_all_doctypes",
				"is_default",
				"hide_descendants",
			),
			permission_rows,
		)
		progress.finish()

	def pick_customer(self) -> str:
		# a few customers order far more than the rest, like real accounts
		names = self.customer_names
		return (
			names[min(int(self.rng.paretovariate(1.2)) - 1, len(names) - 1)]
			if self.rng.random() < 0.5
			else self.rng.choice(names)
		)

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
		moves, seconds = Counter(), Counter()  # the analytics page's stage times (orders/stage_times.py)
		months: dict[tuple, list[int]] = {}  # and its monthly counts (orders/month_figures.py)
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
		spend: dict[tuple, list] = {}  # the analytics page's monthly spend (invoices/spend_figures.py)
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
		from customer_portal.tickets.lifecycle import reference_context

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

	def run(self):
		started = time.monotonic()
		self.make_configuration()
		self.make_customers()
		self.make_orders()
		self.make_invoices()
		record_untracked_payments()  # the demo's paid amounts, as payments (statements list them)
		self.make_documents()
		self.make_tickets()
		frappe.db.commit()
		frappe.clear_cache()
		forget_all()  # bulk inserts bypass the events that keep dashboards current
		print(f"Demo data ready in {time.monotonic() - started:.1f}s", flush=True)


def demo_stages() -> list[tuple]:
	"""STAGES, placed after the site's stages when one the demo still has to create would take a position
	a stage already holds (a default stage an order is at or has passed through stays, and no two stages
	share a position). Stages the site has under the demo's names are kept where they are."""
	existing = frappe.get_all("Order Stage", fields=["name", "sequence"])
	have = {stage.name.lower() for stage in existing}  # names compare without case, as MariaDB does
	taken = {stage.sequence for stage in existing}
	if not any(sequence in taken for name, sequence, *_rest in STAGES if name.lower() not in have):
		return STAGES
	return [(name, max(taken) + sequence, text, final) for name, sequence, text, final in STAGES]


def generate(sizes: DemoSizes, password: str, seed: int = 42) -> None:
	sizes.validate()
	Generator(sizes, password, seed).run()


def demo_logins() -> list[tuple[str, str, str]]:
	"""(who, login, role) for the staff user and the portal users of the first two customers."""
	rows = [("Staff", STAFF_USER, STAFF_ROLE)]
	link = frappe.qb.DocType("Customer Portal User")
	for customer_name, _domain in FIRST_CUSTOMERS:
		users = (
			frappe.qb.from_(link)
			.select(link.user, link.portal_role)
			.where((link.parent == customer_name) & (link.parenttype == "Customer"))
			.orderby(link.idx)
			.run(as_dict=True)
		)
		rows += [(customer_name, user.user, user.portal_role) for user in users]
	return rows
