"""The slow-social model (MODEL.md), one module per family, written once as Ibis expressions
over the workspace tables so that the same code runs on DuckDB and on Spark."""
