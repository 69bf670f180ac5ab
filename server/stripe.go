package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/ledger"
)

// Payments through Stripe (docs/ledger.md, "Payments"):
//
//   - POST /api/v1/accounts/{id}/checkout (account token or operator) creates a Checkout
//     Session whose line items are exactly the engine's quote in the card's currency: a top-up's
//     bundle mix (estimator.RateCard.TopUpQuote) or a plan's monthly price (a subscription).
//   - POST /api/v1/stripe/webhook (no credential: the Stripe-Signature is the credential) is
//     verified before anything else; a bad or stale signature is 400 and changes nothing. The
//     events that move credits become ledger payment calls keyed forever by the Stripe object id
//     (the Checkout Session, the invoice, the charge, the dispute, the subscription): a replayed
//     or late event changes nothing and answers 200.

// StripeConfig switches payments through Stripe on.
type StripeConfig struct {
	SecretKey     string // STRIPE_SECRET_KEY
	WebhookSecret string // STRIPE_WEBHOOK_SECRET (whsec_…)
	// APIBase is Stripe's API URL ("" for Stripe itself); tests and local runs point it at
	// stripe-mock (STRIPE_API_BASE).
	APIBase string
	// SuccessURL and CancelURL are where Checkout sends the person back; "" means the editor
	// page of the host the checkout was asked on.
	SuccessURL, CancelURL string
	// Tolerance is how old a signed webhook may be; 0 means webhook.DefaultTolerance (5 min).
	Tolerance time.Duration
}

// stripeMaxBody bounds a webhook body: Stripe's events are a few KiB; an invoice with many
// lines stays far below this.
const stripeMaxBody = 256 << 10

type stripeAPI struct {
	cfg    StripeConfig
	client *stripe.Client
}

func newStripeAPI(c *StripeConfig) (*stripeAPI, error) {
	if c.SecretKey == "" || c.WebhookSecret == "" {
		return nil, errors.New("server: Stripe needs both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET")
	}
	var opts []stripe.ClientOption
	if c.APIBase != "" {
		b := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{URL: stripe.String(c.APIBase),
			LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelError}})
		opts = append(opts, stripe.WithBackends(&stripe.Backends{API: b, Connect: b, Uploads: b, MeterEvents: b}))
	}
	return &stripeAPI{cfg: *c, client: stripe.NewClient(c.SecretKey, opts...)}, nil
}

// Stripe's metadata keys on sessions and subscriptions.
const (
	metaAccount = "account"
	metaKind    = "kind"
	metaCredits = "credits"
	metaPlan    = "plan"
)

// checkoutRequest is the body of POST /accounts/{id}/checkout.
type checkoutRequest struct {
	credits estimator.Credits
	plan    string
}

func decodeCheckout(body []byte) (checkoutRequest, *estimator.Error) {
	var c checkoutRequest
	v, e := estimator.ParseRequest(body)
	if e != nil {
		return c, e
	}
	if v.Kind() != "object" {
		return c, &estimator.Error{Code: estimator.CodeInvalidType, Message: "must be a JSON object"}
	}
	for _, k := range v.Keys() {
		if k != "credits" && k != "plan" {
			return c, &estimator.Error{Code: estimator.CodeUnknownField, Field: k, Message: "unknown member; allowed: credits (a top-up) or plan (a subscription)"}
		}
	}
	cr, hasCredits := v.Get("credits")
	pl, hasPlan := v.Get("plan")
	switch {
	case hasCredits == hasPlan:
		return c, &estimator.Error{Code: estimator.CodeMissingField, Field: "credits", Message: "give credits (a top-up) or plan (a subscription), one of them"}
	case hasPlan:
		if pl.Kind() != "string" || pl.Str() == "" {
			return c, &estimator.Error{Code: estimator.CodeInvalidType, Field: "plan", Message: "must be a plan id of the rate card"}
		}
		c.plan = pl.Str()
	default:
		if cr.Kind() != "string" {
			return c, &estimator.Error{Code: estimator.CodeInvalidType, Field: "credits", Message: "must be a decimal string of credits, e.g. \"750\""}
		}
		// The grant's own decoder reads the amount, with its rules.
		g, e := ledger.DecodeGrant([]byte(`{"kind":"topup","credits":` + string(estimator.AppendJSONString(nil, cr.Str())) + `}`))
		if e != nil {
			return c, e
		}
		c.credits = g.Credits
	}
	return c, nil
}

