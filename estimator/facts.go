package estimator

// Facts that front ends in other languages share with this package. cmd/webbuild writes them
// into the generated JS module (facts.js and its .d.ts), so JS never repeats them by hand.

// ErrorCodes lists every error code of the contract (the Code* constants), in declaration order.
func ErrorCodes() []string {
	return []string{
		CodeInvalidJSON, CodeInvalidUTF8, CodeUnknownField, CodeDuplicateField, CodeMissingField,
		CodeInvalidType, CodeInvalidValue, CodeOutOfRange, CodeUnsupportedResolution,
		CodeUnsupportedFPS, CodeUnsupportedMode, CodeUnsupportedComplexity, CodePromptTooLong,
		CodeUnknownOp, CodeInvalidRateCard, CodeRequestTooLarge, CodeUnknownPlan, CodeInvalidDate,
		CodeTooManyItems, CodeOverflow, CodeInternal,
	}
}

// DefaultSpec is the spec a front end shows before anyone chose anything: the card's reference
// point (its resolution, frame rate and duration, whose multipliers are exactly 1), complexity
// "auto", mode "generate", one video. It follows the card, so a platform's card brings its own.
func (c *RateCard) DefaultSpec() Spec {
	return Spec{
		Resolution:     c.formats[c.refFormat].name,
		FPS:            c.fps[c.refFPS],
		DurationMillis: c.refSeconds * 1000,
		Complexity:     complexityAuto,
		Mode:           modeGenerate,
		Count:          1,
	}
}
