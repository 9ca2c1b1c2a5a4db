"""The demo generator: one seeded random source, and the steps that fill a site in order."""

import random
import time
from dataclasses import dataclass, field
from datetime import datetime

import frappe
from frappe.utils import now_datetime

from customer_portal.demo.data import Records
from customer_portal.demo.rows import RowWriter
from customer_portal.demo.sizes import DemoSizes
from customer_portal.demo.stages import Configuration
from customer_portal.demo.users import Users
from customer_portal.payments.ledger import record_untracked_payments
from customer_portal.portal.dashboard import forget_all


@dataclass
class Generator(RowWriter, Configuration, Users, Records):
	sizes: DemoSizes
	password: str
	seed: int = 42
	rng: random.Random = field(init=False)
	now: datetime = field(init=False)
	owner: str = "Administrator"

	def __post_init__(self):
		self.rng = random.Random(self.seed)
		self.now = now_datetime()

	def run(self):
		started = time.monotonic()
		self.make_configuration()
		self.make_staff()
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


def generate(sizes: DemoSizes, password: str, seed: int = 42) -> None:
	sizes.validate()
	Generator(sizes, password, seed).run()
