using BackupIam.Engine.Policies;
using Xunit;

namespace BackupIam.Engine.Tests.Policies
{
    /// <summary>The buckets a policy names: Get-BackupUser/Get-BackupGroup's default scope and Set-*Policy's missing-bucket warning.</summary>
    public class PolicyBucketsTests
    {
        [Fact]
        public void NamesConcreteBucketsOnceInFirstOrder()
        {
            PolicyDocument doc = PolicyJson.Parse(
                "{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":[\"arn:aws:s3:::zeta/backup/*\",\"arn:aws:s3:::alpha\"]},"
                + "{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":[\"arn:aws:s3:::alpha\",\"arn:aws-cn:s3:::china-bucket\"]}]}");

            Assert.Equal(new[] { "zeta", "alpha", "china-bucket" }, PolicyBuckets.NamedIn(doc));
        }

        [Fact]
        public void LeavesOutWildcardsVariablesInvalidNamesNonS3AndNotResource()
        {
            PolicyDocument doc = PolicyJson.Parse(
                "{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":[\"arn:aws:s3:::logs-*/x\",\"arn:aws:s3:::b?\",\"arn:aws:s3:::${aws:username}/*\","
                + "\"arn:aws:s3:::Not_A_Bucket\",\"arn:aws:s3:::/key\",\"*\",\"arn:aws:iam::123456789012:user/u\"]},"
                + "{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"NotResource\":\"arn:aws:s3:::other-bucket\"},"
                + "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::kept/a/b\"}]}");

            Assert.Equal(new[] { "kept" }, PolicyBuckets.NamedIn(doc));
        }
    }
}
