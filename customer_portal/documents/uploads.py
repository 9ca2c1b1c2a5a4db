"""What a customer may upload: the document type must allow it, the file must be within the size limit,
its type is decided by its content (never its name), and its name is cleaned before anything is stored.

`check_upload` either returns the clean name and content or raises `UploadRejected` with a message a
customer can act on; nothing is written before it returns.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field

import filetype
import frappe
from frappe import _
from frappe.utils import cint

from customer_portal.documents.inert import clean_name

DEFAULT_MAX_MB = 10
DEFAULT_KINDS = ("pdf", "png", "jpg")


@dataclass(frozen=True)
class Kind:
	label: str
	extensions: tuple[str, ...]


# what the portal accepts, by detected content; the first extension is the one a bare name gets
KINDS = {
	"pdf": Kind("PDF", (".pdf",)),
	"png": Kind("PNG image", (".png",)),
	"jpg": Kind("JPEG image", (".jpg", ".jpeg")),
	"gif": Kind("GIF image", (".gif",)),
	"webp": Kind("WebP image", (".webp",)),
	"tif": Kind("TIFF image", (".tif", ".tiff")),
	"docx": Kind("Word document", (".docx",)),
	"xlsx": Kind("Excel workbook", (".xlsx",)),
	"pptx": Kind("PowerPoint presentation", (".pptx",)),
	"odt": Kind("OpenDocument text", (".odt",)),
	"ods": Kind("OpenDocument spreadsheet", (".ods",)),
	"zip": Kind("ZIP archive", (".zip",)),
	"txt": Kind("plain text", (".txt",)),
	"csv": Kind("CSV file", (".csv",)),
}
ZIP_KINDS = frozenset({"docx", "xlsx", "pptx", "odt", "ods", "zip"})
TEXT_KINDS = frozenset({"txt", "csv"})
# markup a browser (or an old one's sniffer) would run, anywhere a polyglot could hide it
MARKUP = re.compile(
	rb"<\s*(?:html|script|svg|body|iframe|object|embed|!doctype\s+html|meta\s|link\s)|javascript:", re.I
)
SNIFF_WINDOW = 1024


class UploadRejected(frappe.ValidationError):
	"""An upload that was refused before anything was stored."""


def reject(message: str) -> None:
	frappe.throw(message, UploadRejected, title=_("File Not Accepted"))


@dataclass(frozen=True)
class UploadPolicy:
	document_type: str
	kinds: tuple[str, ...]
	max_bytes: int
	# what the refusals call the files ("Contract documents"); the document type's documents by default
	label: str | None = field(default=None, compare=False)

	@property
	def files_label(self) -> str:
		return self.label or _("{0} documents").format(_(self.document_type))


def upload_policy(document_type: str | None) -> UploadPolicy:
	"""The rules for customer uploads of `document_type`; refused if the type does not allow them."""
	row = document_type and frappe.db.get_value(
		"Document Type",
		document_type,
		["name", "allow_customer_upload", "allowed_file_types", "max_upload_mb"],
		as_dict=True,
	)
	if not row or not row.allow_customer_upload:
		reject(_("Documents of type {0} cannot be uploaded from the portal.").format(document_type))
	settings_mb = cint(frappe.get_cached_doc("Customer Portal Settings").get("upload_max_mb"))
	max_mb = cint(row.max_upload_mb) or settings_mb or DEFAULT_MAX_MB
	return UploadPolicy(row.name, parse_kinds(row.allowed_file_types) or DEFAULT_KINDS, max_mb * 1024 * 1024)


def parse_kinds(value: str | None) -> tuple[str, ...]:
	"""File kinds from an admin's list ("pdf, png" or one per line); unknown names raise."""
	kinds = tuple(
		dict.fromkeys(k.strip().lower().lstrip(".") for k in re.split(r"[\s,;]+", value or "") if k.strip())
	)
	kinds = tuple("jpg" if kind == "jpeg" else kind for kind in kinds)
	unknown = [kind for kind in kinds if kind not in KINDS]
	if unknown:
		frappe.throw(
			_("Unknown file type {0}. Supported types: {1}.").format(
				", ".join(unknown), ", ".join(sorted(KINDS))
			),
			title=_("Invalid File Types"),
		)
	return kinds


