"""The read side: stdlib sqlite3, SQL text, frozen rows. No SQLAlchemy, no Textual."""
