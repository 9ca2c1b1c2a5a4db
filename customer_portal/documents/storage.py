"""Where private files live. One interface, two backends: the site's private folder (the default) and a
private S3 bucket (any S3-compatible service, through boto3).

A file's URL says where it is: `/private/files/<name>` is on local disk; an S3 object's URL is the app's
own authorising endpoint, `…/api/method/customer_portal.api.files.download?key=<key>`, so a File row, a
Document and its versions hold an ordinary URL whichever backend stores the bytes. Switching a site to S3
sends new private uploads there; `bench customer-portal-migrate-files` moves the existing ones.

Configuration comes from site config (`customer_portal_storage`, a dict) when present, else from
Customer Portal Settings. Public files (logos, website images) stay on local disk: the bucket holds only
private objects and nothing in it is ever public-read.
"""

import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, quote, unquote, urlsplit

import frappe
from frappe import _
from werkzeug.http import dump_options_header

CHUNK = 1024 * 1024
PREFIX = "/private/files/"
S3_DOWNLOAD_PATH = "/api/method/customer_portal.api.files.download"
SITE_CONFIG_KEY = "customer_portal_storage"
# keys are built from these characters only, so a key reads the same in a URL and in a LIKE pattern
UNSAFE_KEY_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


class StorageUnavailable(frappe.ValidationError):
	"""The storage service could not be reached or refused the request."""


class LocalStorage:
	"""The site's private files folder (sites/<site>/private/files)."""

	name = "local"

	def path(self, file_url: str) -> str:
		"""The file's path on disk, from its URL alone (no query), and never outside private/files."""
		root = os.path.realpath(frappe.get_site_path("private", "files"))
		if not file_url.startswith(PREFIX):
			raise frappe.DoesNotExistError
		path = os.path.realpath(os.path.join(root, unquote(file_url[len(PREFIX) :])))
		if not path.startswith(root + os.sep):
			raise frappe.DoesNotExistError
		return path

	def exists(self, file_url: str) -> bool:
		return os.path.isfile(self.path(file_url))

	def size(self, file_url: str) -> int:
		return os.path.getsize(self.path(file_url))

	def sha256(self, file_url: str) -> str:
		with open(self.path(file_url), "rb") as f:
			return sha256_of(f)

	def open(self, file_url: str):
		return open(self.path(file_url), "rb")


@dataclass(frozen=True)
class S3Config:
	bucket: str
	region: str | None = None
	endpoint_url: str | None = None
	access_key_id: str | None = None
	secret_access_key: str | None = None
	key_prefix: str = ""
	# "s3v4" for API calls everywhere AWS is; presigned URLs may use another version ("s3", SigV2) for
	# S3-compatible services that verify only that one
	signature_version: str = "s3v4"
	presign_signature_version: str | None = None


class S3Storage:
	"""A private S3 bucket. Objects are written with a private ACL and read through presigned URLs."""

	name = "s3"

	def __init__(self, config: S3Config):
		self.config = config
		self.client = _client(config, config.signature_version)
		self.presigner = _client(config, config.presign_signature_version or config.signature_version)

	# URLs and keys
	def new_key(self, file_name: str) -> str:
		site = UNSAFE_KEY_CHARS.sub("-", frappe.local.site)
		return f"{self.config.key_prefix}{site}/{frappe.generate_hash(length=16)}/{safe_key_part(file_name)}"

	@staticmethod
	def url(key: str) -> str:
		return f"{frappe.utils.get_url()}{S3_DOWNLOAD_PATH}?key={quote(key, safe='/')}"

	# reading
	def exists(self, file_url: str) -> bool:
		try:
			self._head(file_url)
		except frappe.DoesNotExistError:
			return False
		return True

	def size(self, file_url: str) -> int:
		return self._head(file_url)["ContentLength"]

	def sha256(self, file_url: str) -> str:
		recorded = self._head(file_url).get("Metadata", {}).get("sha256")
		if recorded:
			return recorded
		with self.open(file_url) as body:
			return sha256_of(body)

	def open(self, file_url: str):
		return self._call("get_object", Bucket=self.config.bucket, Key=key_of(file_url))["Body"]

	def presigned_url(self, file_url: str, seconds: int, filename: str, content_type: str) -> str:
		"""A GET URL for the object that stops working after `seconds`, served as an attachment."""
		return self.presigner.generate_presigned_url(
			"get_object",
			Params={
				"Bucket": self.config.bucket,
				"Key": key_of(file_url),
				"ResponseContentDisposition": _content_disposition(filename, dump_options_header),
				"ResponseContentType": content_type,
				"ResponseCacheControl": "private, no-store",
			},
			ExpiresIn=max(1, int(seconds)),
		)

	# writing
	def put(self, key: str, content: bytes, content_type: str | None = None) -> str:
		"""Store `content` under `key` (private) and return its URL."""
		self._call(
			"put_object",
			Bucket=self.config.bucket,
			Key=key,
			Body=content,
			ACL="private",
			ContentType=content_type or "application/octet-stream",
			Metadata={"sha256": hashlib.sha256(content).hexdigest()},
		)
		return self.url(key)

	def upload_file(self, path: str, key: str, content_type: str | None, sha256: str) -> str:
		"""Stream a file from disk to `key` (multipart for large files) and return its URL."""
		self._call(
			"upload_file",
			path,
			self.config.bucket,
			key,
			ExtraArgs={
				"ACL": "private",
				"ContentType": content_type or "application/octet-stream",
				"Metadata": {"sha256": sha256},
			},
		)
		return self.url(key)

	def check_bucket(self) -> None:
		self._call("head_bucket", Bucket=self.config.bucket)

	def delete(self, file_url: str) -> None:
		self._call("delete_object", Bucket=self.config.bucket, Key=key_of(file_url))

	def _head(self, file_url: str) -> dict:
		return self._call("head_object", Bucket=self.config.bucket, Key=key_of(file_url))

	def _call(self, operation: str, *args, **kwargs):
		from botocore.exceptions import BotoCoreError, ClientError

		try:
			return getattr(self.client, operation)(*args, **kwargs)
		except ClientError as e:
			code = str(e.response.get("Error", {}).get("Code", ""))
			if code in ("404", "NoSuchKey", "NotFound"):
				raise frappe.DoesNotExistError(_("File not found in storage")) from e
			message = _("The file storage refused the request ({0}).").format(code)
		except BotoCoreError:
			message = _("The file storage is unreachable. Please try again shortly.")
		frappe.log_error(f"S3 {operation} failed", reference_doctype="Customer Portal Settings")
		frappe.throw(message, StorageUnavailable, title=_("File Storage Unavailable"))


