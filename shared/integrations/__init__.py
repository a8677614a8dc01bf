"""The integrations layer: a platform-free core and one folder per platform connector."""
