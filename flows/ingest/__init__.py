"""Reading a landing folder (`flows.ingest.landing`), one module per step. The package itself imports nothing, so
that the command line's checks (`flows.ingest.walk`) start without the readers and pandas."""
