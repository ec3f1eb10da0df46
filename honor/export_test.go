package honor

import "github.com/offlinepush/push"

// bodyFor is the body Push sends for one batch of tokens (a test hook:
// DryRun is the public view).
func (c *Client) bodyFor(info *push.OfflinePushInfo, tokens ...string) ([]byte, error) {
	sp, err := c.prepare(info)
	if err != nil {
		return nil, err
	}
	return body(sp, tokens), nil
}
