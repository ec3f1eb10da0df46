// Package reject builds the errors a client returns before any request: a
// message rule broken (ErrInvalidMessage) or a Config rule broken
// (ErrConfig), each a *push.FieldError naming the field and the rule.
package reject

import (
	"errors"

	"github.com/offlinepush/push"
)

// Message returns an ErrInvalidMessage error of vendor v naming the field
// and the rule it broke, e.g. reject.Message(push.Huawei, "Click.URL",
// "must use https").
func Message(v push.Vendor, field, rule string) error {
	return &push.FieldError{Kind: push.ErrInvalidMessage, Vendor: v, Field: field, Rule: rule}
}

// Config returns an ErrConfig error of vendor v naming the Config field and
// the rule, e.g. reject.Config(push.OPPO, "ChannelID", "is required").
func Config(v push.Vendor, field, rule string) error {
	return &push.FieldError{Kind: push.ErrConfig, Vendor: v, Field: field, Rule: rule}
}

// AsConfig restates a message rule that a Config field broke (a
// certificate's default Click is checked with the message rules) as a config
// error of v naming the same field. Other errors are returned as they are.
func AsConfig(v push.Vendor, err error) error {
	var fe *push.FieldError
	if errors.As(err, &fe) {
		return Config(v, fe.Field, fe.Rule)
	}
	return err
}
