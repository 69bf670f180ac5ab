package ledger

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"time"
)

// Webhook deliveries. The ledger keeps the endpoints and the state of every delivery; a
// dispatcher (package server) signs and sends them. The work is shared by any number of
// processes on one database:
//
//   - fan-out (FanOut) gives every event not yet fanned out one delivery per enabled endpoint.
//     It runs on one process at a time (it locks the leases row "fanout"), so an account's
//     events become deliveries in their order;
//   - a process claims due deliveries (ClaimDeliveries): pending, due, not leased by another
//     process, and the oldest pending one of their account for their endpoint — so an account's
//     events reach an endpoint in order. On PostgreSQL the claim is SELECT … FOR UPDATE SKIP
//     LOCKED, so processes never wait for each other's claims; the claim leases the deliveries
//     for a while and commits before anything is sent;
//   - the outcome (FinishDelivery) marks a delivery delivered, or schedules the next attempt with
//     exponential backoff, or, once the retry policy gives up, dead (dead-lettered). A process
//     that dies mid-delivery leaves its lease to run out: the delivery is claimed again — at
//     least once, never lost.

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryDead      = "dead"
)

// Endpoint is a URL that receives the ledger's events, signed with its secret (whsec_…).
type Endpoint struct {
	ID      string
	URL     string
	Secret  string
	Created time.Time
}

// RetryPolicy says when a failed delivery is tried again: after Base, doubling each time up to
// Max between attempts, until GiveUp has passed since the delivery was created; then it is
// dead. Zero members take the defaults (DefaultRetryPolicy).
type RetryPolicy struct {
	Base, Max, GiveUp time.Duration
}

// DefaultRetryPolicy retries after 30 s, 1 min, 2 min, … up to 6 hours apart, for 3 days.
var DefaultRetryPolicy = RetryPolicy{Base: 30 * time.Second, Max: 6 * time.Hour, GiveUp: 72 * time.Hour}

func (p RetryPolicy) orDefault() RetryPolicy {
	if p.Base <= 0 {
		p.Base = DefaultRetryPolicy.Base
	}
	if p.Max <= 0 {
		p.Max = DefaultRetryPolicy.Max
	}
	if p.GiveUp <= 0 {
		p.GiveUp = DefaultRetryPolicy.GiveUp
	}
	return p
}

// Delay is the wait after the n-th failed attempt (n ≥ 1).
func (p RetryPolicy) Delay(n int) time.Duration {
	p = p.orDefault()
	d := p.Base
	for i := 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// Claim is a delivery a process has leased: the event, its endpoint, and which attempt this is.
type Claim struct {
	Endpoint Endpoint
	Event    Event
	Attempt  int // 1 for the first
	Created  time.Time
	token    string
}

// Attempt is one try of a delivery: when, by which process, the receiver's answer code (0: no
// answer) and what went wrong.
type Attempt struct {
	At     time.Time
	Worker string
	Code   int
	Error  string
}

// WebhookDelivery is an event's delivery to an endpoint and its history.
type WebhookDelivery struct {
	Endpoint string
	Event    Event
	State    string
	Attempts int
	Next     time.Time // the next attempt (pending)
	Done     time.Time // delivered or given up
	History  []Attempt
}

// CreateEndpoint adds a webhook endpoint with a new secret. It receives events written from now
// on (and replays).
func (l *Ledger) CreateEndpoint(ctx context.Context, url string) (Endpoint, error) {
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return Endpoint{}, err
	}
	ep := Endpoint{ID: randomID("whe_"), URL: url, Secret: "whsec_" + base64.StdEncoding.EncodeToString(key[:]), Created: instant(l.nowMicro())}
	err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// Events written before the endpoint are not for it: fan them out first.
		if _, err := l.fanOut(ctx, tx); err != nil {
			return err
		}
		_, err := l.exec(ctx, tx, `INSERT INTO webhook_endpoints (id, url, secret, created_at) VALUES (?, ?, ?, ?)`,
			ep.ID, ep.URL, ep.Secret, ep.Created.UnixMicro())
		return err
	})
	return ep, err
}

