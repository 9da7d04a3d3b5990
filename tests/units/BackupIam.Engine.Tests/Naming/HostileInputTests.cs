using System.Collections.Generic;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using Xunit;

namespace BackupIam.Engine.Tests.Naming
{
    public class HostileInputTests
    {
        private static PolicyDocument Policy(string sid, string resource = "arn:aws:s3:::my-backups/backup/*", string? principal = null)
        {
            string p = principal == null ? string.Empty : ",\"Principal\":{\"AWS\":\"" + principal + "\"}";
            return PolicyJson.Parse("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"" + sid + "\",\"Effect\":\"Allow\"" + p + ",\"Action\":\"s3:PutObject\",\"Resource\":\"" + resource + "\"}]}");
        }

        [Theory]
        [InlineData("my sid!")]
        [InlineData("\\ud800")]
        [InlineData("Upload-Files")]
        public void IdentityPolicySidMustBeLettersAndDigits(string sid)
        {
            var ex = Assert.Throws<InputValidationException>(() => PolicyRules.CheckIdentityPolicy(Policy(sid)));
            Assert.Equal("PolicySidInvalid", ex.ErrorId);
            Assert.Equal("PolicyDocument", ex.ParameterName);
            Assert.Contains("Statement[0]", ex.Message);
            PolicyRules.CheckIdentityPolicy(Policy("UploadFiles2"));
        }

        [Fact]
        public void BucketPolicySidMayHaveSpacesButNoLoneSurrogate()
        {
            const string User = "arn:aws:iam::123456789012:user/backup";
            PolicyRules.CheckBucketPolicy(Policy("Backup writer only.", principal: User), "my-backups");
            var ex = Assert.Throws<InputValidationException>(() => PolicyRules.CheckBucketPolicy(Policy("a\\udc00", principal: User), "my-backups"));
            Assert.Equal("PolicySidInvalid", ex.ErrorId);
            Assert.Contains("U+DC00", ex.Message);
            PolicyRules.CheckBucketPolicy(Policy("emoji \\ud83d\\ude00", principal: User), "my-backups");
        }

        [Theory]
        [InlineData("arn:aws:s3:::victim-bucket/*")]
        [InlineData("arn:aws:s3:::victim-bucket")]
        [InlineData("arn:aws:s3:::my-backups-old/*")]
        [InlineData("arn:aws:iam::123456789012:user/x")]
        public void BucketPolicyResourcesMustNameThisBucket(string resource)
        {
            var ex = Assert.Throws<InputValidationException>(() => PolicyRules.CheckBucketPolicy(Policy("S", resource, "arn:aws:iam::123456789012:user/backup"), "my-backups"));
            Assert.Equal("BucketPolicyResourceOutsideBucket", ex.ErrorId);
            Assert.Equal(resource, ex.Target);
        }

        [Theory]
        [InlineData("arn:aws:s3:::my-backups")]
        [InlineData("arn:aws:s3:::my-backups/*")]
        [InlineData("arn:aws:s3:::my-*/backup/*")]
        [InlineData("*")]
        public void BucketPolicyResourcesInThisBucketPass(string resource) =>
            PolicyRules.CheckBucketPolicy(Policy("S", resource, "arn:aws:iam::123456789012:user/backup"), "my-backups");

        [Theory]
        [InlineData("arn:aws-fake:iam::123456789012:user/backup", "aws-fake")]
        [InlineData("arn:aws:iam::12345:user/backup", "12345")]
        public void BucketPolicyPrincipalsMustNameSomebody(string principal, string named)
        {
            var ex = Assert.Throws<InputValidationException>(() => PolicyRules.CheckBucketPolicy(Policy("S", principal: principal), "my-backups"));
            Assert.Equal("PrincipalArnInvalid", ex.ErrorId);
            Assert.Contains(named, ex.Message);
            PolicyRules.CheckBucketPolicy(Policy("S", principal: "arn:aws:iam:::user/backup"), "my-backups");
            PolicyRules.CheckBucketPolicy(Policy("S", principal: "123456789012"), "my-backups");
        }

        [Theory]
        [InlineData("aws:SourceIp", "not-an-ip")]
        [InlineData("aws:SourceIp", "10.0.0.0/8")]
        [InlineData("aws:SourceIp", "10.1")]
        [InlineData("aws:SecureTransport", "yes")]
        public void ContextValuesOfTypedKeysAreChecked(string key, string value)
        {
            var context = new Dictionary<string, IReadOnlyList<string>> { [key] = new[] { value } };
            var ex = Assert.Throws<InputValidationException>(() => RequestContextRules.Validate(context, "Context"));
            Assert.Equal("ContextValueInvalid", ex.ErrorId);
            Assert.Contains(key, ex.Message);
            Assert.Contains(value, ex.Message);
        }

        [Fact]
        public void GoodContextValuesPass() =>
            RequestContextRules.Validate(new Dictionary<string, IReadOnlyList<string>>
            {
                ["aws:SourceIp"] = new[] { "203.0.113.5", "2001:db8::5" },
                ["aws:SecureTransport"] = new[] { "True" },
                ["s3:prefix"] = new[] { "anything/" },
            }, "Context");

        [Theory]
        [InlineData("../victim-bucket/planted/")]
        [InlineData("/abs/")]
        [InlineData("a//b/")]
        [InlineData("a/./b/")]
        [InlineData("")]
        public void FolderKeysRefuseEscapesAndLeadingSlashes(string folder)
        {
            var ex = Assert.Throws<InputValidationException>(() => S3Names.NormalizeFolderKey(folder, "Folder"));
            Assert.Equal("PrefixInvalid", ex.ErrorId);
            Assert.Equal("Folder", ex.ParameterName);
            Assert.Contains("'" + folder + "'", ex.Message);
            Assert.Equal("backup/schemas/", S3Names.NormalizeFolderKey("backup/schemas", "Folder"));
        }

        [Fact]
        public void PrefixesRefuseDotSegmentsAndWarnAboutALeadingSlash()
        {
            Assert.Equal("PrefixInvalid", Assert.Throws<InputValidationException>(() => S3Names.NormalizePrefix("backup/../x", "Prefix")).ErrorId);
            Assert.Equal("backup/", S3Names.NormalizePrefix("/backup/", "Prefix"));
            string? warning = S3Names.DescribeNormalization("/backup/", "backup/", "Prefix");
            Assert.Contains("'/backup/'", warning);
            Assert.Contains("'backup/'", warning);
            Assert.Null(S3Names.DescribeNormalization("backup", "backup/", "Prefix"));
        }
    }
}
