"""Sessions: the per-call record and the stores that keep it."""

from parley_sessions.api_keys import (
    SCOPES,
    ApiKeyEntry,
    ApiKeyEntryError,
    ApiKeyRing,
    Scope,
    key_digest,
    new_api_key,
    parse_api_keys,
)
from parley_sessions.call_index import (
    CallIndex,
    CallIndexUnavailableError,
    CallState,
    IndexedCall,
)
from parley_sessions.codec import SessionCodec, parse_keys
from parley_sessions.errors import (
    SessionAlreadyClosedError,
    SessionConflictError,
    SessionDecryptError,
    SessionError,
    SessionNotFoundError,
    SessionStoreUnavailableError,
)
from parley_sessions.factory import STORAGE_TYPES, StorageType, open_session_store
from parley_sessions.fallback_store import FallbackSessionStore
from parley_sessions.history import HistoryWindow, estimate_tokens, history_window
from parley_sessions.memory_store import MemorySessionStore
from parley_sessions.model import Session, TokenUsage, ToolCall, Turn
from parley_sessions.postgres_store import PostgresSessionStore
from parley_sessions.redis_access import check_redis_access
from parley_sessions.redis_acl import PARLEY_RIGHTS, check_rate_limit_access, parley_acl_rule
from parley_sessions.redis_connection import RedisConnection, RedisSettingsError, connect_redis
from parley_sessions.redis_diagnosis import (
    RedisAccessError,
    RedisAuthenticationError,
    RedisListenerMismatchError,
    RedisPermissionError,
    RedisTlsError,
    RedisUnreachableError,
)
from parley_sessions.redis_rights import RedisRights, acl_rule
from parley_sessions.redis_settings import RedisSettings
from parley_sessions.redis_store import RedisSessionStore
from parley_sessions.settings import SessionStoreSettings
from parley_sessions.store import SessionStore

__all__ = [
    "PARLEY_RIGHTS",
    "SCOPES",
    "STORAGE_TYPES",
    "ApiKeyEntry",
    "ApiKeyEntryError",
    "ApiKeyRing",
    "CallIndex",
    "CallIndexUnavailableError",
    "CallState",
    "FallbackSessionStore",
    "HistoryWindow",
    "IndexedCall",
    "MemorySessionStore",
    "PostgresSessionStore",
    "RedisAccessError",
    "RedisAuthenticationError",
    "RedisConnection",
    "RedisListenerMismatchError",
    "RedisPermissionError",
    "RedisRights",
    "RedisSessionStore",
    "RedisSettings",
    "RedisSettingsError",
    "RedisTlsError",
    "RedisUnreachableError",
    "Scope",
    "Session",
    "SessionAlreadyClosedError",
    "SessionCodec",
    "SessionConflictError",
    "SessionDecryptError",
    "SessionError",
    "SessionNotFoundError",
    "SessionStore",
    "SessionStoreSettings",
    "SessionStoreUnavailableError",
    "StorageType",
    "TokenUsage",
    "ToolCall",
    "Turn",
    "acl_rule",
    "check_rate_limit_access",
    "check_redis_access",
    "connect_redis",
    "estimate_tokens",
    "history_window",
    "key_digest",
    "new_api_key",
    "open_session_store",
    "parley_acl_rule",
    "parse_api_keys",
    "parse_keys",
]