// checkout answers POST /accounts/{id}/checkout: a Checkout Session for a top-up or a plan.
func (a *ledgerAPI) checkout(w http.ResponseWriter, r *http.Request, p ledgerCaller, id string) {
	if a.stripe == nil {
		ledgerError(w, ledger.CodeNotFound, "", "no such endpoint (payments are not configured on this server)")
		return
	}
	buf, ok := readBody(w, r, ledgerMaxBody, false)
	if !ok {
		return
	}
	defer putBuf(buf)
	key := r.Header.Get("Idempotency-Key")
	if e := ledger.CheckKey(key); e != nil {
		writeError(w, e)
		return
	}
	req, e := decodeCheckout(*buf)
	if e != nil {
		writeError(w, e)
		return
	}
	card := a.l.Card()
	currency := strings.ToLower(card.Currency())
	back := a.stripe.cfg.SuccessURL
	cancel := a.stripe.cfg.CancelURL
	if back == "" || cancel == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base := scheme + "://" + r.Host + "/editor.html"
		back, cancel = base+"?checkout=done", base+"?checkout=cancelled"
	}
	params := &stripe.CheckoutSessionCreateParams{
		SuccessURL:        stripe.String(back),
		CancelURL:         stripe.String(cancel),
		ClientReferenceID: stripe.String(id),
		Metadata:          map[string]string{metaAccount: id},
	}
	if req.plan != "" {
		var plan *estimator.Plan
		for _, pl := range card.Plans() {
			if pl.ID == req.plan {
				pl := pl
				plan = &pl
			}
		}
		if plan == nil {
			ledgerError(w, estimator.CodeUnknownPlan, "plan", "the rate card has no plan "+strconv.Quote(req.plan))
			return
		}
		params.Mode = stripe.String(string(stripe.CheckoutSessionModeSubscription))
		params.Metadata[metaKind], params.Metadata[metaPlan] = "plan", plan.ID
		params.SubscriptionData = &stripe.CheckoutSessionCreateSubscriptionDataParams{
			Metadata: map[string]string{metaAccount: id, metaPlan: plan.ID}}
		params.LineItems = []*stripe.CheckoutSessionCreateLineItemParams{{
			Quantity: stripe.Int64(1),
			PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripe.String(currency),
				UnitAmount:  stripe.Int64(card.MinorUnits(plan.Price)),
				ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String(plan.Name + " plan")},
				Recurring:   &stripe.CheckoutSessionCreateLineItemPriceDataRecurringParams{Interval: stripe.String("month")},
			},
		}}
	} else {
		q, err := card.TopUpQuote(req.credits)
		if err != nil {
			writeError(w, err)
			return
		}
		params.Mode = stripe.String(string(stripe.CheckoutSessionModePayment))
		params.Metadata[metaKind], params.Metadata[metaCredits] = "topup", req.credits.String()
		params.PaymentIntentData = &stripe.CheckoutSessionCreatePaymentIntentDataParams{
			Metadata: map[string]string{metaAccount: id, metaCredits: req.credits.String()}}
		for _, line := range q.Lines {
			params.LineItems = append(params.LineItems, &stripe.CheckoutSessionCreateLineItemParams{
				Quantity: stripe.Int64(line.Count),
				PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
					Currency:    stripe.String(currency),
					UnitAmount:  stripe.Int64(card.MinorUnits(line.Bundle.Price)),
					ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String(line.Bundle.Credits.String() + " credits")},
				},
			})
		}
	}
	// The caller's key, per caller, is Stripe's: a retry gets the same session.
	params.SetIdempotencyKey("checkout:" + p.scope() + ":" + key)
	params.Context = r.Context()
	s, err := a.stripe.client.V1CheckoutSessions.Create(r.Context(), params)
	if err != nil {
		a.log.Error("stripe checkout", "error", err.Error())
		w.Header().Set("Retry-After", "1")
		ledgerError(w, "payment_provider_error", "", "the payment provider could not start a checkout; retry with the same Idempotency-Key")
		return
	}
	writeJSON(w, http.StatusCreated, marshal(struct {
		URL     string `json:"url"`
		Session string `json:"session"`
	}{s.URL, s.ID}))
}

