package textfit

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push/payload"
)

// TestFit: the texts are cut as little as needed, whatever the escapes,
// never splitting a character; one more character would not fit.
func TestFit(t *testing.T) {
	for _, tc := range []struct {
		name         string
		limit        int
		title, body  string
		wantT, wantB string // exact results, "" when checked by the rule only
	}{
		{"fits", 100, "Alice", "hi", "Alice", "hi"},
		{"CJK", 100, "Alice", strings.Repeat("長", 100), "Alice", strings.Repeat("長", 23) + "…"},
		{"emoji", 100, "Alice", strings.Repeat("😀", 100), "Alice", strings.Repeat("😀", 17) + "…"},
		// "<", "&" and ">" are 6 bytes each encoded HTML-safe: 11 of them and "…" fit
		{"HTML-escaped", 100, "Alice", strings.Repeat("<&>", 100), "Alice", strings.Repeat("<&>", 3) + "<&" + "…"},
		{"mixed", 200, "Alice", strings.Repeat("a\"b\\c\nd 你好😀 ", 40), "", ""},
		{"title too", 80, strings.Repeat("标", 100), strings.Repeat("题", 100), strings.Repeat("标", 16) + "…", "题…"},
		{"trailing space dropped before the ellipsis", 45, "", "word word word word word", "", "word word word word…"},
		{"cannot fit", 10, "Alice", "hi there", "A…", "h…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			title, body := tc.title, tc.body
			size := func() int {
				b, err := json.Marshal(map[string]string{"title": title, "body": body}) // HTML-safe, like FCM's encoder
				require.NoError(t, err)
				return len(b)
			}
			ok := Fit(tc.limit, size, &body, &title)
			assert.Equal(t, tc.name != "cannot fit", ok)
			assert.True(t, utf8.ValidString(title) && utf8.ValidString(body))
			if tc.wantT != "" || tc.wantB != "" {
				assert.Equal(t, tc.wantT, title)
				assert.Equal(t, tc.wantB, body)
			}
			if !ok {
				return
			}
			assert.LessOrEqual(t, size(), tc.limit)
			if body != tc.body { // cut: a prefix and the ellipsis, and one more character would not fit
				kept := strings.TrimSuffix(body, payload.Ellipsis)
				require.True(t, strings.HasPrefix(tc.body, kept))
				if title == tc.title {
					next := tc.body[len(kept):]
					_, w := utf8.DecodeRuneInString(next)
					body = kept + next[:w] + payload.Ellipsis
					if strings.TrimSpace(next[:w]) != "" {
						assert.Greater(t, size(), tc.limit, "one more character would have fitted")
					}
				}
			}
		})
	}
}
