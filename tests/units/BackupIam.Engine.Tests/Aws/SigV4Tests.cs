using Xunit;
using Amazon.Runtime;
using BackupIam.Engine.Aws.Iam;

namespace BackupIam.Engine.Tests.Aws;

public sealed class SigV4Tests
{
    [Fact]
    public void MatchesAwsTestSuitePostFormUrlEncodedVector()
    {
        // aws-sig-v4-test-suite "post-x-www-form-urlencoded".
        var creds = new ImmutableCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
        var signedAt = new DateTime(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);
        string auth = SigV4.Sign(creds, "us-east-1", "service", signedAt, "POST", new Uri("https://example.amazonaws.com/"),
            new Dictionary<string, string>
            {
                ["Content-Type"] = "application/x-www-form-urlencoded",
                ["Host"] = "example.amazonaws.com",
                ["X-Amz-Date"] = "20150830T123600Z",
            },
            "Param1=value1"u8.ToArray());

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, "
            + "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
            auth);
        Assert.Equal("20150830T123600Z", SigV4.FormatAmzDate(signedAt));
        Assert.Equal("127.0.0.1:5000", SigV4.HostHeader(new Uri("http://127.0.0.1:5000/")));
        Assert.Equal("iam.amazonaws.com", SigV4.HostHeader(new Uri("https://iam.amazonaws.com/")));
    }
}