// webhook answers POST /api/v1/stripe/webhook.
func (a *ledgerAPI) webhook(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	buf, ok := readBody(w, r, stripeMaxBody, false)
	if !ok {
		return
	}
	defer putBuf(buf)
	// Verify first: nothing else is looked at before the signature is known good. Stripe signs
	// with the account's API version; the objects' members read below are stable across
	// versions, so a version other than the library's is not refused.
	ev, err := webhook.ConstructEventWithOptions(*buf, r.Header.Get("Stripe-Signature"), a.stripe.cfg.WebhookSecret,
		webhook.ConstructEventOptions{Tolerance: a.stripe.cfg.Tolerance, IgnoreAPIVersionMismatch: true})
	if err != nil || signedInFuture(r.Header.Get("Stripe-Signature"), a.stripe.cfg.Tolerance) {
		ledgerError(w, "invalid_signature", "Stripe-Signature", "the webhook signature is missing, invalid, too old or from the future")
		return
	}
	res, err := a.applyEvent(r.Context(), ev)
	if err != nil {
		var le *ledger.Error
		if errors.As(err, &le) {
			// A refusal is final (an account that does not exist, a plan the card lacks):
			// answered 200 so that Stripe does not retry for days, and logged for people.
			a.log.Warn("stripe webhook refused", "event", ev.ID, "type", string(ev.Type), "code", le.Code, "message", le.Message)
			writeJSON(w, http.StatusOK, marshal(webhookAnswer{Received: true, Event: ev.ID, Type: string(ev.Type), Refused: le.Code}))
			return
		}
		if errors.Is(err, errPurchaseNotYet) {
			w.Header().Set("Retry-After", "60")
			ledgerError(w, "unavailable", "", "the purchase this event reverses has not been received yet; deliver it again later")
			return
		}
		// Anything else changed nothing: 500, and Stripe retries.
		a.internal(w, err)
		return
	}
	res.Received, res.Event, res.Type = true, ev.ID, string(ev.Type)
	writeJSON(w, http.StatusOK, marshal(res))
}

type webhookAnswer struct {
	Received bool   `json:"received"`
	Event    string `json:"event"`
	Type     string `json:"type"`
	Ignored  bool   `json:"ignored,omitempty"`  // an event type that moves no credits
	Replayed bool   `json:"replayed,omitempty"` // its object was applied before: nothing changed
	Ref      string `json:"ref,omitempty"`      // the ledger's payment reference
	Granted  string `json:"granted,omitempty"`  // credits granted
	Voided   string `json:"voided,omitempty"`   // credits voided
	Spent    string `json:"spent,omitempty"`    // a refunded purchase's credits already spent
	Refused  string `json:"refused,omitempty"`  // the ledger's code when it refused
	Note     string `json:"note,omitempty"`
}

func paymentAnswer(p ledger.Payment) webhookAnswer {
	var granted estimator.Credits
	for _, b := range p.Buckets {
		granted += b.Credits
	}
	a := webhookAnswer{Replayed: p.Replayed, Ref: p.Ref, Note: p.Note}
	if granted > 0 {
		a.Granted = granted.String()
	}
	if p.Kind == ledger.PaymentVoid {
		a.Voided, a.Spent = p.Voided.String(), p.Spent.String()
	}
	return a
}

