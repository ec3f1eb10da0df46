// Package secret prints credentials for people: a Config's String shows
// whether a secret is set, never the secret.
package secret

// Mask returns `""` for an empty secret and <redacted> for any other.
func Mask[T ~string | ~[]byte](s T) string {
	if len(s) == 0 {
		return `""`
	}
	return "<redacted>"
}
