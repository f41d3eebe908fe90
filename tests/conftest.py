"""The shared test helpers live in tests/support (imported as `support`, found through pytest's
`pythonpath`); the reference runner in the package (`lowbitc.zoo.reference`)."""
