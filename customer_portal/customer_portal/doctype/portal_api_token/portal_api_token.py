# Copyright (c) 2026, customer_portal contributors
# For license information, please see license.txt

from customer_portal.permissions import ScopedDocument


class PortalAPIToken(ScopedDocument):
	"""Created and revoked through `customer_portal.api.account` (accounts/api_tokens.py)."""
