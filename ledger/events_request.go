package ledger

import (
	"net/url"
	"strings"

	"github.com/creditestimator/creditestimator/estimator"
)

// maxURLBytes bounds a webhook endpoint's URL.
const maxURLBytes = 2048

// DecodeEndpoint decodes {"url": …}: an absolute http or https URL without user information.
func DecodeEndpoint(data []byte) (string, *estimator.Error) {
	f, e := decodeObject(data, "", "url")
	if e != nil {
		return "", e
	}
	s, e := f.str("url", true)
	if e != nil {
		return "", e
	}
	u, err := url.Parse(s)
	switch {
	case len(s) > maxURLBytes:
		return "", errf(estimator.CodeOutOfRange, "url", "at most 2048 characters")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || strings.ContainsAny(s, " \t\r\n"):
		return "", errf(estimator.CodeInvalidValue, "url", "must be an absolute http:// or https:// URL without user information")
	}
	return s, nil
}

// DecodeLowBalance decodes {"credits": "50.00"} (a threshold) or {"credits": null} (none).
func DecodeLowBalance(data []byte) (*estimator.Credits, *estimator.Error) {
	f, e := decodeObject(data, "", "credits")
	if e != nil {
		return nil, e
	}
	if _, present := f.m["credits"]; !present {
		return nil, errf(estimator.CodeMissingField, "credits", "required (null for no threshold)")
	}
	c, ok, e := f.credits("credits", false)
	if e != nil || !ok {
		return nil, e
	}
	return &c, nil
}

// DecodeReplay decodes {"event": "evt_…"} (that event again) or {} (every dead delivery).
func DecodeReplay(data []byte) (string, *estimator.Error) {
	if len(strings.TrimSpace(string(data))) == 0 {
		return "", nil
	}
	f, e := decodeObject(data, "", "event")
	if e != nil {
		return "", e
	}
	return f.str("event", false)
}
