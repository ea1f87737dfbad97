"""Storage: SQLAlchemy 2 async models, repositories, the outbox and migrations.

Knows nothing of chat platforms. Every write that matters happens in one transaction
opened by `Database.transaction()`.
"""

from storage.database import Database, DatabaseError, DatabaseUnavailable, InvalidDatabaseUrl

__all__ = ["Database", "DatabaseError", "DatabaseUnavailable", "InvalidDatabaseUrl"]
