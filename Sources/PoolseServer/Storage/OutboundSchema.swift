/// The tables of migration 8 (see `Migrations`).
///
/// `outbound_jobs` is the queue: one row per job, written in the transaction of the change that
/// caused it. `order_key` chains jobs that must run one after another (a webhook endpoint and a
/// conversation); `collapse_key` names a push burst (a device and a conversation); `destination`
/// is what concurrency is bounded by. Leases (`lease_owner`, `lease_until`) say who works on a
/// job; an expired lease is anyone's.
enum OutboundSchema {
    static let statements = [
        """
        CREATE TABLE outbound_jobs (
          id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, kind TEXT NOT NULL, destination TEXT NOT NULL,
          order_key TEXT, collapse_key TEXT, endpoint_id TEXT, event_id TEXT, event_type TEXT,
          payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
          run_after BIGINT NOT NULL, lease_owner TEXT, lease_until BIGINT,
          last_status_code INTEGER, last_latency_ms INTEGER, last_error TEXT,
          created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, completed_at BIGINT)
        """,
        "CREATE INDEX outbound_jobs_due ON outbound_jobs (status, run_after)",
        "CREATE INDEX outbound_jobs_by_order ON outbound_jobs (order_key, status, created_at)",
        "CREATE INDEX outbound_jobs_by_collapse ON outbound_jobs (collapse_key, status)",
        "CREATE INDEX outbound_jobs_by_endpoint ON outbound_jobs (endpoint_id, created_at)",
        """
        CREATE TABLE webhook_endpoints (
          id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), url TEXT NOT NULL,
          events TEXT NOT NULL, secret TEXT NOT NULL, secret_sealed INTEGER NOT NULL DEFAULT 0,
          enabled INTEGER NOT NULL DEFAULT 1, inserted_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
        """,
        "CREATE INDEX webhook_endpoints_by_tenant ON webhook_endpoints (tenant_id)",
        """
        CREATE TABLE devices (
          id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id),
          user_id TEXT NOT NULL REFERENCES users(id), token TEXT NOT NULL, platform TEXT NOT NULL,
          environment TEXT NOT NULL, kind TEXT NOT NULL, last_registered_at BIGINT NOT NULL,
          inserted_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, UNIQUE (tenant_id, token))
        """,
        "CREATE INDEX devices_by_user ON devices (user_id)",
        "ALTER TABLE tenants ADD COLUMN push_preview INTEGER NOT NULL DEFAULT 1",
    ]
}
