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

// DeviceOutcome is what happened to one device of a Router push: the
// Outcome of its token, and the certificate and vendor it went through.
type DeviceOutcome struct {
	Outcome
	CertificateID string
	Vendor        Vendor // empty for an unknown certificate
}

// Device returns the device the outcome is for, as it was given to Push.
func (o DeviceOutcome) Device() Device { return Device{CertificateID: o.CertificateID, Token: o.Token} }

// DeviceResult holds one DeviceOutcome per device, in input order.
type DeviceResult struct {
	Outcomes []DeviceOutcome
}

// outcomer is an Outcome or a type embedding one: the helpers of Result
// and DeviceResult are written once over it.
type outcomer interface{ outcome() Outcome }

func (o Outcome) outcome() Outcome { return o }

func delivered[O outcomer](os []O) int {
	n := 0
	for _, o := range os {
		if o.outcome().Err == nil {
			n++
		}
	}
	return n
}

// filter returns the outcomes whose error passes keep, in order.
func filter[O outcomer](os []O, keep func(error) bool) []O {
	var out []O
	for _, o := range os {
		if keep(o.outcome().Err) {
			out = append(out, o)
		}
	}
	return out
}

func firstErr[O outcomer](os []O) error {
	for _, o := range os {
		if err := o.outcome().Err; err != nil {
			return err
		}
	}
	return nil
}

func failed(err error) bool  { return err != nil }
func invalid(err error) bool { return errors.Is(err, ErrInvalidToken) }

// Delivered counts the tokens the vendor accepted.
func (r *Result) Delivered() int { return delivered(r.Outcomes) }

// InvalidTokens returns the tokens the vendor reported as unregistered,
// malformed or expired: the caller should delete them.
func (r *Result) InvalidTokens() []string {
	var out []string
	for _, o := range filter(r.Outcomes, invalid) {
		out = append(out, o.Token)
	}
	return out
}

// Failed returns every outcome with an error, invalid tokens included.
func (r *Result) Failed() []Outcome { return filter(r.Outcomes, failed) }

// Retryable returns the failed outcomes a later retry could fix: rate
// limits and temporary vendor failures (not invalid tokens, auth, quota or
// message errors).
func (r *Result) Retryable() []Outcome { return filter(r.Outcomes, IsRetryable) }

// Err returns the first failed outcome's error, or nil when every token was
// accepted. Handy when pushing to a single token.
func (r *Result) Err() error { return firstErr(r.Outcomes) }

// Delivered counts the devices the vendors accepted.
func (r *DeviceResult) Delivered() int { return delivered(r.Outcomes) }

// InvalidTokens returns, per certificate ID, the tokens the vendors reported
// dead: delete them from the device registry.
func (r *DeviceResult) InvalidTokens() map[string][]string {
	out := map[string][]string{}
	for _, o := range filter(r.Outcomes, invalid) {
		out[o.CertificateID] = append(out[o.CertificateID], o.Token)
	}
	return out
}

// Failed returns every device outcome with an error.
func (r *DeviceResult) Failed() []DeviceOutcome { return filter(r.Outcomes, failed) }

// Retryable returns the failed devices a later retry could reach.
func (r *DeviceResult) Retryable() []DeviceOutcome { return filter(r.Outcomes, IsRetryable) }

// Err returns the first failed device's error, or nil when every device
// was accepted.
func (r *DeviceResult) Err() error { return firstErr(r.Outcomes) }