@lru_cache(maxsize=8)
def _client(config: S3Config, signature_version: str):
	"""One boto3 client per configuration and process (clients are thread-safe and costly to build)."""
	import boto3
	from botocore.config import Config

	return boto3.client(
		"s3",
		region_name=config.region or "us-east-1",
		endpoint_url=config.endpoint_url or None,
		aws_access_key_id=config.access_key_id or None,
		aws_secret_access_key=config.secret_access_key or None,
		config=Config(
			signature_version=signature_version or "s3v4",
			s3={"addressing_style": "path" if config.endpoint_url else "auto"},
			connect_timeout=5,
			read_timeout=30,
			retries={"max_attempts": 3, "mode": "standard"},
		),
	)


def _content_disposition(filename: str, dump_options_header) -> str:
	ascii_name = filename.encode("ascii", "ignore").decode() or "download"
	options = {"filename": ascii_name}
	if ascii_name != filename:
		options["filename*"] = "UTF-8''" + quote(filename, safe="")
	return dump_options_header("attachment", options)


def sha256_of(stream) -> str:
	digest = hashlib.sha256()
	while chunk := stream.read(CHUNK):
		digest.update(chunk)
	return digest.hexdigest()


def safe_key_part(file_name: str) -> str:
	return UNSAFE_KEY_CHARS.sub("-", file_name or "").strip("-.")[:120] or "file"


def is_s3_url(file_url: str | None) -> bool:
	return bool(file_url) and urlsplit(file_url).path == S3_DOWNLOAD_PATH and "key=" in file_url


def key_of(file_url: str) -> str:
	keys = parse_qs(urlsplit(file_url).query).get("key")
	if not is_s3_url(file_url) or not keys:
		raise frappe.DoesNotExistError
	return keys[0]


def is_private_url(file_url: str | None) -> bool:
	"""Whether a URL is one of the backends' private files (S3 objects are all private)."""
	return bool(file_url) and (file_url.startswith(PREFIX) or is_s3_url(file_url))


def s3_config() -> S3Config | None:
	"""The S3 configuration the site selects, or None when new files stay on local disk."""
	conf = frappe.conf.get(SITE_CONFIG_KEY)
	if conf:
		if (conf.get("backend") or "s3").lower() != "s3":
			return None
		fields = {name: conf.get(name) for name in S3Config.__dataclass_fields__ if conf.get(name)}
		return S3Config(**fields) if fields.get("bucket") else None
	settings = frappe.get_cached_doc("Customer Portal Settings")
	if settings.get("storage_backend") != "S3" or not settings.get("s3_bucket"):
		return None
	return S3Config(
		bucket=settings.s3_bucket,
		region=settings.s3_region,
		endpoint_url=settings.s3_endpoint_url,
		access_key_id=settings.s3_access_key_id,
		secret_access_key=settings.get_password("s3_secret_access_key", raise_exception=False),
		key_prefix=settings.s3_key_prefix or "",
	)


def s3_storage() -> S3Storage:
	config = s3_config()
	if not config:
		frappe.throw(_("S3 storage is not configured for this site."), StorageUnavailable)
	return S3Storage(config)


def storage_for(file_url: str) -> LocalStorage | S3Storage:
	"""The backend that holds the file at `file_url`."""
	return s3_storage() if is_s3_url(file_url) else LocalStorage()


def uploads_go_to_s3() -> bool:
	return s3_config() is not None
