"""The statement of account PDF over HTTP: its figures are the invoices' and payments', for the
signed-in user's own customer only; a bad range is refused with a clear message."""

import io
import unittest
from datetime import date, timedelta

from portal_client import PortalClient, make_portal_user, site_connection
from pypdf import PdfReader

STATEMENT = "/api/method/customer_portal.api.invoices.statement_pdf"


def pdf_text(content: bytes) -> str:
	# words come out separated by tabs and line breaks: compare them with single spaces
	return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


class StatementTest(unittest.TestCase):
	def test_the_statement_carries_the_customers_own_figures(self):
		end = date.today()
		start = end - timedelta(days=365)
		alice = PortalClient("alice@acme.example.com")
		answer = alice.get(STATEMENT, params={"from_date": str(start), "to_date": str(end)})
		self.assertEqual(answer.status_code, 200, answer.text[:300])
		self.assertEqual(answer.headers["Content-Type"], "application/pdf")
		text = pdf_text(answer.content)
		with site_connection() as frappe:
			from customer_portal.portal.formatting import money

			billed = frappe.db.sql(
				"select ifnull(sum(total), 0) from tabInvoice where customer = %s and docstatus = 1 and posting_date <= %s",
				("Acme Logistics", end),
			)[0][0]
			paid = frappe.db.sql(
				"""select ifnull(sum(amount), 0) from `tabInvoice Payment`
				where customer = %s and status = 'Paid' and paid_on < %s""",
				("Acme Logistics", end + timedelta(days=1)),
			)[0][0]
			closing = money(billed - paid)
			acme_invoice = frappe.db.get_value(
				# within the statement's range: the demo dates some invoices after today
				"Invoice",
				{"customer": "Acme Logistics", "docstatus": 1, "posting_date": ("between", [start, end])},
			)
		self.assertIn("Statement of account", text)
		self.assertIn(closing, text)
		self.assertIn(acme_invoice, text)
		# another customer's user gets their own statement, with none of Acme's invoices
		stranger = PortalClient(make_portal_user("statement-globex", "Globex Manufacturing"))
		theirs = stranger.get(STATEMENT, params={"from_date": str(start), "to_date": str(end)})
		self.assertEqual(theirs.status_code, 200)
		self.assertNotIn(acme_invoice, pdf_text(theirs.content))

	def test_a_bad_range_is_refused(self):
		alice = PortalClient("alice@acme.example.com")
		answer = alice.get(
			STATEMENT,
			params={"from_date": str(date.today()), "to_date": str(date.today() - timedelta(days=1))},
		)
		self.assertEqual(answer.status_code, 417, answer.text[:300])
		self.assertIn("comes before", answer.text)
