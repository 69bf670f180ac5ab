package estimator

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// ecCard returns the default card with one top-level member replaced.
func ecCard(t testing.TB, key, value string) *RateCard {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(defaultCardJSON, &m))
	_, ok := m[key]
	require.True(t, ok, key)
	m[key] = json.RawMessage(value)
	if key != "translations" {
		delete(m, "translations") // they name the entries being replaced
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	c, err := ParseRateCard(b)
	require.NoError(t, err)
	return c
}

// ecDo runs an op and decodes the response into a generic map (numbers kept as json.Number).
func ecDo(t testing.TB, c *RateCard, op, req string) map[string]any {
	t.Helper()
	out, err := c.Do(op, []byte(req))
	require.NoError(t, err, req)
	dec := json.NewDecoder(strings.NewReader(string(out)))
	dec.UseNumber()
	var m map[string]any
	require.NoError(t, dec.Decode(&m), string(out))
	return m
}

// ecErr runs an op that must fail and returns the error.
func ecErr(t testing.TB, c *RateCard, op, req string) *Error {
	t.Helper()
	out, err := c.Do(op, []byte(req))
	require.Error(t, err, "%s → %s", req, out)
	e, ok := err.(*Error)
	require.True(t, ok)
	return e
}

// ecCredits parses a credits string of the contract.
func ecCredits(t testing.TB, s any) Credits {
	t.Helper()
	str, ok := s.(string)
	require.True(t, ok, "%v is not a string", s)
	n, err := jsonx.ParseFixed(str, creditPlaces)
	require.NoError(t, err, str)
	return Credits(n)
}

// ecUSD parses a 2-place dollar string of the contract into micro-dollars.
func ecUSD(t testing.TB, s any) Money {
	t.Helper()
	str, ok := s.(string)
	require.True(t, ok, "%v is not a string", s)
	n, err := jsonx.ParseFixed(str, moneyPlaces)
	require.NoError(t, err, str)
	return Money(n)
}

// jsonNumber is a JSON integer as decoded by ecDo.
func jsonNumber(s string) any { return json.Number(s) }
