"""How a stored file is named and typed for a browser so that it is only ever saved, never rendered."""

import mimetypes
import re
import unicodedata

# types a browser could render or run: always sent as opaque bytes
UNSAFE_TYPES = re.compile(r"html|svg|xml|javascript|ecmascript", re.I)
UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|]+')
INVISIBLE_CHARS = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def inert_content_type(filename: str) -> str:
	content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
	return "application/octet-stream" if UNSAFE_TYPES.search(content_type) else content_type


def clean_name(name: str, limit: int = 120) -> str:
	"""A name without path separators, control or bidi-override characters, or leading dots."""
	name = unicodedata.normalize("NFC", name or "")
	name = INVISIBLE_CHARS.sub("", name)
	name = UNSAFE_NAME_CHARS.sub(" ", name)
	return " ".join(name.split()).strip(" .")[:limit]


def safe_filename(title: str, file_url: str) -> str:
	"""The document's title with its file's extension, without path or control characters."""
	extension = ""
	stored = file_url.split("?", 1)[-1].rsplit("/", 1)[-1]
	if "." in stored:
		extension = "." + UNSAFE_NAME_CHARS.sub("", stored.rsplit(".", 1)[1])[:10]
	return (clean_name(title) or "document") + extension
