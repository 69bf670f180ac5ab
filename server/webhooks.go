package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/ledger"
)

// Webhooks: the ledger writes events in the transactions of its changes and keeps every
// delivery's state (ledger/webhooks.go); the Dispatcher here signs each event per the Standard
// Webhooks spec (webhook-id, webhook-timestamp, webhook-signature, through the spec's own Go
// library) and posts it. Any number of processes may run a Dispatcher on one database.

// eventData is an event's data member: what the event says, never a prompt.
type eventData struct {
	ID           string        `json:"id"`
	Account      string        `json:"account"`
	At           string        `json:"at"`
	Bucket       string        `json:"bucket,omitempty"`
	Kind         string        `json:"kind,omitempty"`
	Plan         string        `json:"plan,omitempty"`
	Hold         string        `json:"hold,omitempty"`
	Credits      string        `json:"credits"`
	Returned     string        `json:"returned,omitempty"`
	Threshold    string        `json:"threshold,omitempty"`
	Granted      string        `json:"granted,omitempty"`
	Expires      string        `json:"expires,omitempty"`
	Spent        string        `json:"spent,omitempty"`
	Charge       string        `json:"charge,omitempty"`
	Subscription string        `json:"subscription,omitempty"`
	Reference    string        `json:"reference,omitempty"`
	RateCard     eventCardJSON `json:"rateCard"`
}

type eventCardJSON struct {
	Version string `json:"version"`
}

type eventJSON struct {
	Type      string    `json:"type"`
	Timestamp string    `json:"timestamp"`
	Data      eventData `json:"data"`
}

func eventValue(ev ledger.Event) eventJSON {
	d := eventData{ID: ev.ID, Account: ev.Account, At: jsonTime(ev.At), Bucket: ev.Bucket, Kind: ev.Kind, Plan: ev.Plan,
		Hold: ev.Hold, Credits: ev.Credits.String(), Reference: ev.Ref, RateCard: eventCardJSON{ev.RateCard}}
	switch ev.Type {
	case ledger.EventHoldSettled:
		d.Returned = ev.Returned.String()
	case ledger.EventBalanceLow:
		d.Threshold = ev.Threshold.String()
	case ledger.EventPurchaseRefunded:
		d.Spent, d.Charge = ev.Spent.String(), ev.Subject
	case ledger.EventSubscriptionRenewed, ledger.EventSubscriptionEnded:
		d.Subscription = ev.Subject
	}
	if !ev.Granted.IsZero() && (ev.Type == ledger.EventGrantCreated || ev.Type == ledger.EventSubscriptionRenewed) {
		d.Granted = jsonTime(ev.Granted)
	}
	if !ev.Expires.IsZero() {
		d.Expires = jsonTime(ev.Expires)
	}
	return eventJSON{Type: ev.Type, Timestamp: jsonTime(ev.At), Data: d}
}

// EventJSON is the body a webhook carries for an event: {"type","timestamp","data"} as the
// Standard Webhooks spec suggests. The same event always encodes to the same bytes.
func EventJSON(ev ledger.Event) []byte { return marshal(eventValue(ev)) }

// Dispatcher delivers the ledger's events to its webhook endpoints.
type Dispatcher struct {
	Ledger *ledger.Ledger
	// Client sends the requests; nil means one with a 10 s timeout. A receiver that does not
	// answer within its timeout has failed that attempt.
	Client *http.Client
	// Worker names this process in the delivery history ("host:pid").
	Worker string
	Retry  ledger.RetryPolicy
	// Lease is how long a claimed delivery is this process's; it must exceed the client's
	// timeout. 0 means one minute.
	Lease time.Duration
	// Batch is how many deliveries one round claims (different accounts, sent in parallel);
	// 0 means 32.
	Batch int
	Log   *slog.Logger

	wake chan struct{}
	once sync.Once
}

// Round is what one round of delivery did.
type Round struct {
	FannedOut, Delivered, Failed, Dead int
}

