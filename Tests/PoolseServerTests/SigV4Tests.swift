import Foundation
import Testing

@testable import PoolseServer

/// The signer against the worked examples of the AWS documentation ("Authenticating
/// Requests: AWS Signature Version 4", Amazon S3), so correctness does not rest on a
/// test server that may not check signatures (moto does not).
@Suite("AWS Signature Version 4")
struct SigV4Tests {
    let signer = SigV4(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                       region: "us-east-1")
    let may24 = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

    @Test func presignedGetMatchesTheDocumentedExample() {
        let url = signer.presignedURL(method: "GET", scheme: "https", host: "examplebucket.s3.amazonaws.com",
                                      path: "/test.txt", expiresIn: 86_400, now: may24)
        #expect(url == "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test func headerSignedGetMatchesTheDocumentedExample() {
        let headers = signer.authorizationHeaders(
            method: "GET", path: "/test.txt",
            headers: ["Host": "examplebucket.s3.amazonaws.com", "Range": "bytes=0-9"], now: may24)
        #expect(headers["Authorization"] == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(headers["x-amz-date"] == "20130524T000000Z")
    }

    @Test func headerSignedPutEncodesThePathLikeTheDocumentedExample() {
        let headers = signer.authorizationHeaders(
            method: "PUT", path: "/test$file.text",
            headers: ["Host": "examplebucket.s3.amazonaws.com", "Date": "Fri, 24 May 2013 00:00:00 GMT",
                      "x-amz-storage-class": "REDUCED_REDUNDANCY"],
            payloadHash: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", now: may24)
        #expect(headers["Authorization"]?.hasSuffix(
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd") == true)
    }

    @Test func presignedPutSignsTheHeadersTheClientMustSend() throws {
        let url = signer.presignedURL(method: "PUT", scheme: "http", host: "127.0.0.1:9000", path: "/bucket/a b/ü.png",
                                      headers: ["Content-Type": "image/png", "Content-Length": "5", "If-None-Match": "*"],
                                      expiresIn: 900, now: may24)
        #expect(url.hasPrefix("http://127.0.0.1:9000/bucket/a%20b/%C3%BC.png?"))
        #expect(url.contains("X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost%3Bif-none-match"))
        #expect(url.contains("X-Amz-Expires=900"))
    }

    @Test func encodingKeepsOnlyUnreservedCharacters() {
        #expect(SigV4.encode("a-b_c.d~e") == "a-b_c.d~e")
        #expect(SigV4.encode("a/b c+d=") == "a%2Fb%20c%2Bd%3D")
        #expect(SigV4.encodePath("/a/b c") == "/a/b%20c")
    }
}
