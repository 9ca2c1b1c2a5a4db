import io
import zipfile

import frappe
from frappe.tests.utils import FrappeTestCase

from customer_portal.documents.storage import is_private_url, is_s3_url, key_of
from customer_portal.documents.uploads import (
	UploadPolicy,
	UploadRejected,
	check_upload,
	clean_filename,
	detect_kind,
	parse_kinds,
	upload_policy,
)
from customer_portal.permissions import portal_write
from customer_portal.tests.fixtures import (
	make_customer,
	make_document,
	make_document_type,
	make_private_file,
	make_user,
)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16


def zipped(**members) -> bytes:
	buffer = io.BytesIO()
	with zipfile.ZipFile(buffer, "w") as archive:
		for name, data in members.items():
			archive.writestr(name.replace("__", "/"), data)
	return buffer.getvalue()


class TestUploadChecks(FrappeTestCase):
	policy = UploadPolicy("Contract", ("pdf", "png", "jpg", "docx", "csv"), 1024)

	def test_kind_comes_from_content(self):
		self.assertEqual(detect_kind(PDF), "pdf")
		self.assertEqual(detect_kind(PNG), "png")
		self.assertEqual(detect_kind(JPEG), "jpg")
		self.assertEqual(detect_kind(b"sku,qty\nA-1,3\n"), "csv")
		self.assertEqual(
			detect_kind(zipped(**{"[Content_Types].xml": "x", "word__document.xml": "x"})), "docx"
		)
		for hostile in (
			b"<html><script>alert(1)</script></html>",
			b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
			PDF[:9] + b"<script>alert(1)</script>",
			b"\x7fELF\x02\x01\x01\x00",
			zipped(**{"[Content_Types].xml": "x", "word__document.xml": "x", "word__vbaProject.bin": "x"}),
			zipped(**{"..__..__evil.sh": "x"}),
			b"\x00\x01binary",
		):
			with self.subTest(hostile[:20]):
				self.assertIsNone(detect_kind(hostile))

	def test_accepted_upload_gets_a_clean_name_of_its_kind(self):
		self.assertEqual(check_upload("../../a/Report.PDF", PDF, self.policy), ("Report.pdf", "pdf"))
		self.assertEqual(check_upload("scan", PNG, self.policy), ("scan.png", "png"))
		self.assertEqual(check_upload("photo.jpeg", JPEG, self.policy), ("photo.jpeg", "jpg"))
		self.assertEqual(clean_filename("..\\..\\x\u202eevil\x00.pdf", "pdf"), "xevil.pdf")
		self.assertEqual(clean_filename("...", "pdf"), "upload.pdf")

	def test_refusals_say_why(self):
		cases = {
			"empty": ("a.pdf", b""),
			"larger than": ("a.pdf", PDF + b"0" * 2048),
			"not accepted": ("a.gif", b"GIF89a" + b"\x00" * 10),
			"ends in .pdf": ("a.pdf", PNG),
		}
		for expected, (name, content) in cases.items():
			with self.subTest(expected), self.assertRaises(UploadRejected) as caught:
				check_upload(name, content, self.policy)
			self.assertIn(expected, str(caught.exception))

	def test_document_type_rules(self):
		self.assertEqual(parse_kinds("PDF, .jpeg\npng"), ("pdf", "jpg", "png"))
		with self.assertRaises(frappe.ValidationError):
			parse_kinds("pdf, exe")
		name = "Upload Rules Test"
		if not frappe.db.exists("Document Type", name):
			frappe.get_doc({"doctype": "Document Type", "document_type_name": name}).insert()
		with self.assertRaises(UploadRejected):
			upload_policy(name)
		doc = frappe.get_doc("Document Type", name)
		doc.update({"allow_customer_upload": 1, "allowed_file_types": "PDF,png", "max_upload_mb": 2})
		doc.save()
		self.assertEqual(doc.allowed_file_types, "pdf, png")
		self.assertEqual(upload_policy(name), UploadPolicy(name, ("pdf", "png"), 2 * 1024 * 1024))

	def test_storage_urls(self):
		url = "https://portal.example.com/api/method/customer_portal.api.files.download?key=p/site/abc/a.pdf"
		self.assertTrue(is_s3_url(url) and is_private_url(url))
		self.assertEqual(key_of(url), "p/site/abc/a.pdf")
		self.assertTrue(is_private_url("/private/files/a.pdf"))
		for other in ("/files/a.pdf", "https://evil.example.com/a.pdf?key=x", "", None):
			self.assertFalse(is_private_url(other))