func (d *Dispatcher) init() {
	d.once.Do(func() {
		if d.Client == nil {
			d.Client = &http.Client{Timeout: 10 * time.Second}
		}
		if d.Client.CheckRedirect == nil { // never send a signed event on to another address
			c := *d.Client
			c.CheckRedirect = NoRedirects
			d.Client = &c
		}
		if d.Lease <= 0 {
			d.Lease = time.Minute
		}
		if d.Batch <= 0 {
			d.Batch = 32
		}
		if d.Worker == "" {
			d.Worker = "dispatcher"
		}
		d.wake = make(chan struct{}, 1)
	})
}

// RunOnce fans new events out, claims what is due and sends it, and records every outcome.
func (d *Dispatcher) RunOnce(ctx context.Context) (Round, error) {
	d.init()
	var r Round
	n, err := d.Ledger.FanOut(ctx)
	r.FannedOut = n
	if err != nil {
		return r, err
	}
	claims, err := d.Ledger.ClaimDeliveries(ctx, d.Worker, d.Batch, d.Lease)
	if err != nil {
		return r, err
	}
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for _, c := range claims {
		wg.Add(1)
		go func(c ledger.Claim) {
			defer wg.Done()
			code, failure := d.send(ctx, c)
			ok := failure == ""
			state, err := d.Ledger.FinishDelivery(context.WithoutCancel(ctx), c, d.Worker, code, failure, ok, d.Retry)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				if firstErr == nil {
					firstErr = err
				}
			case ok:
				r.Delivered++
			case state == ledger.DeliveryDead:
				r.Dead++
			default:
				r.Failed++
			}
		}(c)
	}
	wg.Wait()
	return r, firstErr
}

// send posts one event, signed; failure is "" when the receiver answered 2xx.
func (d *Dispatcher) send(ctx context.Context, c ledger.Claim) (code int, failure string) {
	body := EventJSON(c.Event)
	wh, err := standardwebhooks.NewWebhook(c.Endpoint.Secret)
	if err != nil {
		return 0, "endpoint secret: " + err.Error()
	}
	ts := d.Ledger.Now()
	sig, err := wh.Sign(c.Event.ID, ts, body)
	if err != nil {
		return 0, "sign: " + err.Error()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "creditestimator-webhooks/1 ("+d.Worker+")")
	req.Header.Set(standardwebhooks.HeaderWebhookID, c.Event.ID)
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
	resp, err := d.Client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, resp.Status
	}
	return resp.StatusCode, ""
}

// NoRedirects is the CheckRedirect of a dispatcher's client: a redirect is an answer that is not
// 2xx (a failed attempt), never a reason to send the signed event to another address.
func NoRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Wake makes a running Run start its next round now (an event was just written).
func (d *Dispatcher) Wake() {
	d.init()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends: round after round while there is work, then every idle period.
func (d *Dispatcher) Run(ctx context.Context, idle time.Duration) {
	d.init()
	for ctx.Err() == nil {
		r, err := d.RunOnce(ctx)
		if err != nil && ctx.Err() == nil && d.Log != nil {
			d.Log.Warn("webhooks", "error", err.Error())
		}
		if err == nil && r.Delivered+r.Failed+r.Dead > 0 {
			continue
		}
		t := time.NewTimer(idle)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-d.wake:
		}
		t.Stop()
	}
}

// The webhook endpoints' API (operator only) and the account's events and low-balance alert.

type endpointJSON struct {
	ID      string `json:"id"`
	URL     string `json:"url"`
	Created string `json:"created"`
}

type attemptJSON struct {
	At     string `json:"at"`
	Worker string `json:"worker"`
	Code   int    `json:"code"`
	Error  string `json:"error,omitempty"`
}

type deliveryJSON struct {
	Event    eventJSON     `json:"event"`
	State    string        `json:"state"`
	Attempts int           `json:"attempts"`
	Next     string        `json:"next,omitempty"`
	Done     string        `json:"done,omitempty"`
	History  []attemptJSON `json:"history"`
}

