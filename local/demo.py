"""The local stack's demo tenant: fixed ids and local-only secrets, so README commands can be pasted as they are.

These values exist only in the sandboxes and the local moto; they are not credentials for anything real.
"""

import os

TENANT_ID = "2f9e1c4a-6f0b-4b8e-9d7a-0c1d2e3f4a5b"
TENANT_NAME = "Demo 3PL"
CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-client-secret"
NOTIFICATION_SECRET = "demo-notification-secret"
WAREHOUSE_ID = "568cd392-50b1-11f0-a32e-066c91bd21c5"
CUSTOMER_ID = "871ca13a-7f67-432d-bbc6-131fefae7e3a"
#: (code, name, stock)
PRODUCTS = (("SKU-1", "Steam Pot", 100), ("SKU-2", "Bamboo Steamer", 25))
ORDER_REFERENCE = "DEMO-1001"

API_URL = "http://127.0.0.1:3000"


def api_url() -> str:
    """Our API's base URL as the README's walkthroughs set it (``export API=…``: ``make run`` prints the line, which
    matters on free ports), else ``make run``'s default."""
    return os.environ.get("API") or API_URL
