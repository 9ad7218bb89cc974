"""SQLAlchemy models, one module per part of the domain."""