// Endpoints lists the enabled webhook endpoints, oldest first, without their secrets.
func (l *Ledger) Endpoints(ctx context.Context) ([]Endpoint, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, url, created_at FROM webhook_endpoints WHERE disabled = 0 ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Endpoint{}
	for rows.Next() {
		var ep Endpoint
		var c int64
		if err := rows.Scan(&ep.ID, &ep.URL, &c); err != nil {
			return nil, err
		}
		ep.Created = instant(c)
		out = append(out, ep)
	}
	return out, rows.Err()
}

// FanOut turns events not yet fanned out into deliveries, one per enabled endpoint, and
// reports how many events it took.
func (l *Ledger) FanOut(ctx context.Context) (int, error) {
	total := 0
	for {
		var n int
		err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			var err error
			n, err = l.fanOut(ctx, tx)
			return err
		})
		total += n
		if err != nil || n < fanOutBatch {
			return total, err
		}
	}
}

const fanOutBatch = 500

func (l *Ledger) fanOut(ctx context.Context, tx *sql.Tx) (int, error) {
	if l.dialect == Postgres {
		// One fan-out at a time, so that an account's events become deliveries in order.
		var h string
		if err := tx.QueryRowContext(ctx, `SELECT holder FROM leases WHERE name = 'fanout' FOR UPDATE`).Scan(&h); err != nil {
			return 0, err
		}
	}
	rows, err := l.query(ctx, tx, `SELECT seq FROM events WHERE fanned = 0 ORDER BY seq LIMIT ?`, fanOutBatch)
	if err != nil {
		return 0, err
	}
	var seqs []string
	var args []any
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return 0, err
		}
		seqs = append(seqs, "?")
		args = append(args, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(seqs) == 0 {
		return 0, err
	}
	// The list, not a range: an event with a lower seq may commit later (another account's).
	in := "(" + strings.Join(seqs, ",") + ")"
	now := l.nowMicro()
	if _, err := tx.ExecContext(ctx, l.q(`INSERT INTO deliveries (endpoint_id, event_seq, account_id, state, attempts, created_at, next_at)
		SELECT w.id, e.seq, e.account_id, '`+DeliveryPending+`', 0, ?, ? FROM events e CROSS JOIN webhook_endpoints w
		WHERE w.disabled = 0 AND e.seq IN `+in), append([]any{now, now}, args...)...); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, l.q(`UPDATE events SET fanned = 1 WHERE seq IN `+in), args...); err != nil {
		return 0, err
	}
	return len(seqs), nil
}