func (a *ledgerAPI) webhookRoutes() {
	// One path, two methods: ServeMux patterns here carry no method (route.go), so the gate is
	// the one gateMethod with both.
	create, list := a.operator(a.createEndpoint), a.operator(a.listEndpoints)
	a.mux.HandleFunc("/api/v1/webhooks/endpoints", func(w http.ResponseWriter, r *http.Request) {
		if !gateMethod(w, r, "GET, HEAD, POST", false, http.MethodGet, http.MethodHead, http.MethodPost) {
			return
		}
		if r.Method == http.MethodPost {
			create(w, r)
			return
		}
		list(w, r)
	})
	handle(a.mux, endpoint{pattern: "DELETE /api/v1/webhooks/endpoints/{id}", valid: validIDPath, serve: a.operator(a.disableEndpoint)})
	handle(a.mux, endpoint{pattern: "GET /api/v1/webhooks/endpoints/{id}/deliveries", valid: validIDPath, serve: a.operator(a.deliveries)})
	handle(a.mux, endpoint{pattern: "POST /api/v1/webhooks/endpoints/{id}/replay", valid: validIDPath, serve: a.operator(a.replay)})
	handle(a.mux, endpoint{pattern: "GET /api/v1/accounts/{id}/events", valid: validIDPath, serve: a.forAccount(a.accountEvents)})
	handle(a.mux, endpoint{pattern: "PUT /api/v1/accounts/{id}/low-balance", valid: validIDPath, serve: a.forAccount(a.lowBalance)})
	a.mux.HandleFunc("/api/v1/webhooks/", func(w http.ResponseWriter, r *http.Request) { ledgerNotFound(w, "endpoint") })
}

// operator lets only the operator key through (403 for an account token).
func (a *ledgerAPI) operator(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a.withAuth(w, r, func(p ledgerCaller) {
			if !p.operator {
				ledgerError(w, ledger.CodeForbidden, "", "only the operator key can do this")
				return
			}
			h(w, r)
		})
	}
}

