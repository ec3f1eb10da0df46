package secret

import "testing"

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"": `""`, "s3cret": "<redacted>"} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %s, want %s", in, got, want)
		}
		if got := Mask([]byte(in)); got != want {
			t.Errorf("Mask([]byte(%q)) = %s, want %s", in, got, want)
		}
	}
}
