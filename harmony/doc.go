// Package harmony sends offline pushes to HarmonyOS NEXT (HarmonyOS 5 and
// later) through Huawei Push Kit, REST API v3 ("scenario-based messages").
// Android/EMUI and HarmonyOS 3.x/4.x phones use Push Kit v1: see package
// huawei. A phone upgraded to NEXT gets a new token that only v3 reaches.
//
// v3 accepts only a service-account JWT: the client signs one (PS256) with
// the private key of the AppGallery Connect service-account key file, keeps
// it for up to an hour and signs a new one shortly before it expires; no
// token request is made. A send is POST /v3/{projectId}/messages:send with a
// push-type header, a payload.notification of category "IM", and up to 1000
// tokens. The answer has a string code; "80100000" lists the failed tokens
// by reason inside msg (see the verdict table at decode).
//
// HarmonyOS needs a title: an empty Title becomes push.WithDefaultTitle,
// else the Desc. A body over 4096 bytes (tokens not counted) has its Desc,
// then its Title, shortened with "…" until it fits; Ext is never cut;
// push.WithStrictLength refuses instead. Client.DryRun shows the exact
// request a Push sends.
package harmony
