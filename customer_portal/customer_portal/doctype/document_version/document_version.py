# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

from customer_portal.permissions import ScopedDocument


class DocumentVersion(ScopedDocument):
	pass
