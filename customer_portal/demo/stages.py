"""The demo's configuration: its logistics flow of order stages and its document types."""

import frappe
from frappe.desk.page.setup_wizard.setup_wizard import setup_complete

from customer_portal.setup.order_stages import create_stages, remove_unused_default_stages

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


class Configuration:
	"""The demo generator's configuration step (`generator.Generator`)."""

	def make_configuration(self):
		if not frappe.db.get_single_value("System Settings", "setup_complete"):
			# a new site opens desk on Frappe's setup wizard; the demo answers it so staff land in desk

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
		self.stages = frappe.get_all("Order Stage", fields=["name", "is_final"], order_by="sequence asc")