class TestPortalWriteWindow(FrappeTestCase):
	"""Customers write documents only inside an endpoint that opened a window; staff are unaffected."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.user = make_user("window-a@example.com")
		cls.customer = make_customer("Window A", {cls.user: "Member"})
		cls.other = make_customer("Window B")
		cls.document_type = make_document_type()
		cls.document = make_document(cls.customer, "Window document")
		cls.file_url = make_private_file("window.txt", b"window test")

	def tearDown(self):
		frappe.set_user("Administrator")

	def new_document(self, customer):
		return frappe.get_doc(
			{
				"doctype": "Document",
				"customer": customer,
				"document_type": self.document_type,
				"title": "Window test",
				"file": self.file_url,
			}
		)

	def test_customer_cannot_create_or_change_a_document_without_the_window(self):
		frappe.set_user(self.user)
		with self.assertRaises(frappe.PermissionError):
			self.new_document(self.customer).insert()
		document = frappe.get_doc("Document", self.document)
		document.title = "changed"
		with self.assertRaises(frappe.PermissionError):
			document.save()

	def test_window_admits_own_customer_only(self):
		frappe.set_user(self.user)
		with portal_write("Document"):
			created = self.new_document(self.customer).insert()
			self.assertEqual(created.version, 1)
			with self.assertRaises(frappe.DoesNotExistError):
				self.new_document(self.other).insert()
		# the window closes with the block
		created.title = "changed"
		with self.assertRaises(frappe.PermissionError):
			created.save()


class TestStorageSettings(FrappeTestCase):
	def test_unreachable_bucket_is_refused_on_save(self):
		settings = frappe.get_doc("Customer Portal Settings")
		settings.update(
			{
				"storage_backend": "S3",
				"s3_bucket": "nowhere",
				"s3_endpoint_url": "http://127.0.0.1:9",
				"s3_access_key_id": "key",
				"s3_secret_access_key": "secret",
			}
		)
		with self.assertRaises(frappe.ValidationError) as caught:
			settings.save()
		self.assertIn("Could not reach bucket nowhere", str(caught.exception))
		frappe.db.rollback()
		self.assertNotEqual(frappe.db.get_single_value("Customer Portal Settings", "storage_backend"), "S3")


class TestVersionFiles(FrappeTestCase):
	def test_a_versions_file_stays_until_its_document_goes(self):
		started = frappe.utils.now_datetime()
		customer = make_customer(f"Versions Kept {frappe.generate_hash(length=6)}")
		first = make_private_file("kept-v1.txt", b"kept version one")
		name = make_document(customer, "Kept", file=first)
		document = frappe.get_doc("Document", name)
		document.file = make_private_file("kept-v2.txt", b"kept version two")
		document.save()
		file_of = lambda url: frappe.get_all("File", filters={"file_url": url}, pluck="name")
		with self.assertRaises(frappe.ValidationError) as caught:
			frappe.delete_doc("File", file_of(first)[0])
		self.assertIn("version 1", str(caught.exception))
		self.assertTrue(file_of(first))
		frappe.delete_doc("Document", name)
		self.assertFalse(file_of(first))
		self.assertFalse(frappe.db.exists("Document Version", {"parent": name}))
		# the audit trail outlives the document
		self.assertEqual(
			frappe.db.count(
				"Document Access Log", {"document": name, "event": "Upload", "creation": (">=", started)}
			),
			2,
		)