def check_upload(filename: str | None, content: bytes, policy: UploadPolicy) -> tuple[str, str]:
	"""The clean file name and detected kind of an acceptable upload; otherwise `UploadRejected`."""
	if not content:
		reject(_("The file is empty."))
	if len(content) > policy.max_bytes:
		reject(
			_("The file is larger than the {0} MB allowed for {1}.").format(
				policy.max_bytes // (1024 * 1024), policy.files_label
			)
		)
	kind = detect_kind(content)
	allowed = ", ".join(_(KINDS[k].label) for k in policy.kinds)
	if kind not in policy.kinds:
		reject(
			_("This kind of file is not accepted for {0}. Accepted: {1}.").format(policy.files_label, allowed)
		)
	return clean_filename(filename, kind), kind


def detect_kind(content: bytes) -> str | None:
	"""The file's kind from its bytes; None for anything unsupported, ambiguous or carrying markup."""
	guess = filetype.guess(content)
	kind = {"jpx": None, "apng": "png"}.get(guess.extension, guess.extension) if guess else None
	if kind is None:
		return _text_kind(content)
	if kind not in KINDS or MARKUP.search(content[:SNIFF_WINDOW]):
		return None
	if kind in ZIP_KINDS and not _sound_archive(content, kind):
		return None
	return kind


def _text_kind(content: bytes) -> str | None:
	if b"\x00" in content or MARKUP.search(content):
		return None
	try:
		text = content.decode("utf-8-sig")
	except UnicodeDecodeError:
		return None
	first = text.split("\n", 1)[0]
	return "csv" if first.count(",") or first.count(";") else "txt"


def _sound_archive(content: bytes, kind: str) -> bool:
	"""A readable archive without macros, absolute paths or `..` members."""
	try:
		with zipfile.ZipFile(io.BytesIO(content)) as archive:
			names = archive.namelist()
	except (zipfile.BadZipFile, ValueError):
		return False
	for name in names:
		lowered = name.lower()
		if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
			return False
		if lowered.endswith("vbaproject.bin") or lowered.startswith("basic/"):
			return False
	return True


def clean_filename(filename: str | None, kind: str) -> str:
	"""The uploaded name without paths or control characters, ending in an extension of its kind."""
	name = clean_name((filename or "").replace("\\", "/").rsplit("/", 1)[-1])
	base, dot, extension = name.rpartition(".")
	if not dot:
		base, extension = name, ""
	extension = f".{extension.lower()}" if extension else ""
	if extension and extension not in KINDS[kind].extensions:
		reject(
			_("The file's content is a {0}, but its name ends in {1}. Rename it and try again.").format(
				_(KINDS[kind].label), extension
			)
		)
	return f"{clean_name(base, limit=100) or 'upload'}{extension or KINDS[kind].extensions[0]}"


def upload_choices(document_type: str | None = None) -> list[dict]:
	"""Document types customers may upload to (or just `document_type`), each with a line of help."""
	filters = {"allow_customer_upload": 1, **({"name": document_type} if document_type else {"retired": 0})}
	rows = frappe.get_all(
		"Document Type",
		filters=filters,
		fields=["name", "allowed_file_types", "max_upload_mb"],
		order_by="name asc",
	)
	settings_mb = cint(frappe.get_cached_doc("Customer Portal Settings").get("upload_max_mb"))
	choices = []
	for row in rows:
		kinds = [k for k in re.split(r"[\s,;]+", row.allowed_file_types or "") if k in KINDS] or DEFAULT_KINDS
		extensions = [extension for kind in kinds for extension in KINDS[kind].extensions]
		choices.append(
			{
				"name": row.name,
				"accept": ",".join(extensions),
				"help": _("{0}, up to {1} MB").format(
					", ".join(_(KINDS[kind].label) for kind in kinds),
					cint(row.max_upload_mb) or settings_mb or DEFAULT_MAX_MB,
				),
			}
		)
	return choices
