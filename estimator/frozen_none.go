//go:build freezecard

package estimator

// Without the generated frozencard.go (the build that regenerates it): every card is parsed.
var frozenCard *RateCard
