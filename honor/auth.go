package honor

import (
	"context"
	"time"

	"golang.org/x/oauth2"
)

// DefaultTokenLifetime is assumed when the token answer has no expires_in.
const DefaultTokenLifetime = time.Hour

// RefreshEarly is how long before its expiry an access token is replaced, so
// that a send never races the expiry.
const RefreshEarly = 3 * time.Minute

// fetchToken buys an access token with the client credentials. It is the
// auth.Source behind the client's token cache.
func (c *Client) fetchToken(ctx context.Context) (*oauth2.Token, error) {
	return c.oauth.Fetch(ctx)
}
