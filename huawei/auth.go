package huawei

import (
	"context"

	"golang.org/x/oauth2"
)

// fetchToken buys an access token with the app's client credentials
// (AppID and AppSecret, form-encoded). It is the auth.Source behind the
// client's token cache.
func (c *Client) fetchToken(ctx context.Context) (*oauth2.Token, error) {
	return c.oauth.Fetch(ctx)
}
