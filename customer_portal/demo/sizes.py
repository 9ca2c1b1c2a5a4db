"""How much demo data to make, and the bounds the demo command accepts."""

from dataclasses import dataclass

import frappe

LIMITS = {"customers": 1_000, "orders": 100_000, "invoices": 200_000, "documents": 50_000}


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
