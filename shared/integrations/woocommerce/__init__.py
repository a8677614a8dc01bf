"""The WooCommerce connector: client, models, mapper, integration type, order sync, write-back and poller.

Design and contracts: docs/woocommerce.md. Importing :mod:`integrations.woocommerce.integration_type` registers the
``woocommerce`` integration type; importing :mod:`integrations.woocommerce.writeback` subscribes its write-back to
WMS status changes.
"""

PLATFORM = "woocommerce"
