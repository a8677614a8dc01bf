"""The Rose Rocket connector's declaration. Not available yet (docs/management-api.md "Integration types")."""

from ..core.connectors import Connector

CONNECTOR = Connector(key="rose_rocket", title="Rose Rocket",
                      integration_type="integrations.rose_rocket.integration_type:INTEGRATION_TYPE", available=False)
