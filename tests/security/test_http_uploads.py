"""Customer uploads over HTTP: hostile files are refused (or stored inert), nothing is stored for a refusal,
versions keep their bytes and checksums, and customers cannot write documents any other way."""

import hashlib
import io
import json
import unittest
import zipfile

from portal_client import PortalClient, observed, site_connection

OWN, FOREIGN = "Acme Logistics", "Globex Manufacturing"
UPLOAD = "/api/method/customer_portal.api.documents.upload"
REQUEST = "/api/method/customer_portal.api.documents.request_download"

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
SCRIPT = b"<script>alert(document.cookie)</script>"


def archive(members: dict[str, bytes]) -> bytes:
	buffer = io.BytesIO()
	with zipfile.ZipFile(buffer, "w") as z:
		for name, data in members.items():
			z.writestr(name, data)
	return buffer.getvalue()


DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
# (case, document type, file name, content): every one must be refused with nothing stored
HOSTILE = [
	("html page", "Contract", "page.html", b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"),
	("html named as pdf", "Contract", "contract.pdf", b"<html>" + SCRIPT + b"</html>"),
	(
		"svg with script",
		"Drawing",
		"drawing.svg",
		b'<svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT + b"</svg>",
	),
	(
		"svg named as png",
		"Drawing",
		"drawing.png",
		b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
	),
	("pdf/html polyglot", "Contract", "poly.pdf", b"%PDF-1.4\n<html>" + SCRIPT + b"</html>\n%%EOF"),
	("png/html polyglot", "Drawing", "poly.png", PNG + b"<html><body>" + SCRIPT),
	("gif/javascript polyglot", "Drawing", "poly.gif", b"GIF89a/*\x00\x00*/=1;alert(1)//"),
	("javascript file", "Contract", "app.js", b"fetch('/api/method/logout')"),
	("elf binary named pdf", "Contract", "tool.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),
	("windows executable", "Contract", "setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 64),
	("png named as pdf", "Drawing", "scan.pdf", PNG),
	("pdf with executable extension", "Contract", "contract.exe", PDF),
	("pdf ending in .html after a control char", "Contract", "x.pdf\x00.html", PDF),
	("empty file", "Contract", "empty.pdf", b""),
	("oversized pdf", "Contract", "big.pdf", PDF + b"0" * (1024 * 1024 + 10)),
	("type customers may not upload", "Certificate", "cert.pdf", PDF),
	("unknown document type", "No Such Type", "x.pdf", PDF),
	("docx with macros", "Contract", "macro.docx", archive({**DOCX, "word/vbaProject.bin": b"\x00"})),
	("zip with a path traversal member", "Contract", "bundle.zip", archive({"../../evil.sh": b"rm -rf /"})),
	("corrupt docx", "Contract", "broken.docx", b"PK\x03\x04" + b"\x00" * 40),
	("text with markup", "Contract", "notes.txt", b"hello " + SCRIPT),
]


class HttpUploadTest(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		cls.admin = PortalClient("Administrator")
		cls.alice = PortalClient("alice@acme.example.com")
		cls.dave = PortalClient("dave@globex.example.com")
		cls.foreign = cls.admin.first("Document", {"customer": FOREIGN})
		# a small limit and a wider set of kinds for the contract type, restored afterwards
		cls.contract = cls.admin.get("/api/resource/Document Type/Contract").json()["data"]
		cls.set_type("Contract", allowed_file_types="pdf, docx, zip, txt", max_upload_mb=1)

	@classmethod
	def tearDownClass(cls):
		cls.set_type(
			"Contract",
			allowed_file_types=cls.contract["allowed_file_types"],
			max_upload_mb=cls.contract.get("max_upload_mb") or 0,
		)

	@classmethod
	def set_type(cls, name, **values):
		response = cls.admin.request("PUT", f"/api/resource/Document Type/{name}", json=values)
		assert response.status_code == 200, response.text[:300]

	def upload(self, client, name, content, **data):
		return client.post(
			UPLOAD, data=data, files={"file": (name, content)}, headers={"Accept": "application/json"}
		)

	def count(self, doctype, filters=None):
		response = self.admin.get(
			"/api/method/frappe.client.get_count",
			params={"doctype": doctype, "filters": json.dumps(filters or {})},
		)
		return response.json()["message"]

	def stored(self):
		return (self.count("File"), self.count("Document"), self.count("Document Version"))

	def download(self, client, name, version=None):
		data = {"name": name, **({"version": version} if version else {})}
		link = client.post(REQUEST, data=data, headers={"Accept": "application/json"}).json()["message"][
			"url"
		]
		return client.get(link)

	def test_hostile_uploads_are_refused_and_store_nothing(self):
		refusals = lambda: self.count(
			"Document Access Log", {"user": "alice@acme.example.com", "event": "Upload", "outcome": "Refused"}
		)
		before, refused_before = self.stored(), refusals()
		for case, document_type, name, content in HOSTILE:
			with self.subTest(case):
				response = self.upload(self.alice, name, content, document_type=document_type, title=case)
				self.assertEqual(
					response.status_code, 417, f"{case}: {response.status_code} {response.text[:200]}"
				)
				message = json.loads(json.loads(response.json()["_server_messages"])[0])["message"]
				self.assertTrue(message and "Traceback" not in response.text, message)
		self.assertEqual(self.stored(), before)
		self.assertEqual(refusals() - refused_before, len(HOSTILE))
		print(f"\n    {len(HOSTILE)} hostile uploads refused, nothing stored", flush=True)

	def test_names_are_cleaned_and_late_markup_is_served_inert(self):
		cases = [
			("../../../etc/passwd.pdf", PDF, "Contract", "passwd.pdf"),
			("C:\\Users\\eve\\contract.PDF", PDF, "Contract", "contract.pdf"),
			("re\x07port\x1b.pdf", PDF, "Contract", "re port.pdf"),
			("invoice\u202egpj.pdf", PDF, "Contract", "invoicegpj.pdf"),
			("scan", PNG, "Drawing", "scan.png"),
		]
		for index, (name, content, document_type, expected) in enumerate(cases):
			with self.subTest(name):
				# distinct bytes: Frappe stores equal content once, under the first upload's name
				unique = content + f"% {index}\n".encode()
				response = self.upload(self.alice, name, unique, document_type=document_type)
				self.assertEqual(response.status_code, 200, response.text[:300])
				document = response.json()["message"]["name"]
				file_url = self.admin.get(f"/api/resource/Document/{document}").json()["data"]["file"]
				self.assertTrue(file_url.startswith("/private/files/"), file_url)
				self.assertNotIn("..", file_url)
				stored_name = file_url.rsplit("/", 1)[1]
				stem, extension = expected.rsplit(".", 1)
				# Frappe may add a suffix of the content hash to keep names unique
				self.assertTrue(
					stored_name.startswith(stem) and stored_name.endswith("." + extension), stored_name
				)
		# markup past the first kilobyte of a real image is stored, and only ever served as an attachment
		polyglot = PNG + b"\x00" * 2048 + b"<html>" + SCRIPT
		response = self.upload(self.alice, "late.png", polyglot, document_type="Drawing")
		self.assertEqual(response.status_code, 200, response.text[:300])
		served = self.download(self.alice, response.json()["message"]["name"])
		self.assertEqual(served.content, polyglot)
		self.assertTrue(served.headers["Content-Disposition"].startswith("attachment"))
		self.assertEqual(served.headers["Content-Type"], "image/png")
		self.assertEqual(served.headers["X-Content-Type-Options"], "nosniff")
		self.assertIn("sandbox", served.headers["Content-Security-Policy"])

	def test_versions_keep_their_bytes_and_checksums(self):
		first, second = PDF + b"% v1\n", PDF + b"% v2 signed\n"
		created = self.upload(self.alice, "agreement.pdf", first, document_type="Contract", title="Agreement")
		self.assertEqual(created.status_code, 200, created.text[:300])
		name = created.json()["message"]["name"]
		self.assertEqual(created.json()["message"]["version"], 1)
		updated = self.upload(self.alice, "agreement-signed.pdf", second, document=name, note="Signed copy")
		self.assertEqual(updated.status_code, 200, updated.text[:300])
		self.assertEqual(updated.json()["message"]["version"], 2)

		document = self.admin.get(f"/api/resource/Document/{name}").json()["data"]
		self.assertEqual(document["customer"], OWN)
		versions = sorted(document["versions"], key=lambda row: row["version"])
		self.assertEqual([row["version"] for row in versions], [1, 2])
		for row, content in zip(versions, (first, second), strict=True):
			self.assertEqual(row["sha256"], hashlib.sha256(content).hexdigest())
			self.assertEqual(row["file_size"], len(content))
			self.assertEqual(row["uploaded_by"], "alice@acme.example.com")
		self.assertEqual(versions[1]["note"], "Signed copy")
		# the latest by default, the first on request; a colleague sees the same library
		self.assertEqual(self.download(self.alice, name).content, second)
		self.assertEqual(self.download(self.alice, name, version=1).content, first)
		bob = PortalClient("bob@acme.example.com")
		self.assertEqual(self.download(bob, name).content, second)
		uploads = self.admin.get(
			"/api/resource/Document Access Log",
			params={
				"filters": json.dumps({"document": name, "event": "Upload", "outcome": "Allowed"}),
				"fields": json.dumps(["user", "version", "customer"]),
				"limit_page_length": 0,
			},
		).json()["data"]
		self.assertEqual(
			sorted((row["user"], row["version"], row["customer"]) for row in uploads),
			[("alice@acme.example.com", 1, OWN), ("alice@acme.example.com", 2, OWN)],
		)

	def test_another_customers_document_cannot_take_a_version(self):
		before = self.stored()
		probe = lambda name: self.upload(self.alice, "x.pdf", PDF, document=name)
		foreign, missing = probe(self.foreign), probe("DOC-2099-99999")
		self.assertEqual(foreign.status_code, 404)
		self.assertEqual(observed(foreign, self.foreign), observed(missing, "DOC-2099-99999"))
		self.assertEqual(self.stored(), before)

	def test_customers_write_documents_only_through_the_upload_endpoint(self):
		own = self.admin.first("Document", {"customer": OWN})
		before = self.stored()
		created = self.alice.post(
			"/api/resource/Document",
			json={
				"customer": OWN,
				"document_type": "Contract",
				"title": "sneaky",
				"file": "/private/files/x.pdf",
			},
		)
		self.assertEqual(created.status_code, 403, created.text[:300])
		renamed = self.alice.request("PUT", f"/api/resource/Document/{own}", json={"title": "renamed"})
		self.assertEqual(renamed.status_code, 403, renamed.text[:300])
		via_client = self.alice.post(
			"/api/method/frappe.client.set_value",
			data={"doctype": "Document", "name": own, "fieldname": "title", "value": "renamed"},
		)
		self.assertEqual(via_client.status_code, 403, via_client.text[:300])
		self.assertNotEqual(
			self.admin.get(f"/api/resource/Document/{own}").json()["data"]["title"], "renamed"
		)
		self.assertEqual(self.stored(), before)

	def test_uploads_are_rate_limited(self):
		def set_limit(value):
			with site_connection():
				from frappe.installer import update_site_config

				update_site_config("customer_portal_upload_rate_limit", value)

		set_limit(2)
		try:
			statuses = [
				self.upload(self.alice, "x.pdf", b"", document_type="Contract").status_code for _ in range(3)
			]
		finally:
			set_limit(10000)
		self.assertEqual(statuses[-1], 429, statuses)
		self.assertEqual(self.upload(self.alice, "x.pdf", b"", document_type="Contract").status_code, 417)

	def test_staff_are_sent_to_desk(self):
		staff = PortalClient("staff@portal.example.com")
		response = self.upload(staff, "x.pdf", PDF, document_type="Contract")
		self.assertEqual(response.status_code, 403)
