from customer_portal.payments.ledger import record_untracked_payments


def execute():
	"""Paid amounts recorded on invoices before payments had rows of their own become payments."""
	record_untracked_payments()
