// Package huawei sends offline pushes through Huawei Push Kit, REST API v1:
// Android/EMUI phones and HarmonyOS 3.x/4.x. HarmonyOS NEXT (5 and later)
// needs Push Kit v3: see package harmony.
//
// Push Kit authenticates with an OAuth 2.0 client-credentials access token
// (AppID + AppSecret, valid one hour, fetched from oauth-login.cloud.huawei.com
// and cached), takes a JSON body with up to 1000 tokens, and answers with a
// string code: "80000000" success, "80100000" partial success with the
// failed tokens listed inside msg. This package maps a push.OfflinePushInfo
// onto an IM notification (android.category "IM", importance "NORMAL"),
// fits it into the 4096-byte body limit (shortening Desc, then Title; Client.DryRun shows the result), sends batches
// concurrently and decodes one outcome per token (see the verdict table at
// decode).
package huawei
