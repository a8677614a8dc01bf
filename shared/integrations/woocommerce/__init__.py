"""The WooCommerce connector: client, models, mapper, integration type, importer, exporter, poller, webhooks.

Declared in :mod:`integrations.woocommerce.connector`; design and contracts: docs/woocommerce.md.
"""

PLATFORM = "woocommerce"