// applyEvent turns a verified event into the ledger call it means.
func (a *ledgerAPI) applyEvent(ctx context.Context, ev stripe.Event) (webhookAnswer, error) {
	if ev.Data == nil {
		return webhookAnswer{Ignored: true}, nil
	}
	raw := ev.Data.Raw
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded":
		// A delayed payment method completes the session unpaid, then succeeds later: the
		// same session, granted once, whichever event says it is paid.
		var s stripe.CheckoutSession
		if err := json.Unmarshal(raw, &s); err != nil {
			return webhookAnswer{}, badEvent(err)
		}
		if s.Mode != stripe.CheckoutSessionModePayment || s.Metadata[metaKind] != "topup" {
			// A subscription's credits come with its paid invoices (invoice.paid).
			return webhookAnswer{Ignored: true, Note: "subscription checkouts are granted by invoice.paid"}, nil
		}
		if s.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
			return webhookAnswer{Ignored: true, Note: "not paid (yet)"}, nil
		}
		credits, ok := parseCreditsText(s.Metadata[metaCredits])
		if !ok {
			return webhookAnswer{}, &ledger.Error{Code: estimator.CodeInvalidValue, Field: "metadata.credits", Message: "the session names no credits"}
		}
		pi := ""
		if s.PaymentIntent != nil {
			pi = s.PaymentIntent.ID
		}
		p, err := a.l.PayTopUp(ctx, "stripe:"+s.ID, s.Metadata[metaAccount], credits, pi)
		return paymentAnswer(p), err
	case "invoice.paid":
		var in stripe.Invoice
		if err := json.Unmarshal(raw, &in); err != nil {
			return webhookAnswer{}, badEvent(err)
		}
		if in.Parent == nil || in.Parent.SubscriptionDetails == nil || in.Parent.SubscriptionDetails.Metadata[metaPlan] == "" {
			return webhookAnswer{Ignored: true, Note: "not a plan's invoice"}, nil
		}
		sd := in.Parent.SubscriptionDetails
		sub := ""
		if sd.Subscription != nil {
			sub = sd.Subscription.ID
		}
		start := in.PeriodStart
		if in.Lines != nil && len(in.Lines.Data) > 0 && in.Lines.Data[0].Period != nil {
			start = in.Lines.Data[0].Period.Start // the period the invoice's line covers
		}
		anchor, found, err := a.l.SubscriptionAnchor(ctx, sub)
		if err != nil {
			return webhookAnswer{}, err
		}
		if !found {
			anchor = time.Unix(start, 0).UTC()
		}
		charge := ""
		if in.Payments != nil {
			for _, ip := range in.Payments.Data {
				if ip.Payment != nil && ip.Payment.PaymentIntent != nil {
					charge = ip.Payment.PaymentIntent.ID
				}
			}
		}
		p, err := a.l.PayPlan(ctx, "stripe:"+in.ID, sd.Metadata[metaAccount], sd.Metadata[metaPlan], time.Unix(start, 0).UTC(), anchor, charge, sub)
		return paymentAnswer(p), err
	case "charge.refunded", "charge.dispute.created":
		var pi, ref string
		ours := false // the charge says it paid for one of our top-ups (the PaymentIntent's metadata)
		reason := "refund"
		if ev.Type == "charge.refunded" {
			var c stripe.Charge
			if err := json.Unmarshal(raw, &c); err != nil {
				return webhookAnswer{}, badEvent(err)
			}
			if c.PaymentIntent != nil {
				pi = c.PaymentIntent.ID
			}
			ours = c.Metadata[metaAccount] != ""
			ref = "stripe:refund:" + c.ID
		} else {
			var d stripe.Dispute
			if err := json.Unmarshal(raw, &d); err != nil {
				return webhookAnswer{}, badEvent(err)
			}
			if d.PaymentIntent != nil {
				pi = d.PaymentIntent.ID
			}
			ref, reason = "stripe:"+d.ID, "dispute"
		}
		if pi == "" {
			return webhookAnswer{Ignored: true, Note: "no payment intent"}, nil
		}
		account, found, err := a.l.PurchaseAccount(ctx, pi)
		if err != nil {
			return webhookAnswer{}, err
		}
		if !found && ours {
			// The refund of a top-up whose purchase event has not arrived yet (events come out
			// of order): not acknowledged, so that Stripe delivers it again once it has.
			return webhookAnswer{}, errPurchaseNotYet
		}
		if !found {
			return webhookAnswer{Ignored: true, Note: "no purchase was paid by " + pi}, nil
		}
		p, err := a.l.VoidPurchase(ctx, ref, account, pi, ledger.Reversal{Reason: reason, Actor: "stripe", Memo: string(ev.Type) + " " + ev.ID})
		if err == nil && !p.Replayed {
			// For people: what the refund or dispute took back, and what had been spent already.
			a.log.Info("stripe reversal", "ref", ref, "account", account, "voided", p.Voided.String(), "spent", p.Spent.String())
		}
		return paymentAnswer(p), err
	case "customer.subscription.deleted":
		var s stripe.Subscription
		if err := json.Unmarshal(raw, &s); err != nil {
			return webhookAnswer{}, badEvent(err)
		}
		if s.Metadata[metaAccount] == "" {
			return webhookAnswer{Ignored: true, Note: "not a plan's subscription"}, nil
		}
		p, err := a.l.EndSubscription(ctx, "stripe:"+s.ID+":deleted", s.Metadata[metaAccount], s.ID)
		return paymentAnswer(p), err
	}
	return webhookAnswer{Ignored: true}, nil
}

// signedInFuture reports whether a (verified) signature's timestamp lies further ahead than the
// tolerance: stripe-go refuses old signatures only, and a clock far ahead is no more Stripe's.
func signedInFuture(header string, tolerance time.Duration) bool {
	if tolerance <= 0 {
		tolerance = webhook.DefaultTolerance
	}
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "t="); ok {
			ts, err := strconv.ParseInt(v, 10, 64)
			return err != nil || time.Unix(ts, 0).After(time.Now().Add(tolerance))
		}
	}
	return true
}

var errPurchaseNotYet = errors.New("server: the purchase of a refunded charge is not known yet")

func badEvent(err error) error {
	return &ledger.Error{Code: estimator.CodeInvalidJSON, Field: "data.object", Message: "the event's object could not be read: " + err.Error()}
}

// parseCreditsText reads the credits a session's metadata names ("750.00").
func parseCreditsText(s string) (estimator.Credits, bool) {
	g, e := ledger.DecodeGrant([]byte(`{"kind":"topup","credits":` + string(estimator.AppendJSONString(nil, s)) + `}`))
	if e != nil {
		return 0, false
	}
	return g.Credits, true
}
