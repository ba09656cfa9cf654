"""The contracts: Pandera models for inputs and outputs, and the Great Expectations suites."""