// ClaimDeliveries leases up to n due deliveries for worker for lease: for each endpoint and
// account at most the oldest pending one (order per account). A claim must be finished with
// FinishDelivery before its lease ends, or it is claimed again.
func (l *Ledger) ClaimDeliveries(ctx context.Context, worker string, n int, lease time.Duration) ([]Claim, error) {
	var out []Claim
	err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		out = out[:0]
		now := l.nowMicro()
		query := `SELECT d.endpoint_id, d.attempts, d.created_at, w.url, w.secret, ` + eventColumns + `
			FROM deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id JOIN events e ON e.seq = d.event_seq
			LEFT JOIN buckets b ON b.id = e.bucket_id AND e.bucket_id <> ''
			WHERE d.state = ? AND d.next_at <= ? AND d.lease_until <= ? AND w.disabled = 0
			AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.endpoint_id = d.endpoint_id AND p.account_id = d.account_id
				AND p.state = ? AND p.event_seq < d.event_seq)
			ORDER BY d.event_seq LIMIT ?`
		if l.dialect == Postgres {
			query += ` FOR UPDATE OF d SKIP LOCKED`
		}
		rows, err := tx.QueryContext(ctx, l.q(query), DeliveryPending, now, now, DeliveryPending, n)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c Claim
			var created int64
			var attempts int
			ev, err := scanEvent(rowsAfter{rows, []any{&c.Endpoint.ID, &attempts, &created, &c.Endpoint.URL, &c.Endpoint.Secret}})
			if err != nil {
				rows.Close()
				return err
			}
			c.Event, c.Attempt, c.Created = ev, attempts+1, instant(created)
			c.token = randomID("clm_")
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		w := &writeSet{}
		for _, c := range out {
			w.addOne(`UPDATE deliveries SET lease_until = ?, claim = ?, attempts = attempts + 1 WHERE endpoint_id = ? AND event_seq = ?`,
				now+lease.Microseconds(), c.token, c.Endpoint.ID, c.Event.Seq)
		}
		return l.flush(ctx, tx, w)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// rowsAfter scans the given destinations first, then the event's.
type rowsAfter struct {
	r     *sql.Rows
	first []any
}

func (r rowsAfter) Scan(dest ...any) error { return r.r.Scan(append(r.first, dest...)...) }

// FinishDelivery records an attempt of a claim: delivered when ok, otherwise the next attempt
// after the policy's delay, or dead once it gives up. It returns the delivery's state. An
// outcome that comes after the lease ran out and another claim took the delivery is recorded in
// the history only.
func (l *Ledger) FinishDelivery(ctx context.Context, c Claim, worker string, code int, failure string, ok bool, p RetryPolicy) (string, error) {
	p = p.orDefault()
	state := DeliveryDelivered
	err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := l.nowMicro()
		next, done := int64(0), now
		state = DeliveryDelivered
		if !ok {
			next = now + p.Delay(c.Attempt).Microseconds()
			state, done = DeliveryPending, 0
			if next-c.Created.UnixMicro() > p.GiveUp.Microseconds() {
				state, next, done = DeliveryDead, 0, now
			}
		}
		w := &writeSet{}
		w.add(`UPDATE deliveries SET state = ?, next_at = ?, done_at = ?, lease_until = 0, claim = '' WHERE endpoint_id = ? AND event_seq = ? AND claim = ?`,
			state, next, done, c.Endpoint.ID, c.Event.Seq, c.token)
		if len(failure) > 300 {
			failure = failure[:300]
		}
		w.add(`INSERT INTO delivery_attempts (endpoint_id, event_seq, at, worker, code, error) VALUES (?, ?, ?, ?, ?, ?)`,
			c.Endpoint.ID, c.Event.Seq, now, worker, code, strings.ToValidUTF8(failure, "?"))
		return l.flush(ctx, tx, w)
	})
	return state, err
}

// Replay sends deliveries again: of one event (eventID, any state) or, with eventID "", every
// dead delivery of the endpoint. It returns how many it scheduled.
func (l *Ledger) Replay(ctx context.Context, endpointID, eventID string) (int, error) {
	var n int64
	err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := l.nowMicro()
		var res sql.Result
		var err error
		if eventID != "" {
			res, err = l.exec(ctx, tx, `UPDATE deliveries SET state = ?, attempts = 0, created_at = ?, next_at = ?, lease_until = 0, claim = '', done_at = 0
				WHERE endpoint_id = ? AND event_seq = (SELECT seq FROM events WHERE id = ?)`, DeliveryPending, now, now, endpointID, eventID)
		} else {
			res, err = l.exec(ctx, tx, `UPDATE deliveries SET state = ?, attempts = 0, created_at = ?, next_at = ?, lease_until = 0, claim = '', done_at = 0
				WHERE endpoint_id = ? AND state = ?`, DeliveryPending, now, now, endpointID, DeliveryDead)
		}
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// Deliveries lists an endpoint's deliveries (state "" for all) with event seq > after, oldest
// first, at most limit (≤ 1000), each with its attempts.
func (l *Ledger) Deliveries(ctx context.Context, endpointID, state string, after int64, limit int) ([]WebhookDelivery, error) {
	if limit <= 0 || limit > maxEntriesPage {
		limit = maxEntriesPage
	}
	q := `SELECT d.state, d.attempts, d.next_at, d.done_at, ` + eventColumns + ` FROM deliveries d JOIN events e ON e.seq = d.event_seq
		LEFT JOIN buckets b ON b.id = e.bucket_id AND e.bucket_id <> ''
		WHERE d.endpoint_id = ? AND d.event_seq > ?`
	args := []any{endpointID, after}
	if state != "" {
		q += ` AND d.state = ?`
		args = append(args, state)
	}
	q += ` ORDER BY d.event_seq LIMIT ?`
	args = append(args, limit)
	rows, err := l.db.QueryContext(ctx, l.q(q), args...)
	if err != nil {
		return nil, err
	}
	out := []WebhookDelivery{}
	for rows.Next() {
		d := WebhookDelivery{Endpoint: endpointID, History: []Attempt{}}
		var next, done int64
		ev, err := scanEvent(rowsAfter{rows, []any{&d.State, &d.Attempts, &next, &done}})
		if err != nil {
			rows.Close()
			return nil, err
		}
		d.Event = ev
		if next != 0 && d.State == DeliveryPending {
			d.Next = instant(next)
		}
		if done != 0 {
			d.Done = instant(done)
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	idx := map[int64]int{}
	for i, d := range out {
		idx[d.Event.Seq] = i
	}
	rows, err = l.db.QueryContext(ctx, l.q(`SELECT event_seq, at, worker, code, error FROM delivery_attempts
		WHERE endpoint_id = ? AND event_seq >= ? AND event_seq <= ? ORDER BY seq`), endpointID, out[0].Event.Seq, out[len(out)-1].Event.Seq)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var seq, at int64
		var a Attempt
		if err := rows.Scan(&seq, &at, &a.Worker, &a.Code, &a.Error); err != nil {
			return nil, err
		}
		if i, ok := idx[seq]; ok {
			a.At = instant(at)
			out[i].History = append(out[i].History, a)
		}
	}
	return out, rows.Err()
}

// DisableEndpoint stops deliveries to an endpoint: no new ones are made for it and those not yet
// delivered are dead (never sent). It reports whether the endpoint was enabled.
func (l *Ledger) DisableEndpoint(ctx context.Context, id string) (bool, error) {
	var n int64
	err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// Events written until now are fanned out first, so none is given to it later.
		if _, err := l.fanOut(ctx, tx); err != nil {
			return err
		}
		res, err := l.exec(ctx, tx, `UPDATE webhook_endpoints SET disabled = 1 WHERE id = ? AND disabled = 0`, id)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		// What was not delivered never will be: dead, and forgotten with the history.
		_, err = l.exec(ctx, tx, `UPDATE deliveries SET state = ?, done_at = ?, lease_until = 0, claim = '' WHERE endpoint_id = ? AND state = ?`,
			DeliveryDead, l.nowMicro(), id, DeliveryPending)
		return err
	})
	return n == 1, err
}

