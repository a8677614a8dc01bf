"""Platform-free core: settings, AWS access, errors, HTTP policy, crypto, stores and the trigger → queue → worker flow.

Nothing in this package names a platform; connectors live beside it and plug in through registries.
"""
