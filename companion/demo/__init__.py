"""The demo conference (QCon London 2020) and synthetic conferences for tests and benchmarks."""
