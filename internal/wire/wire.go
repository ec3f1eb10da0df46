// Package wire encodes request bodies the way the vendors read them. It is
// the one place the vendor packages write JSON, so every vendor sends the
// same bytes for the same text.
package wire

import (
	"bytes"
	"encoding/json"
)

// JSON is json.Marshal without HTML escaping: "<", ">" and "&" go out as
// they are. A URL or intent then reads on the wire as the user wrote it,
// and a body's size is the size the vendor counts against its limit
// (escaped, "&" would take six bytes). There is no trailing newline.
func JSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