func (a *ledgerAPI) createEndpoint(w http.ResponseWriter, r *http.Request) {
	buf, ok := readBody(w, r, ledgerMaxBody, false)
	if !ok {
		return
	}
	defer putBuf(buf)
	u, e := ledger.DecodeEndpoint(*buf)
	if e != nil {
		writeError(w, e)
		return
	}
	ep, err := a.l.CreateEndpoint(r.Context(), u)
	if err != nil {
		a.internal(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, marshal(struct {
		Endpoint endpointJSON `json:"endpoint"`
		Secret   string       `json:"secret"`
	}{endpointJSON{ep.ID, ep.URL, jsonTime(ep.Created)}, ep.Secret}))
}

func (a *ledgerAPI) listEndpoints(w http.ResponseWriter, r *http.Request) {
	eps, err := a.l.Endpoints(r.Context())
	if err != nil {
		a.internal(w, err)
		return
	}
	out := make([]endpointJSON, len(eps))
	for i, ep := range eps {
		out[i] = endpointJSON{ep.ID, ep.URL, jsonTime(ep.Created)}
	}
	writeJSON(w, http.StatusOK, marshal(struct {
		Endpoints []endpointJSON `json:"endpoints"`
	}{out}))
}

func (a *ledgerAPI) disableEndpoint(w http.ResponseWriter, r *http.Request) {
	ok, err := a.l.DisableEndpoint(r.Context(), r.PathValue("id"))
	if err != nil {
		a.internal(w, err)
		return
	}
	if !ok {
		ledgerNotFound(w, "endpoint")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// endpointFound answers 404 when the path's endpoint does not exist.
func (a *ledgerAPI) endpointFound(w http.ResponseWriter, r *http.Request) bool {
	ok, err := a.l.EndpointExists(r.Context(), r.PathValue("id"))
	if err != nil {
		a.internal(w, err)
		return false
	}
	if !ok {
		ledgerNotFound(w, "endpoint")
	}
	return ok
}

func (a *ledgerAPI) deliveries(w http.ResponseWriter, r *http.Request) {
	if !a.endpointFound(w, r) {
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	switch state {
	case "", ledger.DeliveryPending, ledger.DeliveryDelivered, ledger.DeliveryDead:
	default:
		ledgerError(w, estimator.CodeInvalidValue, "state", "must be pending, delivered or dead")
		return
	}
	after, limit, ok := pageParams(w, q.Get("after"), q.Get("limit"))
	if !ok {
		return
	}
	ds, err := a.l.Deliveries(r.Context(), r.PathValue("id"), state, after, limit)
	if err != nil {
		a.internal(w, err)
		return
	}
	out := make([]deliveryJSON, len(ds))
	var next *int64
	for i, d := range ds {
		j := deliveryJSON{Event: eventValue(d.Event), State: d.State, Attempts: d.Attempts, History: make([]attemptJSON, len(d.History))}
		if !d.Next.IsZero() {
			j.Next = jsonTime(d.Next)
		}
		if !d.Done.IsZero() {
			j.Done = jsonTime(d.Done)
		}
		for k, h := range d.History {
			j.History[k] = attemptJSON{jsonTime(h.At), h.Worker, h.Code, h.Error}
		}
		out[i] = j
	}
	if len(ds) == limit {
		s := ds[len(ds)-1].Event.Seq
		next = &s
	}
	writeJSON(w, http.StatusOK, marshal(struct {
		Deliveries []deliveryJSON `json:"deliveries"`
		Next       *int64         `json:"next"`
	}{out, next}))
}

// pageParams reads after= (a seq) and limit= (1–1000, default 1000).
func pageParams(w http.ResponseWriter, afterS, limitS string) (int64, int, bool) {
	var after int64
	limit := 1000
	if afterS != "" {
		n, err := strconv.ParseInt(afterS, 10, 64)
		if err != nil || n < 0 {
			ledgerError(w, estimator.CodeInvalidValue, "after", "must be the seq the previous page's next gave")
			return 0, 0, false
		}
		after = n
	}
	if limitS != "" {
		n, err := strconv.Atoi(limitS)
		if err != nil || n < 1 || n > 1000 {
			ledgerError(w, estimator.CodeOutOfRange, "limit", "must be 1 to 1000")
			return 0, 0, false
		}
		limit = n
	}
	return after, limit, true
}

func (a *ledgerAPI) replay(w http.ResponseWriter, r *http.Request) {
	buf, ok := readBody(w, r, ledgerMaxBody, true)
	if !ok {
		return
	}
	defer putBuf(buf)
	ev, e := ledger.DecodeReplay(*buf)
	if e != nil {
		writeError(w, e)
		return
	}
	if !a.endpointFound(w, r) {
		return
	}
	n, err := a.l.Replay(r.Context(), r.PathValue("id"), ev)
	if err != nil {
		a.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, []byte(fmt.Sprintf(`{"replayed":%d}`, n)))
}

func (a *ledgerAPI) accountEvents(w http.ResponseWriter, r *http.Request, _ ledgerCaller, id string) {
	after, limit, ok := pageParams(w, r.URL.Query().Get("after"), r.URL.Query().Get("limit"))
	if !ok {
		return
	}
	if found, err := a.l.AccountExists(r.Context(), id); err != nil || !found {
		if err != nil {
			a.internal(w, err)
		} else {
			ledgerNotFound(w, "account")
		}
		return
	}
	evs, err := a.l.Events(r.Context(), id, after, limit)
	if err != nil {
		a.internal(w, err)
		return
	}
	out := make([]eventJSON, len(evs))
	for i, ev := range evs {
		out[i] = eventValue(ev)
	}
	var next *int64
	if len(evs) == limit {
		s := evs[len(evs)-1].Seq
		next = &s
	}
	writeJSON(w, http.StatusOK, marshal(struct {
		Account string      `json:"account"`
		Events  []eventJSON `json:"events"`
		Next    *int64      `json:"next"`
	}{id, out, next}))
}

func (a *ledgerAPI) lowBalance(w http.ResponseWriter, r *http.Request, _ ledgerCaller, id string) {
	buf, ok := readBody(w, r, ledgerMaxBody, false)
	if !ok {
		return
	}
	defer putBuf(buf)
	th, e := ledger.DecodeLowBalance(*buf)
	if e != nil {
		writeError(w, e)
		return
	}
	found, err := a.l.SetLowBalance(r.Context(), id, th)
	if err != nil {
		a.internal(w, err)
		return
	}
	if !found {
		ledgerNotFound(w, "account")
		return
	}
	var v *string
	if th != nil {
		s := th.String()
		v = &s
	}
	writeJSON(w, http.StatusOK, marshal(struct {
		Account    string  `json:"account"`
		LowBalance *string `json:"lowBalance"`
	}{id, v}))
}
