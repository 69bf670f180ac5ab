package ledger

// migrations is the ledger's schema history. Never edit a released step: append a new one.
// Amounts are BIGINT hundredths of a credit; instants are BIGINT microseconds since the Unix
// epoch, UTC.
var migrations = []migration{
	{1, "accounts, buckets, holds, entries, idempotency", `
CREATE TABLE accounts (
	id         TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	demo       INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE buckets (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id),
	kind       TEXT NOT NULL,
	plan       TEXT NOT NULL DEFAULT '',
	period     TEXT NOT NULL DEFAULT '',
	credits    BIGINT NOT NULL CHECK (credits > 0),
	remaining  BIGINT NOT NULL CHECK (remaining >= 0),
	granted_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	CHECK (expires_at > granted_at)
);
CREATE INDEX buckets_account ON buckets (account_id, expires_at);
CREATE TABLE holds (
	id           TEXT PRIMARY KEY,
	account_id   TEXT NOT NULL REFERENCES accounts(id),
	queue        TEXT NOT NULL,
	credits      BIGINT NOT NULL CHECK (credits >= 0),
	state        TEXT NOT NULL,
	created_at   BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL,
	closed_at    BIGINT NOT NULL DEFAULT 0,
	card_version TEXT NOT NULL,
	card_digest  TEXT NOT NULL,
	spec         TEXT NOT NULL,
	quote        TEXT NOT NULL
);
CREATE INDEX holds_open ON holds (account_id, state, expires_at);
CREATE TABLE hold_draws (
	hold_id   TEXT NOT NULL REFERENCES holds(id),
	seq       INTEGER NOT NULL,
	bucket_id TEXT NOT NULL REFERENCES buckets(id),
	credits   BIGINT NOT NULL CHECK (credits > 0),
	PRIMARY KEY (hold_id, seq)
);
CREATE TABLE entries (
	seq        {{id}},
	account_id TEXT NOT NULL REFERENCES accounts(id),
	at         BIGINT NOT NULL,
	type       TEXT NOT NULL,
	bucket_id  TEXT NOT NULL DEFAULT '',
	kind       TEXT NOT NULL DEFAULT '',
	hold_id    TEXT NOT NULL DEFAULT '',
	credits    BIGINT NOT NULL,
	available  BIGINT NOT NULL,
	held       BIGINT NOT NULL,
	memo       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX entries_account ON entries (account_id, at, seq);
CREATE INDEX entries_bucket ON entries (bucket_id);
CREATE INDEX entries_hold ON entries (hold_id);
CREATE TABLE idempotency (
	scope        TEXT NOT NULL,
	idem_key     TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	status       INTEGER NOT NULL,
	response     {{bytes}} NOT NULL,
	created_at   BIGINT NOT NULL,
	PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_age ON idempotency (created_at)
`},
	{2, "account token salts (tokens derived from a server key, so a retried creation answers its token)", `
ALTER TABLE accounts ADD COLUMN token_salt TEXT NOT NULL DEFAULT ''
`},
	{3, "billing periods: plan buckets record their plan's anchor (buckets granted before keep their expiry)", `
ALTER TABLE buckets ADD COLUMN period_anchor BIGINT
`},
	{4, "money: partial charges, hold TTLs, voids and debits with reason and actor, payments keyed forever", `
ALTER TABLE holds ADD COLUMN charged BIGINT;
ALTER TABLE holds ADD COLUMN unit_credits BIGINT NOT NULL DEFAULT 0;
ALTER TABLE holds ADD COLUMN job_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE holds ADD COLUMN duration_millis BIGINT NOT NULL DEFAULT 0;
ALTER TABLE buckets ADD COLUMN voided_at BIGINT;
ALTER TABLE entries ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN actor TEXT NOT NULL DEFAULT '';
CREATE TABLE payments (
	ref        TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id),
	kind       TEXT NOT NULL,
	purchase   TEXT NOT NULL DEFAULT '',
	charge     TEXT NOT NULL DEFAULT '',
	buckets    TEXT NOT NULL DEFAULT '',
	credits    BIGINT NOT NULL DEFAULT 0,
	spent      BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE INDEX payments_charge ON payments (charge);
CREATE TABLE subscriptions (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id),
	plan       TEXT NOT NULL,
	anchor     BIGINT NOT NULL,
	ended_at   BIGINT
)
`},
	{5, "events (an outbox written with each change), webhook endpoints and deliveries, low-balance thresholds, leases", `
CREATE TABLE events (
	seq          {{id}},
	id           TEXT NOT NULL UNIQUE,
	account_id   TEXT NOT NULL,
	type         TEXT NOT NULL,
	at           BIGINT NOT NULL,
	bucket_id    TEXT NOT NULL DEFAULT '',
	hold_id      TEXT NOT NULL DEFAULT '',
	kind         TEXT NOT NULL DEFAULT '',
	plan         TEXT NOT NULL DEFAULT '',
	credits      BIGINT NOT NULL DEFAULT 0,
	other        BIGINT NOT NULL DEFAULT 0,
	expires_at   BIGINT NOT NULL DEFAULT 0,
	card_version TEXT NOT NULL DEFAULT '',
	ref          TEXT NOT NULL DEFAULT '',
	subject      TEXT NOT NULL DEFAULT '',
	fanned       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_account ON events (account_id, seq);
CREATE INDEX events_unfanned ON events (seq) WHERE fanned = 0;
ALTER TABLE accounts ADD COLUMN low_balance BIGINT;
ALTER TABLE accounts ADD COLUMN low_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE buckets ADD COLUMN expiring_sent INTEGER NOT NULL DEFAULT 0;
CREATE INDEX buckets_expiring ON buckets (expires_at) WHERE expiring_sent = 0;
CREATE TABLE webhook_endpoints (
	id         TEXT PRIMARY KEY,
	url        TEXT NOT NULL,
	secret     TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	disabled   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE deliveries (
	endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
	event_seq   BIGINT NOT NULL,
	account_id  TEXT NOT NULL,
	state       TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	created_at  BIGINT NOT NULL,
	next_at     BIGINT NOT NULL,
	lease_until BIGINT NOT NULL DEFAULT 0,
	claim       TEXT NOT NULL DEFAULT '',
	done_at     BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (endpoint_id, event_seq)
);
CREATE INDEX deliveries_due ON deliveries (state, next_at);
CREATE INDEX deliveries_order ON deliveries (endpoint_id, account_id, state, event_seq);
CREATE TABLE delivery_attempts (
	seq         {{id}},
	endpoint_id TEXT NOT NULL,
	event_seq   BIGINT NOT NULL,
	at          BIGINT NOT NULL,
	worker      TEXT NOT NULL,
	code        INTEGER NOT NULL,
	error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX delivery_attempts_event ON delivery_attempts (endpoint_id, event_seq);
CREATE TABLE leases (
	name   TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	expires_at BIGINT NOT NULL
);
INSERT INTO leases (name, holder, expires_at) VALUES ('fanout', '', 0)
`},
}
