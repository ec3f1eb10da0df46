package push

import "errors"

// Result holds one Outcome per token, in the order the tokens were given.
type Result struct {
	Outcomes []Outcome
}

// Outcome is what happened to one token.
type Outcome struct {
	Token string
	// MessageID is the vendor's message, task or request id, when it gives one.
	MessageID string
	// Err is nil when the vendor accepted the message for this token.
	// Otherwise errors.Is tells the class (ErrInvalidToken, ErrQuota, …) and
	// errors.As(*VendorError) gives the vendor's own code.
	Err error
}

// OK reports whether the vendor accepted the message for this token.
func (o Outcome) OK() bool { return o.Err == nil }

// Delivered counts the tokens the vendor accepted.
func (r *Result) Delivered() int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Err == nil {
			n++
		}
	}
	return n
}

// InvalidTokens returns the tokens the vendor reported as unregistered,
// malformed or expired: the caller should delete them.
func (r *Result) InvalidTokens() []string {
	var out []string
	for _, o := range r.Outcomes {
		if errors.Is(o.Err, ErrInvalidToken) {
			out = append(out, o.Token)
		}
	}
	return out
}

// Failed returns every outcome with an error, invalid tokens included.
func (r *Result) Failed() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if o.Err != nil {
			out = append(out, o)
		}
	}
	return out
}

// Retryable returns the failed outcomes a later retry could fix: rate
// limits and temporary vendor failures (not invalid tokens, auth, quota or
// message errors).
func (r *Result) Retryable() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if IsRetryable(o.Err) {
			out = append(out, o)
		}
	}
	return out
}

// Err returns the first failed outcome's error, or nil when every token was
// accepted. Handy when pushing to a single token.
func (r *Result) Err() error {
	for _, o := range r.Outcomes {
		if o.Err != nil {
			return o.Err
		}
	}
	return nil
}
