package estimator

// A trusted card (the embedded default) builds its analyzer at the first analysis of a prompt
// instead of at start-up. Reading the complexity section — stemming every term, hashing the word
// model's phrases, building the lexicon — is most of parsing the card, and the module parses the
// card before its first answer: a page's first live price (an empty prompt) does not need it.
// The tests parse the same bytes in full (TestDeferredAnalyzerEqualsEager), so the deferred
// build cannot fail; should it anyway, it panics like Default does for an invalid embedded card.

// an returns the card's analyzer, built first if it was deferred.
func (c *RateCard) an() *analyzer {
	c.analyzerOnce.Do(c.buildDeferredAnalyzer)
	return &c.analyzer
}

func (c *RateCard) buildDeferredAnalyzer() {
	co := c.deferredComplexity
	if co == nil {
		return
	}
	c.deferredComplexity = nil
	p := cardParser{c: c}
	p.analyzerOf(*co)
	if p.err != nil {
		panic("estimator: embedded rate card is invalid: " + p.err.Error())
	}
}
