// Package honor sends offline pushes through Honor Push (荣耀推送), the
// channel of Honor phones on Magic UI 4.0+ (older Honor devices use Huawei
// push).
//
// Honor's server API is an HMS-like fork: the app's Client ID and Client
// Secret buy an OAuth2 access token (client_credentials) from Honor's IAM
// service; every send carries "Authorization: Bearer <token>" and a
// "timestamp" header in milliseconds, and posts a camelCase JSON body without
// HMS's "message" wrapper to /api/v1/{appId}/sendMessage. The answer lists
// dead tokens in data.expireTokens and otherwise failed ones in
// data.failTokens. Client.DryRun shows the exact request a Push sends.
//
// Its files are the rooms of every vendor package: client.go (config, New,
// Push), message.go (wire structs and mapping), auth.go (the access token)
// and answer.go (decoding and the verdict table). Facts Honor has not
// published (marked UNVERIFIED in comments) are read the safe way.
package honor