// EndpointExists reports whether an enabled endpoint exists.
func (l *Ledger) EndpointExists(ctx context.Context, id string) (bool, error) {
	var x string
	err := l.db.QueryRowContext(ctx, l.q(`SELECT id FROM webhook_endpoints WHERE id = ? AND disabled = 0`), id).Scan(&x)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// TryLease takes or renews the named lease for holder until ttl from now, and reports whether
// holder has it: a job that must run on one process at a time (the sweeper) runs only while its
// process holds the lease. A holder that dies loses it when it runs out.
func (l *Ledger) TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	var got bool
	err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := l.nowMicro()
		res, err := l.exec(ctx, tx, `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE leases.expires_at <= ? OR leases.holder = excluded.holder`, name, holder, now+ttl.Microseconds(), now)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	return got, err
}

// DeliveryHistoryTTL is how long a delivered or dead delivery and its attempts are kept (the
// events themselves are kept for good).
const DeliveryHistoryTTL = 30 * 24 * time.Hour

// pruneDeliveries forgets deliveries finished more than DeliveryHistoryTTL ago, a batch at a time.
func (l *Ledger) pruneDeliveries(ctx context.Context, now int64) error {
	return l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		cut := now - DeliveryHistoryTTL.Microseconds()
		if _, err := l.exec(ctx, tx, `DELETE FROM delivery_attempts WHERE at < ? AND EXISTS (SELECT 1 FROM deliveries d
			WHERE d.endpoint_id = delivery_attempts.endpoint_id AND d.event_seq = delivery_attempts.event_seq AND d.state <> ? AND d.done_at < ?)`,
			cut, DeliveryPending, cut); err != nil {
			return err
		}
		_, err := l.exec(ctx, tx, `DELETE FROM deliveries WHERE state <> ? AND done_at < ?`, DeliveryPending, cut)
		return err
	})
}

// DeliveryCounts returns how many deliveries are in each state.
func (l *Ledger) DeliveryCounts(ctx context.Context) (map[string]int, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT state, COUNT(*) FROM deliveries GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}
