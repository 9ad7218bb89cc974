"""The one place that knows the database is SQLite."""
